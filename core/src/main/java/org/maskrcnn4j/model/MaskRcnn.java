package org.maskrcnn4j.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.maskrcnn4j.nn.BatchStatistics;
import org.maskrcnn4j.nn.Parameter;
import org.maskrcnn4j.tensor.Ops;
import org.maskrcnn4j.tensor.Tensor;

/**
 * The Mask R-CNN meta-architecture, composed from its parts by constructor: transform, backbone,
 * proposal generator, RoI heads, and the loss combination. Pure tensor code; {@link MaskRcnnModel} runs
 * it on a backend.
 */
public final class MaskRcnn {
    private final RcnnTransform transform;
    private final Backbone backbone;
    private final ProposalGenerator proposalGenerator;
    private final RoIHeads roiHeads;
    private final DetectionLoss loss;
    private final MaskPaster paster = new MaskPaster();

    public MaskRcnn(RcnnTransform transform, Backbone backbone, ProposalGenerator proposalGenerator, RoIHeads roiHeads,
            DetectionLoss loss) {
        this.transform = transform;
        this.backbone = backbone;
        this.proposalGenerator = proposalGenerator;
        this.roiHeads = roiHeads;
        this.loss = loss;
    }

    public RcnnTransform transform() {
        return transform;
    }

    public Backbone backbone() {
        return backbone;
    }

    public ProposalGenerator proposalGenerator() {
        return proposalGenerator;
    }

    public RoIHeads roiHeads() {
        return roiHeads;
    }

    /** Every parameter and buffer in torchvision's state_dict order. */
    public List<Parameter> parameters() {
        List<Parameter> all = new ArrayList<>(backbone.parameters());
        all.addAll(proposalGenerator.parameters());
        all.addAll(roiHeads.parameters());
        return all;
    }

    /** Intermediate results of inference, for tests and tools that look inside. */
    public record Trace(ImageList batch, FeatureMaps features, Proposals proposals, List<Detections> detections) {
    }

    /**
     * Inference on images {@code [3, h, w]} with values in 0..1. Per image, in original pixels: boxes
     * {@code [D, 4]}, scores {@code [D]}, labels {@code [D]}, mask probabilities {@code [D, M, M]} of the
     * predicted class, and pasted mask probabilities {@code [D, h, w]} (threshold them at 0.5).
     */
    public List<Map<String, Tensor>> detect(Ops ops, List<Tensor> images) {
        return postprocess(ops, images, trace(ops, images));
    }

    /** Runs inference up to the RoI heads' detections (in resized coordinates). */
    public Trace trace(Ops ops, List<Tensor> images) {
        ImageList batch = transform.batch(ops, images);
        FeatureMaps features = backbone.forward(ops, batch.tensors());
        Proposals proposals = proposalGenerator.forward(ops, batch, features, null, Mode.inference());
        RoIHeads.Output out = roiHeads.forward(ops, features, proposals.boxes(), batch.imageSizes(), null, Mode.inference());
        return new Trace(batch, features, proposals, out.detections());
    }

    /** Maps the detections of {@link #trace} back to the original images and pastes their masks. */
    public List<Map<String, Tensor>> postprocess(Ops ops, List<Tensor> images, Trace trace) {
        List<Map<String, Tensor>> results = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            long[] original = {images.get(i).shape().get(1), images.get(i).shape().get(2)};
            Detections d = trace.detections().get(i);
            Map<String, Tensor> r = new LinkedHashMap<>();
            Tensor boxes = transform.boxesToOriginal(ops, d.boxes(), trace.batch().imageSizes()[i], original);
            r.put("boxes", boxes);
            r.put("scores", d.scores());
            r.put("labels", d.labels());
            if (d.maskProbs() != null) {
                r.put("mask_probs", d.maskProbs());
                r.put("masks", paster.paste(ops, d.maskProbs(), boxes, original[0], original[1]));
            }
            results.add(r);
        }
        return results;
    }

    /**
     * The batch statistics that the backbone's batch norms see for images {@code [3, h, w]} in 0..1, batched
     * as in training ({@link BatchStatistics#outputs()}, by running-statistics buffer name); empty when
     * no batch norm uses batch statistics. The input of calibrating the running statistics.
     */
    public Map<String, Tensor> batchStatistics(Ops ops, List<Tensor> images) {
        BatchStatistics statistics = new BatchStatistics();
        backbone.forward(ops, transform.batch(ops, images).tensors(), Mode.calibration(statistics));
        return statistics.outputs();
    }

    /**
     * Training losses with torchvision's names, plus {@code loss} = their combination, for images
     * {@code [3, h, w]} in 0..1 and targets in the images' original pixels.
     */
    public Map<String, Tensor> losses(Ops ops, List<Tensor> images, List<Target> targets, Mode mode) {
        if (!mode.training()) {
            throw new IllegalArgumentException("losses need training mode");
        }
        if (targets == null || targets.size() != images.size()) {
            throw new IllegalArgumentException("need one target per image, got " + (targets == null ? 0 : targets.size())
                    + " for " + images.size() + " images");
        }
        List<Tensor> resized = new ArrayList<>();
        List<Target> resizedTargets = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            Tensor image = images.get(i);
            long[] original = {image.shape().get(1), image.shape().get(2)};
            Tensor r = transform.normalizeAndResize(ops, image);
            long[] size = {r.shape().get(1), r.shape().get(2)};
            resized.add(r);
            resizedTargets.add(transform.resizeTarget(ops, targets.get(i), original, size, ops.unsqueeze(r, 0)));
        }
        ImageList batch = transform.pad(ops, resized);
        FeatureMaps features = backbone.forward(ops, batch.tensors(), mode);
        Proposals proposals = proposalGenerator.forward(ops, batch, features, resizedTargets, mode);
        RoIHeads.Output out = roiHeads.forward(ops, features, proposals.boxes(), batch.imageSizes(), resizedTargets, mode);
        Map<String, Tensor> losses = new LinkedHashMap<>(proposals.losses());
        losses.putAll(out.losses());
        Map<String, Tensor> result = new LinkedHashMap<>(losses);
        result.put("loss", loss.total(ops, losses));
        return result;
    }
}

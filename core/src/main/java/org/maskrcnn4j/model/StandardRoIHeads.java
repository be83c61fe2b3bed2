package org.maskrcnn4j.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.maskrcnn4j.nn.Parameter;
import org.maskrcnn4j.tensor.DType;
import org.maskrcnn4j.tensor.Ops;
import org.maskrcnn4j.tensor.Tensor;

/**
 * torchvision's {@code RoIHeads} for Mask R-CNN, composed from its parts: a box branch (pooler, head,
 * predictor) and a parallel mask branch (pooler, head, predictor). Inference: softmax scores, class-wise
 * decoded and clipped boxes, score threshold, small-box removal, class-wise NMS, top detections, then
 * the mask of each detection's class. Training: ground truth added to the proposals, matching at IoU
 * 0.5, a balanced sample (512 at 25 % positives), and {@code loss_classifier}, {@code loss_box_reg},
 * {@code loss_mask}.
 */
public final class StandardRoIHeads implements RoIHeads {
    /** torchvision's RoI-head settings. */
    public record Settings(double fgIouThreshold, double bgIouThreshold, int batchSizePerImage, double positiveFraction,
            double scoreThreshold, double nmsThreshold, int detectionsPerImage) {
        /** torchvision's defaults: IoU 0.5/0.5, 512 RoIs at 25 %, score 0.05, NMS 0.5, 100 detections. */
        public static Settings defaults() {
            return new Settings(0.5, 0.5, 512, 0.25, 0.05, 0.5, 100);
        }
    }

    private static final double MIN_SIZE = 1e-2;
    private final RoIPooler boxPooler;
    private final BoxHead boxHead;
    private final BoxPredictor boxPredictor;
    private final RoIPooler maskPooler;
    private final MaskHead maskHead;
    private final MaskPredictor maskPredictor;
    private final Settings settings;
    private final BoxCoder coder = new BoxCoder(10, 10, 5, 5);
    private final Matcher matcher;
    private final BalancedSampler sampler;

    /** The mask branch ({@code maskPooler}, {@code maskHead}, {@code maskPredictor}) may be all null. */
    public StandardRoIHeads(RoIPooler boxPooler, BoxHead boxHead, BoxPredictor boxPredictor, RoIPooler maskPooler,
            MaskHead maskHead, MaskPredictor maskPredictor, Settings settings) {
        this.boxPooler = boxPooler;
        this.boxHead = boxHead;
        this.boxPredictor = boxPredictor;
        this.maskPooler = maskPooler;
        this.maskHead = maskHead;
        this.maskPredictor = maskPredictor;
        this.settings = settings;
        this.matcher = new Matcher(settings.fgIouThreshold(), settings.bgIouThreshold(), false);
        this.sampler = new BalancedSampler(settings.batchSizePerImage(), settings.positiveFraction());
        if ((maskPooler == null) != (maskHead == null) || (maskHead == null) != (maskPredictor == null)) {
            throw new IllegalArgumentException("mask pooler, head and predictor must be given together or not at all");
        }
    }

    public boolean hasMasks() {
        return maskPredictor != null;
    }

    @Override
    public List<Parameter> parameters() {
        List<Parameter> all = new ArrayList<>(boxHead.parameters());
        all.addAll(boxPredictor.parameters());
        if (hasMasks()) {
            all.addAll(maskHead.parameters());
            all.addAll(maskPredictor.parameters());
        }
        return all;
    }

    @Override
    public Output forward(Ops ops, FeatureMaps features, List<Tensor> proposals, long[][] imageSizes, List<Target> targets,
            Mode mode) {
        return mode.training() ? train(ops, features, proposals, imageSizes, targets, mode.seed())
                : infer(ops, features, proposals, imageSizes);
    }

    private Output infer(Ops ops, FeatureMaps features, List<Tensor> proposals, long[][] imageSizes) {
        // the pooled features and the box head's activations are released before the mask branch runs
        List<Tensor> out = ops.released(() -> {
            BoxPredictor.Output o = boxPredictor.forward(ops, boxHead.forward(ops, boxPooler.pool(ops, features, proposals, imageSizes)));
            return List.of(o.classLogits(), o.boxRegression());
        });
        Tensor classLogits = out.get(0);
        Tensor boxRegression = out.get(1);
        List<Detections> detections = new ArrayList<>();
        List<Tensor> detectedBoxes = new ArrayList<>();
        List<Tensor> rows = perImageRows(ops, proposals);
        for (int i = 0; i < proposals.size(); i++) {
            Tensor logits = rows == null ? classLogits : ops.gather(classLogits, rows.get(i), 0);
            Tensor deltas = rows == null ? boxRegression : ops.gather(boxRegression, rows.get(i), 0);
            Detections d = postprocess(ops, logits, deltas, proposals.get(i), imageSizes[i]);
            detections.add(d);
            detectedBoxes.add(d.boxes());
        }
        if (!hasMasks()) {
            return new Output(detections, Map.of());
        }
        Tensor probs = ops.released1(() -> ops.sigmoid(maskPredictor.forward(ops,
                maskHead.forward(ops, maskPooler.pool(ops, features, detectedBoxes, imageSizes)))));
        List<Detections> withMasks = new ArrayList<>();
        List<Tensor> maskRows = perImageRows(ops, detectedBoxes);
        for (int i = 0; i < detections.size(); i++) {
            Detections d = detections.get(i);
            Tensor mine = maskRows == null ? probs : ops.gather(probs, maskRows.get(i), 0); // [D, K, M, M]
            Tensor index = ops.reshape(d.labels(), -1, 1, 1, 1);
            long m = mine.shape().get(2);
            Tensor picked = ops.takeAlongAxis(mine, ops.broadcastTo(index,
                    ops.concat(List.of(ops.reshape(ops.size(mine, 0), 1), ops.constant(new long[] {1, m, m}, 3)), 0)), 1);
            withMasks.add(new Detections(d.boxes(), d.scores(), d.labels(), ops.squeeze(picked, 1)));
        }
        return new Output(withMasks, Map.of());
    }

    /**
     * The rows of each image in a tensor that concatenates per-image results (int64 index tensors built
     * from run-time sizes, so a traced backend needs no static counts), or null for a single image.
     */
    private static List<Tensor> perImageRows(Ops ops, List<Tensor> perImage) {
        if (perImage.size() == 1) {
            return null;
        }
        List<Tensor> rows = new ArrayList<>();
        Tensor offset = ops.scalar(0, DType.INT64);
        for (Tensor t : perImage) {
            Tensor n = ops.size(t, 0);
            rows.add(ops.add(ops.range(n, DType.INT64), offset));
            offset = ops.add(offset, n);
        }
        return rows;
    }

    /** torchvision's {@code postprocess_detections} for one image. */
    private Detections postprocess(Ops ops, Tensor logits, Tensor deltas, Tensor proposals, long[] imageSize) {
        Tensor boxes = coder.decode(ops, deltas, proposals); // [N, K, 4]
        Tensor scores = ops.softmax(logits, -1); // [N, K]
        boxes = ops.reshape(Boxes.clip(ops, ops.reshape(boxes, -1, 4), imageSize[0], imageSize[1]),
                ops.shapeOf(boxes));
        long k = boxPredictor.numClasses();
        Tensor labels = ops.broadcastTo(ops.unsqueeze(ops.arange(0, k, 1, DType.INT64), 0), ops.shapeOf(scores));
        boxes = ops.reshape(ops.slice(boxes, 1, 1, k), -1, 4);
        scores = ops.reshape(ops.slice(scores, 1, 1, k), -1);
        labels = ops.reshape(ops.slice(labels, 1, 1, k), -1);
        Tensor keep = ops.indicesWhere(ops.logicalAnd(ops.gt(scores, settings.scoreThreshold()),
                Boxes.largeEnough(ops, boxes, MIN_SIZE)));
        boxes = ops.gather(boxes, keep, 0);
        scores = ops.gather(scores, keep, 0);
        labels = ops.gather(labels, keep, 0);
        keep = ops.slice(ops.batchedNms(boxes, scores, labels, settings.nmsThreshold()), 0, 0, settings.detectionsPerImage());
        return new Detections(ops.gather(boxes, keep, 0), ops.gather(scores, keep, 0), ops.gather(labels, keep, 0), null);
    }

    private Output train(Ops ops, FeatureMaps features, List<Tensor> proposals, long[][] imageSizes, List<Target> targets,
            Tensor seed) {
        if (targets == null) {
            throw new IllegalArgumentException("RoI heads training needs targets");
        }
        List<Tensor> sampledProposals = new ArrayList<>();
        List<Tensor> labels = new ArrayList<>();
        List<Tensor> regression = new ArrayList<>();
        List<Tensor> matchedIdxs = new ArrayList<>();
        for (int i = 0; i < proposals.size(); i++) {
            Target t = targets.get(i);
            Tensor props = ops.concat(List.of(ops.stopGradient(proposals.get(i)), t.boxes()), 0);
            Tensor matches = matcher.match(ops, Boxes.pairwiseIou(ops, t.boxes(), props));
            Tensor clamped = ops.maximum(matches, ops.scalar(0, DType.INT64));
            Tensor lab = ops.gather(t.labels(), clamped, 0);
            lab = ops.where(ops.eq(matches, ops.scalar(Matcher.BELOW_LOW_THRESHOLD, DType.INT64)), ops.scalar(0, DType.INT64), lab);
            lab = ops.where(ops.eq(matches, ops.scalar(Matcher.BETWEEN_THRESHOLDS, DType.INT64)), ops.scalar(-1, DType.INT64), lab);
            BalancedSampler.Sample s = sampler.sample(ops, lab, ops.add(seed, ops.scalar(104729L * (i + 1), DType.INT64)));
            Tensor idx = s.indices(ops);
            Tensor p = ops.gather(props, idx, 0);
            Tensor m = ops.gather(clamped, idx, 0);
            sampledProposals.add(p);
            labels.add(ops.gather(lab, idx, 0));
            matchedIdxs.add(m);
            regression.add(coder.encode(ops, ops.gather(t.boxes(), m, 0), p));
        }
        Tensor pooled = boxPooler.pool(ops, features, sampledProposals, imageSizes);
        BoxPredictor.Output out = boxPredictor.forward(ops, boxHead.forward(ops, pooled));
        Map<String, Tensor> losses = new LinkedHashMap<>(DetectionLosses.fastRcnn(ops, out.classLogits(), out.boxRegression(),
                ops.concat(labels, 0), ops.concat(regression, 0)));
        if (hasMasks()) {
            List<Tensor> positives = new ArrayList<>();
            List<Tensor> positiveMatches = new ArrayList<>();
            List<Tensor> gtMasks = new ArrayList<>();
            List<Tensor> gtLabels = new ArrayList<>();
            for (int i = 0; i < sampledProposals.size(); i++) {
                Tensor pos = ops.indicesWhere(ops.gt(labels.get(i), ops.scalar(0, DType.INT64)));
                positives.add(ops.gather(sampledProposals.get(i), pos, 0));
                positiveMatches.add(ops.gather(matchedIdxs.get(i), pos, 0));
                gtMasks.add(targets.get(i).masks());
                gtLabels.add(targets.get(i).labels());
            }
            Tensor maskLogits = maskPredictor.forward(ops, maskHead.forward(ops, maskPooler.pool(ops, features, positives, imageSizes)));
            losses.putAll(DetectionLosses.mask(ops, maskLogits, positives, gtMasks, gtLabels, positiveMatches));
        }
        return new Output(List.of(), losses);
    }
}

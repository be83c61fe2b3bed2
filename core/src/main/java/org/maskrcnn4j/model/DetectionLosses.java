package org.maskrcnn4j.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.maskrcnn4j.tensor.DType;
import org.maskrcnn4j.tensor.Ops;
import org.maskrcnn4j.tensor.Tensor;

/**
 * The training losses of Mask R-CNN, exactly torchvision's {@code RegionProposalNetwork.compute_loss},
 * {@code fastrcnn_loss} and {@code maskrcnn_loss}, as pure tensor code. Each function returns its losses
 * as scalars under torchvision's names ({@code loss_objectness}, {@code loss_rpn_box_reg},
 * {@code loss_classifier}, {@code loss_box_reg}, {@code loss_mask}); the model composes them (see
 * {@link DetectionLoss}).
 *
 * <p>Selections (sampled anchors, positive RoIs) are index ops, so empty selections just work: a sum over
 * zero elements is 0, and every mean divides by {@code max(count, 1)}. Where torchvision guards an empty
 * set ({@code maskrcnn_loss} returns {@code 0}) the result is the same; where torchvision would return NaN
 * (nothing sampled at all, zero RoIs) these functions return 0 instead.
 */
public final class DetectionLosses {
    /** torchvision's smooth-L1 {@code beta} for both box losses. */
    public static final double SMOOTH_L1_BETA = 1.0 / 9;

    public static final String LOSS_OBJECTNESS = "loss_objectness";
    public static final String LOSS_RPN_BOX_REG = "loss_rpn_box_reg";
    public static final String LOSS_CLASSIFIER = "loss_classifier";
    public static final String LOSS_BOX_REG = "loss_box_reg";
    public static final String LOSS_MASK = "loss_mask";

    private DetectionLosses() {
    }

    /**
     * The RPN losses over the anchors of all images concatenated.
     *
     * @param objectness logits {@code [A, 1]} or {@code [A]}
     * @param deltas predicted box deltas {@code [A, 4]}
     * @param labels float {@code [A]}: 1 foreground, 0 background, -1 ignored
     * @param regressionTargets encoded matched boxes {@code [A, 4]}
     * @param sampledPos bool {@code [A]}, the sampled positive anchors
     * @param sampledNeg bool {@code [A]}, the sampled negative anchors
     * @return {@code loss_objectness}: mean BCE-with-logits over the sampled anchors (positives then
     *     negatives); {@code loss_rpn_box_reg}: smooth-L1 ({@code beta = 1/9}) summed over the sampled
     *     positives, divided by the number of sampled anchors
     */
    public static Map<String, Tensor> rpn(Ops ops, Tensor objectness, Tensor deltas, Tensor labels,
            Tensor regressionTargets, Tensor sampledPos, Tensor sampledNeg) {
        Tensor posIdx = ops.indicesWhere(sampledPos);
        Tensor sampledIdx = ops.concat(List.of(posIdx, ops.indicesWhere(sampledNeg)), 0);
        DType dt = objectness.dtype();
        Tensor count = guardedCount(ops, sampledIdx, dt);

        Tensor boxSum = ops.sum(ops.smoothL1(ops.sub(ops.gather(deltas, posIdx, 0),
                ops.gather(regressionTargets, posIdx, 0)), SMOOTH_L1_BETA));
        Tensor logits = ops.gather(ops.reshape(objectness, -1), sampledIdx, 0);
        Tensor targets = ops.cast(ops.gather(ops.reshape(labels, -1), sampledIdx, 0), dt);
        Tensor bceSum = ops.sum(ops.binaryCrossEntropyWithLogits(logits, targets));

        Map<String, Tensor> losses = new LinkedHashMap<>();
        losses.put(LOSS_OBJECTNESS, ops.div(bceSum, count));
        losses.put(LOSS_RPN_BOX_REG, ops.div(boxSum, count));
        return losses;
    }

    /**
     * The box-head losses over the sampled RoIs of all images concatenated.
     *
     * @param classLogits {@code [N, K]} (class 0 is background)
     * @param boxRegression class-specific deltas {@code [N, 4K]}
     * @param labels int64 {@code [N]}, the class of each RoI's matched box (0 for background)
     * @param regressionTargets encoded matched boxes {@code [N, 4]}
     * @return {@code loss_classifier}: mean cross entropy over the N RoIs; {@code loss_box_reg}: smooth-L1
     *     ({@code beta = 1/9}) of the ground-truth class's deltas, summed over the positive RoIs
     *     ({@code labels > 0}) and divided by N
     */
    public static Map<String, Tensor> fastRcnn(Ops ops, Tensor classLogits, Tensor boxRegression, Tensor labels,
            Tensor regressionTargets) {
        DType dt = classLogits.dtype();
        Tensor count = guardedCount(ops, labels, dt);
        Tensor classification = ops.div(ops.sum(ops.crossEntropy(classLogits, labels)), count);

        Tensor posIdx = ops.indicesWhere(ops.gt(labels, ops.scalar(0, labels.dtype())));
        Tensor posLabels = ops.cast(ops.gather(labels, posIdx, 0), DType.INT64);
        // box_regression.reshape(N, -1, 4)[pos, labels[pos]] as one gather on the [N * K, 4] rows.
        Tensor classes = ops.floorDiv(ops.size(boxRegression, 1), ops.scalar(4, DType.INT64));
        Tensor rows = ops.add(ops.mul(posIdx, classes), posLabels);
        Tensor picked = ops.gather(ops.reshape(boxRegression, -1, 4), rows, 0);
        Tensor boxSum = ops.sum(ops.smoothL1(ops.sub(picked, ops.gather(regressionTargets, posIdx, 0)),
                SMOOTH_L1_BETA));

        Map<String, Tensor> losses = new LinkedHashMap<>();
        losses.put(LOSS_CLASSIFIER, classification);
        losses.put(LOSS_BOX_REG, ops.div(boxSum, count));
        return losses;
    }

    /**
     * The mask loss over the positive proposals of all images.
     *
     * @param maskLogits {@code [P, K, M, M]}, P the positive proposals of all images concatenated in image
     *     order; M must be static
     * @param proposalsPerImage per image {@code [P_i, 4]} positive proposals (absolute XYXY)
     * @param gtMasksPerImage per image {@code [G_i, H, W]} ground-truth masks (any numeric dtype, 0/1)
     * @param gtLabelsPerImage per image int64 {@code [G_i]}
     * @param matchedIdxsPerImage per image int64 {@code [P_i]}, the ground truth each proposal matched
     * @return {@code loss_mask}: mean BCE-with-logits of {@code maskLogits[p, label_p]} against
     *     {@link #projectMasksOnBoxes the projected targets}, over {@code P * M * M} elements (0 when P = 0)
     */
    public static Map<String, Tensor> mask(Ops ops, Tensor maskLogits, List<Tensor> proposalsPerImage,
            List<Tensor> gtMasksPerImage, List<Tensor> gtLabelsPerImage, List<Tensor> matchedIdxsPerImage) {
        int images = proposalsPerImage.size();
        if (gtMasksPerImage.size() != images || gtLabelsPerImage.size() != images
                || matchedIdxsPerImage.size() != images) {
            throw new IllegalArgumentException("mask loss: per-image lists differ in length: " + images
                    + " proposals, " + gtMasksPerImage.size() + " gt masks, " + gtLabelsPerImage.size()
                    + " gt labels, " + matchedIdxsPerImage.size() + " matched indices");
        }
        if (maskLogits.rank() != 4) {
            throw new IllegalArgumentException("mask loss: mask logits must be [P, K, M, M], got "
                    + maskLogits.shape());
        }
        long m = maskLogits.shape().get(3);
        if (m < 0) {
            throw new IllegalArgumentException("mask loss: the mask size M of mask logits " + maskLogits.shape()
                    + " must be static");
        }
        DType dt = maskLogits.dtype();
        List<Tensor> labels = new ArrayList<>();
        List<Tensor> targets = new ArrayList<>();
        for (int i = 0; i < images; i++) {
            Tensor matched = matchedIdxsPerImage.get(i);
            labels.add(ops.cast(ops.gather(gtLabelsPerImage.get(i), matched, 0), DType.INT64));
            targets.add(projectMasksOnBoxes(ops, ops.cast(gtMasksPerImage.get(i), dt),
                    ops.cast(proposalsPerImage.get(i), dt), matched, (int) m));
        }
        Tensor label = ops.concat(labels, 0);
        Tensor target = ops.concat(targets, 0);

        // mask_logits[arange(P), labels] as one gather on the [P * K, M, M] rows.
        Tensor p = ops.size(maskLogits, 0);
        Tensor rows = ops.add(ops.mul(ops.range(p, DType.INT64), ops.size(maskLogits, 1)), label);
        Tensor picked = ops.gather(ops.reshape(maskLogits, -1, m, m), rows, 0);
        Tensor bceSum = ops.sum(ops.binaryCrossEntropyWithLogits(picked, target));
        Tensor count = ops.maximum(ops.mul(ops.cast(p, dt), (double) (m * m)), ops.scalar(1, dt));

        Map<String, Tensor> losses = new LinkedHashMap<>();
        losses.put(LOSS_MASK, ops.div(bceSum, count));
        return losses;
    }

    /**
     * torchvision's {@code project_masks_on_boxes} for one image: RoIAlign of the ground-truth masks
     * {@code gtMasks [G, H, W]} (float) over rois (matched gt index, box), {@code M x M} output, spatial
     * scale 1, adaptive sampling ratio, {@code aligned = false}.
     *
     * @param gtMasks float {@code [G, H, W]}
     * @param boxes {@code [P, 4]} proposals in the masks' pixel coordinates
     * @param matchedIdxs int64 {@code [P]}, the gt mask each box crops
     * @return {@code [P, M, M]} soft targets (not thresholded)
     */
    public static Tensor projectMasksOnBoxes(Ops ops, Tensor gtMasks, Tensor boxes, Tensor matchedIdxs, int m) {
        Tensor index = ops.unsqueeze(ops.cast(matchedIdxs, boxes.dtype()), 1);
        Tensor rois = ops.concat(List.of(index, boxes), 1);
        Tensor features = ops.unsqueeze(ops.cast(gtMasks, boxes.dtype()), 1);
        return ops.squeeze(ops.roiAlign(features, rois, m, m, 1.0, -1, false), 1);
    }

    /** The length of a rank-1 tensor's first axis as a scalar of {@code dtype}, at least 1. */
    private static Tensor guardedCount(Ops ops, Tensor t, DType dtype) {
        return ops.maximum(ops.cast(ops.size(t, 0), dtype), ops.scalar(1, dtype));
    }
}

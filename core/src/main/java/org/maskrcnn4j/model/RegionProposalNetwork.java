package org.maskrcnn4j.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.maskrcnn4j.nn.Module;
import org.maskrcnn4j.tensor.DType;
import org.maskrcnn4j.tensor.Ops;
import org.maskrcnn4j.tensor.Tensor;

/**
 * torchvision's {@code RegionProposalNetwork}: the {@link RpnHead} scores and regresses every anchor of
 * every level; proposals are the decoded anchors filtered per image (top-n per level by objectness,
 * clipping, small-box removal, score threshold, NMS per level, top-n overall). In training, anchors are
 * matched to the ground truth (IoU 0.7 / 0.3 with low-quality matches), a balanced sample of them is
 * drawn, and {@code loss_objectness} and {@code loss_rpn_box_reg} are returned.
 */
public final class RegionProposalNetwork extends Module implements ProposalGenerator {
    /** torchvision's RPN settings; the two top-n values differ between training and inference. */
    public record Settings(int preNmsTopNTrain, int preNmsTopNTest, int postNmsTopNTrain, int postNmsTopNTest,
            double nmsThreshold, double fgIouThreshold, double bgIouThreshold, int batchSizePerImage,
            double positiveFraction, double scoreThreshold) {
        /** torchvision's defaults: 2000/1000 pre-NMS, 2000/1000 post-NMS, NMS 0.7, IoU 0.7/0.3, 256 at 50 %. */
        public static Settings defaults() {
            return new Settings(2000, 1000, 2000, 1000, 0.7, 0.7, 0.3, 256, 0.5, 0.0);
        }
    }

    private static final double MIN_SIZE = 1e-3;
    private final RpnHead head;
    private final AnchorGenerator anchors;
    private final Settings settings;
    private final BoxCoder coder = new BoxCoder(1, 1, 1, 1);
    private final Matcher matcher;
    private final BalancedSampler sampler;

    public RegionProposalNetwork(String name, int channels, AnchorGenerator anchors, Settings settings) {
        super(name);
        this.anchors = anchors;
        this.settings = settings;
        this.head = register(new RpnHead(childName("head"), channels, anchors.anchorsPerLocation(0)));
        this.matcher = new Matcher(settings.fgIouThreshold(), settings.bgIouThreshold(), true);
        this.sampler = new BalancedSampler(settings.batchSizePerImage(), settings.positiveFraction());
    }

    /** Per-image flattened outputs: objectness {@code [N, T]}, deltas {@code [N, T, 4]}, T anchors in all. */
    record Flat(Tensor objectness, Tensor deltas) {
    }

    /**
     * Concatenates the per-level outputs in torchvision's order (level, then row, column, anchor), as
     * {@code concat_box_prediction_layers}.
     */
    static Flat flatten(Ops ops, RpnHead.Output out) {
        List<Tensor> obj = new ArrayList<>();
        List<Tensor> del = new ArrayList<>();
        for (int l = 0; l < out.objectness().size(); l++) {
            Tensor o = out.objectness().get(l); // [N, A, H, W]
            Tensor n = ops.reshape(ops.size(o, 0), 1);
            obj.add(ops.reshape(ops.permute(o, 0, 2, 3, 1), ops.concat(List.of(n, ops.constant(new long[] {-1}, 1)), 0)));
            Tensor d = out.deltas().get(l); // [N, 4A, H, W]
            Tensor a = ops.reshape(ops.floorDiv(ops.size(d, 1), ops.scalar(4, DType.INT64)), 1);
            Tensor split = ops.reshape(d, ops.concat(List.of(n, a, ops.constant(new long[] {4}, 1),
                    ops.reshape(ops.size(d, 2), 1), ops.reshape(ops.size(d, 3), 1)), 0)); // [N, A, 4, H, W]
            del.add(ops.reshape(ops.permute(split, 0, 3, 4, 1, 2), ops.concat(List.of(n, ops.constant(new long[] {-1, 4}, 2)), 0)));
        }
        return new Flat(ops.concat(obj, 1), ops.concat(del, 1));
    }

    /**
     * The objectness logits {@code [N, T]} of every anchor, in torchvision's order (level, row, column,
     * anchor), for inspection and parity tests.
     */
    public Tensor objectnessLogits(Ops ops, FeatureMaps features) {
        return flatten(ops, head.forward(ops, features.maps())).objectness();
    }

    @Override
    public Proposals forward(Ops ops, ImageList images, FeatureMaps features, List<Target> targets, Mode mode) {
        List<Tensor> maps = features.maps();
        RpnHead.Output out = head.forward(ops, maps);
        List<Tensor> levelAnchors = anchors.anchorsPerLevel(ops, images.tensors(), maps);
        Tensor allAnchors = ops.concat(levelAnchors, 0);
        long[] perLevel = anchorsPerLevel(maps);
        Flat flat = flatten(ops, out);
        Tensor levelIds = levelIds(ops, perLevel);

        int preNms = mode.training() ? settings.preNmsTopNTrain() : settings.preNmsTopNTest();
        int postNms = mode.training() ? settings.postNmsTopNTrain() : settings.postNmsTopNTest();
        List<Tensor> boxes = new ArrayList<>();
        List<Tensor> scores = new ArrayList<>();
        Tensor objectness = ops.stopGradient(flat.objectness());
        Tensor deltas = ops.stopGradient(flat.deltas());
        for (int i = 0; i < images.size(); i++) {
            Tensor obj = ops.squeeze(ops.slice(objectness, 0, i, i + 1), 0);
            Tensor del = ops.squeeze(ops.slice(deltas, 0, i, i + 1), 0);
            Tensor proposals = ops.reshape(coder.decode(ops, del, allAnchors), -1, 4);
            Tensor[] kept = filter(ops, proposals, obj, levelIds, perLevel, images.imageSizes()[i], preNms, postNms);
            boxes.add(kept[0]);
            scores.add(kept[1]);
        }
        Map<String, Tensor> losses = Map.of();
        if (mode.training()) {
            losses = losses(ops, flat, allAnchors, targets, mode.seed());
        }
        return new Proposals(boxes, scores, losses);
    }

    private static long[] anchorsPerLevel(List<Tensor> maps) {
        long[] n = new long[maps.size()];
        for (int l = 0; l < n.length; l++) {
            long h = maps.get(l).shape().get(2);
            long w = maps.get(l).shape().get(3);
            if (h < 0 || w < 0) {
                throw new IllegalArgumentException("RPN needs static feature sizes, level " + l + " is " + maps.get(l).shape());
            }
            n[l] = h * w;
        }
        return n;
    }

    private Tensor levelIds(Ops ops, long[] locationsPerLevel) {
        long[] ids = new long[Math.toIntExact(java.util.Arrays.stream(locationsPerLevel).sum() * anchors.anchorsPerLocation(0))];
        int at = 0;
        for (int l = 0; l < locationsPerLevel.length; l++) {
            long count = locationsPerLevel[l] * anchors.anchorsPerLocation(l);
            for (long k = 0; k < count; k++) {
                ids[at++] = l;
            }
        }
        return ops.constant(ids, ids.length);
    }

    /** torchvision's {@code filter_proposals} for one image: boxes {@code [P, 4]} and scores {@code [P]}. */
    private Tensor[] filter(Ops ops, Tensor proposals, Tensor objectness, Tensor levelIds, long[] locationsPerLevel,
            long[] imageSize, int preNms, int postNms) {
        List<Tensor> top = new ArrayList<>();
        long offset = 0;
        for (int l = 0; l < locationsPerLevel.length; l++) {
            long count = locationsPerLevel[l] * anchors.anchorsPerLocation(l);
            Tensor idx = ops.topK(ops.slice(objectness, 0, offset, offset + count), preNms, 0, true).indices();
            top.add(ops.add(idx, ops.scalar(offset, DType.INT64)));
            offset += count;
        }
        Tensor idx = ops.concat(top, 0);
        Tensor boxes = Boxes.clip(ops, ops.gather(proposals, idx, 0), imageSize[0], imageSize[1]);
        Tensor scores = ops.sigmoid(ops.gather(objectness, idx, 0));
        Tensor levels = ops.gather(levelIds, idx, 0);

        Tensor keep = ops.indicesWhere(ops.logicalAnd(Boxes.largeEnough(ops, boxes, MIN_SIZE),
                ops.ge(scores, settings.scoreThreshold())));
        boxes = ops.gather(boxes, keep, 0);
        scores = ops.gather(scores, keep, 0);
        levels = ops.gather(levels, keep, 0);
        keep = ops.slice(ops.batchedNms(boxes, scores, levels, settings.nmsThreshold()), 0, 0, postNms);
        return new Tensor[] {ops.gather(boxes, keep, 0), ops.gather(scores, keep, 0)};
    }

    private Map<String, Tensor> losses(Ops ops, Flat flat, Tensor allAnchors, List<Target> targets, Tensor seed) {
        if (targets == null) {
            throw new IllegalArgumentException("RPN training needs targets");
        }
        List<Tensor> labels = new ArrayList<>();
        List<Tensor> regression = new ArrayList<>();
        List<Tensor> pos = new ArrayList<>();
        List<Tensor> neg = new ArrayList<>();
        for (int i = 0; i < targets.size(); i++) {
            Tensor gt = targets.get(i).boxes();
            Tensor[] assigned = assign(ops, gt, allAnchors);
            labels.add(assigned[0]);
            regression.add(coder.encode(ops, assigned[1], allAnchors));
            BalancedSampler.Sample s = sampler.sample(ops, assigned[0], ops.add(seed, ops.scalar(7919L * i, DType.INT64)));
            pos.add(s.positive());
            neg.add(s.negative());
        }
        Tensor objectness = ops.reshape(flat.objectness(), -1);
        Tensor deltas = ops.reshape(flat.deltas(), -1, 4);
        return DetectionLosses.rpn(ops, objectness, deltas, ops.concat(labels, 0), ops.concat(regression, 0),
                ops.concat(pos, 0), ops.concat(neg, 0));
    }

    /**
     * Labels {@code [T]} (1 foreground, 0 background, -1 ignored) and the matched ground-truth boxes
     * {@code [T, 4]} of every anchor, as {@code assign_targets_to_anchors}.
     */
    private Tensor[] assign(Ops ops, Tensor gt, Tensor allAnchors) {
        if (gt.shape().get(0) == 0) {
            Tensor zeros = ops.zerosLike(ops.slice(allAnchors, 1, 0, 1));
            return new Tensor[] {ops.reshape(zeros, -1), ops.zerosLike(allAnchors)};
        }
        Tensor matches = matcher.match(ops, Boxes.pairwiseIou(ops, gt, allAnchors));
        Tensor matchedBoxes = ops.gather(gt, ops.maximum(matches, ops.scalar(0, DType.INT64)), 0);
        Tensor fg = ops.cast(ops.ge(matches, ops.scalar(0, DType.INT64)), DType.FLOAT32);
        Tensor ignore = ops.eq(matches, ops.scalar(Matcher.BETWEEN_THRESHOLDS, DType.INT64));
        Tensor labels = ops.where(ignore, ops.scalar(-1, DType.FLOAT32), fg);
        return new Tensor[] {labels, matchedBoxes};
    }
}

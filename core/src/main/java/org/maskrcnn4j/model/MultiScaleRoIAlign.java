package org.maskrcnn4j.model;

import java.util.ArrayList;
import java.util.List;
import org.maskrcnn4j.tensor.DType;
import org.maskrcnn4j.tensor.Ops;
import org.maskrcnn4j.tensor.Tensor;

/**
 * RoIAlign over a feature pyramid, as torchvision's {@code MultiScaleRoIAlign}: each box is pooled from
 * the level its size maps to ({@link LevelMapper}), with {@code aligned = false}. Level scales are
 * {@code 2^round(log2(feature_h / image_h))} from the largest image, or given explicitly.
 */
public final class MultiScaleRoIAlign implements RoIPooler {
    private final List<String> featureNames;
    private final int outputSize;
    private final int samplingRatio;

    /** Pools from the maps called {@code featureNames} (finest first; others, like {@code pool}, are ignored). */
    public MultiScaleRoIAlign(List<String> featureNames, int outputSize, int samplingRatio) {
        this.featureNames = List.copyOf(featureNames);
        this.outputSize = outputSize;
        this.samplingRatio = samplingRatio;
    }

    /** torchvision's Mask R-CNN poolers: FPN maps {@code "0".."3"}. */
    public MultiScaleRoIAlign(int outputSize, int samplingRatio) {
        this(List.of("0", "1", "2", "3"), outputSize, samplingRatio);
    }

    @Override
    public int outputSize() {
        return outputSize;
    }

    @Override
    public Tensor pool(Ops ops, FeatureMaps features, List<Tensor> boxesPerImage, long[][] imageSizes) {
        List<Tensor> maps = features.select(featureNames);
        long maxHeight = 0;
        for (long[] size : imageSizes) {
            maxHeight = Math.max(maxHeight, size[0]);
        }
        return pool(ops, maps, boxesPerImage, inferScales(maps, maxHeight));
    }

    /**
     * Infers the level scales from static feature heights and the largest image height, like
     * torchvision ({@code 2 ** round(log2(feature_h / image_h))}).
     */
    public static double[] inferScales(List<Tensor> features, long maxImageHeight) {
        double[] scales = new double[features.size()];
        for (int i = 0; i < scales.length; i++) {
            long h = features.get(i).shape().get(2);
            if (h < 0) {
                throw new IllegalArgumentException("feature level " + i + " has an unknown height "
                        + features.get(i).shape() + "; pass the scales explicitly");
            }
            double approx = (double) h / maxImageHeight;
            scales[i] = Math.pow(2, Math.rint(Math.log(approx) / Math.log(2)));
        }
        return scales;
    }

    /**
     * Pools {@code [K, C, o, o]} for the boxes of every image ({@code boxesPerImage.get(i)} {@code [Ki, 4]}
     * in image coordinates), in image order, from {@code features} (NCHW, finest first) with
     * {@code scales} (one per level, powers of two).
     */
    public Tensor pool(Ops ops, List<Tensor> features, List<Tensor> boxesPerImage, double[] scales) {
        if (scales.length != features.size()) {
            throw new IllegalArgumentException(features.size() + " feature levels but " + scales.length + " scales");
        }
        List<Tensor> rois = new ArrayList<>();
        for (int i = 0; i < boxesPerImage.size(); i++) {
            Tensor b = boxesPerImage.get(i);
            Tensor index = ops.fullLike(ops.slice(b, 1, 0, 1), i);
            rois.add(ops.concat(List.of(index, b), 1));
        }
        Tensor allRois = ops.concat(rois, 0);
        Tensor allBoxes = ops.slice(allRois, 1, 1, 5);
        if (features.size() == 1) {
            return ops.roiAlign(features.get(0), allRois, outputSize, outputSize, scales[0], samplingRatio, false);
        }
        Tensor levels = levels(ops, allBoxes, scales);

        // pool each level's boxes, then put the rows back in box order (one gather instead of a scatter per level)
        List<Tensor> pooled = new ArrayList<>();
        List<Tensor> rowsByLevel = new ArrayList<>();
        for (int l = 0; l < features.size(); l++) {
            Tensor idx = ops.indicesWhere(ops.eq(levels, ops.scalar(l, DType.INT64)));
            rowsByLevel.add(idx);
            pooled.add(ops.roiAlign(features.get(l), ops.gather(allRois, idx, 0), outputSize, outputSize,
                    scales[l], samplingRatio, false));
        }
        Tensor inverse = ops.argsort(ops.concat(rowsByLevel, 0), 0, false);
        Tensor byLevel = ops.concat(pooled, 0);
        pooled.stream().filter(p -> p != byLevel).forEach(ops::discard);
        Tensor rows = ops.gather(byLevel, inverse, 0);
        ops.discard(byLevel);
        return rows;
    }

    /** The level (0 = finest) each box goes to, int64 {@code [K]}, for boxes of all images concatenated. */
    public static Tensor levels(Ops ops, Tensor boxes, double[] scales) {
        int kMin = (int) Math.round(-Math.log(scales[0]) / Math.log(2));
        int kMax = (int) Math.round(-Math.log(scales[scales.length - 1]) / Math.log(2));
        return new LevelMapper(kMin, kMax).levels(ops, boxes);
    }
}

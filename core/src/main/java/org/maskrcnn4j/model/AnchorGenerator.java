package org.maskrcnn4j.model;

import java.util.ArrayList;
import java.util.List;
import org.maskrcnn4j.tensor.DType;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.Ops;
import org.maskrcnn4j.tensor.Tensor;

/**
 * Anchors for every feature-map level, as torchvision's {@code AnchorGenerator}: per level one size and
 * several aspect ratios; base anchors {@code round([-w, -h, w, h] / 2)} computed in float32; shifts
 * {@code (x * stride_w, y * stride_h)} with integer strides {@code padded_size // feature_size}; order
 * rows, then columns, then base anchors. Sizes come from run-time shapes, so it traces.
 */
public final class AnchorGenerator {
    private final float[][] cellAnchors;

    /** One size per level, the same aspect ratios on every level. */
    public AnchorGenerator(double[] sizes, double[] aspectRatios) {
        cellAnchors = new float[sizes.length][];
        for (int l = 0; l < sizes.length; l++) {
            cellAnchors[l] = cellAnchors(sizes[l], aspectRatios);
        }
    }

    /** torchvision's defaults for the 5 FPN levels: sizes 32..512, ratios 0.5, 1, 2. */
    public static AnchorGenerator fpnDefaults() {
        return new AnchorGenerator(new double[] {32, 64, 128, 256, 512}, new double[] {0.5, 1.0, 2.0});
    }

    public int levels() {
        return cellAnchors.length;
    }

    public int anchorsPerLocation(int level) {
        return cellAnchors[level].length / 4;
    }

    /** Base anchors of one level, rows {@code (x1, y1, x2, y2)} per aspect ratio, in float32 like torch. */
    static float[] cellAnchors(double size, double[] aspectRatios) {
        float s = (float) size;
        float[] out = new float[aspectRatios.length * 4];
        for (int i = 0; i < aspectRatios.length; i++) {
            float hRatio = (float) Math.sqrt((float) aspectRatios[i]);
            float wRatio = 1f / hRatio;
            float ws = wRatio * s;
            float hs = hRatio * s;
            out[i * 4] = (float) Math.rint(-ws / 2f);
            out[i * 4 + 1] = (float) Math.rint(-hs / 2f);
            out[i * 4 + 2] = (float) Math.rint(ws / 2f);
            out[i * 4 + 3] = (float) Math.rint(hs / 2f);
        }
        return out;
    }

    /** The base anchors of {@code level} as {@code [A, 4]} host values. */
    public HostTensor cellAnchors(int level) {
        return HostTensor.ofFloats(cellAnchors[level].clone(), cellAnchors[level].length / 4, 4);
    }

    /**
     * Anchors {@code [sum(h*w*A), 4]} float32 for one image of the padded batch {@code images}
     * ({@code [B, C, H, W]}) and the feature maps {@code features} ({@code [B, C, h, w]}, one per level).
     */
    public Tensor anchors(Ops ops, Tensor images, List<Tensor> features) {
        return ops.concat(anchorsPerLevel(ops, images, features), 0);
    }

    /** Anchors of each level separately, {@code [h*w*A, 4]} each. */
    public List<Tensor> anchorsPerLevel(Ops ops, Tensor images, List<Tensor> features) {
        if (features.size() != cellAnchors.length) {
            throw new IllegalArgumentException("anchor generator has " + cellAnchors.length
                    + " levels but got " + features.size() + " feature maps");
        }
        List<Tensor> out = new ArrayList<>();
        for (int l = 0; l < features.size(); l++) {
            out.add(levelAnchors(ops, images, features.get(l), l));
        }
        return out;
    }

    private Tensor levelAnchors(Ops ops, Tensor images, Tensor feature, int level) {
        Tensor gridH = ops.size(feature, 2);
        Tensor gridW = ops.size(feature, 3);
        Tensor strideH = ops.floorDiv(ops.size(images, 2), gridH);
        Tensor strideW = ops.floorDiv(ops.size(images, 3), gridW);
        Tensor ys = ops.unsqueeze(ops.mul(ops.range(gridH, DType.INT64), strideH), 1); // [h, 1]
        Tensor xs = ops.unsqueeze(ops.mul(ops.range(gridW, DType.INT64), strideW), 0); // [1, w]
        Tensor grid = ops.concat(List.of(ops.reshape(gridH, 1), ops.reshape(gridW, 1)), 0);
        Tensor shiftX = ops.reshape(ops.broadcastTo(xs, grid), -1);
        Tensor shiftY = ops.reshape(ops.broadcastTo(ys, grid), -1);
        Tensor shifts = ops.cast(ops.stack(List.of(shiftX, shiftY, shiftX, shiftY), 1), DType.FLOAT32);
        Tensor base = ops.constant(cellAnchors(level));
        return ops.reshape(ops.add(ops.unsqueeze(shifts, 1), ops.unsqueeze(base, 0)), -1, 4);
    }
}

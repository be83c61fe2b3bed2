package org.maskrcnn4j.model;

import org.maskrcnn4j.tensor.DType;
import org.maskrcnn4j.tensor.Ops;
import org.maskrcnn4j.tensor.Tensor;

/**
 * Assigns each box to a feature-pyramid level by its size (Feature Pyramid Networks, eq. 1), as
 * torchvision's {@code LevelMapper}: {@code floor(k0 + log2(sqrt(area) / s0) + eps)} clamped to
 * {@code [kMin, kMax]}, minus {@code kMin}, in float32.
 */
public final class LevelMapper {
    private final int kMin;
    private final int kMax;
    private final double canonicalScale;
    private final int canonicalLevel;
    private final double eps;

    public LevelMapper(int kMin, int kMax, double canonicalScale, int canonicalLevel, double eps) {
        if (kMin > kMax) {
            throw new IllegalArgumentException("kMin " + kMin + " > kMax " + kMax);
        }
        this.kMin = kMin;
        this.kMax = kMax;
        this.canonicalScale = canonicalScale;
        this.canonicalLevel = canonicalLevel;
        this.eps = eps;
    }

    /** torchvision's defaults: canonical scale 224 at level 4, eps 1e-6. */
    public LevelMapper(int kMin, int kMax) {
        this(kMin, kMax, 224, 4, 1e-6);
    }

    /** Level index (int64 {@code [N]}, 0 = level kMin) of each box {@code [N, 4]}. */
    public Tensor levels(Ops ops, Tensor boxes) {
        Tensor[] c = BoxCoder.columns(ops, boxes);
        Tensor area = ops.mul(ops.sub(c[2], c[0]), ops.sub(c[3], c[1]));
        Tensor s = ops.sqrt(area);
        Tensor lvl = ops.add(ops.add(ops.log2(ops.div(s, canonicalScale)), (double) canonicalLevel), eps);
        lvl = ops.clamp(ops.floor(lvl), kMin, kMax);
        return ops.sub(ops.cast(lvl, DType.INT64), ops.scalar(kMin, DType.INT64));
    }

    public int kMin() {
        return kMin;
    }

    public int kMax() {
        return kMax;
    }
}

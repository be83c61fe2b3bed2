package org.maskrcnn4j.nn;

import org.maskrcnn4j.tensor.DType;
import org.maskrcnn4j.tensor.Ops;
import org.maskrcnn4j.tensor.Shape;
import org.maskrcnn4j.tensor.Tensor;

/**
 * {@code torchvision.ops.FrozenBatchNorm2d} (eps 1e-5 by default, as in torchvision 0.14): batch norm with
 * fixed statistics and affine parameters, all four stored as buffers {@code weight} (1), {@code bias} (0),
 * {@code running_mean} (0), {@code running_var} (1), and no {@code num_batches_tracked}. The forward pass
 * is torchvision's, in its order: {@code scale = w * rsqrt(rv + eps)}, {@code shift = b - rm * scale},
 * {@code x * scale + shift}, with the per-channel tensors reshaped to {@code [1, C, 1, 1]}.
 */
public final class FrozenBatchNorm2d extends Layer implements ChannelAffine {
    /** torchvision's default epsilon. */
    public static final double DEFAULT_EPS = 1e-5;

    private final int numFeatures;
    private final double eps;
    private final Parameter weight;
    private final Parameter bias;
    private final Parameter runningMean;
    private final Parameter runningVar;

    public FrozenBatchNorm2d(String name, int numFeatures, double eps) {
        super(name);
        if (numFeatures <= 0 || !(eps >= 0)) {
            throw new IllegalArgumentException("FrozenBatchNorm2d " + name + ": needs positive features and eps >= 0,"
                    + " got " + numFeatures + ", " + eps);
        }
        this.numFeatures = numFeatures;
        this.eps = eps;
        Shape c = Shape.of(numFeatures);
        this.weight = buffer("weight", c, DType.FLOAT32, Init.ones());
        this.bias = buffer("bias", c, DType.FLOAT32, Init.zeros());
        this.runningMean = buffer("running_mean", c, DType.FLOAT32, Init.zeros());
        this.runningVar = buffer("running_var", c, DType.FLOAT32, Init.ones());
    }

    public FrozenBatchNorm2d(String name, int numFeatures) {
        this(name, numFeatures, DEFAULT_EPS);
    }

    @Override
    public Tensor forward(Ops ops, Tensor x) {
        Affine a = affine(ops);
        return ops.add(ops.mul(x, ops.reshape(a.scale(), 1, -1, 1, 1)), ops.reshape(a.shift(), 1, -1, 1, 1));
    }

    /** torchvision's {@code scale = w * rsqrt(rv + eps)}, {@code shift = b - rm * scale}. */
    @Override
    public Affine affine(Ops ops) {
        Tensor rv = runningVar.value(ops);
        Tensor rsqrt = ops.div(ops.scalar(1, rv.dtype()), ops.sqrt(ops.add(rv, eps)));
        Tensor scale = ops.mul(weight.value(ops), rsqrt);
        return new Affine(scale, ops.sub(bias.value(ops), ops.mul(runningMean.value(ops), scale)));
    }

    public int numFeatures() {
        return numFeatures;
    }

    public double eps() {
        return eps;
    }

    public Parameter weight() {
        return weight;
    }

    public Parameter bias() {
        return bias;
    }

    public Parameter runningMean() {
        return runningMean;
    }

    public Parameter runningVar() {
        return runningVar;
    }
}

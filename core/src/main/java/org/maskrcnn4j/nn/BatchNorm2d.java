package org.maskrcnn4j.nn;

import org.maskrcnn4j.tensor.DType;
import org.maskrcnn4j.tensor.Ops;
import org.maskrcnn4j.tensor.Shape;
import org.maskrcnn4j.tensor.Tensor;

/**
 * {@code torch.nn.BatchNorm2d} in its inference form: {@code (x - running_mean) / sqrt(running_var + eps)
 * * weight + bias} over axis 1 of NCHW input, always with the running statistics (batch statistics are
 * not computed and the running statistics are never updated). State: trainable {@code weight} (1) and
 * {@code bias} (0); buffers {@code running_mean} (0), {@code running_var} (1) and
 * {@code num_batches_tracked} (int64 scalar 0), in that state_dict order.
 */
public final class BatchNorm2d extends Layer implements ChannelAffine {
    /** torch's default epsilon. */
    public static final double DEFAULT_EPS = 1e-5;

    private final int numFeatures;
    private final double eps;
    private final Parameter weight;
    private final Parameter bias;
    private final Parameter runningMean;
    private final Parameter runningVar;
    private final Parameter numBatchesTracked;

    public BatchNorm2d(String name, int numFeatures, double eps) {
        super(name);
        if (numFeatures <= 0 || !(eps >= 0)) {
            throw new IllegalArgumentException("BatchNorm2d " + name + ": needs positive features and eps >= 0, got "
                    + numFeatures + ", " + eps);
        }
        this.numFeatures = numFeatures;
        this.eps = eps;
        Shape c = Shape.of(numFeatures);
        this.weight = parameter("weight", c, Init.ones());
        this.bias = parameter("bias", c, Init.zeros());
        this.runningMean = buffer("running_mean", c, DType.FLOAT32, Init.zeros());
        this.runningVar = buffer("running_var", c, DType.FLOAT32, Init.ones());
        this.numBatchesTracked = buffer("num_batches_tracked", Shape.scalar(), DType.INT64, Init.zeros());
    }

    public BatchNorm2d(String name, int numFeatures) {
        this(name, numFeatures, DEFAULT_EPS);
    }

    @Override
    public Tensor forward(Ops ops, Tensor x) {
        return ops.batchNorm(x, runningMean.value(ops), runningVar.value(ops), weight.value(ops), bias.value(ops), eps);
    }

    /** {@code scale = weight / sqrt(running_var + eps)}, {@code shift = bias - running_mean * scale}. */
    @Override
    public Affine affine(Ops ops) {
        Tensor scale = ops.div(weight.value(ops), ops.sqrt(ops.add(runningVar.value(ops), eps)));
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

    public Parameter numBatchesTracked() {
        return numBatchesTracked;
    }
}

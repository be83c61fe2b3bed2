package org.maskrcnn4j.nn;

import org.maskrcnn4j.tensor.DType;
import org.maskrcnn4j.tensor.Ops;
import org.maskrcnn4j.tensor.Shape;
import org.maskrcnn4j.tensor.Tensor;

/**
 * {@code torch.nn.BatchNorm2d}: {@code (x - mean) / sqrt(var + eps) * weight + bias} over axis 1 of NCHW input.
 * {@link #forward} (inference, and training when the layer does not {@link #usesBatchStatistics() use batch
 * statistics}) normalises with the running statistics; {@link #forwardWithBatchStatistics} with the mean and
 * biased variance of the batch, as torch does in training mode. The running statistics are not updated by
 * training steps: they are set afterwards from the batch statistics of a calibration pass (see
 * {@link BatchStatistics}). State: trainable {@code weight} (1) and {@code bias} (0); buffers
 * {@code running_mean} (0), {@code running_var} (1) and {@code num_batches_tracked} (int64 scalar 0), in that
 * state_dict order.
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
    private final boolean batchStatistics;

    /**
     * @param batchStatistics whether training (and calibration) normalises with batch statistics, like
     *        torch's {@code train()} mode; false keeps the running statistics always (torchvision's detection
     *        models with {@code BatchNorm2d} in eval mode)
     */
    public BatchNorm2d(String name, int numFeatures, double eps, boolean batchStatistics) {
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
        this.batchStatistics = batchStatistics;
    }

    public BatchNorm2d(String name, int numFeatures, double eps) {
        this(name, numFeatures, eps, false);
    }

    public BatchNorm2d(String name, int numFeatures) {
        this(name, numFeatures, DEFAULT_EPS);
    }

    /** Whether training normalises with batch statistics (else always with the running statistics). */
    public boolean usesBatchStatistics() {
        return batchStatistics;
    }

    /**
     * Normalises with the statistics of this batch: the per-channel mean and biased variance over axes 0, 2
     * and 3 (gradients flow through both, as in torch's training mode). When {@code sink} is given, the mean
     * and the unbiased variance are recorded in it under this layer's name.
     */
    public Tensor forwardWithBatchStatistics(Ops ops, Tensor x, BatchStatistics sink) {
        if (x.rank() != 4 || x.shape().get(1) != numFeatures) {
            throw new IllegalArgumentException("BatchNorm2d " + name() + ": expected [N, " + numFeatures
                    + ", H, W] input, got " + x.shape());
        }
        long count = x.shape().get(0) * x.shape().get(2) * x.shape().get(3);
        if (count < 2) {
            throw new IllegalArgumentException("BatchNorm2d " + name() + ": batch statistics need more than one value"
                    + " per channel, got input " + x.shape());
        }
        int[] axes = {0, 2, 3};
        Tensor mean = ops.mean(x, axes, false);
        Tensor centered = ops.sub(x, ops.reshape(mean, 1, numFeatures, 1, 1));
        Tensor var = ops.mean(ops.mul(centered, centered), axes, false);
        if (sink != null) {
            sink.record(name(), mean, ops.mul(var, (double) count / (count - 1)));
        }
        Tensor scale = ops.div(weight.value(ops), ops.sqrt(ops.add(var, eps)));
        return ops.add(ops.mul(centered, ops.reshape(scale, 1, numFeatures, 1, 1)),
                ops.reshape(bias.value(ops), 1, numFeatures, 1, 1));
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

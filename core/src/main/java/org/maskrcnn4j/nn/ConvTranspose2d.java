package org.maskrcnn4j.nn;

import org.maskrcnn4j.tensor.Ops;
import org.maskrcnn4j.tensor.Shape;
import org.maskrcnn4j.tensor.Tensor;

/**
 * {@code torch.nn.ConvTranspose2d} with square kernel, stride and padding (no output padding, groups or
 * dilation): weight {@code [in, out, k, k]} (PyTorch's layout), optional bias {@code [out]}, PyTorch's
 * default initialisation (fan-in {@code out * k * k}, computed on that layout). Output size
 * {@code (in - 1) * stride - 2 * padding + k}. Input and output NCHW.
 */
public final class ConvTranspose2d extends Layer {
    private final int inChannels;
    private final int outChannels;
    private final int kernel;
    private final int stride;
    private final int padding;
    private final Parameter weight;
    private final Parameter bias;

    public ConvTranspose2d(String name, int inChannels, int outChannels, int kernel, int stride, int padding,
            boolean bias) {
        this(name, inChannels, outChannels, kernel, stride, padding, bias, null, null);
    }

    /** With explicit initialisers (null for PyTorch's defaults); the bias exists iff {@code bias}. */
    public ConvTranspose2d(String name, int inChannels, int outChannels, int kernel, int stride, int padding,
            boolean bias, Initializer weightInit, Initializer biasInit) {
        super(name);
        if (inChannels <= 0 || outChannels <= 0 || kernel <= 0 || stride <= 0 || padding < 0) {
            throw new IllegalArgumentException("ConvTranspose2d " + name + ": channels, kernel and stride must be"
                    + " positive and padding non-negative (in " + inChannels + ", out " + outChannels + ", kernel "
                    + kernel + ", stride " + stride + ", padding " + padding + ")");
        }
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        Shape w = Shape.of(inChannels, outChannels, kernel, kernel);
        this.weight = parameter("weight", w, weightInit != null ? weightInit : Init.defaultWeight());
        this.bias = bias ? parameter("bias", Shape.of(outChannels), biasInit != null ? biasInit : Init.biasUniform(w)) : null;
    }

    @Override
    public Tensor forward(Ops ops, Tensor x) {
        return ops.convTranspose2d(x, weight.value(ops), bias == null ? null : bias.value(ops), Conv2d.pair(stride),
                Conv2d.pair(padding));
    }

    public int inChannels() {
        return inChannels;
    }

    public int outChannels() {
        return outChannels;
    }

    public int kernel() {
        return kernel;
    }

    public int stride() {
        return stride;
    }

    public int padding() {
        return padding;
    }

    public Parameter weight() {
        return weight;
    }

    /** The bias, or null when built without one. */
    public Parameter bias() {
        return bias;
    }
}

package org.maskrcnn4j.nn;

import org.maskrcnn4j.tensor.Ops;
import org.maskrcnn4j.tensor.Shape;
import org.maskrcnn4j.tensor.Tensor;

/**
 * {@code torch.nn.Conv2d} with square kernel, stride, padding and dilation: weight
 * {@code [out, in/groups, k, k]}, optional bias {@code [out]}, PyTorch's default initialisation. Input and
 * output NCHW. Build with {@link #builder}.
 */
public final class Conv2d extends Layer {
    private final int inChannels;
    private final int outChannels;
    private final int kernel;
    private final int stride;
    private final int padding;
    private final int dilation;
    private final int groups;
    private final Parameter weight;
    private final Parameter bias;

    private Conv2d(Builder b) {
        super(b.name);
        check(b.in > 0 && b.out > 0, "channels must be positive", b);
        check(b.kernel > 0 && b.stride > 0 && b.dilation > 0 && b.padding >= 0,
                "kernel, stride and dilation must be positive and padding non-negative", b);
        check(b.groups > 0 && b.in % b.groups == 0 && b.out % b.groups == 0,
                "groups must divide in and out channels", b);
        this.inChannels = b.in;
        this.outChannels = b.out;
        this.kernel = b.kernel;
        this.stride = b.stride;
        this.padding = b.padding;
        this.dilation = b.dilation;
        this.groups = b.groups;
        Shape w = Shape.of(b.out, b.in / b.groups, b.kernel, b.kernel);
        this.weight = parameter("weight", w, b.weightInit != null ? b.weightInit : Init.defaultWeight());
        this.bias = b.bias ? parameter("bias", Shape.of(b.out), b.biasInit != null ? b.biasInit : Init.biasUniform(w)) : null;
    }

    private static void check(boolean ok, String message, Builder b) {
        if (!ok) {
            throw new IllegalArgumentException("Conv2d " + b.name + ": " + message + " (in " + b.in + ", out " + b.out
                    + ", kernel " + b.kernel + ", stride " + b.stride + ", padding " + b.padding + ", dilation "
                    + b.dilation + ", groups " + b.groups + ")");
        }
    }

    /** A builder with torch's defaults: stride 1, padding 0, dilation 1, groups 1, with bias. */
    public static Builder builder(String name, int inChannels, int outChannels, int kernel) {
        return new Builder(name, inChannels, outChannels, kernel);
    }

    @Override
    public Tensor forward(Ops ops, Tensor x) {
        return ops.conv2d(x, weight.value(ops), bias == null ? null : bias.value(ops), pair(stride), pair(padding),
                pair(dilation), groups);
    }

    /**
     * {@code norm.forward(forward(x))} in one convolution: the norm's per-channel scale multiplies the filters
     * and its shift becomes the bias, so the activations are written once instead of three times. Equal up to
     * float rounding; gradients reach the filters and the norm's parameters alike.
     */
    public Tensor forwardNormalized(Ops ops, Tensor x, ChannelAffine norm) {
        ChannelAffine.Affine a = norm.affine(ops);
        Tensor w = ops.mul(weight.value(ops), ops.reshape(a.scale(), -1, 1, 1, 1));
        Tensor b = bias == null ? a.shift() : ops.add(ops.mul(bias.value(ops), a.scale()), a.shift());
        return ops.conv2d(x, w, b, pair(stride), pair(padding), pair(dilation), groups);
    }

    /** {@code norm.forward(conv.forward(x))}, folded into the convolution when the norm is a {@link ChannelAffine}. */
    public static Tensor withNorm(Ops ops, Conv2d conv, Layer norm, Tensor x) {
        return norm instanceof ChannelAffine affine ? conv.forwardNormalized(ops, x, affine)
                : norm.forward(ops, conv.forward(ops, x));
    }

    static int[] pair(int v) {
        return new int[] {v, v};
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

    public int dilation() {
        return dilation;
    }

    public int groups() {
        return groups;
    }

    public Parameter weight() {
        return weight;
    }

    /** The bias, or null when built without one. */
    public Parameter bias() {
        return bias;
    }

    /** Collects the options of a {@link Conv2d}. */
    public static final class Builder {
        private final String name;
        private final int in;
        private final int out;
        private final int kernel;
        private int stride = 1;
        private int padding;
        private int dilation = 1;
        private int groups = 1;
        private boolean bias = true;
        private Initializer weightInit;
        private Initializer biasInit;

        private Builder(String name, int in, int out, int kernel) {
            this.name = name;
            this.in = in;
            this.out = out;
            this.kernel = kernel;
        }

        public Builder stride(int stride) {
            this.stride = stride;
            return this;
        }

        public Builder padding(int padding) {
            this.padding = padding;
            return this;
        }

        public Builder dilation(int dilation) {
            this.dilation = dilation;
            return this;
        }

        public Builder groups(int groups) {
            this.groups = groups;
            return this;
        }

        public Builder bias(boolean bias) {
            this.bias = bias;
            return this;
        }

        /** Replaces PyTorch's default initialisers (e.g. torchvision's heads use normal or Kaiming-normal). */
        public Builder init(Initializer weight, Initializer bias) {
            this.weightInit = weight;
            this.biasInit = bias;
            return this;
        }

        public Conv2d build() {
            return new Conv2d(this);
        }
    }
}

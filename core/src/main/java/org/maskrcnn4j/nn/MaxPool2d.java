package org.maskrcnn4j.nn;

import org.maskrcnn4j.tensor.Ops;
import org.maskrcnn4j.tensor.Tensor;

/**
 * {@code torch.nn.MaxPool2d} with square kernel, stride and padding, floor mode, implicit {@code -inf}
 * padding, over NCHW input; no parameters. ResNet's stem uses kernel 3, stride 2, padding 1.
 */
public final class MaxPool2d extends Layer {
    private final int kernel;
    private final int stride;
    private final int padding;

    public MaxPool2d(String name, int kernel, int stride, int padding) {
        super(name);
        if (kernel <= 0 || stride <= 0 || padding < 0 || 2 * padding > kernel) {
            throw new IllegalArgumentException("MaxPool2d " + name + ": needs kernel, stride > 0 and 0 <= padding <="
                    + " kernel / 2, got kernel " + kernel + ", stride " + stride + ", padding " + padding);
        }
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
    }

    @Override
    public Tensor forward(Ops ops, Tensor x) {
        return ops.maxPool2d(x, Conv2d.pair(kernel), Conv2d.pair(stride), Conv2d.pair(padding));
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
}

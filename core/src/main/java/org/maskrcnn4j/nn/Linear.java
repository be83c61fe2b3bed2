package org.maskrcnn4j.nn;

import org.maskrcnn4j.tensor.Ops;
import org.maskrcnn4j.tensor.Shape;
import org.maskrcnn4j.tensor.Tensor;

/**
 * {@code torch.nn.Linear}: {@code y = x @ weight^T + bias} over the last axis, weight {@code [out, in]},
 * optional bias {@code [out]}, PyTorch's default initialisation.
 */
public final class Linear extends Layer {
    private final int inFeatures;
    private final int outFeatures;
    private final Parameter weight;
    private final Parameter bias;

    public Linear(String name, int inFeatures, int outFeatures, boolean bias) {
        super(name);
        if (inFeatures <= 0 || outFeatures <= 0) {
            throw new IllegalArgumentException("Linear " + name + ": features must be positive (in " + inFeatures
                    + ", out " + outFeatures + ")");
        }
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        Shape w = Shape.of(outFeatures, inFeatures);
        this.weight = parameter("weight", w, Init.defaultWeight());
        this.bias = bias ? parameter("bias", Shape.of(outFeatures), Init.biasUniform(w)) : null;
    }

    /** With bias, like torch's default. */
    public Linear(String name, int inFeatures, int outFeatures) {
        this(name, inFeatures, outFeatures, true);
    }

    @Override
    public Tensor forward(Ops ops, Tensor x) {
        return ops.linear(x, weight.value(ops), bias == null ? null : bias.value(ops));
    }

    public int inFeatures() {
        return inFeatures;
    }

    public int outFeatures() {
        return outFeatures;
    }

    public Parameter weight() {
        return weight;
    }

    /** The bias, or null when built without one. */
    public Parameter bias() {
        return bias;
    }
}

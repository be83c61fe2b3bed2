package org.maskrcnn4j.nn;

import org.maskrcnn4j.tensor.Ops;
import org.maskrcnn4j.tensor.Tensor;

/** A {@link Module} with one input and one output tensor, the unit {@link Sequential} chains. */
public abstract class Layer extends Module {

    protected Layer(String name) {
        super(name);
    }

    /** Applies the layer to {@code x}, reading parameter values through {@code ops}. */
    public abstract Tensor forward(Ops ops, Tensor x);
}

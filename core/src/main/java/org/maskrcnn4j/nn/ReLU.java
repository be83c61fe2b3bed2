package org.maskrcnn4j.nn;

import org.maskrcnn4j.tensor.Ops;
import org.maskrcnn4j.tensor.Tensor;

/** {@code torch.nn.ReLU}: {@code max(x, 0)} elementwise; no parameters. */
public final class ReLU extends Layer {

    public ReLU(String name) {
        super(name);
    }

    @Override
    public Tensor forward(Ops ops, Tensor x) {
        return ops.relu(x);
    }
}

package org.maskrcnn4j.model;

import org.maskrcnn4j.nn.Linear;
import org.maskrcnn4j.nn.Module;
import org.maskrcnn4j.tensor.Ops;
import org.maskrcnn4j.tensor.Tensor;

/** torchvision's {@code TwoMLPHead}: flatten, {@code fc6} + ReLU, {@code fc7} + ReLU (1024-d by default). */
public final class TwoMlpHead extends Module implements BoxHead {
    private final Linear fc6;
    private final Linear fc7;

    public TwoMlpHead(String name, int inFeatures, int representationSize) {
        super(name);
        fc6 = register(new Linear(childName("fc6"), inFeatures, representationSize));
        fc7 = register(new Linear(childName("fc7"), representationSize, representationSize));
    }

    @Override
    public Tensor forward(Ops ops, Tensor pooled) {
        Tensor x = ops.reshape(pooled, -1, fc6.inFeatures());
        return ops.relu(fc7.forward(ops, ops.relu(fc6.forward(ops, x))));
    }

    @Override
    public int representationSize() {
        return fc7.outFeatures();
    }
}

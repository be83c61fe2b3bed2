package org.maskrcnn4j.model;

import org.maskrcnn4j.tensor.Ops;
import org.maskrcnn4j.tensor.Tensor;

/** Pooled RoI features {@code [K, C, S, S]} to one representation vector per RoI {@code [K, D]}. */
public interface BoxHead extends HasParameters {
    Tensor forward(Ops ops, Tensor pooled);

    /** {@code D}, the representation size. */
    int representationSize();
}

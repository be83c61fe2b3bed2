package org.maskrcnn4j.model;

import org.maskrcnn4j.tensor.Ops;
import org.maskrcnn4j.tensor.Tensor;

/** Pooled RoI features {@code [K, C, S, S]} to mask features {@code [K, outChannels, S, S]} (an FCN). */
public interface MaskHead extends HasParameters {
    Tensor forward(Ops ops, Tensor pooled);

    int outChannels();
}

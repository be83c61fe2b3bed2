package org.maskrcnn4j.model;

import org.maskrcnn4j.tensor.Ops;
import org.maskrcnn4j.tensor.Tensor;

/** Mask features {@code [K, C, S, S]} to per-class mask logits {@code [K, numClasses, M, M]}. */
public interface MaskPredictor extends HasParameters {
    Tensor forward(Ops ops, Tensor features);

    int numClasses();
}

package org.maskrcnn4j.model;

import org.maskrcnn4j.tensor.Ops;
import org.maskrcnn4j.tensor.Tensor;

/**
 * RoI representations {@code [K, D]} to class logits {@code [K, numClasses]} and class-specific box
 * deltas {@code [K, 4 * numClasses]} (class 0 is background). Swapping the class count swaps only this.
 */
public interface BoxPredictor extends HasParameters {
    /** Class logits and box deltas of the RoIs. */
    record Output(Tensor classLogits, Tensor boxRegression) {
    }

    Output forward(Ops ops, Tensor representation);

    int numClasses();
}

package org.maskrcnn4j.tensor;

import java.util.Map;

/**
 * One prepared optimisation step: runs the loss function on the inputs, differentiates the sum of its
 * scalar outputs with respect to every trainable parameter and updates the parameters in the store.
 */
public interface TrainStep {
    /** Runs one step and returns each loss output's value before the update. */
    Map<String, Double> run(Map<String, HostTensor> inputs, double learningRate);
}

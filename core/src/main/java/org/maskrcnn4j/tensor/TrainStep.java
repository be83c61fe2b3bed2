package org.maskrcnn4j.tensor;

import java.util.Map;

/**
 * One prepared optimisation step: runs the loss function on the inputs, differentiates the sum of its
 * scalar outputs with respect to every trainable parameter and updates the parameters in the store.
 */
public interface TrainStep {
    /** Runs one step and returns each loss output's value before the update. */
    Map<String, Double> run(Map<String, HostTensor> inputs, double learningRate);

    /**
     * The optimizer's state (e.g. momentum buffers, keyed {@code momentum_buffer/<parameter>}) as host
     * copies, for checkpoints. Empty before the first step.
     */
    default Map<String, HostTensor> state() {
        throw new BackendException(getClass().getSimpleName() + " does not expose its optimizer state");
    }

    /** Restores state written by {@link #state()}, so that the next step equals an uninterrupted run's. */
    default void loadState(Map<String, HostTensor> state) {
        throw new BackendException(getClass().getSimpleName() + " cannot restore optimizer state");
    }
}

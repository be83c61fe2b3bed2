package org.maskrcnn4j.tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One prepared optimisation step: runs the loss function on the inputs, differentiates the sum of its
 * scalar outputs with respect to every trainable parameter and updates the parameters in the store.
 *
 * <p>Gradient accumulation: {@link #accumulate} runs a micro-batch and keeps its gradients without an
 * update; the next {@link #run(Map, double)} adds its own micro-batch and updates once with the <em>mean</em>
 * of the gradients of all k micro-batches since the last update. For a loss that is a mean over the batch,
 * k micro-batches of n examples then equal one batch of k·n (what torch users get by dividing each
 * micro-batch's loss by k before {@code backward()}). Gradient clipping ({@link Optimizer#clipGradNorm()})
 * applies to that mean. {@link #run(List, double)} does the whole cycle.
 */
public interface TrainStep {
    /**
     * Runs one step and returns each loss output's value before the update. After {@link #accumulate}
     * calls, the update uses the mean gradient of those micro-batches and this one, and the accumulation
     * ends (also when this call fails).
     */
    Map<String, Double> run(Map<String, HostTensor> inputs, double learningRate);

    /**
     * Runs the loss function on one micro-batch and adds its gradients to the step's accumulated ones,
     * updating nothing; returns the micro-batch's loss values. The next {@link #run(Map, double)} applies them.
     */
    default Map<String, Double> accumulate(Map<String, HostTensor> inputs) {
        throw new BackendException(getClass().getSimpleName() + " does not support gradient accumulation");
    }

    /**
     * One update from {@code microBatches}: {@link #accumulate} on all but the last, {@link #run(Map, double)}
     * on the last. Returns each loss averaged over the micro-batches.
     */
    default Map<String, Double> run(List<Map<String, HostTensor>> microBatches, double learningRate) {
        if (microBatches == null || microBatches.isEmpty()) {
            throw new IllegalArgumentException("microBatches must hold at least one batch of inputs");
        }
        int k = microBatches.size();
        Map<String, Double> mean = new LinkedHashMap<>();
        for (int i = 0; i < k; i++) {
            Map<String, Double> losses = i < k - 1 ? accumulate(microBatches.get(i)) : run(microBatches.get(i), learningRate);
            losses.forEach((name, v) -> mean.merge(name, v / k, Double::sum));
        }
        return mean;
    }

    /**
     * The optimizer's state as host copies, keyed as {@link Optimizer} documents (e.g.
     * {@code momentum_buffer/<parameter>}), for checkpoints. Empty before the first step.
     *
     * @throws IllegalStateException while accumulated gradients wait for {@link #run(Map, double)}
     */
    default Map<String, HostTensor> state() {
        throw new BackendException(getClass().getSimpleName() + " does not expose its optimizer state");
    }

    /**
     * Restores state written by {@link #state()}, so that the next step equals an uninterrupted run's.
     *
     * @throws IllegalArgumentException for a key, shape or dtype that is not this optimizer's state
     * @throws IllegalStateException while accumulated gradients wait for {@link #run(Map, double)}
     */
    default void loadState(Map<String, HostTensor> state) {
        throw new BackendException(getClass().getSimpleName() + " cannot restore optimizer state");
    }
}

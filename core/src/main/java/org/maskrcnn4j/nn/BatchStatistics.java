package org.maskrcnn4j.nn;

import java.util.LinkedHashMap;
import java.util.Map;
import org.maskrcnn4j.tensor.Tensor;

/**
 * What the batch-normalisation layers saw in one forward pass: per layer, the per-channel mean and the
 * unbiased variance of its input over the batch (what {@code torch.nn.BatchNorm2d} feeds its running
 * statistics). Filled by {@link BatchNorm2d#forwardWithBatchStatistics} during a calibration pass and returned
 * as that pass's outputs, so that the running statistics can be set from them afterwards.
 */
public final class BatchStatistics {
    /** Output name prefixes: {@code mean/<layer>} and {@code var/<layer>}. */
    public static final String MEAN = "mean/";
    public static final String VAR = "var/";

    private final Map<String, Tensor> outputs = new LinkedHashMap<>();

    /** Records the statistics of layer {@code layer} (its module name); a layer is recorded once per pass. */
    public void record(String layer, Tensor mean, Tensor unbiasedVar) {
        if (outputs.containsKey(MEAN + layer)) {
            throw new IllegalStateException("batch statistics of " + layer + " were already recorded in this pass");
        }
        outputs.put(MEAN + layer, mean);
        outputs.put(VAR + layer, unbiasedVar);
    }

    /** The recorded statistics, {@code mean/<layer>} and {@code var/<layer>} in recording order. */
    public Map<String, Tensor> outputs() {
        return new LinkedHashMap<>(outputs);
    }
}

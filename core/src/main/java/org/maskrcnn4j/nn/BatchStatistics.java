package org.maskrcnn4j.nn;

import java.util.LinkedHashMap;
import java.util.Map;
import org.maskrcnn4j.tensor.Tensor;

/**
 * What the batch-normalisation layers saw in one forward pass: per layer, the per-channel mean and the
 * unbiased variance of its input over the batch (what {@code torch.nn.BatchNorm2d} feeds its running
 * statistics), keyed by the buffers they are for: {@code <layer>.running_mean} and {@code <layer>.running_var}.
 * Filled by {@link BatchNorm2d#forwardWithBatchStatistics} during a calibration pass and returned as that
 * pass's outputs, so that the running statistics can be set from them afterwards.
 */
public final class BatchStatistics {
    private final Map<String, Tensor> outputs = new LinkedHashMap<>();

    /** Records the statistics of layer {@code layer} (its module name); a layer is recorded once per pass. */
    public void record(String layer, Tensor mean, Tensor unbiasedVar) {
        String meanBuffer = layer + ".running_mean";
        if (outputs.containsKey(meanBuffer)) {
            throw new IllegalStateException("batch statistics of " + layer + " were already recorded in this pass");
        }
        outputs.put(meanBuffer, mean);
        outputs.put(layer + ".running_var", unbiasedVar);
    }

    /** The recorded statistics by buffer name, in recording order. */
    public Map<String, Tensor> outputs() {
        return new LinkedHashMap<>(outputs);
    }
}

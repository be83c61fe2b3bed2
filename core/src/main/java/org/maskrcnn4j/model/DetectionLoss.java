package org.maskrcnn4j.model;

import java.util.Map;
import org.maskrcnn4j.tensor.Ops;
import org.maskrcnn4j.tensor.Tensor;

/**
 * Combines the named losses of the stages into the scalar that training minimises. The paper's
 * multi-task loss is the plain sum {@code L = L_cls + L_box + L_mask} (plus the RPN's two terms).
 */
public interface DetectionLoss {
    Tensor total(Ops ops, Map<String, Tensor> losses);

    /** The unweighted sum. */
    static DetectionLoss sum() {
        return (ops, losses) -> {
            Tensor total = null;
            for (Tensor t : losses.values()) {
                total = total == null ? t : ops.add(total, t);
            }
            if (total == null) {
                throw new IllegalArgumentException("no losses to combine");
            }
            return total;
        };
    }
}

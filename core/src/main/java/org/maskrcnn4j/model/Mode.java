package org.maskrcnn4j.model;

import org.maskrcnn4j.nn.BatchStatistics;
import org.maskrcnn4j.tensor.Tensor;

/**
 * Training, inference or batch-norm calibration, passed explicitly down every call (never global state). In
 * training it carries the int64 scalar seed tensor from which the sampling of anchors and RoIs draws its
 * random numbers, so a traced graph gets a new seed per step and a seeded run is reproducible. In calibration
 * (an inference pass of the backbone) it carries the {@link BatchStatistics} that the batch-norm layers fill.
 */
public record Mode(boolean training, Tensor seed, BatchStatistics statistics) {
    public static Mode inference() {
        return new Mode(false, null, null);
    }

    public static Mode training(Tensor seed) {
        if (seed == null) {
            throw new IllegalArgumentException("training mode needs a seed tensor");
        }
        return new Mode(true, seed, null);
    }

    /** A pass in which batch-norm layers normalise with batch statistics and record them in {@code statistics}. */
    public static Mode calibration(BatchStatistics statistics) {
        if (statistics == null) {
            throw new IllegalArgumentException("calibration mode needs a statistics sink");
        }
        return new Mode(false, null, statistics);
    }

    /** Whether batch-norm layers that can use batch statistics do so: in training and in calibration. */
    public boolean batchStatistics() {
        return training || statistics != null;
    }
}

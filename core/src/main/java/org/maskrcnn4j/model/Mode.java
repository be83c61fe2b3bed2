package org.maskrcnn4j.model;

import org.maskrcnn4j.tensor.Tensor;

/**
 * Training or inference, passed explicitly down every call (never global state). In training it carries
 * the int64 scalar seed tensor from which the sampling of anchors and RoIs draws its random numbers, so
 * a traced graph gets a new seed per step and a seeded run is reproducible.
 */
public record Mode(boolean training, Tensor seed) {
    public static Mode inference() {
        return new Mode(false, null);
    }

    public static Mode training(Tensor seed) {
        if (seed == null) {
            throw new IllegalArgumentException("training mode needs a seed tensor");
        }
        return new Mode(true, seed);
    }
}

package org.maskrcnn4j.nn;

import org.maskrcnn4j.tensor.Ops;
import org.maskrcnn4j.tensor.Tensor;

/**
 * A normalization that is a per-channel affine map of NCHW input, {@code x * scale + shift} over axis 1 (batch
 * norm with fixed statistics, frozen or not), so that the convolution before it can absorb it: see
 * {@link Conv2d#forwardNormalized}.
 */
public interface ChannelAffine {
    /** The per-channel {@code [C]} scale and shift. */
    record Affine(Tensor scale, Tensor shift) {
    }

    /** The map's scale and shift, computed from the current parameter values (gradients flow through them). */
    Affine affine(Ops ops);
}

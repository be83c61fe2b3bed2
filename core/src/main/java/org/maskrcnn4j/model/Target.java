package org.maskrcnn4j.model;

import org.maskrcnn4j.tensor.Tensor;

/**
 * Ground truth of one image for training: boxes {@code [G, 4]} (x1, y1, x2, y2) in the image's pixels,
 * int64 labels {@code [G]} (0 is background, so objects are 1..K-1), and masks {@code [G, H, W]} (0/1,
 * float32 or uint8) of the same image size.
 */
public record Target(Tensor boxes, Tensor labels, Tensor masks) {
}

package org.maskrcnn4j.model;

import org.maskrcnn4j.tensor.Tensor;

/**
 * A padded batch of images, {@code [B, 3, H, W]}, with the size {@code (h, w)} of each image inside the
 * padding (after resizing), as torchvision's {@code ImageList}.
 */
public record ImageList(Tensor tensors, long[][] imageSizes) {
    public int size() {
        return imageSizes.length;
    }
}

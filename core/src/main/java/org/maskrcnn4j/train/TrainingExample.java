package org.maskrcnn4j.train;

import org.maskrcnn4j.tensor.HostTensor;

/**
 * One training image with its ground truth: image {@code [3, h, w]} float in 0..1, boxes {@code [G, 4]}
 * float (x1, y1, x2, y2 pixels), labels {@code [G]} int64 (1..K-1), masks {@code [G, h, w]} uint8 0/1.
 */
public record TrainingExample(HostTensor image, HostTensor boxes, HostTensor labels, HostTensor masks) {
    public TrainingExample {
        if (image.shape().rank() != 3 || image.shape().get(0) != 3) {
            throw new IllegalArgumentException("image must be [3, h, w], got " + image.shape());
        }
        long g = boxes.shape().get(0);
        if (boxes.shape().rank() != 2 || boxes.shape().get(1) != 4) {
            throw new IllegalArgumentException("boxes must be [G, 4], got " + boxes.shape());
        }
        if (labels.shape().rank() != 1 || labels.shape().get(0) != g) {
            throw new IllegalArgumentException("labels must be [" + g + "], got " + labels.shape());
        }
        if (masks.shape().rank() != 3 || masks.shape().get(0) != g || masks.shape().get(1) != image.shape().get(1)
                || masks.shape().get(2) != image.shape().get(2)) {
            throw new IllegalArgumentException("masks must be [" + g + ", " + image.shape().get(1) + ", "
                    + image.shape().get(2) + "], got " + masks.shape());
        }
    }
}

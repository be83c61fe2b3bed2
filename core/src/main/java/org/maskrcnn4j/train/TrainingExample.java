package org.maskrcnn4j.train;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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

    /**
     * The mirror image: image and masks flipped left-right, boxes {@code (w - x2, y1, w - x1, y2)} (box
     * coordinates are pixel edges, so a box stays inside {@code [0, w]}); labels unchanged.
     */
    public TrainingExample flippedHorizontally() {
        long w = image.shape().get(2);
        float[] b = boxes.toFloatArray();
        for (int i = 0; i < b.length; i += 4) {
            float x1 = b[i];
            b[i] = w - b[i + 2];
            b[i + 2] = w - x1;
        }
        return new TrainingExample(flipLastAxis(image), HostTensor.ofFloats(b, boxes.shape().dims()), labels,
                flipLastAxis(masks));
    }

    /** {@code t} with its last axis reversed, for any dtype. */
    private static HostTensor flipLastAxis(HostTensor t) {
        int e = t.dtype().byteSize();
        int row = Math.toIntExact(t.shape().get(t.shape().rank() - 1));
        ByteBuffer src = t.bytes();
        ByteBuffer dst = ByteBuffer.allocate(src.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        byte[] in = new byte[row * e];
        byte[] out = new byte[row * e];
        while (src.hasRemaining()) {
            src.get(in);
            for (int x = 0; x < row; x++) {
                System.arraycopy(in, x * e, out, (row - 1 - x) * e, e);
            }
            dst.put(out);
        }
        dst.flip();
        return HostTensor.adopt(t.dtype(), t.shape(), dst);
    }
}

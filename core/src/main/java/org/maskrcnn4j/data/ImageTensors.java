package org.maskrcnn4j.data;

import java.awt.image.BufferedImage;
import org.maskrcnn4j.tensor.HostTensor;

/** Converts between {@link BufferedImage}s and the model's image tensors ({@code [3, h, w]} RGB). */
public final class ImageTensors {
    private ImageTensors() {
    }

    /** RGB bytes {@code [3, h, w]} (uint8) of an image of any type; alpha is dropped. */
    public static HostTensor toBytes(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] out = new byte[3 * h * w];
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int p = row[x];
                out[y * w + x] = (byte) (p >> 16);
                out[h * w + y * w + x] = (byte) (p >> 8);
                out[2 * h * w + y * w + x] = (byte) p;
            }
        }
        return HostTensor.ofBytes(out, 3, h, w);
    }

    /** RGB float values in 0..1 {@code [3, h, w]}, {@code byte / 255} in float32 like torchvision's to_tensor. */
    public static HostTensor toFloats(BufferedImage image) {
        HostTensor bytes = toBytes(image);
        float[] v = new float[Math.toIntExact(bytes.size())];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) bytes.getLong(i) / 255f;
        }
        return HostTensor.ofFloats(v, bytes.shape().dims());
    }
}

package org.maskrcnn4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.maskrcnn4j.tensor.HostTensor;

/** The horizontal flip moves pixels, mask pixels and boxes consistently. */
class TrainingExampleTest {

    @Test
    void flipMirrorsImageMasksAndBoxes() {
        // 3 channels of a 2x4 image, values encode (channel, row, column)
        float[] img = new float[3 * 2 * 4];
        for (int i = 0; i < img.length; i++) {
            img[i] = i;
        }
        byte[] mask = {1, 1, 0, 0, 0, 1, 0, 0};
        TrainingExample ex = new TrainingExample(HostTensor.ofFloats(img, 3, 2, 4),
                HostTensor.ofFloats(new float[] {0, 0, 2, 2}, 1, 4), HostTensor.ofLongs(new long[] {3}, 1),
                HostTensor.ofBytes(mask, 1, 2, 4));
        TrainingExample f = ex.flippedHorizontally();
        assertThat(f.image().toFloatArray()).startsWith(3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8);
        assertThat(f.masks().toFloatArray()).containsExactly(0, 0, 1, 1, 0, 0, 1, 0);
        assertThat(f.boxes().toFloatArray()).containsExactly(2, 0, 4, 2);
        assertThat(f.labels().toLongArray()).containsExactly(3);
        assertThat(f.flippedHorizontally().image().toFloatArray()).containsExactly(img);
    }
}

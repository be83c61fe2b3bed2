package org.maskrcnn4j.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReferenceRoiAlignTest {

    /** The backward pass against central finite differences of {@code sum(forward(f) * g)}. */
    @ParameterizedTest(name = "scale={0} samplingRatio={1} aligned={2}")
    @CsvSource({"0.5, 2, false", "0.5, 2, true", "0.5, 0, false", "0.5, 0, true", "1.0, -1, false",
            "0.25, 1, true"})
    void backwardMatchesFiniteDifferences(double scale, int samplingRatio, boolean aligned) {
        int n = 2;
        int c = 2;
        int h = 5;
        int w = 6;
        int outH = 2;
        int outW = 3;
        Random random = new Random(42);
        double[] features = new double[n * c * h * w];
        for (int i = 0; i < features.length; i++) {
            features[i] = random.nextGaussian();
        }
        double[] rois = {
            0, 1.3, 2.1, 8.7, 7.9, // inside
            1, -3.0, -2.5, 4.2, 5.0, // partly outside top-left
            0, 6.0, 4.0, 14.5, 12.5, // partly outside bottom-right
            1, 3.0, 3.0, 3.0, 7.0, // zero width
            0, 4.4, 5.2, 5.1, 5.9, // tiny
        };
        int k = rois.length / 5;
        double[] gradOutput = new double[k * c * outH * outW];
        for (int i = 0; i < gradOutput.length; i++) {
            gradOutput[i] = random.nextGaussian();
        }
        double[] grad = ReferenceRoiAlign.backward(gradOutput, n, c, h, w, rois, k, outH, outW, scale,
                samplingRatio, aligned);
        assertThat(grad).hasSize(features.length);

        double eps = 1e-3;
        boolean anyNonZero = false;
        for (int i = 0; i < features.length; i++) {
            double saved = features[i];
            features[i] = saved + eps;
            double plus = dot(ReferenceRoiAlign.forward(features, n, c, h, w, rois, k, outH, outW, scale,
                    samplingRatio, aligned), gradOutput);
            features[i] = saved - eps;
            double minus = dot(ReferenceRoiAlign.forward(features, n, c, h, w, rois, k, outH, outW, scale,
                    samplingRatio, aligned), gradOutput);
            features[i] = saved;
            double numeric = (plus - minus) / (2 * eps);
            assertThat(grad[i]).as("d/d features[%d]", i).isCloseTo(numeric, within(1e-8));
            anyNonZero |= grad[i] != 0;
        }
        assertThat(anyNonZero).isTrue();
    }

    @Test
    void constantFeaturesGiveConstantOutputInside() {
        int h = 8;
        int w = 8;
        double[] features = new double[h * w];
        Arrays.fill(features, 3.25);
        double[] rois = {0, 1.2, 0.7, 6.3, 5.9};
        double[] out = ReferenceRoiAlign.forward(features, 1, 1, h, w, rois, 1, 3, 3, 1.0, 0, true);
        for (double v : out) {
            assertThat(v).isCloseTo(3.25, within(1e-12));
        }
    }

    @Test
    void handComputedBilinearSample() {
        // 2x2 map, one 1x1-bin RoI with one sample at its centre (0.5, 0.5): the mean of the four values
        double[] features = {1, 2, 3, 4};
        double[] rois = {0, 0, 0, 1, 1};
        double[] out = ReferenceRoiAlign.forward(features, 1, 1, 2, 2, rois, 1, 1, 1, 1.0, 1, false);
        assertThat(out[0]).isEqualTo(2.5);
        // aligned: the box shifts by -0.5, the sample lands on (0, 0)
        out = ReferenceRoiAlign.forward(features, 1, 1, 2, 2, rois, 1, 1, 1, 1.0, 1, true);
        assertThat(out[0]).isEqualTo(1.0);
        // beyond the bottom-right edge (x, y in (W-1, W]) the last row/column is used
        rois = new double[] {0, 1.5, 1.5, 2.5, 2.5};
        out = ReferenceRoiAlign.forward(features, 1, 1, 2, 2, rois, 1, 1, 1, 1.0, 1, false);
        assertThat(out[0]).isEqualTo(4.0);
        // entirely outside (sample at y = x = 2.5 > H): 0
        rois = new double[] {0, 2.0, 2.0, 3.0, 3.0};
        out = ReferenceRoiAlign.forward(features, 1, 1, 2, 2, rois, 1, 1, 1, 1.0, 1, false);
        assertThat(out[0]).isEqualTo(0.0);
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}

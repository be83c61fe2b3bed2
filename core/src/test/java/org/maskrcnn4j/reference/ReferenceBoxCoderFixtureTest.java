package org.maskrcnn4j.reference;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.maskrcnn4j.io.SafetensorsFile;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.testing.FixtureAssert;
import org.maskrcnn4j.testing.Fixtures;

/** {@link ReferenceBoxCoder} against torchvision 0.14 ({@code box_coder.safetensors}, README section 3). */
class ReferenceBoxCoderFixtureTest {
    private static final double ENCODE_ATOL = 1e-4;
    private static final double DECODE_ATOL = 1e-3;
    private static final double DECODE_RTOL = 1e-5;

    /** Cached by {@link Fixtures}: not closed here. */
    private static SafetensorsFile file;

    @BeforeAll
    static void open() {
        file = Fixtures.open("box_coder.safetensors");
    }

    @Test
    void defaultClipIsTheFixturesClip() {
        assertThat(ReferenceBoxCoder.DEFAULT_BBOX_XFORM_CLIP)
                .isEqualTo(Double.parseDouble(file.metadata().get("bbox_xform_clip")));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"w1111, 1, 1, 1, 1", "w10_10_5_5, 10, 10, 5, 5"})
    void encodeMatchesTorchvision(String name, double wx, double wy, double ww, double wh) {
        double[] encoded = ReferenceBoxCoder.encode(file.get("gt_boxes").toDoubleArray(),
                file.get("proposals").toDoubleArray(), new double[] {wx, wy, ww, wh});
        FixtureAssert.assertClose(name + ".encode", encoded, file.get(name + ".encode").toDoubleArray(),
                ENCODE_ATOL, 0);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"w1111, 1, 1, 1, 1", "w10_10_5_5, 10, 10, 5, 5"})
    void decodeMatchesTorchvision(String name, double wx, double wy, double ww, double wh) {
        double[] decoded = ReferenceBoxCoder.decode(file.get("rel_codes").toDoubleArray(),
                file.get("proposals").toDoubleArray(), new double[] {wx, wy, ww, wh},
                ReferenceBoxCoder.DEFAULT_BBOX_XFORM_CLIP);
        HostTensor expected = file.get(name + ".decode");
        assertThat(expected.shape().dims()).containsExactly(12, 3, 4);
        FixtureAssert.assertClose(name + ".decode", decoded, expected.toDoubleArray(), DECODE_ATOL, DECODE_RTOL);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"w1111, 1, 1, 1, 1", "w10_10_5_5, 10, 10, 5, 5"})
    void decodeInvertsEncode(String name, double wx, double wy, double ww, double wh) {
        double[] gt = file.get("gt_boxes").toDoubleArray();
        double[] proposals = file.get("proposals").toDoubleArray();
        double[] weights = {wx, wy, ww, wh};
        double[] roundTrip = ReferenceBoxCoder.decode(ReferenceBoxCoder.encode(gt, proposals, weights), proposals,
                weights, Double.POSITIVE_INFINITY);
        FixtureAssert.assertClose(name + " round trip", roundTrip, gt, 1e-9, 1e-12);
    }
}

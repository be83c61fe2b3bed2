package org.maskrcnn4j.reference;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.maskrcnn4j.io.SafetensorsFile;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.testing.FixtureAssert;
import org.maskrcnn4j.testing.Fixtures;

/** {@link ReferenceRoiAlign} against torchvision 0.14 ({@code roi_align.safetensors}, README section 1). */
class ReferenceRoiAlignFixtureTest {
    private static final double OUTPUT_ATOL = 5e-5;
    private static final double GRAD_ATOL = 1e-4;
    private static final Pattern CASE = Pattern.compile("o(\\d+)_s([0-9.]+)_sr(-?\\d+)_a([01])");
    private static final List<String> CASES = List.of(
            "o7_s0.25_sr2_a0", "o7_s0.25_sr2_a1", "o7_s0.25_sr0_a0", "o7_s0.25_sr0_a1", "o7_s0.25_sr-1_a0",
            "o7_s0.25_sr-1_a1", "o7_s0.125_sr2_a0", "o7_s0.125_sr2_a1", "o7_s0.125_sr0_a0", "o7_s0.125_sr0_a1",
            "o7_s0.125_sr-1_a0", "o7_s0.125_sr-1_a1", "o14_s0.25_sr2_a0", "o14_s0.25_sr2_a1", "o14_s0.125_sr2_a0",
            "o14_s0.125_sr2_a1", "o14_s0.25_sr0_a0");

    /** Cached by {@link Fixtures}: not closed here. */
    private static SafetensorsFile file;
    private static double[] features;
    private static double[] rois;
    private static int n;
    private static int c;
    private static int h;
    private static int w;
    private static int k;

    @BeforeAll
    static void open() {
        file = Fixtures.open("roi_align.safetensors");
        HostTensor f = file.get("features");
        long[] dims = f.shape().dims();
        n = (int) dims[0];
        c = (int) dims[1];
        h = (int) dims[2];
        w = (int) dims[3];
        features = f.toDoubleArray();
        HostTensor r = file.get("rois");
        k = (int) r.shape().get(0);
        rois = r.toDoubleArray();
    }

    @Test
    void everyStoredCaseIsTested() {
        List<String> stored = file.names().stream()
                .filter(name -> name.endsWith(".output"))
                .map(name -> name.substring(0, name.length() - ".output".length()))
                .sorted()
                .collect(Collectors.toList());
        assertThat(stored).containsExactlyInAnyOrderElementsOf(CASES);
    }

    static List<String> cases() {
        return CASES;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesTorchvision(String name) {
        Matcher m = CASE.matcher(name);
        assertThat(m.matches()).as("case key %s", name).isTrue();
        int out = Integer.parseInt(m.group(1));
        double scale = Double.parseDouble(m.group(2));
        int samplingRatio = Integer.parseInt(m.group(3));
        boolean aligned = m.group(4).equals("1");

        double[] output = ReferenceRoiAlign.forward(features, n, c, h, w, rois, k, out, out, scale, samplingRatio,
                aligned);
        HostTensor expected = file.get(name + ".output");
        assertThat(expected.shape().dims()).containsExactly(k, c, out, out);
        FixtureAssert.assertClose(name + ".output", output, expected.toDoubleArray(), OUTPUT_ATOL, 0);

        if (out == 7) {
            assertThat(file.names()).contains(name + ".grad_features");
            double[] gradOutput = file.get("grad_output_7").toDoubleArray();
            double[] grad = ReferenceRoiAlign.backward(gradOutput, n, c, h, w, rois, k, out, out, scale,
                    samplingRatio, aligned);
            FixtureAssert.assertClose(name + ".grad_features", grad,
                    file.get(name + ".grad_features").toDoubleArray(), GRAD_ATOL, 0);
        }
    }
}

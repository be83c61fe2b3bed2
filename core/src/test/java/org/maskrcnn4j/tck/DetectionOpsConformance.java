package org.maskrcnn4j.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.maskrcnn4j.testing.FixtureAssert.assertClose;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.maskrcnn4j.io.SafetensorsFile;
import org.maskrcnn4j.reference.ReferenceNms;
import org.maskrcnn4j.reference.ReferenceRoiAlign;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.TensorFunction;
import org.maskrcnn4j.testing.Fixtures;

/**
 * Conformance: the detection primitives {@code roiAlign}, {@code nms} and {@code batchedNms} against the
 * torchvision fixtures (every case, tolerances from the fixture README) and against core's plain-Java
 * reference ops on random inputs, including RoIAlign's gradient by finite differences.
 */
public abstract class DetectionOpsConformance extends BackendTestBase {

    static Stream<String> roiAlignCases() {
        List<String> cases = new ArrayList<>();
        for (String name : Fixtures.open("roi_align.safetensors").names()) {
            if (name.endsWith(".output")) {
                cases.add(name.substring(0, name.length() - ".output".length()));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "roi_align {0}")
    @MethodSource("roiAlignCases")
    void roiAlignMatchesTorchvision(String key) {
        SafetensorsFile f = Fixtures.open("roi_align.safetensors");
        RoiCase c = RoiCase.parse(key);
        HostTensor features = f.get("features");
        HostTensor rois = f.get("rois");
        HostTensor out = run1(inputs("features", features, "rois", rois),
                (ops, in) -> ops.roiAlign(in.get("features"), in.get("rois"), c.size, c.size, c.scale, c.ratio, c.aligned));
        assertThat(out.shape()).isEqualTo(f.get(key + ".output").shape());
        assertClose(key + ".output", out.toDoubleArray(), f.get(key + ".output").toDoubleArray(), 5e-5, 0);

        if (f.names().contains(key + ".grad_features")) {
            HostTensor gradOut = f.get("grad_output_" + c.size);
            TensorFunction fn = (ops, in) -> Map.of("value", ops.sum(ops.mul(ops.roiAlign(in.get("features"),
                    in.get("rois"), c.size, c.size, c.scale, c.ratio, c.aligned), in.get("g"))));
            Map<String, HostTensor> r = backend.gradient(fn, List.of("features"))
                    .call(inputs("features", features, "rois", rois, "g", gradOut));
            assertClose(key + ".grad_features", r.get("grad/features").toDoubleArray(),
                    f.get(key + ".grad_features").toDoubleArray(), 1e-4, 0);
        }
    }

    /** One fixture case key, e.g. {@code o7_s0.25_sr2_a1}. */
    record RoiCase(int size, double scale, int ratio, boolean aligned) {
        static RoiCase parse(String key) {
            String[] p = key.split("_");
            return new RoiCase(Integer.parseInt(p[0].substring(1)), Double.parseDouble(p[1].substring(1)),
                    Integer.parseInt(p[2].substring(2)), p[3].equals("a1"));
        }
    }

    @Test
    void roiAlignMatchesReferenceOnRandomBoxes() {
        SplittableRandom rnd = new SplittableRandom(11);
        int n = 2, ch = 3, h = 13, w = 17, k = 40;
        float[] feat = new float[n * ch * h * w];
        for (int i = 0; i < feat.length; i++) {
            feat[i] = (float) rnd.nextGaussian();
        }
        float[] rois = new float[k * 5];
        for (int i = 0; i < k; i++) {
            rois[i * 5] = rnd.nextInt(n);
            float x1 = (float) (rnd.nextDouble() * 90 - 10);
            float y1 = (float) (rnd.nextDouble() * 70 - 10);
            rois[i * 5 + 1] = x1;
            rois[i * 5 + 2] = y1;
            rois[i * 5 + 3] = x1 + (float) (rnd.nextDouble() * 40);
            rois[i * 5 + 4] = y1 + (float) (rnd.nextDouble() * 40);
        }
        for (int ratio : new int[] {1, 2, 0}) {
            for (boolean aligned : new boolean[] {false, true}) {
                HostTensor out = run1(inputs("f", HostTensor.ofFloats(feat, n, ch, h, w), "r", HostTensor.ofFloats(rois, k, 5)),
                        (ops, in) -> ops.roiAlign(in.get("f"), in.get("r"), 5, 4, 0.2, ratio, aligned));
                double[] expected = ReferenceRoiAlign.forward(toDouble(feat), n, ch, h, w, toDouble(rois), k, 5, 4, 0.2,
                        ratio, aligned);
                assertThat(out.shape().dims()).containsExactly(k, ch, 5, 4);
                assertClose("roiAlign ratio=" + ratio + " aligned=" + aligned, out.toDoubleArray(), expected, 5e-5, 1e-5);
            }
        }
    }

    @Test
    void roiAlignGradientMatchesFiniteDifferences() {
        // RoIAlign is linear in the features, so a central difference with a large step is exact up to
        // float32 rounding; a handful of feature cells is checked.
        SplittableRandom rnd = new SplittableRandom(5);
        int h = 6, w = 7;
        float[] feat = new float[h * w];
        for (int i = 0; i < feat.length; i++) {
            feat[i] = (float) rnd.nextGaussian();
        }
        float[] rois = {0, 0.3f, 0.9f, 5.2f, 4.1f, 0, 2.5f, -0.7f, 6.9f, 3.3f};
        float[] g = new float[2 * 3 * 3];
        for (int i = 0; i < g.length; i++) {
            g[i] = (float) rnd.nextGaussian();
        }
        TensorFunction fn = (ops, in) -> Map.of("value", ops.sum(ops.mul(ops.roiAlign(in.get("f"), in.get("r"),
                3, 3, 1.0, 2, true), in.get("g"))));
        HostTensor r = HostTensor.ofFloats(rois, 2, 5);
        HostTensor gt = HostTensor.ofFloats(g, 2, 1, 3, 3);
        float[] grad = backend.gradient(fn, List.of("f"))
                .call(inputs("f", HostTensor.ofFloats(feat, 1, 1, h, w), "r", r, "g", gt)).get("grad/f").toFloatArray();
        var value = backend.compile(fn);
        for (int cell : new int[] {0, 8, 9, 15, 22, 30, 41}) {
            float[] plus = feat.clone();
            float[] minus = feat.clone();
            plus[cell] += 0.5f;
            minus[cell] -= 0.5f;
            double fp = value.call(inputs("f", HostTensor.ofFloats(plus, 1, 1, h, w), "r", r, "g", gt)).get("value").getDouble(0);
            double fm = value.call(inputs("f", HostTensor.ofFloats(minus, 1, 1, h, w), "r", r, "g", gt)).get("value").getDouble(0);
            assertThat((double) grad[cell]).as("d/dfeature[%d]", cell).isCloseTo(fp - fm, org.assertj.core.data.Offset.offset(1e-4));
        }
    }

    static Stream<String> nmsCases() {
        List<String> cases = new ArrayList<>();
        for (String name : Fixtures.open("nms.safetensors").names()) {
            if (name.endsWith(".keep")) {
                cases.add(name.substring(0, name.length() - ".keep".length()));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "nms {0}")
    @MethodSource("nmsCases")
    void nmsMatchesTorchvision(String key) {
        SafetensorsFile f = Fixtures.open("nms.safetensors");
        double iou = Double.parseDouble(f.metadata().get(key + ".iou_threshold"));
        HostTensor boxes = f.get(key + ".boxes");
        HostTensor scores = f.get(key + ".scores");
        HostTensor keep;
        if (f.names().contains(key + ".idxs")) {
            keep = run1(inputs("b", boxes, "s", scores, "i", f.get(key + ".idxs")),
                    (ops, in) -> ops.batchedNms(in.get("b"), in.get("s"), in.get("i"), iou));
        } else {
            keep = run1(inputs("b", boxes, "s", scores), (ops, in) -> ops.nms(in.get("b"), in.get("s"), iou));
        }
        assertThat(keep.toLongArray()).as(key).containsExactly(f.get(key + ".keep").toLongArray());
    }

    @Test
    void nmsMatchesReferenceOnRandomBoxes() {
        SplittableRandom rnd = new SplittableRandom(21);
        int n = 300;
        float[] boxes = new float[n * 4];
        float[] scores = new float[n];
        long[] idxs = new long[n];
        for (int i = 0; i < n; i++) {
            float x = (float) (rnd.nextDouble() * 200);
            float y = (float) (rnd.nextDouble() * 200);
            boxes[i * 4] = x;
            boxes[i * 4 + 1] = y;
            boxes[i * 4 + 2] = x + (float) (rnd.nextDouble() * 60);
            boxes[i * 4 + 3] = y + (float) (rnd.nextDouble() * 60);
            scores[i] = (float) Math.floor(rnd.nextDouble() * 50) / 50f; // many ties
            idxs[i] = rnd.nextInt(4);
        }
        HostTensor b = HostTensor.ofFloats(boxes, n, 4);
        HostTensor s = HostTensor.ofFloats(scores, n);
        HostTensor i = HostTensor.ofLongs(idxs, n);
        long[] keep = run1(inputs("b", b, "s", s), (ops, in) -> ops.nms(in.get("b"), in.get("s"), 0.4)).toLongArray();
        assertThat(keep).containsExactly(ReferenceNms.nms(toDouble(boxes), toDouble(scores), 0.4));
        long[] bkeep = run1(inputs("b", b, "s", s, "i", i),
                (ops, in) -> ops.batchedNms(in.get("b"), in.get("s"), in.get("i"), 0.4)).toLongArray();
        assertThat(bkeep).containsExactly(ReferenceNms.batchedNms(toDouble(boxes), toDouble(scores), idxs, 0.4));
    }

    @Test
    void nmsOfNoBoxesIsEmpty() {
        HostTensor none = HostTensor.ofFloats(new float[0], 0, 4);
        HostTensor noScores = HostTensor.ofFloats(new float[0], 0);
        HostTensor keep = run1(inputs("b", none, "s", noScores), (ops, in) -> ops.nms(in.get("b"), in.get("s"), 0.5));
        assertThat(keep.shape().dims()).containsExactly(0);
        HostTensor bkeep = run1(inputs("b", none, "s", noScores, "i", HostTensor.ofLongs(new long[0], 0)),
                (ops, in) -> ops.batchedNms(in.get("b"), in.get("s"), in.get("i"), 0.5));
        assertThat(bkeep.shape().dims()).containsExactly(0);
    }

    static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }
}

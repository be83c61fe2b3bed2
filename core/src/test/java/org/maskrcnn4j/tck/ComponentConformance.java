package org.maskrcnn4j.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.maskrcnn4j.testing.FixtureAssert.assertClose;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.maskrcnn4j.io.SafetensorsFile;
import org.maskrcnn4j.model.AnchorGenerator;
import org.maskrcnn4j.model.BoxCoder;
import org.maskrcnn4j.model.MaskPaster;
import org.maskrcnn4j.model.MultiScaleRoIAlign;
import org.maskrcnn4j.tensor.DType;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.Shape;
import org.maskrcnn4j.tensor.Tensor;
import org.maskrcnn4j.testing.Fixtures;

/**
 * Conformance: core's tensor-code components (box coder, anchor generator, multi-scale RoIAlign with its
 * level mapper, mask pasting) run on the backend and match the torchvision fixtures.
 */
public abstract class ComponentConformance extends BackendTestBase {

    @ParameterizedTest(name = "box coder {0}")
    @ValueSource(strings = {"w1111", "w10_10_5_5"})
    void boxCoderMatchesTorchvision(String weights) {
        SafetensorsFile f = Fixtures.open("box_coder.safetensors");
        double[] w = weights.equals("w1111") ? new double[] {1, 1, 1, 1} : new double[] {10, 10, 5, 5};
        BoxCoder coder = new BoxCoder(w[0], w[1], w[2], w[3], Double.parseDouble(f.metadata().get("bbox_xform_clip")));
        Map<String, HostTensor> in = inputs("p", f.get("proposals"), "g", f.get("gt_boxes"), "c", f.get("rel_codes"));
        HostTensor encoded = run1(in, (ops, t) -> coder.encode(ops, t.get("g"), t.get("p")));
        assertClose(weights + ".encode", encoded.toDoubleArray(), f.get(weights + ".encode").toDoubleArray(), 1e-4, 0);
        HostTensor decoded = run1(in, (ops, t) -> coder.decode(ops, t.get("c"), t.get("p")));
        assertThat(decoded.shape()).isEqualTo(f.get(weights + ".decode").shape());
        assertClose(weights + ".decode", decoded.toDoubleArray(), f.get(weights + ".decode").toDoubleArray(), 1e-3, 1e-5);
    }

    @Test
    void boxCoderRoundTrips() {
        SafetensorsFile f = Fixtures.open("box_coder.safetensors");
        BoxCoder coder = new BoxCoder(10, 10, 5, 5);
        HostTensor back = run1(inputs("p", f.get("proposals"), "g", f.get("gt_boxes")),
                (ops, t) -> ops.squeeze(coder.decode(ops, coder.encode(ops, t.get("g"), t.get("p")), t.get("p")), 1));
        assertClose("decode(encode(gt))", back.toDoubleArray(), f.get("gt_boxes").toDoubleArray(), 1e-3, 1e-5);
    }

    @Test
    void anchorsMatchTorchvisionExactly() {
        SafetensorsFile f = Fixtures.open("anchors.safetensors");
        long[] sizes = f.get("feature_sizes").toLongArray();
        AnchorGenerator generator = AnchorGenerator.fpnDefaults();
        Map<String, HostTensor> in = new java.util.LinkedHashMap<>();
        in.put("image", HostTensor.ofFloats(new float[320 * 416], 1, 1, 320, 416));
        for (int l = 0; l < 5; l++) {
            int h = (int) sizes[l * 2];
            int w = (int) sizes[l * 2 + 1];
            in.put("f" + l, HostTensor.ofFloats(new float[h * w], 1, 1, h, w));
            assertThat(generator.cellAnchors(l).toFloatArray()).as("cell anchors %d", l)
                    .containsExactly(f.get("cell_anchors." + l).toFloatArray());
        }
        Map<String, HostTensor> out = backend.compile((ops, t) -> {
            List<Tensor> features = new ArrayList<>();
            for (int l = 0; l < 5; l++) {
                features.add(t.get("f" + l));
            }
            List<Tensor> perLevel = generator.anchorsPerLevel(ops, t.get("image"), features);
            Map<String, Tensor> m = new java.util.LinkedHashMap<>();
            for (int l = 0; l < 5; l++) {
                m.put("anchors." + l, perLevel.get(l));
            }
            return m;
        }).call(in);
        for (int l = 0; l < 5; l++) {
            HostTensor expected = f.get("anchors." + l);
            assertThat(out.get("anchors." + l).shape()).as("level %d", l).isEqualTo(expected.shape());
            assertThat(out.get("anchors." + l).toFloatArray()).as("anchors of level %d", l)
                    .containsExactly(expected.toFloatArray());
        }
    }

    @ParameterizedTest(name = "multiscale roi align {0}x{0}")
    @ValueSource(ints = {7, 14})
    void multiScaleRoIAlignMatchesTorchvision(int size) {
        SafetensorsFile f = Fixtures.open("multiscale_roi_align.safetensors");
        Map<String, HostTensor> in = new java.util.LinkedHashMap<>();
        for (String k : new String[] {"0", "1", "2", "3"}) {
            in.put("f" + k, f.get("features." + k));
        }
        in.put("b0", f.get("boxes.0"));
        in.put("b1", f.get("boxes.1"));
        long[] imageSizes = f.get("image_sizes").toLongArray();
        long maxHeight = Math.max(imageSizes[0], imageSizes[2]);
        MultiScaleRoIAlign pooler = new MultiScaleRoIAlign(size, 2);
        double[][] scales = new double[1][];
        Map<String, HostTensor> out = backend.compile((ops, t) -> {
            List<Tensor> features = List.of(t.get("f0"), t.get("f1"), t.get("f2"), t.get("f3"));
            scales[0] = MultiScaleRoIAlign.inferScales(features, maxHeight);
            Tensor pooled = pooler.pool(ops, features, List.of(t.get("b0"), t.get("b1")), scales[0]);
            Tensor levels = MultiScaleRoIAlign.levels(ops, ops.concat(List.of(t.get("b0"), t.get("b1")), 0), scales[0]);
            return Map.of("pooled", pooled, "levels", levels);
        }).call(in);
        assertThat(scales[0]).containsExactly(f.get("scales").toDoubleArray());
        assertThat(out.get("levels").toLongArray()).containsExactly(f.get("levels").toLongArray());
        HostTensor expected = f.get("output_" + size + "x" + size);
        assertThat(out.get("pooled").shape()).isEqualTo(expected.shape());
        assertClose("output_" + size, out.get("pooled").toDoubleArray(), expected.toDoubleArray(), 5e-5, 0);
    }

    @Test
    void pastingNoMasksGivesAnEmptyStack() {
        HostTensor pasted = run1(inputs("m", HostTensor.ofFloats(new float[0], 0, 28, 28), "b", HostTensor.ofFloats(new float[0], 0, 4)),
                (ops, t) -> new MaskPaster(1).paste(ops, t.get("m"), t.get("b"), 20, 30));
        assertThat(pasted.shape()).isEqualTo(Shape.of(0, 20, 30));
    }

    @Test
    void pastedMasksMatchTorchvision() {
        SafetensorsFile f = Fixtures.open("paste_masks.safetensors");
        HostTensor masks = f.get("masks");
        HostTensor pasted = run1(inputs("m", masks.reshape(5, 28, 28), "b", f.get("boxes")),
                (ops, t) -> new MaskPaster(1).paste(ops, t.get("m"), t.get("b"), 100, 150));
        assertThat(pasted.shape()).isEqualTo(Shape.of(5, 100, 150));
        assertClose("pasted", pasted.toDoubleArray(), f.get("pasted").toDoubleArray(), 1e-5, 0);
        double[] p = pasted.toDoubleArray();
        HostTensor expectedMask = f.get("pasted_gt_0.5");
        int mismatches = 0;
        for (int i = 0; i < p.length; i++) {
            if ((p[i] > 0.5) != (expectedMask.getLong(i) == 1)) {
                mismatches++;
            }
        }
        assertThat(mismatches).as("pixels whose > 0.5 decision differs from torchvision").isZero();
        assertThat(expectedMask.dtype()).isEqualTo(DType.UINT8);
    }
}

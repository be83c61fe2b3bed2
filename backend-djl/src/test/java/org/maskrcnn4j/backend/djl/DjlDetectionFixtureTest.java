package org.maskrcnn4j.backend.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.maskrcnn4j.tensor.Backend;
import org.maskrcnn4j.tensor.BackendConfig;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.TensorFunction;

/** RoIAlign (forward and gradient) and NMS against the torchvision fixtures. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DjlDetectionFixtureTest {
    private Backend backend;

    @BeforeAll
    void open() {
        backend = new DjlBackendProvider().create(BackendConfig.defaults());
    }

    @AfterAll
    void close() {
        backend.close();
    }

    @Test
    void roiAlignMatchesTorchvision() throws IOException {
        assumeTrue(Fixtures.available("roi_align.safetensors"), "fixtures not found");
        Fixtures.File f = Fixtures.read("roi_align.safetensors");
        String cases = f.meta("cases");
        int checked = 0;
        for (String c : f.tensors().keySet()) {
            if (!c.endsWith(".output")) {
                continue;
            }
            String key = c.substring(0, c.length() - ".output".length());
            String[] p = key.split("_");
            int o = Integer.parseInt(p[0].substring(1));
            double s = Double.parseDouble(p[1].substring(1));
            int sr = Integer.parseInt(p[2].substring(2));
            boolean aligned = p[3].equals("a1");
            boolean withGrad = f.tensors().containsKey(key + ".grad_features");
            TensorFunction fn = (ops, in) -> {
                var out = ops.roiAlign(in.get("features"), in.get("rois"), o, o, s, sr, aligned);
                return Map.of("out", out, "value", ops.sum(ops.mul(out, in.get("g"))));
            };
            Map<String, HostTensor> in = Map.of("features", f.get("features"), "rois", f.get("rois"),
                    "g", f.get("grad_output_" + o));
            HostTensor out = backend.compile(fn).call(in).get("out");
            assertThat(out.shape()).isEqualTo(f.get(c).shape());
            assertClose(key + " output", out.toFloatArray(), f.get(c).toFloatArray(), 5e-5);
            if (withGrad) {
                TensorFunction g = (ops, inputs) -> Map.of("value", ops.sum(ops.mul(ops.roiAlign(inputs.get("features"),
                        inputs.get("rois"), o, o, s, sr, aligned), inputs.get("g"))));
                HostTensor grad = backend.gradient(g, List.of("features")).call(in).get("grad/features");
                assertClose(key + " grad", grad.toFloatArray(), f.get(key + ".grad_features").toFloatArray(), 1e-4);
            }
            checked++;
        }
        assertThat(checked).as("cases in %s", cases).isEqualTo(17);
    }

    @Test
    void nmsMatchesTorchvision() throws IOException {
        assumeTrue(Fixtures.available("nms.safetensors"), "fixtures not found");
        Fixtures.File f = Fixtures.read("nms.safetensors");
        int checked = 0;
        for (String c : f.tensors().keySet()) {
            if (!c.endsWith(".keep")) {
                continue;
            }
            String key = c.substring(0, c.length() - ".keep".length());
            double thr = Double.parseDouble(f.meta(key + ".iou_threshold"));
            boolean batched = f.tensors().containsKey(key + ".idxs");
            TensorFunction fn = batched
                    ? (ops, in) -> Map.of("keep", ops.batchedNms(in.get("b"), in.get("s"), in.get("i"), thr))
                    : (ops, in) -> Map.of("keep", ops.nms(in.get("b"), in.get("s"), thr));
            Map<String, HostTensor> in = batched
                    ? Map.of("b", f.get(key + ".boxes"), "s", f.get(key + ".scores"), "i", f.get(key + ".idxs"))
                    : Map.of("b", f.get(key + ".boxes"), "s", f.get(key + ".scores"));
            HostTensor keep = backend.compile(fn).call(in).get("keep");
            assertThat(keep.toLongArray()).as(key).containsExactly(f.get(c).toLongArray());
            checked++;
        }
        assertThat(checked).isEqualTo(12);
    }

    static void assertClose(String what, float[] got, float[] want, double atol) {
        assertThat(got).as(what + " length").hasSize(want.length);
        double worst = 0;
        int at = -1;
        for (int i = 0; i < got.length; i++) {
            double d = Math.abs((double) got[i] - want[i]);
            if (!(d <= worst)) {
                worst = d;
                at = i;
            }
        }
        assertThat(worst).as("%s: max |diff| at %d (got %s, want %s)", what, at, at < 0 ? 0 : got[at],
                at < 0 ? 0 : want[at]).isLessThanOrEqualTo(atol);
    }
}

package org.maskrcnn4j.backend.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.maskrcnn4j.tensor.Backend;
import org.maskrcnn4j.tensor.BackendConfig;
import org.maskrcnn4j.tensor.BackendException;
import org.maskrcnn4j.tensor.BackendProvider;
import org.maskrcnn4j.tensor.Backends;
import org.maskrcnn4j.tensor.DType;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.Ops;
import org.maskrcnn4j.tensor.Shape;
import org.maskrcnn4j.tensor.Tensor;
import org.maskrcnn4j.tensor.TensorFunction;

/** Sanity checks of the djl backend's ops against hand-computed values and small Java references. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DjlOpsTest {
    private Backend backend;

    @BeforeAll
    void open() {
        backend = new DjlBackendProvider().create(BackendConfig.defaults());
    }

    @AfterAll
    void close() {
        backend.close();
    }

    private HostTensor run(Map<String, HostTensor> in, BiFunction<Ops, Map<String, Tensor>, Tensor> fn) {
        return backend.compile((ops, t) -> Map.of("out", fn.apply(ops, t))).call(in).get("out");
    }

    private static HostTensor rand(SplittableRandom rnd, long... shape) {
        int n = Math.toIntExact(Shape.of(shape).size());
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        return HostTensor.ofFloats(v, shape);
    }

    // ------------------------------------------------------------------ provider and backend

    @Test
    void providerIsDiscoveredAndAvailable() {
        BackendProvider p = Backends.provider("djl");
        assertThat(p).isInstanceOf(DjlBackendProvider.class);
        assertThat(p.priority()).isEqualTo(100);
        assertThat(p.availability().available()).as(p.availability().reason()).isTrue();
        assertThat(backend.name()).isEqualTo("djl");
        assertThat(backend.device()).isEqualTo("cpu");
    }

    @Test
    void absentGpuFailsClearly() {
        assertThatThrownBy(() -> new DjlBackendProvider().create(new BackendConfig("gpu:0", 1, Map.of())))
                .isInstanceOf(BackendException.class).hasMessageContaining("gpu:0").hasMessageContaining("not");
        assertThatThrownBy(() -> new DjlBackendProvider().create(new BackendConfig("tpu", 1, Map.of())))
                .isInstanceOf(BackendException.class).hasMessageContaining("unknown device 'tpu'");
    }

    @Test
    void threadsFollowTheConfig() {
        try (Backend one = new DjlBackendProvider().create(new BackendConfig("cpu", 1, Map.of()))) {
            assertThat(((DjlBackend) one).threads()).isEqualTo(1);
        }
        assertThat(((DjlBackend) backend).threads()).isEqualTo(Runtime.getRuntime().availableProcessors());
    }

    @Test
    void closedBackendRefusesCalls() {
        Backend b = new DjlBackendProvider().create(BackendConfig.defaults());
        var fn = b.compile((ops, in) -> Map.of("x", ops.scalar(1, DType.FLOAT32)));
        b.close();
        assertThatThrownBy(() -> fn.call(Map.of())).isInstanceOf(BackendException.class).hasMessageContaining("closed");
    }

    @Test
    void aTensorOfAnEndedReleasedBlockIsRefusedByName() {
        Tensor[] leaked = new Tensor[1];
        HostTensor x = HostTensor.ofFloats(new float[] {1, 2}, 2);
        assertThatThrownBy(() -> run(Map.of("x", x), (ops, t) -> {
            Tensor kept = ops.released1(() -> {
                leaked[0] = ops.mul(t.get("x"), 2); // made in the block, not returned
                return ops.add(leaked[0], 1);
            });
            return ops.add(kept, leaked[0]);
        })).isInstanceOf(IllegalStateException.class).hasMessageContaining("after the released block that made it ended");
        // the returned tensor and the parameters made inside a block stay usable after it
        backend.parameters().declare("t.released.w", HostTensor.ofFloats(new float[] {3, 4}, 2), false);
        HostTensor out = run(Map.of("x", x), (ops, t) -> {
            Tensor kept = ops.released1(() -> ops.mul(t.get("x"), ops.parameter("t.released.w")));
            return ops.add(kept, ops.parameter("t.released.w"));
        });
        assertThat(out.toFloatArray()).containsExactly(6, 12);
    }

    @Test
    void discardFreesTheArrayButNotViewsOfItOrParameters() {
        HostTensor x = HostTensor.ofFloats(new float[] {1, 2}, 2);
        backend.parameters().declare("t.discard.w", HostTensor.ofFloats(new float[] {3, 4}, 2), false);
        boolean[] freed = new boolean[4];
        HostTensor out = run(Map.of("x", x), (ops, t) -> {
            Tensor doubled = ops.mul(t.get("x"), 2);
            Tensor view = ops.reshape(doubled, 1, 2); // another handle on the same storage
            Tensor w = ops.parameter("t.discard.w");
            ops.discard(doubled);
            freed[0] = ((DjlTensor) doubled).ndArray().isReleased();
            freed[1] = ((DjlTensor) view).ndArray().isReleased();
            Tensor y = ops.add(ops.reshape(view, 2), w); // the storage outlives the discarded handle
            ops.discard(w);
            freed[2] = ((DjlTensor) w).ndArray().isReleased();
            freed[3] = ((DjlTensor) ops.parameter("t.discard.w")).ndArray().isReleased();
            return ops.add(y, ops.parameter("t.discard.w"));
        });
        assertThat(out.toFloatArray()).containsExactly(8, 12); // 2x + w + w
        assertThat(freed).containsExactly(true, false, false, false);
        assertThatThrownBy(() -> run(Map.of("x", x), (ops, t) -> {
            Tensor y = ops.mul(t.get("x"), 2);
            ops.discard(y);
            return ops.add(y, 1);
        })).isInstanceOf(IllegalStateException.class).hasMessageContaining("was used after Ops.discard");
    }

    @Test
    void wideLinearOutsideAutogradMatchesItsDefinition() {
        // in-features >= DjlOps.WIDE_LINEAR take the 1x1-convolution path when no gradient is recorded
        SplittableRandom rnd = new SplittableRandom(5);
        int n = 7;
        int k = (int) DjlOps.WIDE_LINEAR + 3;
        int o = 5;
        HostTensor x = rand(rnd, n, k);
        HostTensor w = rand(rnd, o, k);
        HostTensor b = rand(rnd, o);
        HostTensor y = run(Map.of("x", x, "w", w, "b", b), (ops, t) -> ops.linear(t.get("x"), t.get("w"), t.get("b")));
        assertThat(y.shape()).isEqualTo(Shape.of(n, o));
        float[] xv = x.toFloatArray();
        float[] wv = w.toFloatArray();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < o; j++) {
                double sum = b.getDouble(j);
                for (int c = 0; c < k; c++) {
                    sum += (double) xv[i * k + c] * wv[j * k + c];
                }
                assertThat(y.getDouble(i * o + j)).as("y[%d, %d]", i, j).isCloseTo(sum, within(5e-3));
            }
        }
    }

    @Test
    void parameterStoreContract() {
        var store = backend.parameters();
        store.declare("t.store.a", HostTensor.ofFloats(new float[] {1, 2}, 2), true);
        store.set("t.store.a", HostTensor.ofFloats(new float[] {5, 6}, 2));
        store.declare("t.store.a", HostTensor.ofFloats(new float[] {0, 0}, 2), true); // keeps the value
        assertThat(store.get("t.store.a").toFloatArray()).containsExactly(5, 6);
        assertThatThrownBy(() -> store.declare("t.store.a", HostTensor.ofFloats(new float[3], 3), true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[2]").hasMessageContaining("[3]");
        assertThatThrownBy(() -> store.set("t.store.a", HostTensor.ofLongs(new long[2], 2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("INT64");
        assertThatThrownBy(() -> store.get("t.store.nope")).hasMessageContaining("unknown parameter 't.store.nope'");
        assertThat(store.names()).contains("t.store.a");
        // a parameter read inside a call and the call's result do not alias beyond the call
        HostTensor twice = run(Map.of(), (ops, in) -> ops.add(ops.parameter("t.store.a"), ops.parameter("t.store.a")));
        assertThat(twice.toFloatArray()).containsExactly(10, 12);
        assertThat(((DjlBackend) backend).managedArrays()).isGreaterThan(0);
    }

    // ------------------------------------------------------------------ math flavours

    @Test
    void castsRoundingAndIntegerDivision() {
        HostTensor x = HostTensor.ofFloats(new float[] {-1.7f, -0.5f, 0.5f, 1.5f, 2.5f, 1e10f}, 6);
        assertThat(run(Map.of("x", x), (ops, in) -> ops.cast(in.get("x"), DType.INT64)).toLongArray())
                .containsExactly(-1, 0, 0, 1, 2, 10000000000L);
        assertThat(run(Map.of("x", x), (ops, in) -> ops.round(in.get("x"))).toFloatArray())
                .containsExactly(-2, -0f, 0, 2, 2, 1e10f);
        HostTensor a = HostTensor.ofLongs(new long[] {7, 0, 9, 1L << 40}, 4);
        HostTensor b = HostTensor.ofLongs(new long[] {2, 5, 10, 3}, 4);
        HostTensor q = run(Map.of("a", a, "b", b), (ops, in) -> ops.floorDiv(in.get("a"), in.get("b")));
        assertThat(q.dtype()).isEqualTo(DType.INT64);
        assertThat(q.toLongArray()).containsExactly(3, 0, 0, (1L << 40) / 3);
        HostTensor d = run(Map.of("x", x), (ops, in) -> ops.cast(in.get("x"), DType.FLOAT64));
        assertThat(d.dtype()).isEqualTo(DType.FLOAT64);
        assertThat(d.toDoubleArray()[0]).isEqualTo((double) -1.7f);
    }

    @Test
    void log1pIsAccurateAndDifferentiable() {
        float[] v = {1e-10f, -1e-7f, 3e-4f, 0.5f, 20f, -0.999f};
        HostTensor x = HostTensor.ofFloats(v, v.length);
        double[] y = run(Map.of("x", x), (ops, in) -> ops.log1p(in.get("x"))).toDoubleArray();
        for (int i = 0; i < v.length; i++) {
            assertThat(y[i]).as("log1p(%s)", v[i]).isCloseTo(Math.log1p(v[i]), within(2e-7 * Math.abs(Math.log1p(v[i]))));
        }
        TensorFunction f = (ops, in) -> Map.of("value", ops.sum(ops.log1p(in.get("x"))));
        float[] g = backend.gradient(f, List.of("x")).call(Map.of("x", x)).get("grad/x").toFloatArray();
        for (int i = 0; i < v.length; i++) {
            assertThat((double) g[i]).as("d log1p(%s)", v[i]).isCloseTo(1 / (1 + (double) v[i]),
                    within(1e-5 / (1 + (double) v[i])));
        }
    }

    @Test
    void castBetweenFloatTypesKeepsGradients() {
        HostTensor x = HostTensor.ofFloats(new float[] {1, 2, 3}, 3);
        TensorFunction f = (ops, in) -> Map.of("value",
                ops.cast(ops.sum(ops.square(ops.cast(in.get("x"), DType.FLOAT64))), DType.FLOAT32));
        Map<String, HostTensor> out = backend.gradient(f, List.of("x")).call(Map.of("x", x));
        assertThat(out.get("value").getDouble(0)).isEqualTo(14.0);
        assertThat(out.get("grad/x").toFloatArray()).containsExactly(2, 4, 6);
    }

    @Test
    void gradientOfAnUnusedInputIsZero() {
        TensorFunction f = (ops, in) -> Map.of("value", ops.sum(in.get("a")));
        Map<String, HostTensor> out = backend.gradient(f, List.of("a", "b"))
                .call(Map.of("a", HostTensor.ofFloats(new float[] {1, 2}, 2), "b", HostTensor.ofFloats(new float[] {3}, 1)));
        assertThat(out.get("grad/a").toFloatArray()).containsExactly(1, 1);
        assertThat(out.get("grad/b").toFloatArray()).containsExactly(0);
        assertThatThrownBy(() -> backend.gradient((ops, in) -> Map.of("value", in.get("a")), List.of("a"))
                .call(Map.of("a", HostTensor.ofFloats(new float[] {1, 2}, 2))))
                .hasMessageContaining("'value' must be a floating scalar");
    }

    // ------------------------------------------------------------------ layers

    @Test
    void linearIsXTimesWeightTransposedPlusBias() {
        HostTensor a = HostTensor.ofFloats(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        HostTensor w = HostTensor.ofFloats(new float[] {1, 0, 0, 0, 1, 1}, 2, 3);
        HostTensor bias = HostTensor.ofFloats(new float[] {0.5f, -1}, 2);
        assertThat(run(Map.of("a", a, "w", w, "b", bias), (ops, in) -> ops.linear(in.get("a"), in.get("w"), in.get("b")))
                .toFloatArray()).containsExactly(1.5f, 4, 4.5f, 10);
    }

    /** Transposed convolution by its definition (scatter of each input pixel times the kernel). */
    private static double[] convTransposeRef(float[] x, int n, int cin, int h, int w, float[] k, int cout, int kh,
            int kw, int sh, int sw, int ph, int pw) {
        int oh = (h - 1) * sh - 2 * ph + kh;
        int ow = (w - 1) * sw - 2 * pw + kw;
        double[] out = new double[n * cout * oh * ow];
        for (int b = 0; b < n; b++) {
            for (int ci = 0; ci < cin; ci++) {
                for (int y = 0; y < h; y++) {
                    for (int xx = 0; xx < w; xx++) {
                        double v = x[((b * cin + ci) * h + y) * w + xx];
                        for (int co = 0; co < cout; co++) {
                            for (int i = 0; i < kh; i++) {
                                for (int j = 0; j < kw; j++) {
                                    int oy = y * sh - ph + i;
                                    int ox = xx * sw - pw + j;
                                    if (oy >= 0 && oy < oh && ox >= 0 && ox < ow) {
                                        out[((b * cout + co) * oh + oy) * ow + ox] += v * k[((ci * cout + co) * kh + i) * kw + j];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    @Test
    void convTransposeMatchesItsDefinition() {
        SplittableRandom rnd = new SplittableRandom(4);
        int[][] cases = { // kh, kw, sh, sw, ph, pw
            {2, 2, 2, 2, 0, 0}, {2, 2, 2, 2, 1, 0}, {3, 3, 2, 2, 1, 1}, {3, 2, 1, 2, 0, 0}, {4, 4, 2, 2, 1, 1},
            {1, 1, 1, 1, 0, 0}, {3, 3, 1, 1, 2, 2}};
        for (int[] c : cases) {
            HostTensor x = rand(rnd, 2, 3, 4, 5);
            HostTensor k = rand(rnd, 3, 2, c[0], c[1]);
            HostTensor out = run(Map.of("x", x, "k", k), (ops, in) -> ops.convTranspose2d(in.get("x"), in.get("k"), null,
                    new int[] {c[2], c[3]}, new int[] {c[4], c[5]}));
            double[] want = convTransposeRef(x.toFloatArray(), 2, 3, 4, 5, k.toFloatArray(), 2, c[0], c[1], c[2], c[3],
                    c[4], c[5]);
            double[] got = out.toDoubleArray();
            assertThat(got).hasSize(want.length);
            for (int i = 0; i < got.length; i++) {
                assertThat(got[i]).as("case %s element %d", java.util.Arrays.toString(c), i).isCloseTo(want[i], within(1e-4));
            }
        }
    }

    /**
     * Regression: the oneDNN kernels of this libtorch build return wrong, run-to-run different input
     * gradients (sometimes NaN) for k>1 convolutions whose output channels are not a multiple of 8/16; the
     * backend pads the filters while recording gradients.
     */
    @Test
    void convolutionInputGradientWithOddChannelCounts() {
        SplittableRandom rnd = new SplittableRandom(7);
        int[][] cases = {{8, 8, 8, 6, 1}, {8, 32, 8, 12, 1}, {2, 24, 24, 12, 1}, {8, 4, 4, 12, 1}, {2, 10, 10, 13, 2}};
        for (int[] c : cases) {
            int n = c[0];
            int ic = c[1];
            int oc = c[2];
            int hw = c[3];
            int st = c[4];
            int o = (hw + 2 - 3) / st + 1;
            HostTensor x = rand(rnd, n, ic, hw, hw);
            HostTensor w = rand(rnd, oc, ic, 3, 3);
            HostTensor g = rand(rnd, n, oc, o, o);
            TensorFunction f = (ops, in) -> Map.of("value", ops.sum(ops.mul(ops.conv2d(in.get("x"), in.get("w"), null,
                    new int[] {st, st}, new int[] {1, 1}, new int[] {1, 1}, 1), in.get("g"))));
            float[] got = backend.gradient(f, List.of("x")).call(Map.of("x", x, "w", w, "g", g)).get("grad/x").toFloatArray();
            float[] wv = w.toFloatArray();
            float[] gv = g.toFloatArray();
            double[] want = new double[got.length];
            for (int b = 0; b < n; b++) {
                for (int co = 0; co < oc; co++) {
                    for (int oy = 0; oy < o; oy++) {
                        for (int ox = 0; ox < o; ox++) {
                            double gg = gv[((b * oc + co) * o + oy) * o + ox];
                            for (int ci = 0; ci < ic; ci++) {
                                for (int ky = 0; ky < 3; ky++) {
                                    for (int kx = 0; kx < 3; kx++) {
                                        int iy = oy * st + ky - 1;
                                        int ix = ox * st + kx - 1;
                                        if (iy >= 0 && iy < hw && ix >= 0 && ix < hw) {
                                            want[((b * ic + ci) * hw + iy) * hw + ix] += gg * wv[((co * ic + ci) * 3 + ky) * 3 + kx];
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            for (int i = 0; i < got.length; i++) {
                assertThat((double) got[i]).as("case %s grad[%d]", java.util.Arrays.toString(c), i).isCloseTo(want[i], within(1e-4));
            }
        }
    }

    /**
     * Regression: this libtorch's oneDNN divides by zero while planning the input gradient of some strided 1x1
     * convolutions (ResNet-50's downsample at 800x1088), which kills the JVM; the backend convolves every
     * stride-th pixel instead. The gradient must still be the strided convolution's: sum over output channels
     * of {@code g * w} at the sampled pixels, zero elsewhere.
     */
    @Test
    void stridedPointwiseConvolutionGradient() {
        SplittableRandom rnd = new SplittableRandom(11);
        int ic = 3;
        int oc = 4;
        int hw = 7;
        int o = 4; // (7 - 1) / 2 + 1
        HostTensor x = rand(rnd, 1, ic, hw, hw);
        HostTensor w = rand(rnd, oc, ic, 1, 1);
        HostTensor g = rand(rnd, 1, oc, o, o);
        TensorFunction f = (ops, in) -> Map.of("value", ops.sum(ops.mul(ops.conv2d(in.get("x"), in.get("w"), null,
                new int[] {2, 2}, new int[] {0, 0}, new int[] {1, 1}, 1), in.get("g"))));
        float[] got = backend.gradient(f, List.of("x")).call(Map.of("x", x, "w", w, "g", g)).get("grad/x").toFloatArray();
        float[] wv = w.toFloatArray();
        float[] gv = g.toFloatArray();
        for (int ci = 0; ci < ic; ci++) {
            for (int y = 0; y < hw; y++) {
                for (int xx = 0; xx < hw; xx++) {
                    double want = 0;
                    if (y % 2 == 0 && xx % 2 == 0) {
                        for (int co = 0; co < oc; co++) {
                            want += gv[(co * o + y / 2) * o + xx / 2] * wv[co * ic + ci];
                        }
                    }
                    assertThat((double) got[(ci * hw + y) * hw + xx]).as("grad[%d,%d,%d]", ci, y, xx).isCloseTo(want, within(1e-5));
                }
            }
        }
        // the shape that crashed: 512 -> 1024 channels on 100x136, stride 2, input and weight gradients
        HostTensor big = HostTensor.ofFloats(new float[512 * 100 * 136], 1, 512, 100, 136);
        HostTensor kernel = HostTensor.ofFloats(new float[1024 * 512], 1024, 512, 1, 1);
        TensorFunction down = (ops, in) -> Map.of("value", ops.sum(ops.conv2d(in.get("x"), in.get("w"), null,
                new int[] {2, 2}, new int[] {0, 0}, new int[] {1, 1}, 1)));
        Map<String, HostTensor> grads = backend.gradient(down, List.of("x", "w")).call(Map.of("x", big, "w", kernel));
        assertThat(grads.get("grad/x").shape().dims()).containsExactly(1, 512, 100, 136);
        assertThat(grads.get("grad/w").shape().dims()).containsExactly(1024, 512, 1, 1);
    }

    @Test
    void groupNormAndBatchNorm() {
        HostTensor x = HostTensor.ofFloats(new float[] {1, 2, 3, 4, 10, 20, 30, 40}, 1, 2, 2, 2);
        HostTensor bn = run(Map.of("x", x), (ops, in) -> ops.batchNorm(in.get("x"), ops.constant(new float[] {1, 10}, 2),
                ops.constant(new float[] {4, 100}, 2), ops.constant(new float[] {2, 1}, 2), ops.constant(new float[] {0, 1}, 2), 0));
        assertThat(bn.toFloatArray()).containsExactly(0, 1, 2, 3, 1, 2, 3, 4);
        HostTensor gn = run(Map.of("x", x), (ops, in) -> ops.groupNorm(in.get("x"), 1, ops.constant(new float[] {1, 2}, 2),
                ops.constant(new float[] {0, 1}, 2), 1e-5));
        double mean = (1 + 2 + 3 + 4 + 10 + 20 + 30 + 40) / 8.0;
        double var = 0;
        for (float v : x.toFloatArray()) {
            var += (v - mean) * (v - mean) / 8;
        }
        float[] g = gn.toFloatArray();
        assertThat((double) g[0]).isCloseTo((1 - mean) / Math.sqrt(var + 1e-5), within(1e-5));
        assertThat((double) g[7]).isCloseTo(2 * (40 - mean) / Math.sqrt(var + 1e-5) + 1, within(1e-5));
    }

    // ------------------------------------------------------------------ resize

    /** PyTorch's upsample_bilinear2d (align_corners=False) for one plane, float32 index math. */
    private static double[] bilinearRef(float[] x, int h, int w, int oh, int ow, float rh, float rw) {
        double[] out = new double[oh * ow];
        for (int i = 0; i < oh; i++) {
            float sy = Math.max(rh * (i + 0.5f) - 0.5f, 0f);
            int y0 = Math.min((int) Math.floor(sy), h - 1);
            int y1 = y0 + (y0 < h - 1 ? 1 : 0);
            float ly = Math.min(Math.max(sy - y0, 0f), 1f);
            for (int j = 0; j < ow; j++) {
                float sx = Math.max(rw * (j + 0.5f) - 0.5f, 0f);
                int x0 = Math.min((int) Math.floor(sx), w - 1);
                int x1 = x0 + (x0 < w - 1 ? 1 : 0);
                float lx = Math.min(Math.max(sx - x0, 0f), 1f);
                double top = (1 - lx) * x[y0 * w + x0] + lx * x[y0 * w + x1];
                double bottom = (1 - lx) * x[y1 * w + x0] + lx * x[y1 * w + x1];
                out[i * ow + j] = (1 - ly) * top + ly * bottom;
            }
        }
        return out;
    }

    @Test
    void bilinearResizeUpAndDownAndByScale() {
        SplittableRandom rnd = new SplittableRandom(8);
        HostTensor x = rand(rnd, 1, 1, 7, 9);
        float[] xv = x.toFloatArray();
        int[][] sizes = {{14, 20}, {3, 4}, {7, 9}, {28, 5}, {1, 1}};
        for (int[] s : sizes) {
            double[] got = run(Map.of("x", x), (ops, in) -> ops.resizeBilinear(in.get("x"), s[0], s[1])).toDoubleArray();
            double[] want = bilinearRef(xv, 7, 9, s[0], s[1], 7f / s[0], 9f / s[1]);
            for (int i = 0; i < got.length; i++) {
                assertThat(got[i]).as("%dx%d [%d]", s[0], s[1], i).isCloseTo(want[i], within(1e-5));
            }
        }
        HostTensor byScale = run(Map.of("x", x), (ops, in) -> ops.resizeBilinearByScale(in.get("x"), 1.7, 0.5));
        assertThat(byScale.shape()).isEqualTo(Shape.of(1, 1, 11, 4));
        double[] want = bilinearRef(xv, 7, 9, 11, 4, (float) (1 / 1.7), (float) (1 / 0.5));
        double[] got = byScale.toDoubleArray();
        for (int i = 0; i < got.length; i++) {
            assertThat(got[i]).isCloseTo(want[i], within(1e-5));
        }
    }

    // ------------------------------------------------------------------ indexing and sorting

    @Test
    void gatherScatterAndMasks() {
        HostTensor x = HostTensor.ofFloats(new float[] {0, 1, 2, 3, 4, 5}, 3, 2);
        HostTensor taken = run(Map.of("x", x, "i", HostTensor.ofLongs(new long[] {2, 0, 1, 1}, 2, 2)),
                (ops, in) -> ops.gather(in.get("x"), in.get("i"), 0));
        assertThat(taken.shape()).isEqualTo(Shape.of(2, 2, 2));
        assertThat(taken.toFloatArray()).containsExactly(4, 5, 0, 1, 2, 3, 2, 3);
        HostTensor added = run(Map.of("x", x, "i", HostTensor.ofLongs(new long[] {0, -1, 0}, 3),
                "u", HostTensor.ofFloats(new float[] {1, 1, 2, 2, 3, 3}, 3, 2)),
                (ops, in) -> ops.scatterAdd(in.get("x"), in.get("i"), in.get("u")));
        assertThat(added.toFloatArray()).containsExactly(4, 5, 2, 3, 6, 7);
        TensorFunction f = (ops, in) -> Map.of("value", ops.sum(ops.mul(ops.scatterAdd(in.get("x"), in.get("i"), in.get("u")),
                ops.constant(new float[] {1, 2, 3, 4, 5, 6}, 3, 2))));
        HostTensor gu = backend.gradient(f, List.of("u")).call(Map.of("x", x, "i", HostTensor.ofLongs(new long[] {0, 2, 0}, 3),
                "u", HostTensor.ofFloats(new float[6], 3, 2))).get("grad/u");
        assertThat(gu.toFloatArray()).containsExactly(1, 2, 5, 6, 1, 2);
        HostTensor none = run(Map.of("x", x, "m", HostTensor.ofBooleans(new boolean[3], 3)),
                (ops, in) -> ops.booleanMask(in.get("x"), in.get("m")));
        assertThat(none.shape()).isEqualTo(Shape.of(0, 2));
        assertThat(run(Map.of(), (ops, in) -> ops.nonzero(ops.scalar(3, DType.FLOAT32))).shape()).isEqualTo(Shape.of(1, 0));
    }

    @Test
    void sortAndTopKAreStableOnEveryDtypeAndAxis() {
        // 2-D, along axis 0, with ties, NaN, -0.0 == 0.0
        float[] v = {3, 1, Float.NaN, 2, 3, 0f, -0f, 2, -0f, 5, 3, 1};
        HostTensor x = HostTensor.ofFloats(v, 4, 3);
        Map<String, HostTensor> out = backend.compile((ops, in) -> {
            Ops.Sorted d = ops.sort(in.get("x"), 0, true);
            Ops.Sorted t = ops.topK(in.get("x"), 2, 0, false);
            return Map.of("dv", d.values(), "di", d.indices(), "ti", t.indices());
        }).call(Map.of("x", x));
        // column 0: 3, 2, -0, 5 -> desc 5(3) 3(0) 2(1) -0(2); column 1: 1, 3, 2, 3 -> 3(1) 3(3) 2(2) 1(0)
        // column 2: NaN, 0, -0, 1 -> NaN(0) 1(3) 0(1) -0(2): NaN is largest, 0 and -0 tie
        assertThat(out.get("di").shape()).isEqualTo(Shape.of(4, 3));
        assertThat(out.get("di").toLongArray()).containsExactly(3, 1, 0, 0, 3, 3, 1, 2, 1, 2, 0, 2);
        assertThat(out.get("dv").toFloatArray()[2]).isNaN();
        assertThat(out.get("ti").toLongArray()).containsExactly(2, 0, 1, 1, 2, 2);
        for (DType dt : new DType[] {DType.INT64, DType.FLOAT64, DType.INT32}) {
            HostTensor y = run(Map.of("x", HostTensor.ofLongs(new long[] {5, 1, 5, 9, 1}, 5)), (ops, in) -> ops.cast(in.get("x"), dt));
            HostTensor idx = backend.compile((ops, in) -> Map.of("i", ops.sort(in.get("y"), 0, true).indices()))
                    .call(Map.of("y", y)).get("i");
            assertThat(idx.toLongArray()).as("%s", dt).containsExactly(3, 0, 2, 1, 4);
        }
        // large top-k (selection path) equals the prefix of the full stable sort
        SplittableRandom rnd = new SplittableRandom(2);
        float[] big = new float[20000];
        for (int i = 0; i < big.length; i++) {
            big[i] = rnd.nextInt(500) / 7f;
        }
        Map<String, HostTensor> r = backend.compile((ops, in) -> Map.of("t", ops.topK(in.get("x"), 100, 0, true).indices(),
                "s", ops.sort(in.get("x"), 0, true).indices())).call(Map.of("x", HostTensor.ofFloats(big, big.length)));
        assertThat(r.get("t").toLongArray()).containsExactly(java.util.Arrays.copyOf(r.get("s").toLongArray(), 100));
    }

    @Test
    void sortedValuesAreDifferentiable() {
        TensorFunction f = (ops, in) -> Map.of("value", ops.sum(ops.mul(ops.topK(in.get("x"), 2, 0, true).values(),
                ops.constant(new float[] {10, 1}, 2))));
        HostTensor g = backend.gradient(f, List.of("x")).call(Map.of("x", HostTensor.ofFloats(new float[] {1, 3, 2}, 3)))
                .get("grad/x");
        assertThat(g.toFloatArray()).containsExactly(0, 10, 1);
    }

    // ------------------------------------------------------------------ detection primitives

    @Test
    void batchedNmsKeepsCategoriesApartAndMergesByScore() {
        HostTensor boxes = HostTensor.ofFloats(new float[] {0, 0, 10, 10, 1, 1, 10, 10, 0, 0, 10, 10, 50, 50, 60, 60}, 4, 4);
        HostTensor scores = HostTensor.ofFloats(new float[] {0.9f, 0.8f, 0.95f, 0.8f}, 4);
        HostTensor idxs = HostTensor.ofLongs(new long[] {0, 0, 1, 1}, 4);
        HostTensor keep = run(Map.of("b", boxes, "s", scores, "i", idxs),
                (ops, in) -> ops.batchedNms(in.get("b"), in.get("s"), in.get("i"), 0.5));
        assertThat(keep.toLongArray()).containsExactly(2, 0, 3);
        HostTensor plain = run(Map.of("b", boxes, "s", scores), (ops, in) -> ops.nms(in.get("b"), in.get("s"), 0.5));
        assertThat(plain.toLongArray()).containsExactly(2, 3);
    }

    @Test
    void roiAlignParallelAndSerialAgreeInBothPrecisions() {
        SplittableRandom rnd = new SplittableRandom(12);
        HostTensor f = rand(rnd, 2, 16, 30, 40);
        int k = 300;
        float[] rois = new float[k * 5];
        for (int i = 0; i < k; i++) {
            rois[i * 5] = rnd.nextInt(2);
            float x = (float) (rnd.nextDouble() * 160 - 10);
            float y = (float) (rnd.nextDouble() * 120 - 10);
            rois[i * 5 + 1] = x;
            rois[i * 5 + 2] = y;
            rois[i * 5 + 3] = x + (float) (rnd.nextDouble() * 60);
            rois[i * 5 + 4] = y + (float) (rnd.nextDouble() * 60);
        }
        HostTensor r = HostTensor.ofFloats(rois, k, 5);
        BiFunction<Ops, Map<String, Tensor>, Tensor> fn = (ops, in) -> ops.roiAlign(in.get("f"), in.get("r"), 7, 7, 0.25, 0, true);
        float[] parallel;
        float[] serial;
        try (Backend four = new DjlBackendProvider().create(new BackendConfig("cpu", 4, Map.of()));
                Backend one = new DjlBackendProvider().create(new BackendConfig("cpu", 1, Map.of()))) {
            parallel = four.compile((ops, in) -> Map.of("o", fn.apply(ops, in))).call(Map.of("f", f, "r", r)).get("o").toFloatArray();
            serial = one.compile((ops, in) -> Map.of("o", fn.apply(ops, in))).call(Map.of("f", f, "r", r)).get("o").toFloatArray();
            double[] d64 = one.compile((ops, in) -> Map.of("o", fn.apply(ops, Map.of("f", ops.cast(in.get("f"), DType.FLOAT64),
                    "r", ops.cast(in.get("r"), DType.FLOAT64))))).call(Map.of("f", f, "r", r)).get("o").toDoubleArray();
            for (int i = 0; i < serial.length; i++) {
                assertThat((double) serial[i]).isCloseTo(d64[i], within(5e-5));
            }
        }
        assertThat(parallel).containsExactly(serial);
    }

    @Test
    void roiAlignOfNoBoxesAndOfEmptyBoxes() {
        HostTensor f = HostTensor.ofFloats(new float[2 * 3 * 4 * 5], 2, 3, 4, 5);
        HostTensor none = run(Map.of("f", f, "r", HostTensor.ofFloats(new float[0], 0, 5)),
                (ops, in) -> ops.roiAlign(in.get("f"), in.get("r"), 7, 7, 1.0, 2, false));
        assertThat(none.shape()).isEqualTo(Shape.of(0, 3, 7, 7));
        // aligned, zero-size box, adaptive sampling: no samples, output 0 (torchvision's count = max(0, 1))
        HostTensor ones = HostTensor.ofFloats(new float[] {1, 1, 1, 1}, 1, 1, 2, 2);
        HostTensor empty = run(Map.of("f", ones, "r", HostTensor.ofFloats(new float[] {0, 1, 1, 1, 1}, 1, 5)),
                (ops, in) -> ops.roiAlign(in.get("f"), in.get("r"), 2, 2, 1.0, 0, true));
        assertThat(empty.toFloatArray()).containsOnly(0f);
        assertThatThrownBy(() -> run(Map.of("f", ones, "r", HostTensor.ofFloats(new float[] {3, 0, 0, 1, 1}, 1, 5)),
                (ops, in) -> ops.roiAlign(in.get("f"), in.get("r"), 2, 2, 1.0, 0, true)))
                .hasMessageContaining("batch index 3.0");
    }

    @Test
    void integerScatterAdd() {
        HostTensor out = run(Map.of("i", HostTensor.ofLongs(new long[] {1, 1, 0}, 3)), (ops, in) -> ops.scatterAdd(
                ops.zeros(Shape.of(3), DType.INT64), in.get("i"), ops.constant(new long[] {5, 7, 1}, 3)));
        assertThat(out.dtype()).isEqualTo(DType.INT64);
        assertThat(out.toLongArray()).containsExactly(1, 12, 0);
    }

    @Test
    void concurrentCallsAreIndependent() throws Exception {
        var fn = backend.compile((ops, in) -> Map.of("y", ops.sum(ops.mul(in.get("x"), in.get("x")))));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Double>> results = new java.util.ArrayList<>();
            for (int t = 0; t < 16; t++) {
                float v = t;
                results.add(pool.submit(() -> fn.call(Map.of("x", HostTensor.ofFloats(new float[] {v, v}, 2))).get("y").getDouble(0)));
            }
            for (int t = 0; t < 16; t++) {
                assertThat(results.get(t).get()).isEqualTo(2.0 * t * t);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}

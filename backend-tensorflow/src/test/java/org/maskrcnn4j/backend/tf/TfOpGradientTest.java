package org.maskrcnn4j.backend.tf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.maskrcnn4j.tensor.BackendConfig;
import org.maskrcnn4j.tensor.CompiledFunction;
import org.maskrcnn4j.tensor.DType;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.Ops;
import org.maskrcnn4j.tensor.Tensor;
import org.maskrcnn4j.tensor.TensorFunction;

/**
 * Gradients of the composite ops (grouped, depthwise and dilated convolution, transposed convolution, group
 * norm, the resizes, top-k values, scatter-add, boolean mask, log2) against central differences in float64,
 * each traced twice: with unknown dimensions, and with static shapes (the path model code that needs static
 * sizes takes), which selects other graph routes for some ops (depthwise convolution, constant sizes).
 * Forward values of the convolution variants are checked against a naive loop.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TfOpGradientTest {
    private TfBackend backend;

    @BeforeAll
    void open() {
        backend = (TfBackend) new TfBackendProvider().create(BackendConfig.defaults());
    }

    @AfterAll
    void close() {
        backend.close();
    }

    /** The function, made to refuse unknown dimensions so that the backend traces it with static shapes. */
    private static TensorFunction staticOnly(TensorFunction f) {
        return (ops, in) -> {
            for (Tensor t : in.values()) {
                if (!t.shape().isKnown()) {
                    throw new IllegalArgumentException("static shapes wanted");
                }
            }
            return f.apply(ops, in);
        };
    }

    /**
     * Checks d(sum(op(inputs) * g))/d(wrt) against central differences, for the dynamic and the static
     * trace; {@code g} is a fixed random weight of the output's shape, passed as input "g".
     */
    private void check(String what, BiFunction<Ops, Map<String, Tensor>, Tensor> op, Map<String, HostTensor> inputs,
            List<String> wrt) {
        Map<String, HostTensor> in = new LinkedHashMap<>(inputs);
        HostTensor shape = backend.compile((ops, t) -> Map.of("y", op.apply(ops, t))).call(in).get("y");
        in.put("g", TfGradientCheckTest.uniform(new SplittableRandom(what.hashCode()), 1.0, shape.shape().dims()));
        TensorFunction f = (ops, t) -> Map.of("value", ops.sum(ops.mul(op.apply(ops, t), t.get("g"))));
        for (TensorFunction fn : List.of(f, staticOnly(f))) {
            Map<String, HostTensor> out = backend.gradient(fn, wrt).call(in);
            CompiledFunction forward = backend.compile(fn);
            double h = 1e-6;
            for (String name : wrt) {
                double[] v = in.get(name).toDoubleArray();
                double[] grad = out.get("grad/" + name).toDoubleArray();
                assertThat(grad).as("%s: d/d%s", what, name).hasSize(v.length);
                for (int i = 0; i < v.length; i += Math.max(1, v.length / 20)) {
                    double[] p = v.clone();
                    double[] m = v.clone();
                    p[i] += h;
                    m[i] -= h;
                    Map<String, HostTensor> ip = new LinkedHashMap<>(in);
                    ip.put(name, HostTensor.ofDoubles(p, in.get(name).shape().dims()));
                    Map<String, HostTensor> im = new LinkedHashMap<>(in);
                    im.put(name, HostTensor.ofDoubles(m, in.get(name).shape().dims()));
                    double fd = (forward.call(ip).get("value").getDouble(0) - forward.call(im).get("value").getDouble(0))
                            / (2 * h);
                    assertThat(grad[i]).as("%s (%s trace): d/d%s[%d]", what, fn == f ? "dynamic" : "static", name, i)
                            .isCloseTo(fd, within(1e-6 + 1e-5 * Math.abs(fd)));
                }
            }
        }
    }

    /** Naive NCHW convolution with groups and dilation, in double. */
    static double[] conv(double[] x, long[] xs, double[] w, long[] ws, int stride, int pad, int dil, int groups) {
        int n = (int) xs[0], c = (int) xs[1], h = (int) xs[2], wd = (int) xs[3];
        int o = (int) ws[0], cg = (int) ws[1], kh = (int) ws[2], kw = (int) ws[3];
        int oh = (h + 2 * pad - dil * (kh - 1) - 1) / stride + 1;
        int ow = (wd + 2 * pad - dil * (kw - 1) - 1) / stride + 1;
        double[] y = new double[n * o * oh * ow];
        int og = o / groups;
        for (int b = 0; b < n; b++) {
            for (int oc = 0; oc < o; oc++) {
                int g = oc / og;
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        double s = 0;
                        for (int ic = 0; ic < cg; ic++) {
                            for (int u = 0; u < kh; u++) {
                                for (int v = 0; v < kw; v++) {
                                    int yy = i * stride - pad + u * dil;
                                    int xx = j * stride - pad + v * dil;
                                    if (yy >= 0 && yy < h && xx >= 0 && xx < wd) {
                                        s += x[((b * c + g * cg + ic) * h + yy) * wd + xx]
                                                * w[((oc * cg + ic) * kh + u) * kw + v];
                                    }
                                }
                            }
                        }
                        y[((b * o + oc) * oh + i) * ow + j] = s;
                    }
                }
            }
        }
        return y;
    }

    @Test
    void convolutionVariantsMatchANaiveLoopAndFiniteDifferences() {
        SplittableRandom rnd = new SplittableRandom(3);
        // {in channels, out channels, groups, kernel, stride, padding, dilation}
        int[][] cases = {{4, 6, 2, 3, 1, 1, 1}, {4, 8, 4, 3, 1, 1, 1}, {3, 3, 3, 3, 2, 1, 1}, {2, 4, 1, 3, 1, 2, 2},
            {4, 4, 2, 2, 2, 1, 3}, {3, 6, 3, 3, 1, 0, 2}, {1, 1, 1, 3, 2, 1, 1}, {1, 1, 1, 2, 2, 0, 1}};
        for (int[] k : cases) {
            String what = String.format("conv in %d out %d groups %d k %d stride %d pad %d dil %d", k[0], k[1], k[2],
                    k[3], k[4], k[5], k[6]);
            HostTensor x = TfGradientCheckTest.uniform(rnd, 1, 2, k[0], 9, 8);
            HostTensor w = TfGradientCheckTest.uniform(rnd, 0.5, k[1], k[0] / k[2], k[3], k[3]);
            BiFunction<Ops, Map<String, Tensor>, Tensor> op = (ops, t) -> ops.conv2d(t.get("x"), t.get("w"), null,
                    new int[] {k[4], k[4]}, new int[] {k[5], k[5]}, new int[] {k[6], k[6]}, k[2]);
            double[] expected = conv(x.toDoubleArray(), x.shape().dims(), w.toDoubleArray(), w.shape().dims(), k[4], k[5],
                    k[6], k[2]);
            for (TensorFunction fn : List.of((TensorFunction) (ops, t) -> Map.of("y", op.apply(ops, t)),
                    staticOnly((ops, t) -> Map.of("y", op.apply(ops, t))))) {
                double[] y = backend.compile(fn).call(Map.of("x", x, "w", w)).get("y").toDoubleArray();
                assertThat(y).as(what).hasSize(expected.length);
                for (int i = 0; i < y.length; i++) {
                    assertThat(y[i]).as("%s [%d]", what, i).isCloseTo(expected[i], within(1e-12));
                }
            }
            check(what, op, Map.of("x", x, "w", w), List.of("x", "w"));
        }
    }

    /**
     * The filter gradient in strips of output rows (see {@link TfGradients#filterGradientBytes}), here one row
     * a strip and then two (four where strides halve the output's width), so that strips meet the top and
     * bottom padding, strides and a dilated kernel.
     */
    @Test
    void convolutionFilterGradientInRowStripsMatchesFiniteDifferences() {
        SplittableRandom rnd = new SplittableRandom(13);
        long saved = TfGradients.filterGradientBytes;
        try {
            // {in channels, out channels, kernel, stride, padding, dilation}
            for (int[] k : new int[][] {{3, 2, 3, 1, 1, 1}, {2, 3, 3, 2, 1, 1}, {2, 2, 2, 2, 0, 1}, {2, 2, 3, 1, 2, 2},
                {2, 2, 3, 2, 0, 1}}) {
                for (long bytes : new long[] {1, 2L * 8 * k[2] * k[2] * k[0] * Double.BYTES}) {
                    TfGradients.filterGradientBytes = bytes;
                    String what = String.format("conv in %d out %d k %d stride %d pad %d dil %d, strips of %d bytes",
                            k[0], k[1], k[2], k[3], k[4], k[5], bytes);
                    HostTensor x = TfGradientCheckTest.uniform(rnd, 1, 2, k[0], 9, 8);
                    HostTensor w = TfGradientCheckTest.uniform(rnd, 0.5, k[1], k[0], k[2], k[2]);
                    check(what, (ops, t) -> ops.conv2d(t.get("x"), t.get("w"), null, new int[] {k[3], k[3]},
                            new int[] {k[4], k[4]}, new int[] {k[5], k[5]}, 1), Map.of("x", x, "w", w), List.of("x", "w"));
                }
            }
        } finally {
            TfGradients.filterGradientBytes = saved;
        }
    }

    /**
     * The float64 checks above run TensorFlow's Eigen kernels; float32 runs oneDNN's, which have had wrong
     * corner cases (the input gradient of one-channel strided convolutions), so the float32 gradients of every
     * convolution route are compared with the float64 ones.
     */
    @Test
    void float32ConvolutionGradientsAgreeWithFloat64() {
        SplittableRandom rnd = new SplittableRandom(12);
        // {in, out, groups, kernel, stride, padding, dilation, transposed}
        int[][] cases = {{1, 1, 1, 3, 2, 1, 1, 0}, {1, 1, 1, 2, 2, 0, 1, 0}, {4, 4, 4, 3, 2, 1, 1, 0},
            {4, 8, 4, 3, 2, 1, 1, 0}, {4, 4, 2, 3, 2, 1, 1, 0}, {2, 2, 2, 3, 2, 2, 2, 0}, {3, 5, 1, 3, 2, 1, 1, 0},
            {1, 1, 1, 3, 2, 1, 1, 1}, {1, 1, 1, 2, 2, 0, 1, 1}, {3, 2, 1, 2, 2, 0, 1, 1}, {2, 3, 1, 4, 2, 1, 1, 1}};
        for (int[] c : cases) {
            String what = "f32 " + java.util.Arrays.toString(c);
            boolean transposed = c[7] == 1;
            HostTensor x = TfGradientCheckTest.uniform(rnd, 1, 2, c[0], 7, 6);
            HostTensor w = transposed ? TfGradientCheckTest.uniform(rnd, 0.5, c[0], c[1], c[3], c[3])
                    : TfGradientCheckTest.uniform(rnd, 0.5, c[1], c[0] / c[2], c[3], c[3]);
            TensorFunction f = (ops, t) -> {
                Tensor y = transposed ? ops.convTranspose2d(t.get("x"), t.get("w"), null, new int[] {c[4], c[4]},
                        new int[] {c[5], c[5]}) : ops.conv2d(t.get("x"), t.get("w"), null, new int[] {c[4], c[4]},
                        new int[] {c[5], c[5]}, new int[] {c[6], c[6]}, c[2]);
                return Map.of("value", ops.sum(ops.mul(y, y)));
            };
            for (TensorFunction fn : List.of(f, staticOnly(f))) {
                Map<String, HostTensor> d = backend.gradient(fn, List.of("x", "w")).call(Map.of("x", x, "w", w));
                Map<String, HostTensor> s = backend.gradient(fn, List.of("x", "w")).call(Map.of("x", toFloat(x),
                        "w", toFloat(w)));
                for (String g : List.of("grad/x", "grad/w")) {
                    double[] a = s.get(g).toDoubleArray();
                    double[] e = d.get(g).toDoubleArray();
                    for (int i = 0; i < e.length; i++) {
                        assertThat(a[i]).as("%s (%s trace) %s[%d]", what, fn == f ? "dynamic" : "static", g, i)
                                .isCloseTo(e[i], within(1e-5 + 1e-5 * Math.abs(e[i])));
                    }
                }
            }
        }
    }

    private static HostTensor toFloat(HostTensor t) {
        double[] d = t.toDoubleArray();
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return HostTensor.ofFloats(f, t.shape().dims());
    }

    /** Naive NCHW transposed convolution (PyTorch weight layout {@code [in, out, kh, kw]}), in double. */
    static double[] convTranspose(double[] x, long[] xs, double[] w, long[] ws, int s, int p) {
        int n = (int) xs[0], ci = (int) xs[1], h = (int) xs[2], wd = (int) xs[3];
        int co = (int) ws[1], kh = (int) ws[2], kw = (int) ws[3];
        int oh = (h - 1) * s + kh - 2 * p;
        int ow = (wd - 1) * s + kw - 2 * p;
        double[] y = new double[n * co * oh * ow];
        for (int b = 0; b < n; b++) {
            for (int i = 0; i < ci; i++) {
                for (int yy = 0; yy < h; yy++) {
                    for (int xx = 0; xx < wd; xx++) {
                        for (int o = 0; o < co; o++) {
                            for (int u = 0; u < kh; u++) {
                                for (int v = 0; v < kw; v++) {
                                    int oy = yy * s + u - p;
                                    int ox = xx * s + v - p;
                                    if (oy >= 0 && oy < oh && ox >= 0 && ox < ow) {
                                        y[((b * co + o) * oh + oy) * ow + ox] += x[((b * ci + i) * h + yy) * wd + xx]
                                                * w[((i * co + o) * kh + u) * kw + v];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return y;
    }

    /**
     * Every route: kernel = stride (one MatMul, static kernels), Conv2DBackpropInput otherwise, and one input
     * and one output channel at stride 2, where oneDNN's Conv2DBackpropInput is wrong without a spare channel.
     */
    @Test
    void transposedConvolution() {
        SplittableRandom rnd = new SplittableRandom(4);
        // {in, out, kernel, stride, padding}
        for (int[] k : new int[][] {{3, 2, 2, 2, 0}, {3, 2, 2, 2, 1}, {3, 2, 3, 2, 1}, {3, 2, 3, 1, 0}, {1, 1, 2, 2, 0},
            {1, 1, 3, 2, 1}, {2, 1, 4, 2, 1}}) {
            String what = String.format("convTranspose2d in %d out %d k %d stride %d pad %d", k[0], k[1], k[2], k[3],
                    k[4]);
            HostTensor x = TfGradientCheckTest.uniform(rnd, 1, 2, k[0], 4, 5);
            HostTensor w = TfGradientCheckTest.uniform(rnd, 0.5, k[0], k[1], k[2], k[2]);
            HostTensor b = TfGradientCheckTest.uniform(rnd, 0.5, k[1]);
            BiFunction<Ops, Map<String, Tensor>, Tensor> op = (ops, t) -> ops.convTranspose2d(t.get("x"), t.get("w"),
                    t.get("b"), new int[] {k[3], k[3]}, new int[] {k[4], k[4]});
            double[] expected = convTranspose(x.toDoubleArray(), x.shape().dims(), w.toDoubleArray(), w.shape().dims(),
                    k[3], k[4]);
            long plane = expected.length / (2L * k[1]);
            for (int i = 0; i < expected.length; i++) {
                expected[i] += b.toDoubleArray()[(int) (i / plane % k[1])];
            }
            for (TensorFunction fn : List.of((TensorFunction) (ops, t) -> Map.of("y", op.apply(ops, t)),
                    staticOnly((ops, t) -> Map.of("y", op.apply(ops, t))))) {
                double[] y = backend.compile(fn).call(Map.of("x", x, "w", w, "b", b)).get("y").toDoubleArray();
                assertThat(y).as(what).hasSize(expected.length);
                for (int i = 0; i < y.length; i++) {
                    assertThat(y[i]).as("%s [%d]", what, i).isCloseTo(expected[i], within(1e-12));
                }
            }
            check(what, op, Map.of("x", x, "w", w, "b", b), List.of("x", "w", "b"));
        }
    }

    @Test
    void groupNormAndResizes() {
        SplittableRandom rnd = new SplittableRandom(5);
        HostTensor x = TfGradientCheckTest.uniform(rnd, 1, 2, 4, 5, 6);
        check("groupNorm", (ops, t) -> ops.groupNorm(t.get("x"), 2, t.get("w"), t.get("b"), 1e-5),
                Map.of("x", x, "w", TfGradientCheckTest.uniform(rnd, 1, 4), "b", TfGradientCheckTest.uniform(rnd, 1, 4)), List.of("x", "w", "b"));
        check("resizeBilinear up", (ops, t) -> ops.resizeBilinear(t.get("x"), 7, 11), Map.of("x", x), List.of("x"));
        check("resizeBilinear down", (ops, t) -> ops.resizeBilinear(t.get("x"), 3, 4), Map.of("x", x), List.of("x"));
        check("resizeBilinearByScale", (ops, t) -> ops.resizeBilinearByScale(t.get("x"), 1.7, 0.6), Map.of("x", x),
                List.of("x"));
        check("resizeNearestLike", (ops, t) -> ops.resizeNearestLike(t.get("x"), t.get("like")),
                Map.of("x", x, "like", TfGradientCheckTest.uniform(rnd, 1, 1, 1, 8, 13)), List.of("x"));
        // on a conv result (NHWC inside), as in the FPN
        check("resizeNearestLike after conv", (ops, t) -> ops.resizeNearestLike(ops.conv2d(t.get("x"), t.get("w"),
                null, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, 1), t.get("like")),
                Map.of("x", x, "w", TfGradientCheckTest.uniform(rnd, 1, 3, 4, 1, 1), "like", TfGradientCheckTest.uniform(rnd, 1, 1, 1, 10, 12)),
                List.of("x", "w"));
    }

    @Test
    void selectionOpsPassGradientsToTheSelectedValues() {
        SplittableRandom rnd = new SplittableRandom(6);
        HostTensor x = TfGradientCheckTest.uniform(rnd, 1, 4, 7);
        check("topK values axis 1", (ops, t) -> ops.topK(t.get("x"), 3, 1, true).values(), Map.of("x", x), List.of("x"));
        check("topK smallest axis 0", (ops, t) -> ops.topK(t.get("x"), 2, 0, false).values(), Map.of("x", x),
                List.of("x"));
        check("sort values", (ops, t) -> ops.sort(t.get("x"), 1, true).values(), Map.of("x", x), List.of("x"));
        HostTensor idx = HostTensor.ofLongs(new long[] {3, 0, 3, 1, 0}, 5);
        check("scatterAdd", (ops, t) -> ops.scatterAdd(t.get("base"), t.get("i"), t.get("u")),
                Map.of("base", x, "i", idx, "u", TfGradientCheckTest.uniform(rnd, 1, 5, 7)), List.of("base", "u"));
        check("booleanMask", (ops, t) -> ops.booleanMask(t.get("x"), ops.gt(ops.sum(t.get("x"), new int[] {1}, false),
                ops.scalar(0, DType.FLOAT64))), Map.of("x", x), List.of("x"));
        HostTensor p = HostTensor.ofDoubles(new double[] {0.3, 1, 2, 5.5, 8}, 5);
        check("log2", (ops, t) -> ops.log2(t.get("p")), Map.of("p", p), List.of("p"));
    }

    @Test
    void log2IsExactAtPowersOfTwoInBothPrecisions() {
        double[] v = {0.125, 0.25, 1, 2, 8, 1024, 0x1p-40, 3};
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        double[] d = backend.compile((ops, t) -> Map.of("y", ops.log2(t.get("x"))))
                .call(Map.of("x", HostTensor.ofDoubles(v, v.length))).get("y").toDoubleArray();
        double[] s = backend.compile((ops, t) -> Map.of("y", ops.log2(t.get("x"))))
                .call(Map.of("x", HostTensor.ofFloats(f, f.length))).get("y").toDoubleArray();
        assertThat(java.util.Arrays.copyOf(d, 7)).containsExactly(-3, -2, 0, 1, 3, 10, -40);
        assertThat(java.util.Arrays.copyOf(s, 7)).containsExactly(-3, -2, 0, 1, 3, 10, -40);
        assertThat(d[7]).isCloseTo(Math.log(3) / Math.log(2), within(1e-15));
        assertThat(s[7]).isEqualTo((float) (Math.log(3) / Math.log(2)));
        double[] edge = backend.compile((ops, t) -> Map.of("y", ops.log2(t.get("x"))))
                .call(Map.of("x", HostTensor.ofFloats(new float[] {0, -1}, 2))).get("y").toDoubleArray();
        assertThat(edge[0]).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(edge[1]).isNaN();
    }

    /**
     * Model code reads static sizes (the mask size from the mask logits, the channel count from pooled
     * features), so the composite ops must keep every dimension that shape inference can know.
     */
    @Test
    void compositeOpsKeepStaticDimensions() {
        SplittableRandom rnd = new SplittableRandom(9);
        Map<String, HostTensor> in = Map.of("f", TfGradientCheckTest.uniform(rnd, 1, 1, 4, 10, 12), "r",
                HostTensor.ofDoubles(new double[] {0, 1, 1, 6, 7, 0, 2, 0, 9, 5, 0, 0, 3, 4, 9}, 3, 5),
                "w", TfGradientCheckTest.uniform(rnd, 1, 4, 3, 2, 2));
        Map<String, String> shapes = new LinkedHashMap<>();
        backend.compile(staticOnly((ops, t) -> {
            Tensor f = ops.conv2d(t.get("f"), ops.constant(TfGradientCheckTest.uniform(rnd, 1, 4, 4, 3, 3)), null, new int[] {1, 1},
                    new int[] {1, 1}, new int[] {1, 1}, 1);
            Tensor pooled = ops.roiAlign(f, t.get("r"), 7, 7, 1.0, 2, false);
            Tensor adaptive = ops.roiAlign(f, t.get("r"), 5, 6, 1.0, 0, true);
            Tensor outShape = ops.concat(List.of(ops.reshape(ops.size(t.get("r"), 0), 1),
                    ops.reshape(ops.size(f, 1), 1), ops.constant(new long[] {7, 7}, 2)), 0);
            Tensor scattered = ops.scatterAdd(ops.fill(outShape, 0, DType.FLOAT64),
                    ops.constant(new long[] {2, 0, 1}, 3), pooled);
            Tensor up = ops.convTranspose2d(scattered, t.get("w"), null, new int[] {2, 2}, new int[] {0, 0});
            Map<String, Tensor> m = new LinkedHashMap<>();
            m.put("pooled", pooled);
            m.put("adaptive", adaptive);
            m.put("scattered", scattered);
            m.put("up", up);
            m.put("groupNorm", ops.groupNorm(up, 3, null, null, 1e-5));
            m.put("nearest", ops.resizeNearestLike(up, f));
            m.put("bilinear", ops.resizeBilinear(up, 9, 5));
            // the box count may or may not be inferred; every other dimension must be
            m.forEach((k, v) -> shapes.put(k, v.shape().toString().replaceFirst("^\\[[0-9?]+,", "[K,")));
            return m;
        })).call(in);
        assertThat(shapes).containsEntry("pooled", "[K, 4, 7, 7]").containsEntry("adaptive", "[K, 4, 5, 6]")
                .containsEntry("scattered", "[K, 4, 7, 7]").containsEntry("up", "[K, 3, 14, 14]")
                .containsEntry("groupNorm", "[K, 3, 14, 14]").containsEntry("nearest", "[K, 3, 10, 12]")
                .containsEntry("bilinear", "[K, 3, 9, 5]");
    }

    /** {@code slice(nms(...), 0, 0, k)} becomes an NMS that stops after k selections: same indices. */
    @Test
    void slicedNmsEqualsThePrefixOfTheFullResult() {
        SplittableRandom rnd = new SplittableRandom(8);
        int n = 400;
        float[] boxes = new float[n * 4];
        float[] scores = new float[n];
        long[] cls = new long[n];
        for (int i = 0; i < n; i++) {
            float x = (float) rnd.nextDouble() * 100;
            float y = (float) rnd.nextDouble() * 100;
            boxes[i * 4] = x;
            boxes[i * 4 + 1] = y;
            boxes[i * 4 + 2] = x + 5 + (float) rnd.nextDouble() * 40;
            boxes[i * 4 + 3] = y + 5 + (float) rnd.nextDouble() * 40;
            scores[i] = (float) Math.floor(rnd.nextDouble() * 20) / 20;
            cls[i] = rnd.nextInt(3);
        }
        Map<String, HostTensor> in = Map.of("b", HostTensor.ofFloats(boxes, n, 4), "s", HostTensor.ofFloats(scores, n),
                "c", HostTensor.ofLongs(cls, n));
        Map<String, HostTensor> out = backend.compile((ops, t) -> Map.of(
                "all", ops.nms(t.get("b"), t.get("s"), 0.3),
                "first7", ops.slice(ops.nms(t.get("b"), t.get("s"), 0.3), 0, 0, 7),
                "ball", ops.batchedNms(t.get("b"), t.get("s"), t.get("c"), 0.5),
                "bfirst20", ops.slice(ops.batchedNms(t.get("b"), t.get("s"), t.get("c"), 0.5), 0, 0, 20),
                "bmany", ops.slice(ops.batchedNms(t.get("b"), t.get("s"), t.get("c"), 0.5), 0, 0, 100000)))
                .call(in);
        long[] all = out.get("all").toLongArray();
        long[] ball = out.get("ball").toLongArray();
        assertThat(all.length).isGreaterThan(7);
        assertThat(ball.length).isGreaterThan(20);
        assertThat(out.get("first7").toLongArray()).containsExactly(java.util.Arrays.copyOf(all, 7));
        assertThat(out.get("bfirst20").toLongArray()).containsExactly(java.util.Arrays.copyOf(ball, 20));
        assertThat(out.get("bmany").toLongArray()).containsExactly(ball);
    }
}

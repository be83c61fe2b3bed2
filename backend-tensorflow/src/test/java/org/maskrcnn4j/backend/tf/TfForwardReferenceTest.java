package org.maskrcnn4j.backend.tf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.maskrcnn4j.tensor.BackendConfig;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.Tensor;

/** Forward values of the NHWC-inside layer ops against naive NCHW loops in double. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TfForwardReferenceTest {
    private TfBackend backend;

    @BeforeAll
    void open() {
        backend = (TfBackend) new TfBackendProvider().create(BackendConfig.defaults());
    }

    @AfterAll
    void close() {
        backend.close();
    }

    static double[] conv(double[] x, int n, int c, int h, int w, double[] k, int o, int kh, int kw, double[] bias,
            int sh, int sw, int ph, int pw, int[] outHw) {
        int oh = (h + 2 * ph - kh) / sh + 1;
        int ow = (w + 2 * pw - kw) / sw + 1;
        outHw[0] = oh;
        outHw[1] = ow;
        double[] y = new double[n * o * oh * ow];
        for (int b = 0; b < n; b++) {
            for (int oc = 0; oc < o; oc++) {
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        double s = bias == null ? 0 : bias[oc];
                        for (int ic = 0; ic < c; ic++) {
                            for (int u = 0; u < kh; u++) {
                                for (int v = 0; v < kw; v++) {
                                    int yy = i * sh - ph + u;
                                    int xx = j * sw - pw + v;
                                    if (yy >= 0 && yy < h && xx >= 0 && xx < w) {
                                        s += x[((b * c + ic) * h + yy) * w + xx] * k[((oc * c + ic) * kh + u) * kw + v];
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

    static double[] maxPool(double[] x, int n, int c, int h, int w, int k, int s, int p, int[] outHw) {
        int oh = (h + 2 * p - k) / s + 1;
        int ow = (w + 2 * p - k) / s + 1;
        outHw[0] = oh;
        outHw[1] = ow;
        double[] y = new double[n * c * oh * ow];
        for (int b = 0; b < n * c; b++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    double m = Double.NEGATIVE_INFINITY;
                    for (int u = 0; u < k; u++) {
                        for (int v = 0; v < k; v++) {
                            int yy = i * s - p + u;
                            int xx = j * s - p + v;
                            if (yy >= 0 && yy < h && xx >= 0 && xx < w) {
                                m = Math.max(m, x[(b * h + yy) * w + xx]);
                            }
                        }
                    }
                    y[(b * oh + i) * ow + j] = m;
                }
            }
        }
        return y;
    }

    @Test
    void convPoolChainMatchesNaiveLoops() {
        SplittableRandom rnd = new SplittableRandom(2);
        HostTensor x = TfGradientCheckTest.uniform(rnd, 1, 2, 3, 11, 10);
        HostTensor w1 = TfGradientCheckTest.uniform(rnd, 0.5, 4, 3, 3, 3);
        HostTensor b1 = TfGradientCheckTest.uniform(rnd, 0.5, 4);
        HostTensor w2 = TfGradientCheckTest.uniform(rnd, 0.5, 6, 4, 3, 3);
        HostTensor w3 = TfGradientCheckTest.uniform(rnd, 0.5, 5, 6, 1, 1);
        Map<String, HostTensor> in = new LinkedHashMap<>();
        in.put("x", x);
        Map<String, HostTensor> out = backend.compile((ops, t) -> {
            Tensor a = ops.conv2d(t.get("x"), ops.constant(w1), ops.constant(b1), new int[] {1, 1},
                    new int[] {1, 1}, new int[] {1, 1}, 1); // SAME path
            Tensor b = ops.maxPool2d(a, new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1});
            Tensor c = ops.conv2d(b, ops.constant(w2), null, new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1}, 1);
            Tensor d = ops.conv2d(c, ops.constant(w3), null, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, 1);
            Tensor e = ops.softmax(d, 1);
            Tensor f = ops.logSoftmax(d, 1);
            return Map.of("a", a, "b", b, "c", c, "d", d, "e", e, "f", f, "mean", ops.mean(d, new int[] {1, 3}, true),
                    "sumHw", ops.sum(d, new int[] {2, 3}, false), "perm", ops.permute(d, 0, 2, 3, 1),
                    "shape", ops.shapeOf(d));
        }).call(in);
        int[] hw = new int[2];
        double[] a = conv(x.toDoubleArray(), 2, 3, 11, 10, w1.toDoubleArray(), 4, 3, 3, b1.toDoubleArray(), 1, 1, 1,
                1, hw);
        assertClose(out.get("a"), a, 2, 4, hw[0], hw[1]);
        double[] b = maxPool(a, 2, 4, hw[0], hw[1], 3, 2, 1, hw);
        assertClose(out.get("b"), b, 2, 4, hw[0], hw[1]);
        int h = hw[0];
        int w = hw[1];
        double[] c = conv(b, 2, 4, h, w, w2.toDoubleArray(), 6, 3, 3, null, 2, 2, 1, 1, hw);
        assertClose(out.get("c"), c, 2, 6, hw[0], hw[1]);
        double[] d = conv(c, 2, 6, hw[0], hw[1], w3.toDoubleArray(), 5, 1, 1, null, 1, 1, 0, 0, hw);
        assertClose(out.get("d"), d, 2, 5, hw[0], hw[1]);
        int hh = hw[0];
        int ww = hw[1];
        double[] e = new double[d.length];
        double[] f = new double[d.length];
        double[] mean = new double[2 * hh];
        double[] sumHw = new double[2 * 5];
        double[] perm = new double[d.length];
        for (int n = 0; n < 2; n++) {
            for (int p = 0; p < hh * ww; p++) {
                double mx = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < 5; k++) {
                    mx = Math.max(mx, d[(n * 5 + k) * hh * ww + p]);
                }
                double z = 0;
                for (int k = 0; k < 5; k++) {
                    z += Math.exp(d[(n * 5 + k) * hh * ww + p] - mx);
                }
                for (int k = 0; k < 5; k++) {
                    int at = (n * 5 + k) * hh * ww + p;
                    e[at] = Math.exp(d[at] - mx) / z;
                    f[at] = d[at] - mx - Math.log(z);
                    mean[n * hh + p / ww] += d[at] / (5.0 * ww);
                    sumHw[n * 5 + k] += d[at];
                    perm[(n * hh * ww + p) * 5 + k] = d[at];
                }
            }
        }
        assertClose(out.get("e"), e, 2, 5, hh, ww);
        assertClose(out.get("f"), f, 2, 5, hh, ww);
        assertClose(out.get("mean"), mean, 2, 1, hh, 1);
        assertClose(out.get("sumHw"), sumHw, 2, 5);
        assertClose(out.get("perm"), perm, 2, hh, ww, 5);
        assertThat(out.get("shape").toLongArray()).containsExactly(2, 5, hh, ww);
    }

    private static void assertClose(HostTensor got, double[] want, long... shape) {
        assertThat(got.shape().dims()).containsExactly(shape);
        double[] g = got.toDoubleArray();
        for (int i = 0; i < want.length; i++) {
            assertThat(g[i]).as("element %d", i).isCloseTo(want[i], within(1e-9));
        }
    }
}

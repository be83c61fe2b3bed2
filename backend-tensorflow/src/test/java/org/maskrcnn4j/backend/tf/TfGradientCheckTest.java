package org.maskrcnn4j.backend.tf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.maskrcnn4j.tensor.BackendConfig;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.Ops;
import org.maskrcnn4j.tensor.Tensor;
import org.maskrcnn4j.tensor.TensorFunction;

/** Gradients of traced conv nets against central differences in float64. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TfGradientCheckTest {
    private TfBackend backend;

    @BeforeAll
    void open() {
        backend = (TfBackend) new TfBackendProvider().create(BackendConfig.defaults());
    }

    @AfterAll
    void close() {
        backend.close();
    }

    static HostTensor uniform(SplittableRandom rnd, double bound, long... shape) {
        int n = 1;
        for (long d : shape) {
            n *= (int) d;
        }
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = (rnd.nextDouble() * 2 - 1) * bound;
        }
        return HostTensor.ofDoubles(v, shape);
    }

    /** The TCK's net with every weight an input, plus a stride-2 padded conv and a padded max pool. */
    static Map<String, Tensor> net(Ops ops, Map<String, Tensor> in) {
        Tensor x = ops.relu(ops.conv2d(in.get("x"), in.get("w1"), in.get("b1"), new int[] {1, 1}, new int[] {1, 1},
                new int[] {1, 1}, 1));
        x = ops.maxPool2d(x, new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1});
        x = ops.relu(ops.conv2d(x, in.get("w2"), in.get("b2"), new int[] {2, 2}, new int[] {1, 1},
                new int[] {1, 1}, 1));
        Tensor pooled = ops.mean(x, new int[] {2, 3}, false);
        Tensor logits = ops.linear(pooled, in.get("fc"), in.get("fcb"));
        return Map.of("value", ops.mean(ops.crossEntropy(logits, in.get("labels"))));
    }

    @Test
    void convNetGradientsMatchFiniteDifferences() {
        SplittableRandom rnd = new SplittableRandom(11);
        Map<String, HostTensor> in = new LinkedHashMap<>();
        in.put("x", uniform(rnd, 1.0, 3, 2, 9, 9));
        in.put("w1", uniform(rnd, 0.5, 4, 2, 3, 3));
        in.put("b1", uniform(rnd, 0.1, 4));
        in.put("w2", uniform(rnd, 0.4, 5, 4, 3, 3));
        in.put("b2", uniform(rnd, 0.1, 5));
        in.put("fc", uniform(rnd, 0.5, 3, 5));
        in.put("fcb", uniform(rnd, 0.1, 3));
        in.put("labels", HostTensor.ofLongs(new long[] {0, 2, 1}, 3));
        List<String> wrt = List.of("x", "w1", "b1", "w2", "b2", "fc", "fcb");
        TensorFunction f = TfGradientCheckTest::net;
        Map<String, HostTensor> out = backend.gradient(f, wrt).call(in);
        var forward = backend.compile(f);
        double h = 1e-6;
        for (String name : wrt) {
            double[] v = in.get(name).toDoubleArray();
            double[] g = out.get("grad/" + name).toDoubleArray();
            assertThat(g).hasSize(v.length);
            for (int i = 0; i < v.length; i += Math.max(1, v.length / 25)) {
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
                assertThat(g[i]).as("d/d%s[%d]", name, i).isCloseTo(fd, within(1e-6 + 1e-4 * Math.abs(fd)));
            }
        }
    }

    /** One SGD step (lr 1, no momentum or decay) moves each parameter by minus the gradient function's value. */
    @Test
    void trainStepUpdateEqualsMinusGradient() {
        SplittableRandom rnd = new SplittableRandom(5);
        Map<String, HostTensor> params = new LinkedHashMap<>();
        params.put("t.w1", uniform(rnd, 0.5, 4, 2, 3, 3));
        params.put("t.b1", uniform(rnd, 0.1, 4));
        params.put("t.w2", uniform(rnd, 0.4, 5, 4, 3, 3));
        params.put("t.b2", uniform(rnd, 0.1, 5));
        params.put("t.fc", uniform(rnd, 0.5, 3, 5));
        params.put("t.fcb", uniform(rnd, 0.1, 3));
        params.forEach((n, v) -> backend.parameters().declare(n, v, true));
        HostTensor x = uniform(rnd, 1.0, 3, 2, 8, 8);
        HostTensor labels = HostTensor.ofLongs(new long[] {0, 2, 1}, 3);
        // the gradient function sees the weights as inputs; the train step as parameters (SAME padding path)
        TensorFunction asInputs = TfGradientCheckTest::sameNet;
        TensorFunction asParams = (ops, in) -> {
            Map<String, Tensor> all = new LinkedHashMap<>(in);
            for (String n : params.keySet()) {
                all.put(n.substring(2), ops.parameter(n));
            }
            return sameNet(ops, all);
        };
        Map<String, HostTensor> gin = new LinkedHashMap<>();
        gin.put("x", x);
        gin.put("labels", labels);
        params.forEach((n, v) -> gin.put(n.substring(2), v));
        Map<String, HostTensor> grads = backend.gradient(asInputs, params.keySet().stream().map(n -> n.substring(2))
                .toList()).call(gin);
        double loss = backend.trainStep(asParams, new org.maskrcnn4j.tensor.Optimizer.Sgd(0, 0))
                .run(Map.of("x", x, "labels", labels), 1.0).get("value");
        assertThat(loss).isCloseTo(grads.get("value").getDouble(0), within(1e-12));
        for (String n : params.keySet()) {
            double[] before = params.get(n).toDoubleArray();
            double[] after = backend.parameters().get(n).toDoubleArray();
            double[] g = grads.get("grad/" + n.substring(2)).toDoubleArray();
            for (int i = 0; i < before.length; i++) {
                assertThat(after[i]).as("%s[%d]", n, i).isCloseTo(before[i] - g[i], within(1e-12));
            }
        }
    }

    static Map<String, Tensor> sameNet(Ops ops, Map<String, Tensor> in) {
        Tensor x = ops.relu(ops.conv2d(in.get("x"), in.get("w1"), in.get("b1"), new int[] {1, 1}, new int[] {1, 1},
                new int[] {1, 1}, 1));
        x = ops.maxPool2d(x, new int[] {2, 2}, new int[] {2, 2}, new int[] {0, 0});
        x = ops.relu(ops.conv2d(x, in.get("w2"), in.get("b2"), new int[] {1, 1}, new int[] {1, 1},
                new int[] {1, 1}, 1));
        Tensor pooled = ops.mean(x, new int[] {2, 3}, false);
        Tensor logits = ops.linear(pooled, in.get("fc"), in.get("fcb"));
        return Map.of("value", ops.mean(ops.crossEntropy(logits, in.get("labels"))));
    }
}

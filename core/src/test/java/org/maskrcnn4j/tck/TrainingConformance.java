package org.maskrcnn4j.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.Ops;
import org.maskrcnn4j.tensor.Optimizer;
import org.maskrcnn4j.tensor.Tensor;
import org.maskrcnn4j.tensor.TensorFunction;
import org.maskrcnn4j.tensor.TrainStep;

/**
 * Conformance: training through the SPI. A small conv net learns to tell horizontal from vertical bars
 * (loss must fall by a wide margin, with two batch sizes through the same step), and one SGD step with
 * momentum and weight decay matches torch.optim.SGD's formula computed here in double.
 */
public abstract class TrainingConformance extends BackendTestBase {
    private static final int SIZE = 12;

    @Test
    void smallConvNetLearnsThroughTrainStep() {
        SplittableRandom rnd = new SplittableRandom(7);
        declare("net.conv1.weight", uniform(rnd, 0.3, 8, 1, 3, 3), true);
        declare("net.conv1.bias", uniform(rnd, 0.1, 8), true);
        declare("net.conv2.weight", uniform(rnd, 0.12, 8, 8, 3, 3), true);
        declare("net.conv2.bias", uniform(rnd, 0.1, 8), true);
        declare("net.fc.weight", uniform(rnd, 0.35, 2, 8), true);
        declare("net.fc.bias", uniform(rnd, 0.1, 2), true);
        // a frozen parameter must not move
        declare("net.frozen.scale", HostTensor.ofFloats(new float[] {1f}, 1), false);

        TrainStep step = backend.trainStep(TrainingConformance::barClassifierLoss, new Optimizer.Sgd(0.9, 1e-4));
        double first = evalLoss();
        List<Double> losses = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            int batch = i % 2 == 0 ? 8 : 5; // the same step serves two batch sizes
            Map<String, HostTensor> data = bars(new SplittableRandom(100 + i), batch);
            double loss = step.run(data, 0.2).get("loss");
            losses.add(loss);
        }
        double last = evalLoss();
        assertThat(losses).allSatisfy(l -> assertThat(l).isFinite());
        assertThat(last).as("loss after 40 steps (first %s, all %s)", first, losses).isLessThan(0.5 * first);
        assertThat(backend.parameters().get("net.frozen.scale").toFloatArray()).containsExactly(1f);
    }

    private double evalLoss() {
        Map<String, HostTensor> data = bars(new SplittableRandom(999), 16);
        return backend.compile(TrainingConformance::barClassifierLoss).call(data).get("loss").getDouble(0);
    }

    /** conv-relu-maxpool-conv-relu-mean-linear-cross entropy over NCHW bars. */
    static Map<String, Tensor> barClassifierLoss(Ops ops, Map<String, Tensor> in) {
        Tensor x = ops.mul(in.get("images"), ops.parameter("net.frozen.scale"));
        x = ops.relu(ops.conv2d(x, ops.parameter("net.conv1.weight"), ops.parameter("net.conv1.bias"),
                new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1));
        x = ops.maxPool2d(x, new int[] {2, 2}, new int[] {2, 2}, new int[] {0, 0});
        x = ops.relu(ops.conv2d(x, ops.parameter("net.conv2.weight"), ops.parameter("net.conv2.bias"),
                new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1));
        Tensor pooled = ops.mean(x, new int[] {2, 3}, false);
        Tensor logits = ops.linear(pooled, ops.parameter("net.fc.weight"), ops.parameter("net.fc.bias"));
        return Map.of("loss", ops.mean(ops.crossEntropy(logits, in.get("labels"))));
    }

    /** Images with one bright bar on noise: label 0 horizontal, 1 vertical. */
    static Map<String, HostTensor> bars(SplittableRandom rnd, int n) {
        float[] img = new float[n * SIZE * SIZE];
        long[] labels = new long[n];
        for (int b = 0; b < n; b++) {
            labels[b] = b % 2;
            int at = 1 + rnd.nextInt(SIZE - 2);
            int from = rnd.nextInt(3);
            for (int y = 0; y < SIZE; y++) {
                for (int x = 0; x < SIZE; x++) {
                    float v = (float) (0.2 * rnd.nextDouble());
                    boolean onBar = labels[b] == 0 ? (y == at && x >= from && x < from + 9)
                            : (x == at && y >= from && y < from + 9);
                    img[(b * SIZE + y) * SIZE + x] = onBar ? 1f + v : v;
                }
            }
        }
        return inputs("images", HostTensor.ofFloats(img, n, 1, SIZE, SIZE), "labels", HostTensor.ofLongs(labels, n));
    }

    @Test
    void sgdWithMomentumAndWeightDecayMatchesTorchFormula() {
        float[] w0 = {0.5f, -1.25f, 2f};
        float[] x = {1.5f, 0.25f, -3f};
        declare("sgd.w", HostTensor.ofFloats(w0, 3), true);
        TensorFunction loss = (ops, in) -> Map.of("loss", ops.sum(ops.mul(ops.parameter("sgd.w"), in.get("x"))));
        TrainStep step = backend.trainStep(loss, new Optimizer.Sgd(0.9, 0.1));
        double lr1 = 0.1;
        double lr2 = 0.05;
        double reported = step.run(inputs("x", HostTensor.ofFloats(x, 3)), lr1).get("loss");
        step.run(inputs("x", HostTensor.ofFloats(x, 3)), lr2);

        double[] w = {w0[0], w0[1], w0[2]};
        double expectedLoss = 0;
        double[] buf = new double[3];
        for (int i = 0; i < 3; i++) {
            expectedLoss += w[i] * x[i];
            double g = x[i] + 0.1 * w[i];
            buf[i] = g; // first step: buf = g
            w[i] -= lr1 * buf[i];
        }
        for (int i = 0; i < 3; i++) {
            double g = x[i] + 0.1 * w[i];
            buf[i] = 0.9 * buf[i] + g;
            w[i] -= lr2 * buf[i];
        }
        assertThat(reported).isCloseTo(expectedLoss, within(1e-5));
        float[] got = backend.parameters().get("sgd.w").toFloatArray();
        for (int i = 0; i < 3; i++) {
            assertThat((double) got[i]).as("w[%d]", i).isCloseTo(w[i], within(1e-5));
        }
    }

    @Test
    void noDecayPredicateExemptsParameters() {
        declare("nd.w", HostTensor.ofFloats(new float[] {2f}, 1), true);
        TensorFunction loss = (ops, in) -> Map.of("loss", ops.sum(ops.mul(ops.parameter("nd.w"), in.get("x"))));
        TrainStep step = backend.trainStep(loss, new Optimizer.Sgd(0, 0.5, name -> name.equals("nd.w")));
        step.run(inputs("x", HostTensor.ofFloats(new float[] {1f}, 1)), 0.1);
        // without decay: 2 - 0.1 * 1 = 1.9 (with decay it would be 2 - 0.1 * (1 + 1) = 1.8)
        assertThat(backend.parameters().get("nd.w").toFloatArray()[0]).isCloseTo(1.9f, within(1e-6f));
    }

    @Test
    void gradientOfInputsMatchesFiniteDifferences() {
        SplittableRandom rnd = new SplittableRandom(3);
        HostTensor a = uniform(rnd, 1.0, 2, 3);
        HostTensor b = uniform(rnd, 1.0, 3, 2);
        TensorFunction f = (ops, in) -> Map.of("value",
                ops.sum(ops.sigmoid(ops.matmul(in.get("a"), in.get("b")))));
        Map<String, HostTensor> out = backend.gradient(f, List.of("a")).call(inputs("a", a, "b", b));
        float[] grad = out.get("grad/a").toFloatArray();
        assertThat(out).doesNotContainKey("grad/b");
        float[] av = a.toFloatArray();
        double h = 1e-2;
        for (int i = 0; i < av.length; i++) {
            float[] plus = av.clone();
            float[] minus = av.clone();
            plus[i] += (float) h;
            minus[i] -= (float) h;
            double fp = sigmoidMatmulSum(plus, b.toFloatArray());
            double fm = sigmoidMatmulSum(minus, b.toFloatArray());
            assertThat((double) grad[i]).as("d/da[%d]", i).isCloseTo((fp - fm) / (2 * h), within(2e-3));
        }
        assertThat(out.get("value").getDouble(0)).isCloseTo(sigmoidMatmulSum(av, b.toFloatArray()), within(1e-5));
    }

    private static double sigmoidMatmulSum(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 2; j++) {
                double d = 0;
                for (int k = 0; k < 3; k++) {
                    d += (double) a[i * 3 + k] * b[k * 2 + j];
                }
                s += 1 / (1 + Math.exp(-d));
            }
        }
        return s;
    }

    protected void declare(String name, HostTensor value, boolean trainable) {
        backend.parameters().declare(name, value, trainable);
        backend.parameters().set(name, value);
    }

    protected static HostTensor uniform(SplittableRandom rnd, double bound, long... shape) {
        int n = 1;
        for (long d : shape) {
            n *= (int) d;
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) ((rnd.nextDouble() * 2 - 1) * bound);
        }
        return HostTensor.ofFloats(v, shape);
    }

}

package org.maskrcnn4j.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
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
 * (loss must fall by a wide margin, with two batch sizes through the same step); SGD and AdamW steps match
 * torch.optim's formulas computed here in double; optimizer state resumes a run exactly.
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

    /** {@code sum(c * (w - x)^2) + (b - t)^2} over parameters {@code <prefix>.w} [3] and {@code <prefix>.b} [1]. */
    private static TensorFunction quadratic(String prefix) {
        return (ops, in) -> Map.of("loss", ops.add(
                ops.sum(ops.mul(in.get("c"), ops.square(ops.sub(ops.parameter(prefix + ".w"), in.get("x"))))),
                ops.sum(ops.square(ops.sub(ops.parameter(prefix + ".b"), in.get("t"))))));
    }

    private static final float[] C = {1f, 0.5f, 2f};
    private static final float[] W0 = {0.5f, -1.25f, 2f};
    private static final float B0 = 0.75f;

    /** The inputs of step {@code i} of {@link #quadratic}: targets that move from step to step. */
    private static Map<String, HostTensor> quadraticInputs(int i) {
        float[] x = {0.3f * i - 0.2f, 1f - 0.4f * i, 0.1f * i};
        return inputs("x", HostTensor.ofFloats(x, 3), "c", HostTensor.ofFloats(C, 3),
                "t", HostTensor.ofFloats(new float[] {0.5f + 0.25f * i}, 1));
    }

    private void declareQuadratic(String prefix) {
        declare(prefix + ".w", HostTensor.ofFloats(W0, 3), true);
        declare(prefix + ".b", HostTensor.ofFloats(new float[] {B0}, 1), true);
    }

    @Test
    void adamWMatchesTorchFormulaWithDecoupledDecayAndNoDecay() {
        declareQuadratic("adam");
        double b1 = 0.8;
        double b2 = 0.95;
        double eps = 1e-6;
        double wd = 0.1;
        Optimizer.AdamW adamW = new Optimizer.AdamW(b1, b2, eps, wd, name -> name.equals("adam.b"));
        TrainStep step = backend.trainStep(quadratic("adam"), adamW);
        double[] lrs = {0.1, 0.05, 0.02};
        double[] reported = new double[3];
        for (int i = 0; i < 3; i++) {
            reported[i] = step.run(quadraticInputs(i), lrs[i]).get("loss");
        }

        // torch.optim.AdamW in double: params [w0, w1, w2, b], b exempt from weight decay
        double[] p = {W0[0], W0[1], W0[2], B0};
        double[] m = new double[4];
        double[] v = new double[4];
        for (int i = 0; i < 3; i++) {
            Map<String, HostTensor> in = quadraticInputs(i);
            float[] x = in.get("x").toFloatArray();
            double t = in.get("t").toFloatArray()[0];
            double loss = 0;
            double[] g = new double[4];
            for (int k = 0; k < 3; k++) {
                loss += C[k] * (p[k] - x[k]) * (p[k] - x[k]);
                g[k] = 2 * C[k] * (p[k] - x[k]);
            }
            loss += (p[3] - t) * (p[3] - t);
            g[3] = 2 * (p[3] - t);
            assertThat(reported[i]).as("loss of step %d", i).isCloseTo(loss, within(1e-5));
            int n = i + 1;
            for (int k = 0; k < 4; k++) {
                if (k < 3) {
                    p[k] *= 1 - lrs[i] * wd;
                }
                m[k] = b1 * m[k] + (1 - b1) * g[k];
                v[k] = b2 * v[k] + (1 - b2) * g[k] * g[k];
                double mHat = m[k] / (1 - Math.pow(b1, n));
                double vHat = v[k] / (1 - Math.pow(b2, n));
                p[k] -= lrs[i] * mHat / (Math.sqrt(vHat) + eps);
            }
        }
        float[] w = backend.parameters().get("adam.w").toFloatArray();
        for (int k = 0; k < 3; k++) {
            assertThat((double) w[k]).as("w[%d]", k).isCloseTo(p[k], within(1e-5));
        }
        assertThat((double) backend.parameters().get("adam.b").toFloatArray()[0]).as("b").isCloseTo(p[3], within(1e-5));

        Map<String, HostTensor> state = step.state();
        assertThat(state).containsKeys("exp_avg/adam.w", "exp_avg_sq/adam.w", "step/adam.w", "exp_avg/adam.b",
                "exp_avg_sq/adam.b", "step/adam.b");
        assertThat(state.get("step/adam.w").getDouble(0)).isEqualTo(3.0);
        assertThat(state.get("step/adam.w").shape().rank()).isZero();
        float[] expAvg = state.get("exp_avg/adam.w").toFloatArray();
        float[] expAvgSq = state.get("exp_avg_sq/adam.w").toFloatArray();
        for (int k = 0; k < 3; k++) {
            assertThat((double) expAvg[k]).as("exp_avg[%d]", k).isCloseTo(m[k], within(1e-5));
            assertThat((double) expAvgSq[k]).as("exp_avg_sq[%d]", k).isCloseTo(v[k], within(1e-5));
        }
    }

    @Test
    void stateRoundTripResumesSgdExactly() {
        checkResume("rs", new Optimizer.Sgd(0.9, 0.01, name -> name.endsWith(".b")));
    }

    @Test
    void stateRoundTripResumesAdamWExactly() {
        checkResume("ra", new Optimizer.AdamW(0.05, name -> name.endsWith(".b")));
    }

    /**
     * Three uninterrupted steps equal two steps, state() and the parameters copied to a fresh backend, a new
     * step there, loadState and a third step; without loadState the third step differs.
     */
    private void checkResume(String prefix, Optimizer optimizer) {
        double[] lrs = {0.1, 0.05, 0.08};
        declareQuadratic(prefix);
        TrainStep straight = backend.trainStep(quadratic(prefix), optimizer);
        for (int i = 0; i < 3; i++) {
            straight.run(quadraticInputs(i), lrs[i]);
        }
        Map<String, HostTensor> saved;
        Map<String, HostTensor> weights = new java.util.LinkedHashMap<>();
        try (org.maskrcnn4j.tensor.Backend first = createBackend()) {
            declareQuadratic(first, prefix);
            TrainStep step = first.trainStep(quadratic(prefix), optimizer);
            step.run(quadraticInputs(0), lrs[0]);
            step.run(quadraticInputs(1), lrs[1]);
            saved = step.state();
            for (String n : List.of(prefix + ".w", prefix + ".b")) {
                weights.put(n, first.parameters().get(n));
            }
        }
        assertThat(saved).isNotEmpty();
        for (boolean load : new boolean[] {true, false}) {
            try (org.maskrcnn4j.tensor.Backend resumed = createBackend()) {
                declareQuadratic(resumed, prefix);
                weights.forEach((n, v) -> resumed.parameters().set(n, v));
                TrainStep step = resumed.trainStep(quadratic(prefix), optimizer);
                if (load) {
                    step.loadState(saved);
                }
                step.run(quadraticInputs(2), lrs[2]);
                for (String n : weights.keySet()) {
                    float[] want = backend.parameters().get(n).toFloatArray();
                    float[] got = resumed.parameters().get(n).toFloatArray();
                    double maxDiff = 0;
                    for (int k = 0; k < want.length; k++) {
                        maxDiff = Math.max(maxDiff, Math.abs(got[k] - want[k]));
                    }
                    if (load) {
                        assertThat(maxDiff).as("%s after resume with loadState", n).isLessThan(1e-6);
                    } else if (n.endsWith(".w")) {
                        assertThat(maxDiff).as("%s after resume without state (the test must see state)", n)
                                .isGreaterThan(1e-4);
                    }
                }
            }
        }
    }

    private static void declareQuadratic(org.maskrcnn4j.tensor.Backend b, String prefix) {
        b.parameters().declare(prefix + ".w", HostTensor.ofFloats(W0, 3), true);
        b.parameters().declare(prefix + ".b", HostTensor.ofFloats(new float[] {B0}, 1), true);
    }

    @Test
    void loadStateRejectsForeignOrMisshapenState() {
        declareQuadratic("bad");
        TrainStep adam = backend.trainStep(quadratic("bad"), new Optimizer.AdamW(0.01));
        HostTensor three = HostTensor.ofFloats(new float[3], 3);
        assertThatThrownBy(() -> adam.loadState(Map.of("momentum_buffer/bad.w", three)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("momentum_buffer/bad.w").hasMessageContaining("exp_avg/<parameter>");
        assertThatThrownBy(() -> adam.loadState(Map.of("exp_avg/bad.w", three, "exp_avg_sq/bad.w", three,
                "step/bad.w", HostTensor.ofDoubles(new double[] {1.5}))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("step/bad.w")
                .hasMessageContaining("whole number");
        assertThatThrownBy(() -> adam.loadState(Map.of("exp_avg/bad.w", three)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exp_avg_sq/bad.w");
        TrainStep sgd = backend.trainStep(quadratic("bad"), new Optimizer.Sgd(0.9, 0));
        assertThatThrownBy(() -> sgd.loadState(Map.of("momentum_buffer/bad.w", HostTensor.ofFloats(new float[2], 2))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("momentum_buffer/bad.w")
                .hasMessageContaining("[3]");
        assertThatThrownBy(() -> sgd.loadState(Map.of("momentum_buffer/nope", three)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown parameter 'nope'");
    }

    /**
     * {@code sum(a * [3]) + sum(b * [0, 4])}: gradients [3] and [0, 4], global norm 5 (a per-parameter clip
     * would scale a by 1/3 and b by 1/4 instead).
     */
    private double[] clippedSgdStep(String prefix, double maxNorm, double lr) {
        declare(prefix + ".a", HostTensor.ofFloats(new float[] {1f}, 1), true);
        declare(prefix + ".b", HostTensor.ofFloats(new float[] {-1f, 2f}, 2), true);
        TensorFunction loss = (ops, in) -> Map.of("loss", ops.add(
                ops.sum(ops.mul(ops.parameter(prefix + ".a"), in.get("xa"))),
                ops.sum(ops.mul(ops.parameter(prefix + ".b"), in.get("xb")))));
        TrainStep step = backend.trainStep(loss, new Optimizer.Sgd(0, 0).withClipGradNorm(maxNorm));
        step.run(inputs("xa", HostTensor.ofFloats(new float[] {3f}, 1), "xb", HostTensor.ofFloats(new float[] {0f, 4f}, 2)), lr);
        float[] a = backend.parameters().get(prefix + ".a").toFloatArray();
        float[] b = backend.parameters().get(prefix + ".b").toFloatArray();
        return new double[] {a[0], b[0], b[1]};
    }

    @Test
    void clipGradNormScalesAllGradientsByTheirGlobalNorm() {
        double lr = 0.5;
        double[] got = clippedSgdStep("clip", 1.0, lr);
        double coef = 1.0 / (5 + 1e-6); // torch.nn.utils.clip_grad_norm_(max_norm=1)
        double[] want = {1 - lr * 3 * coef, -1 - lr * 0 * coef, 2 - lr * 4 * coef};
        for (int k = 0; k < 3; k++) {
            assertThat(got[k]).as("parameter value %d", k).isCloseTo(want[k], within(1e-6));
        }
    }

    @Test
    void clipGradNormLeavesSmallGradientsAlone() {
        double lr = 0.5;
        double[] got = clippedSgdStep("noclip", 10.0, lr);
        double[] want = {1 - lr * 3, -1, 2 - lr * 4};
        for (int k = 0; k < 3; k++) {
            assertThat(got[k]).as("parameter value %d", k).isCloseTo(want[k], within(1e-6));
        }
    }

    /** {@code mean((sum(x * w, 1) + b - y)^2)} over the rows of x [n, 3]: a loss that is a mean over the batch. */
    private static TensorFunction meanSquaredError(String prefix) {
        return (ops, in) -> {
            Tensor pred = ops.add(ops.sum(ops.mul(in.get("x"), ops.parameter(prefix + ".w")), new int[] {1}, false),
                    ops.parameter(prefix + ".b"));
            return Map.of("loss", ops.mean(ops.square(ops.sub(pred, in.get("y")))));
        };
    }

    /** Rows {@code from..to-1} of a fixed random regression set. */
    private static Map<String, HostTensor> rows(int from, int to) {
        SplittableRandom rnd = new SplittableRandom(11);
        float[] x = new float[12 * 3];
        float[] y = new float[12];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (rnd.nextDouble() * 4 - 2);
        }
        for (int i = 0; i < y.length; i++) {
            y[i] = (float) (rnd.nextDouble() * 6 - 3);
        }
        int n = to - from;
        return inputs("x", HostTensor.ofFloats(java.util.Arrays.copyOfRange(x, 3 * from, 3 * to), n, 3),
                "y", HostTensor.ofFloats(java.util.Arrays.copyOfRange(y, from, to), n));
    }

    @Test
    void accumulatedMicroBatchesOfOneEqualOneBatchForSgd() {
        // no clipping here: it would hide a sum in place of the mean (both clip to the same vector)
        checkAccumulation("accs", new Optimizer.Sgd(0.9, 0.01, name -> name.endsWith(".b")));
    }

    @Test
    void accumulatedMicroBatchesOfOneEqualOneBatchForAdamW() {
        // clipping applies once, to the mean gradient (clipping each micro-batch would differ)
        checkAccumulation("acca", new Optimizer.AdamW(0.01, name -> name.endsWith(".b")).withClipGradNorm(1.0));
    }

    /**
     * Two updates: k = 3 micro-batches of one row each (accumulate, accumulate, run; then the List form),
     * against one batch of the same 3 rows. Losses are reported per micro-batch, so their mean equals the
     * batch's loss.
     */
    private void checkAccumulation(String prefix, Optimizer optimizer) {
        for (String p : List.of(prefix + "1", prefix + "3")) {
            declare(p + ".w", HostTensor.ofFloats(new float[] {0.5f, -0.25f, 1f}, 3), true);
            declare(p + ".b", HostTensor.ofFloats(new float[] {0.1f}, 1), true);
        }
        TrainStep micro = backend.trainStep(meanSquaredError(prefix + "1"), optimizer);
        TrainStep batch = backend.trainStep(meanSquaredError(prefix + "3"), optimizer);
        double[] lrs = {0.1, 0.05};
        for (int round = 0; round < 2; round++) {
            int first = 3 * round;
            double batchLoss = batch.run(rows(first, first + 3), lrs[round]).get("loss");
            double meanLoss;
            if (round == 0) {
                float[] before = backend.parameters().get(prefix + "1.w").toFloatArray();
                double l0 = micro.accumulate(rows(first, first + 1)).get("loss");
                assertThat(backend.parameters().get(prefix + "1.w").toFloatArray())
                        .as("accumulate must not update").containsExactly(before);
                assertThatThrownBy(micro::state).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("accumulated");
                double l1 = micro.accumulate(rows(first + 1, first + 2)).get("loss");
                double l2 = micro.run(rows(first + 2, first + 3), lrs[round]).get("loss");
                meanLoss = (l0 + l1 + l2) / 3;
            } else {
                meanLoss = micro.run(List.of(rows(first, first + 1), rows(first + 1, first + 2),
                        rows(first + 2, first + 3)), lrs[round]).get("loss");
            }
            assertThat(meanLoss).as("round %d: mean of the micro-batch losses", round).isCloseTo(batchLoss, within(1e-5));
            for (String n : List.of(".w", ".b")) {
                float[] got = backend.parameters().get(prefix + "1" + n).toFloatArray();
                float[] want = backend.parameters().get(prefix + "3" + n).toFloatArray();
                for (int k = 0; k < want.length; k++) {
                    assertThat((double) got[k]).as("round %d %s[%d]", round, n, k).isCloseTo(want[k], within(1e-5));
                }
            }
        }
        assertThat(micro.state()).isNotEmpty();
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

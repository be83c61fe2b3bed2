package org.maskrcnn4j.backend.tf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.maskrcnn4j.tensor.Backend;
import org.maskrcnn4j.tensor.BackendConfig;
import org.maskrcnn4j.tensor.BackendException;
import org.maskrcnn4j.tensor.BackendProvider;
import org.maskrcnn4j.tensor.Backends;
import org.maskrcnn4j.tensor.CompiledFunction;
import org.maskrcnn4j.tensor.DType;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.Ops;
import org.maskrcnn4j.tensor.Optimizer;
import org.maskrcnn4j.tensor.Shape;
import org.maskrcnn4j.tensor.Tensor;
import org.maskrcnn4j.tensor.TensorFunction;
import org.maskrcnn4j.tensor.TrainStep;

/** The TensorFlow backend's own checks: discovery, graph-mode training with an unknown batch, plumbing. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TfBackendTest {
    private static final int SIZE = 16;
    private static final int CLASSES = 3;
    private TfBackend backend;

    @BeforeAll
    void open() {
        backend = (TfBackend) Backends.provider(TfBackendProvider.NAME).create(BackendConfig.defaults());
    }

    @AfterAll
    void close() {
        backend.close();
    }

    @Test
    void providerIsDiscoveredAndAvailable() {
        BackendProvider p = Backends.providers().stream().filter(x -> x.name().equals("tensorflow")).findFirst()
                .orElseThrow();
        assertThat(p).isInstanceOf(TfBackendProvider.class);
        assertThat(p.priority()).isEqualTo(50);
        assertThat(p.availability().available()).as(p.availability().reason()).isTrue();
        assertThat(TfBackendProvider.nativeLoadMillis()).isGreaterThanOrEqualTo(0);
        System.out.printf("tensorflow native load: %d ms (%s)%n", TfBackendProvider.nativeLoadMillis(), backend);
        assertThat(backend.name()).isEqualTo("tensorflow");
        assertThat(backend.device()).isEqualTo("cpu");
    }

    @Test
    void absentOrUnknownDevicesFailClearly() {
        assertThatThrownBy(() -> new TfBackendProvider().create(new BackendConfig("tpu:3", 1, Map.of())))
                .isInstanceOf(BackendException.class).hasMessageContaining("unknown device 'tpu:3'");
        // the CPU native build is on the test class path, so there is no GPU
        assertThatThrownBy(() -> new TfBackendProvider().create(new BackendConfig("gpu:0", 1, Map.of())))
                .isInstanceOf(BackendException.class).hasMessageContaining("gpu:0 is not available");
    }

    // ------------------------------------------------------------------ training

    /** conv 3x3 - relu - maxpool - conv 3x3 - relu - global mean - linear - cross entropy, NCHW in. */
    static Map<String, Tensor> smallNetLoss(Ops ops, Map<String, Tensor> in) {
        Tensor x = ops.relu(ops.conv2d(in.get("images"), ops.parameter("small.conv1.weight"),
                ops.parameter("small.conv1.bias"), new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1));
        x = ops.maxPool2d(x, new int[] {2, 2}, new int[] {2, 2}, new int[] {0, 0});
        x = ops.relu(ops.conv2d(x, ops.parameter("small.conv2.weight"), ops.parameter("small.conv2.bias"),
                new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1}, 1));
        Tensor pooled = ops.mean(x, new int[] {2, 3}, false);
        Tensor logits = ops.linear(pooled, ops.parameter("small.fc.weight"), ops.parameter("small.fc.bias"));
        return Map.of("loss", ops.mean(ops.crossEntropy(logits, in.get("labels"))));
    }

    /** 16x16 single-channel images: class 0 horizontal stripes, 1 vertical stripes, 2 a diagonal, on noise. */
    static Map<String, HostTensor> stripes(SplittableRandom rnd, int n) {
        float[] img = new float[n * SIZE * SIZE];
        long[] labels = new long[n];
        for (int b = 0; b < n; b++) {
            int label = rnd.nextInt(CLASSES);
            labels[b] = label;
            int phase = rnd.nextInt(4);
            int shift = rnd.nextInt(SIZE);
            for (int y = 0; y < SIZE; y++) {
                for (int x = 0; x < SIZE; x++) {
                    boolean on = switch (label) {
                        case 0 -> (y + phase) % 4 == 0;
                        case 1 -> (x + phase) % 4 == 0;
                        default -> (x + y + shift) % SIZE == 0 || (x + y + shift) % SIZE == SIZE / 2;
                    };
                    img[(b * SIZE + y) * SIZE + x] = (on ? 1f : 0f) + (float) (0.3 * rnd.nextDouble());
                }
            }
        }
        Map<String, HostTensor> m = new LinkedHashMap<>();
        m.put("images", HostTensor.ofFloats(img, n, 1, SIZE, SIZE));
        m.put("labels", HostTensor.ofLongs(labels, n));
        return m;
    }

    static HostTensor uniform(SplittableRandom rnd, double bound, long... shape) {
        int n = Math.toIntExact(Shape.of(shape).size());
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) ((rnd.nextDouble() * 2 - 1) * bound);
        }
        return HostTensor.ofFloats(v, shape);
    }

    @Test
    void smallConvNetTrainsInGraphModeWithTwoBatchSizes() {
        SplittableRandom rnd = new SplittableRandom(3);
        var store = backend.parameters();
        store.declare("small.conv1.weight", uniform(rnd, 1 / 3.0, 8, 1, 3, 3), true);
        store.declare("small.conv1.bias", uniform(rnd, 0.1, 8), true);
        store.declare("small.conv2.weight", uniform(rnd, 1 / Math.sqrt(72), 16, 8, 3, 3), true);
        store.declare("small.conv2.bias", uniform(rnd, 0.1, 16), true);
        store.declare("small.fc.weight", uniform(rnd, 0.25, CLASSES, 16), true);
        store.declare("small.fc.bias", uniform(rnd, 0.1, CLASSES), true);

        TensorFunction lossFn = TfBackendTest::smallNetLoss;
        CompiledFunction eval = backend.compile(lossFn);
        Map<String, HostTensor> held = stripes(new SplittableRandom(1234), 60);
        double before = eval.call(held).get("loss").getDouble(0);

        TrainStep step = backend.trainStep(lossFn, new Optimizer.Sgd(0.9, 1e-4));
        int tracesBefore = backend.traceCount();
        List<Double> losses = new ArrayList<>();
        long first = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < 20; i++) {
            long s = System.nanoTime();
            int batch = i % 2 == 0 ? 16 : 7; // two batch sizes through one traced graph
            losses.add(step.run(stripes(new SplittableRandom(i), batch), 0.3).get("loss"));
            if (i == 0) {
                first = System.nanoTime() - s;
            }
        }
        long total = System.nanoTime() - t0;
        double after = eval.call(held).get("loss").getDouble(0);
        System.out.printf("tensorflow small conv net: first step (trace + run) %.1f ms, then %.2f ms/step; "
                + "held-out loss %.4f -> %.4f; losses %s%n", first / 1e6, (total - first) / 1e6 / 19, before, after,
                losses);
        assertThat(backend.traceCount() - tracesBefore).as("one trace serves both batch sizes").isEqualTo(1);
        assertThat(losses).allSatisfy(l -> assertThat(l).isFinite());
        assertThat(after).as("held-out loss after 20 steps (before %s)", before).isLessThan(0.5 * before);
    }

    // ------------------------------------------------------------------ plumbing

    @Test
    void parameterStoreRoundTripsAndChecks() {
        var store = backend.parameters();
        store.declare("ps.w", HostTensor.ofFloats(new float[] {1, 2, 3, 4}, 2, 2), false);
        store.set("ps.w", HostTensor.ofFloats(new float[] {5, 6, 7, 8}, 2, 2));
        store.declare("ps.w", HostTensor.ofFloats(new float[4], 2, 2), false); // same shape keeps the value
        assertThat(store.get("ps.w").toFloatArray()).containsExactly(5, 6, 7, 8);
        assertThat(store.shape("ps.w")).isEqualTo(Shape.of(2, 2));
        assertThat(store.trainable("ps.w")).isFalse();
        assertThat(store.names()).contains("ps.w");
        assertThatThrownBy(() -> store.declare("ps.w", HostTensor.ofFloats(new float[2], 2), false))
                .hasMessageContaining("ps.w").hasMessageContaining("[2, 2]").hasMessageContaining("[2]");
        assertThatThrownBy(() -> store.set("ps.w", HostTensor.ofLongs(new long[4], 2, 2)))
                .hasMessageContaining("INT64").hasMessageContaining("FLOAT32");
        assertThatThrownBy(() -> store.get("ps.nope")).hasMessageContaining("unknown parameter 'ps.nope'");
        // odd characters in names are fine
        store.declare("ps/odd name:0", HostTensor.ofLongs(new long[] {7}, 1), false);
        assertThat(store.get("ps/odd name:0").toLongArray()).containsExactly(7);
    }

    @Test
    void duplicateOutputsAndPassThroughInputs() {
        Map<String, HostTensor> out = backend.compile((ops, in) -> {
            Tensor y = ops.exp(in.get("x"));
            return Map.of("a", y, "b", y, "x", in.get("x"));
        }).call(Map.of("x", HostTensor.ofFloats(new float[] {0, 1}, 2)));
        assertThat(out.get("a").toFloatArray()).containsExactly(out.get("b").toFloatArray());
        assertThat(out.get("a").toDoubleArray()[1]).isCloseTo(Math.E, within(1e-6));
        assertThat(out.get("x").toFloatArray()).containsExactly(0, 1);
    }

    @Test
    void gradientOfAnUnusedInputIsZeroAndIntegerInputsAreRefused() {
        TensorFunction f = (ops, in) -> Map.of("value", ops.sum(ops.mul(in.get("a"), in.get("a"))));
        Map<String, HostTensor> in = Map.of("a", HostTensor.ofFloats(new float[] {1, -2}, 2),
                "b", HostTensor.ofFloats(new float[] {5, 5, 5}, 3), "i", HostTensor.ofLongs(new long[] {1}, 1));
        Map<String, HostTensor> out = backend.gradient(f, List.of("a", "b")).call(in);
        assertThat(out.get("grad/a").toFloatArray()).containsExactly(2, -4);
        assertThat(out.get("grad/b").toFloatArray()).containsExactly(0, 0, 0);
        assertThat(out.get("value").toFloatArray()).containsExactly(5);
        assertThatThrownBy(() -> backend.gradient(f, List.of("i")).call(in)).hasMessageContaining("'i' is INT64");
    }

    /** The C++ LogSoftmax gradient assumes rank 2; the backend flattens, so rank 3 over any axis is right. */
    @Test
    void logSoftmaxGradientOnRank3MatchesFiniteDifferences() {
        SplittableRandom rnd = new SplittableRandom(9);
        double[] v = new double[2 * 3 * 4];
        double[] wv = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = rnd.nextDouble() * 4 - 2;
            wv[i] = rnd.nextDouble();
        }
        HostTensor w = HostTensor.ofDoubles(wv, 2, 3, 4);
        for (int axis : new int[] {1, 2}) {
            TensorFunction f = (ops, in) -> Map.of("value",
                    ops.sum(ops.mul(ops.logSoftmax(in.get("x"), axis), ops.constant(w))));
            Map<String, HostTensor> in = Map.of("x", HostTensor.ofDoubles(v, 2, 3, 4));
            double[] g = backend.gradient(f, List.of("x")).call(in).get("grad/x").toDoubleArray();
            CompiledFunction fwd = backend.compile(f);
            for (int i = 0; i < v.length; i++) {
                double[] p = v.clone();
                double[] m = v.clone();
                p[i] += 1e-6;
                m[i] -= 1e-6;
                double fd = (fwd.call(Map.of("x", HostTensor.ofDoubles(p, 2, 3, 4))).get("value").getDouble(0)
                        - fwd.call(Map.of("x", HostTensor.ofDoubles(m, 2, 3, 4))).get("value").getDouble(0)) / 2e-6;
                assertThat(g[i]).as("axis %d, element %d", axis, i).isCloseTo(fd, within(1e-6));
            }
        }
    }

    @Test
    void takeAlongAxisFollowsTorchGatherWithASmallerIndex() {
        // torch.gather(x, 1, idx) with idx smaller than x off the axis: out[i][j] = x[i][idx[i][j]]
        HostTensor x = HostTensor.ofFloats(new float[] {0, 1, 2, 10, 11, 12, 20, 21, 22}, 3, 3);
        HostTensor idx = HostTensor.ofLongs(new long[] {2, 0, 1, 1}, 2, 2);
        HostTensor out = backend.compile((ops, in) -> Map.of("y", ops.takeAlongAxis(in.get("x"), in.get("i"), 1)))
                .call(Map.of("x", x, "i", idx)).get("y");
        assertThat(out.shape()).isEqualTo(Shape.of(2, 2));
        assertThat(out.toFloatArray()).containsExactly(2, 0, 11, 11);
    }

    @Test
    void nhwcInsideIsInvisible() {
        // a conv result flows through reshape, permute, slice, concat, pad, batch norm and size as NCHW
        HostTensor x = HostTensor.ofFloats(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 1, 2, 2, 2);
        HostTensor eye = HostTensor.ofFloats(new float[] {1, 0, 0, 1}, 2, 2, 1, 1);
        Map<String, HostTensor> out = backend.compile((ops, in) -> {
            Tensor c = ops.conv2d(in.get("x"), ops.constant(eye), null, new int[] {1, 1}, new int[] {0, 0},
                    new int[] {1, 1}, 1);
            Map<String, Tensor> m = new LinkedHashMap<>();
            m.put("flat", ops.reshape(c, -1));
            m.put("perm", ops.permute(c, 1, 0, 3, 2));
            m.put("slice", ops.slice(c, 1, 1, 2));
            m.put("cat", ops.concat(List.of(c, c), 1));
            m.put("pad", ops.pad(c, new long[] {0, 0, 1, 0}, new long[] {0, 0, 0, 0}, 9));
            m.put("bn", ops.batchNorm(c, ops.constant(new float[] {1, 5}, 2), ops.constant(new float[] {1, 1}, 2),
                    null, null, 0));
            m.put("c", ops.size(c, 1));
            m.put("sumW", ops.sum(c, new int[] {3}, false));
            m.put("maxC", ops.max(c, new int[] {1}, false));
            m.put("bias", ops.add(c, ops.constant(new float[] {10, 20}, 2, 1, 1)));
            return m;
        }).call(Map.of("x", x));
        assertThat(out.get("flat").toFloatArray()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
        assertThat(out.get("perm").toFloatArray()).containsExactly(1, 3, 2, 4, 5, 7, 6, 8);
        assertThat(out.get("slice").toFloatArray()).containsExactly(5, 6, 7, 8);
        assertThat(out.get("cat").shape()).isEqualTo(Shape.of(1, 4, 2, 2));
        assertThat(out.get("pad").toFloatArray()).containsExactly(9, 9, 1, 2, 3, 4, 9, 9, 5, 6, 7, 8);
        assertThat(out.get("bn").toFloatArray()).containsExactly(0, 1, 2, 3, 0, 1, 2, 3);
        assertThat(out.get("c").toLongArray()).containsExactly(2);
        assertThat(out.get("sumW").shape()).isEqualTo(Shape.of(1, 2, 2));
        assertThat(out.get("sumW").toFloatArray()).containsExactly(3, 7, 11, 15);
        assertThat(out.get("maxC").toFloatArray()).containsExactly(5, 6, 7, 8);
        assertThat(out.get("bias").toFloatArray()).containsExactly(11, 12, 13, 14, 25, 26, 27, 28);
    }

    @Test
    void tensorsCannotOutliveTheirTrace() {
        Tensor[] kept = new Tensor[1];
        backend.compile((ops, in) -> {
            kept[0] = ops.exp(in.get("x"));
            return Map.of("y", kept[0]);
        }).call(Map.of("x", HostTensor.ofFloats(new float[] {1}, 1)));
        assertThatThrownBy(() -> backend.compile((ops, in) -> Map.of("y", ops.add(in.get("x"), kept[0])))
                .call(Map.of("x", HostTensor.ofFloats(new float[] {1}, 1))))
                .hasMessageContaining("another trace");
    }

    @Test
    void runTimeShapeErrorsNameTheOpAndShapes() {
        // traced with unknown dims, the mismatch only shows when TensorFlow runs; the backend re-traces the
        // failing call with static shapes to report it like an eager backend
        assertThatThrownBy(() -> backend.compile((ops, in) -> Map.of("y", ops.add(in.get("a"), in.get("b"))))
                .call(Map.of("a", HostTensor.ofFloats(new float[6], 2, 3), "b", HostTensor.ofFloats(new float[4], 4))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("add").hasMessageContaining("[2, 3]").hasMessageContaining("[4]");
    }

    /** Model code that needs static sizes fails the unknown-dims trace and is then traced per input shape. */
    @Test
    void functionsThatNeedStaticShapesAreTracedPerShape() {
        int before = backend.traceCount();
        CompiledFunction f = backend.compile((ops, in) -> {
            long n = in.get("x").shape().get(0);
            if (n < 0) {
                throw new IllegalArgumentException("needs a static size");
            }
            return Map.of("y", ops.mul(in.get("x"), (double) n));
        });
        assertThat(f.call(Map.of("x", HostTensor.ofFloats(new float[] {1, 2}, 2))).get("y").toFloatArray())
                .containsExactly(2, 4);
        assertThat(f.call(Map.of("x", HostTensor.ofFloats(new float[] {1, 2, 3}, 3))).get("y").toFloatArray())
                .containsExactly(3, 6, 9);
        assertThat(f.call(Map.of("x", HostTensor.ofFloats(new float[] {5, 6}, 2))).get("y").toFloatArray())
                .containsExactly(10, 12);
        assertThat(backend.traceCount() - before).as("one trace per input shape").isEqualTo(2);
        // an error that static shapes do not cure is reported from the static trace
        assertThatThrownBy(() -> backend.compile((ops, in) -> {
            throw new IllegalArgumentException("always wrong");
        }).call(Map.of("x", HostTensor.ofFloats(new float[1], 1)))).hasMessage("always wrong");
    }

    /**
     * When calls to such a function differ only in dimensions it does not need static (the number of boxes,
     * here), one more trace leaves those dimensions unknown and serves every later call that agrees on the
     * rest; a dimension it does need static is traced per size.
     */
    @Test
    void staticShapeFunctionsAreRetracedOnceWithTheVaryingDimensionsUnknown() {
        int before = backend.traceCount();
        CompiledFunction f = backend.compile((ops, in) -> {
            long scale = in.get("image").shape().get(0);
            if (scale < 0) {
                throw new IllegalArgumentException("needs a static image size");
            }
            return Map.of("y", ops.mul(ops.sum(in.get("boxes"), new int[] {0}, false), (double) scale));
        });
        java.util.function.BiFunction<Integer, Integer, float[]> call = (size, boxes) -> {
            float[] b = new float[boxes * 4];
            java.util.Arrays.fill(b, 1);
            return f.call(Map.of("image", HostTensor.ofFloats(new float[size], size), "boxes",
                    HostTensor.ofFloats(b, boxes, 4))).get("y").toFloatArray();
        };
        assertThat(call.apply(2, 3)).containsExactly(6, 6, 6, 6);
        assertThat(backend.traceCount() - before).as("exact shapes").isEqualTo(1);
        assertThat(call.apply(2, 5)).containsExactly(10, 10, 10, 10);
        assertThat(call.apply(2, 7)).containsExactly(14, 14, 14, 14);
        assertThat(call.apply(2, 1)).containsExactly(2, 2, 2, 2);
        assertThat(backend.traceCount() - before).as("one more trace, with the number of boxes unknown").isEqualTo(2);
        assertThat(call.apply(3, 7)).containsExactly(21, 21, 21, 21); // image size must be static: exact trace
        assertThat(call.apply(3, 2)).containsExactly(6, 6, 6, 6); // generalised again for size 3
        assertThat(call.apply(3, 4)).containsExactly(12, 12, 12, 12);
        assertThat(call.apply(2, 9)).containsExactly(18, 18, 18, 18);
        assertThat(backend.traceCount() - before).isEqualTo(4);
    }

    @Test
    void closedBackendRefusesWork() {
        Backend b = new TfBackendProvider().create(new BackendConfig("cpu", 1, Map.of("interOpThreads", "1")));
        CompiledFunction f = b.compile((ops, in) -> Map.of("y", ops.scalar(1, DType.FLOAT32)));
        assertThat(f.call(Map.of()).get("y").toFloatArray()).containsExactly(1);
        b.close();
        b.close();
        assertThatThrownBy(() -> f.call(Map.of())).hasMessageContaining("closed");
    }
}

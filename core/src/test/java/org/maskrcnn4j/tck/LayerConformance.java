package org.maskrcnn4j.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.maskrcnn4j.testing.FixtureAssert.assertClose;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.maskrcnn4j.nn.BatchNorm2d;
import org.maskrcnn4j.nn.Conv2d;
import org.maskrcnn4j.nn.ConvTranspose2d;
import org.maskrcnn4j.nn.FrozenBatchNorm2d;
import org.maskrcnn4j.nn.Layer;
import org.maskrcnn4j.nn.Linear;
import org.maskrcnn4j.nn.MaxPool2d;
import org.maskrcnn4j.nn.Parameter;
import org.maskrcnn4j.nn.ReLU;
import org.maskrcnn4j.nn.Sequential;
import org.maskrcnn4j.tensor.DType;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.ParameterStore;
import org.maskrcnn4j.tensor.Shape;

/**
 * Conformance: the {@code org.maskrcnn4j.nn} layers declare their parameters in the backend's store and
 * their forward passes, run through {@code backend.compile}, give values worked out by hand (with
 * PyTorch's formulas) for small inputs. Every test uses its own parameter names, so one store serves the
 * whole class.
 */
public abstract class LayerConformance extends BackendTestBase {

    /** Declares the layer's parameters, overwrites them with {@code values}, and runs its forward pass on x. */
    private HostTensor forward(Layer layer, Map<String, HostTensor> values, HostTensor x) {
        layer.declare(backend.parameters(), new SplittableRandom(0));
        values.forEach(backend.parameters()::set);
        return run1(inputs("x", x), (ops, in) -> layer.forward(ops, in.get("x")));
    }

    private static HostTensor f(float[] values, long... shape) {
        return HostTensor.ofFloats(values, shape);
    }

    private static void assertValues(String what, HostTensor actual, Shape shape, double[] expected, double atol) {
        assertThat(actual.shape()).as("%s shape", what).isEqualTo(shape);
        assertThat(actual.dtype()).as("%s dtype", what).isEqualTo(DType.FLOAT32);
        assertClose(what, actual.toDoubleArray(), expected, atol, 1e-6);
    }

    @Test
    void declaresTorchvisionNamesShapesFlagsAndInitialValues() {
        Sequential seq = new Sequential("tck.nn.declare",
                n -> Conv2d.builder(n, 3, 4, 3).padding(1).bias(false).build(),
                n -> new BatchNorm2d(n, 4),
                n -> new FrozenBatchNorm2d(n, 4));
        ParameterStore store = backend.parameters();
        seq.declare(store, new SplittableRandom(9));
        List<String> names = seq.parameters().stream().map(Parameter::name).toList();
        String p = "tck.nn.declare.";
        assertThat(names).containsExactly(p + "0.weight", p + "1.weight", p + "1.bias", p + "1.running_mean",
                p + "1.running_var", p + "1.num_batches_tracked", p + "2.weight", p + "2.bias", p + "2.running_mean",
                p + "2.running_var");
        assertThat(List.copyOf(store.names())).containsSubsequence(names);
        SplittableRandom again = new SplittableRandom(9);
        for (Parameter param : seq.parameters()) {
            assertThat(store.shape(param.name())).as(param.name()).isEqualTo(param.shape());
            assertThat(store.trainable(param.name())).as(param.name()).isEqualTo(param.trainable());
            HostTensor value = store.get(param.name());
            HostTensor expected = param.initialValue(again);
            assertThat(value.dtype()).as(param.name()).isEqualTo(expected.dtype());
            assertThat(value.toDoubleArray()).as(param.name()).containsExactly(expected.toDoubleArray());
        }
        assertThat(store.get(p + "1.num_batches_tracked").dtype()).isEqualTo(DType.INT64);
        assertThat(store.shape(p + "1.num_batches_tracked")).isEqualTo(Shape.scalar());
        assertThat(store.trainable(p + "0.weight")).isTrue();
        assertThat(store.trainable(p + "2.weight")).isFalse();
    }

    @Test
    void conv2dWithBiasStrideAndPadding() {
        Conv2d conv = Conv2d.builder("tck.nn.conv", 1, 2, 3).stride(2).padding(1).build();
        float[] x = new float[16];
        for (int i = 0; i < 16; i++) {
            x[i] = i;
        }
        HostTensor y = forward(conv, Map.of(
                "tck.nn.conv.weight", f(new float[] {1, 0, -1, 2, 0, -2, 1, 0, -1,
                        0.5f, 0.5f, 0.5f, 0.5f, 1, 0.5f, 0.5f, 0.5f, 0.5f}, 2, 1, 3, 3),
                "tck.nn.conv.bias", f(new float[] {0.5f, -1}, 2)), f(x, 1, 1, 4, 4));
        assertValues("conv2d", y, Shape.of(1, 2, 2, 2), new double[] {-6.5, -5.5, -35.5, -7.5, 4, 12, 28.5, 49}, 1e-5);
    }

    @Test
    void conv2dWithDilationAndGroupsWithoutBias() {
        Conv2d conv = Conv2d.builder("tck.nn.conv_dilated", 2, 2, 3).dilation(2).groups(2).bias(false).build();
        float[] x = new float[50];
        for (int i = 0; i < 50; i++) {
            x[i] = i / 10f;
        }
        HostTensor y = forward(conv, Map.of("tck.nn.conv_dilated.weight",
                f(new float[] {1, 0, 2, 0, 1, 0, -1, 0, 1, 0, 1, 0, 1, -2, 1, 0, 1, 0}, 2, 1, 3, 3)), f(x, 1, 2, 5, 5));
        assertValues("dilated grouped conv2d", y, Shape.of(1, 2, 1, 1), new double[] {2.4, 7.4}, 1e-5);
    }

    @Test
    void linear() {
        Linear fc = new Linear("tck.nn.fc", 3, 2);
        HostTensor y = forward(fc, Map.of(
                "tck.nn.fc.weight", f(new float[] {0.1f, 0.2f, 0.3f, -1, 1, 0.5f}, 2, 3),
                "tck.nn.fc.bias", f(new float[] {0.5f, -0.25f}, 2)), f(new float[] {1, 2, 3, -1, 0.5f, 2}, 2, 3));
        assertValues("linear", y, Shape.of(2, 2), new double[] {1.9, 2.25, 1.1, 2.25}, 1e-6);
    }

    /**
     * Channel 0: mean 0.5, var 4, weight 2, bias 0.1; channel 1: mean 1, var 0 (so eps = 1e-5 sets the
     * scale, 0.01 / sqrt(1e-5)), bias -0.2.
     */
    private static Map<String, HostTensor> normStats(String name) {
        return Map.of(name + ".weight", f(new float[] {2, 0.01f}, 2), name + ".bias", f(new float[] {0.1f, -0.2f}, 2),
                name + ".running_mean", f(new float[] {0.5f, 1}, 2), name + ".running_var", f(new float[] {4, 0}, 2));
    }

    private static final double[] NORM_EXPECTED = {0.599999375, 1.599998125, 1.38113883, -4.94341649};

    @Test
    void batchNorm2dUsesRunningStatisticsAndEps() {
        HostTensor y = forward(new BatchNorm2d("tck.nn.bn", 2), normStats("tck.nn.bn"),
                f(new float[] {1, 2, 1.5f, -0.5f}, 1, 2, 1, 2));
        assertValues("batch norm", y, Shape.of(1, 2, 1, 2), NORM_EXPECTED, 1e-6);
    }

    @Test
    void frozenBatchNorm2dMatchesTorchvision() {
        HostTensor y = forward(new FrozenBatchNorm2d("tck.nn.frozen_bn", 2), normStats("tck.nn.frozen_bn"),
                f(new float[] {1, 2, 1.5f, -0.5f}, 1, 2, 1, 2));
        assertValues("frozen batch norm", y, Shape.of(1, 2, 1, 2), NORM_EXPECTED, 1e-6);
    }

    /**
     * A convolution with its norm folded in ({@link Conv2d#withNorm}) equals the two layers: an identity 1x1
     * convolution followed by either norm gives the norm's own expected values, for the values and, against the
     * unfolded layers, for the gradients of the conv weight and the norm's affine parameters.
     */
    @Test
    void convolutionWithFoldedNorm() {
        for (String kind : List.of("bn", "frozen_bn")) {
            String name = "tck.nn.fold_" + kind;
            Conv2d conv = Conv2d.builder(name + ".conv", 2, 2, 1).bias(false).build();
            Layer norm = kind.equals("bn") ? new BatchNorm2d(name + ".norm", 2) : new FrozenBatchNorm2d(name + ".norm", 2);
            conv.declare(backend.parameters(), new SplittableRandom(0));
            norm.declare(backend.parameters(), new SplittableRandom(0));
            backend.parameters().set(name + ".conv.weight", f(new float[] {1, 0, 0, 1}, 2, 2, 1, 1));
            normStats(name + ".norm").forEach(backend.parameters()::set);
            HostTensor x = f(new float[] {1, 2, 1.5f, -0.5f}, 1, 2, 1, 2);
            HostTensor y = run1(inputs("x", x), (ops, in) -> Conv2d.withNorm(ops, conv, norm, in.get("x")));
            assertValues("conv + " + kind + " folded", y, Shape.of(1, 2, 1, 2), NORM_EXPECTED, 1e-5);

            backend.parameters().set(name + ".conv.weight", f(new float[] {0.5f, -1, 2, 0.25f}, 2, 2, 1, 1));
            backend.parameters().set(name + ".norm.running_var", f(new float[] {4, 0.5f}, 2));
            // one SGD step (lr 1, no momentum or decay) moves every trainable parameter by minus its gradient
            List<String> trained = kind.equals("bn") ? List.of(name + ".conv.weight", name + ".norm.weight", name + ".norm.bias")
                    : List.of(name + ".conv.weight");
            Map<String, HostTensor> start = new java.util.HashMap<>();
            trained.forEach(n -> start.put(n, backend.parameters().get(n)));
            Map<String, double[]> after = new java.util.HashMap<>();
            for (boolean fold : new boolean[] {false, true}) {
                start.forEach(backend.parameters()::set);
                org.maskrcnn4j.tensor.TensorFunction loss = (ops, in) -> Map.of("loss", ops.sum(ops.mul(fold
                        ? Conv2d.withNorm(ops, conv, norm, in.get("x")) : norm.forward(ops, conv.forward(ops, in.get("x"))),
                        in.get("x"))));
                backend.trainStep(loss, new org.maskrcnn4j.tensor.Optimizer.Sgd(0, 0)).run(inputs("x", x), 1.0);
                for (String n : trained) {
                    double[] moved = backend.parameters().get(n).toDoubleArray();
                    if (!fold) {
                        after.put(n, moved);
                        assertThat(moved).as("%s moves", n).isNotEqualTo(start.get(n).toDoubleArray());
                    } else {
                        assertClose(kind + " folded gradient of " + n, moved, after.get(n), 1e-4, 1e-4);
                    }
                }
            }
        }
    }

    @Test
    void batchNorm2dWithBatchStatisticsNormalisesByTheBatchAndRecordsIt() {
        String name = "tck.nn.bn_batch";
        BatchNorm2d bn = new BatchNorm2d(name, 2, BatchNorm2d.DEFAULT_EPS, true);
        bn.declare(backend.parameters(), new SplittableRandom(0));
        backend.parameters().set(name + ".weight", f(new float[] {2, 1}, 2));
        backend.parameters().set(name + ".bias", f(new float[] {0.5f, -1}, 2));
        // channel 0 over (N=2, H=1, W=2): 1, 3, 5, 7 (mean 4, biased variance 5, unbiased 20/3);
        // channel 1: 2, 2, 2, 6 (mean 3, biased variance 3, unbiased 4)
        HostTensor x = f(new float[] {1, 3, 2, 2, 5, 7, 2, 6}, 2, 2, 1, 2);
        Map<String, HostTensor> out = backend.compile((ops, in) -> {
            org.maskrcnn4j.nn.BatchStatistics sink = new org.maskrcnn4j.nn.BatchStatistics();
            Map<String, org.maskrcnn4j.tensor.Tensor> r = new java.util.LinkedHashMap<>();
            r.put("y", bn.forwardWithBatchStatistics(ops, in.get("x"), sink));
            r.putAll(sink.outputs());
            return r;
        }).call(inputs("x", x));
        double e = BatchNorm2d.DEFAULT_EPS;
        double s0 = 2 / Math.sqrt(5 + e);
        double s1 = 1 / Math.sqrt(3 + e);
        assertValues("batch-normalised", out.get("y"), Shape.of(2, 2, 1, 2), new double[] {
            -3 * s0 + 0.5, -1 * s0 + 0.5, -1 * s1 - 1, -1 * s1 - 1,
            1 * s0 + 0.5, 3 * s0 + 0.5, -1 * s1 - 1, 3 * s1 - 1}, 1e-5);
        assertValues("recorded mean", out.get(name + ".running_mean"), Shape.of(2), new double[] {4, 3}, 1e-6);
        assertValues("recorded unbiased variance", out.get(name + ".running_var"), Shape.of(2), new double[] {20.0 / 3, 4}, 1e-5);
        // the running statistics (0 and 1) play no part
        assertThat(run1(inputs("x", x), (ops, in) -> bn.forward(ops, in.get("x"))).toDoubleArray()[0])
                .isCloseTo(2 * 1 / Math.sqrt(1 + e) + 0.5, org.assertj.core.data.Offset.offset(1e-5));
    }

    @Test
    void gradientsFlowThroughBatchStatistics() {
        // loss = sum(bn(conv(x))): with batch statistics each channel's normalised values sum to zero whatever the
        // convolution gives, so the conv weight's gradient is zero and the norm's weight too, while the bias
        // gradient is the count of values per channel (4). Statistics treated as constants would move the conv.
        String name = "tck.nn.bn_grad";
        Conv2d conv = Conv2d.builder(name + ".conv", 2, 2, 1).bias(false).build();
        BatchNorm2d bn = new BatchNorm2d(name + ".norm", 2, BatchNorm2d.DEFAULT_EPS, true);
        conv.declare(backend.parameters(), new SplittableRandom(0));
        bn.declare(backend.parameters(), new SplittableRandom(0));
        float[] w = {0.5f, -1, 2, 0.25f};
        backend.parameters().set(name + ".conv.weight", f(w, 2, 2, 1, 1));
        HostTensor x = f(new float[] {1, 3, 2, 2, 5, 7, 2, 6}, 2, 2, 1, 2);
        org.maskrcnn4j.tensor.TensorFunction loss = (ops, in) -> Map.of("loss",
                ops.sum(bn.forwardWithBatchStatistics(ops, conv.forward(ops, in.get("x")), null)));
        backend.trainStep(loss, new org.maskrcnn4j.tensor.Optimizer.Sgd(0, 0)).run(inputs("x", x), 1.0);
        assertClose("conv weight after the step", backend.parameters().get(name + ".conv.weight").toDoubleArray(),
                new double[] {0.5, -1, 2, 0.25}, 1e-4, 1e-4);
        assertClose("norm weight after the step", backend.parameters().get(name + ".norm.weight").toDoubleArray(),
                new double[] {1, 1}, 1e-4, 1e-4);
        assertClose("norm bias after the step", backend.parameters().get(name + ".norm.bias").toDoubleArray(),
                new double[] {-4, -4}, 1e-5, 1e-5);
    }

    @Test
    void reluPassesTheGradientOnlyWhereItsInputIsPositive() {
        // loss = sum(c * relu(p)): d loss / d p = c where p > 0 and 0 elsewhere, at 0 too (torch's threshold
        // backward); one SGD step with lr 1 moves p by minus that
        String name = "tck.nn.relu_grad.p";
        backend.parameters().declare(name, f(new float[] {-2, -0f, 0, 0.5f, 3}, 5), true);
        HostTensor c = f(new float[] {1, 2, 3, 4, 5}, 5);
        org.maskrcnn4j.tensor.TensorFunction loss = (ops, in) -> Map.of("loss",
                ops.sum(ops.mul(in.get("c"), ops.relu(ops.parameter(name)))));
        backend.trainStep(loss, new org.maskrcnn4j.tensor.Optimizer.Sgd(0, 0)).run(inputs("c", c), 1.0);
        assertClose("relu input after the step", backend.parameters().get(name).toDoubleArray(),
                new double[] {-2, 0, 0, -3.5, -2}, 0, 0);
    }

    @Test
    void convTranspose2dStrideTwoLikeTheMaskPredictor() {
        ConvTranspose2d deconv = new ConvTranspose2d("tck.nn.deconv", 1, 2, 2, 2, 0, true);
        HostTensor y = forward(deconv, Map.of(
                "tck.nn.deconv.weight", f(new float[] {1, 2, 3, 4, 0, -1, 1, 0}, 1, 2, 2, 2),
                "tck.nn.deconv.bias", f(new float[] {0.5f, 0}, 2)), f(new float[] {1, 2, 3, 4}, 1, 1, 2, 2));
        assertValues("conv transpose stride 2", y, Shape.of(1, 2, 4, 4), new double[] {
            1.5, 2.5, 2.5, 4.5, 3.5, 4.5, 6.5, 8.5, 3.5, 6.5, 4.5, 8.5, 9.5, 12.5, 12.5, 16.5,
            0, -1, 0, -2, 1, 0, 2, 0, 0, -3, 0, -4, 3, 0, 4, 0}, 1e-6);
    }

    @Test
    void convTranspose2dOverlappingAndPadded() {
        HostTensor x = f(new float[] {1, 2, 3, 4, -1, 0, 1, 2}, 1, 2, 2, 2);
        HostTensor w = f(new float[] {1, 1, 1, 1, 1, 0, 0, -1}, 2, 1, 2, 2);
        HostTensor overlap = forward(new ConvTranspose2d("tck.nn.deconv_s1", 2, 1, 2, 1, 0, false),
                Map.of("tck.nn.deconv_s1.weight", w), x);
        assertValues("conv transpose stride 1", overlap, Shape.of(1, 1, 3, 3),
                new double[] {0, 3, 2, 5, 13, 6, 3, 6, 2}, 1e-6);
        HostTensor padded = forward(new ConvTranspose2d("tck.nn.deconv_p1", 2, 1, 2, 2, 1, false),
                Map.of("tck.nn.deconv_p1.weight", w), x);
        assertValues("conv transpose stride 2 padding 1", padded, Shape.of(1, 1, 2, 2), new double[] {2, 2, 3, 6}, 1e-6);
    }

    @Test
    void sequentialOfConvReluMaxPool() {
        Sequential seq = new Sequential("tck.nn.seq",
                n -> Conv2d.builder(n, 1, 1, 1).build(),
                ReLU::new,
                n -> new MaxPool2d(n, 3, 2, 1));
        HostTensor y = forward(seq, Map.of(
                "tck.nn.seq.0.weight", f(new float[] {1}, 1, 1, 1, 1),
                "tck.nn.seq.0.bias", f(new float[] {-1}, 1)),
                f(new float[] {3, -1, 4, -1, 5, -9, 2, 6, -5, 3, 5, -8, 9, 7, -9, 3}, 1, 1, 4, 4));
        // conv: x - 1; relu: [[2,0,3,0],[4,0,1,5],[0,2,4,0],[8,6,0,2]]; 3x3 windows centred on even cells
        assertValues("sequential", y, Shape.of(1, 1, 2, 2), new double[] {4, 5, 8, 6}, 0);
    }

    @Test
    void maxPoolPadsWithMinusInfinity() {
        HostTensor y = forward(new MaxPool2d("tck.nn.pool", 3, 2, 1), Map.of(),
                f(new float[] {-1, -2, -3, -4, -5, -6}, 1, 1, 2, 3));
        assertValues("max pool", y, Shape.of(1, 1, 1, 2), new double[] {-1, -2}, 0);
    }
}

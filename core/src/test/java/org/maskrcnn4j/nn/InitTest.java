package org.maskrcnn4j.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.maskrcnn4j.tensor.DType;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.Shape;

class InitTest {

    @Test
    void fanInFollowsPyTorch() {
        assertThat(Init.fanIn(Shape.of(8, 3, 3, 3))).isEqualTo(27);
        assertThat(Init.fanIn(Shape.of(10, 20))).isEqualTo(20);
        // ConvTranspose2d weight [in, out, kh, kw]: size(1) * receptive field = out * kh * kw
        assertThat(Init.fanIn(new ConvTranspose2d("t", 4, 6, 2, 2, 0, true).weight().shape())).isEqualTo(24);
        assertThatThrownBy(() -> Init.fanIn(Shape.of(5))).hasMessageContaining("fewer than 2 dimensions");
    }

    @Test
    void conv2dDefaultInitIsUniformWithinOneOverSqrtFanIn() {
        Conv2d conv = Conv2d.builder("c", 16, 64, 3).build();
        double bound = 1 / Math.sqrt(16 * 9);
        RandomGenerator rng = new SplittableRandom(7);
        checkUniform(conv.weight().initialValue(rng).toDoubleArray(), bound);
        checkUniform(conv.bias().initialValue(rng).toDoubleArray(), bound);
    }

    @Test
    void groupedConvUsesItsWeightsFanIn() {
        Conv2d conv = Conv2d.builder("c", 16, 64, 3).groups(4).build();
        checkUniform(conv.weight().initialValue(new SplittableRandom(1)).toDoubleArray(), 1 / Math.sqrt(4 * 9));
    }

    @Test
    void convTransposeUsesOutTimesKernelAsFanIn() {
        // fan_in = out * k * k = 64 * 4, not in * k * k = 8 * 4
        ConvTranspose2d t = new ConvTranspose2d("t", 8, 64, 2, 2, 0, true);
        RandomGenerator rng = new SplittableRandom(3);
        checkUniform(t.weight().initialValue(rng).toDoubleArray(), 1 / Math.sqrt(256));
        double[] bias = new double[0];
        for (int i = 0; i < 100; i++) {
            bias = concat(bias, t.bias().initialValue(rng).toDoubleArray());
        }
        checkUniform(bias, 1 / Math.sqrt(256));
    }

    @Test
    void linearUsesInFeaturesAsFanIn() {
        Linear fc = new Linear("fc", 100, 300);
        RandomGenerator rng = new SplittableRandom(11);
        checkUniform(fc.weight().initialValue(rng).toDoubleArray(), 0.1);
        double[] bias = fc.bias().initialValue(rng).toDoubleArray();
        assertThat(java.util.Arrays.stream(bias).map(Math::abs).max().orElseThrow()).isLessThanOrEqualTo(0.1);
    }

    @Test
    void kaimingUniformGain() {
        // a = 0 (plain ReLU gain sqrt(2)): bound sqrt(6 / fan)
        HostTensor v = Init.kaimingUniform(0).initialize(Shape.of(200, 50), DType.FLOAT32, new SplittableRandom(5));
        checkUniform(v.toDoubleArray(), Math.sqrt(6.0 / 50));
        HostTensor d = Init.defaultWeight().initialize(Shape.of(200, 50), DType.FLOAT64, new SplittableRandom(5));
        assertThat(d.dtype()).isEqualTo(DType.FLOAT64);
        checkUniform(d.toDoubleArray(), 1 / Math.sqrt(50));
    }

    @Test
    void sameSeedSameValuesOtherSeedOtherValues() {
        var block = new TestModules.Bottleneck("b", 32, 16, 1, true, BatchNorm2d::new);
        MapParameterStore a = new MapParameterStore();
        MapParameterStore b = new MapParameterStore();
        MapParameterStore c = new MapParameterStore();
        block.declare(a, new SplittableRandom(42));
        block.declare(b, new SplittableRandom(42));
        block.declare(c, new SplittableRandom(43));
        assertThat(a.names()).containsExactlyElementsOf(block.shapes().keySet());
        for (String n : a.names()) {
            assertThat(a.get(n).bytes()).as(n).isEqualTo(b.get(n).bytes());
        }
        assertThat(a.get("b.conv2.weight").toFloatArray()).isNotEqualTo(c.get("b.conv2.weight").toFloatArray());
    }

    @Test
    void batchNormStartsAsIdentityWithBuffers() {
        MapParameterStore store = new MapParameterStore();
        new BatchNorm2d("bn", 3).declare(store, new SplittableRandom(0));
        assertThat(store.get("bn.weight").toFloatArray()).containsExactly(1, 1, 1);
        assertThat(store.get("bn.bias").toFloatArray()).containsExactly(0, 0, 0);
        assertThat(store.get("bn.running_mean").toFloatArray()).containsExactly(0, 0, 0);
        assertThat(store.get("bn.running_var").toFloatArray()).containsExactly(1, 1, 1);
        HostTensor tracked = store.get("bn.num_batches_tracked");
        assertThat(tracked.dtype()).isEqualTo(DType.INT64);
        assertThat(tracked.shape()).isEqualTo(Shape.scalar());
        assertThat(tracked.toLongArray()).containsExactly(0);
        assertThat(store.trainable("bn.weight")).isTrue();
        assertThat(store.trainable("bn.bias")).isTrue();
        assertThat(store.trainable("bn.running_mean")).isFalse();
        assertThat(store.trainable("bn.running_var")).isFalse();
        assertThat(store.trainable("bn.num_batches_tracked")).isFalse();
    }

    @Test
    void frozenBatchNormIsAllBuffers() {
        MapParameterStore store = new MapParameterStore();
        FrozenBatchNorm2d bn = new FrozenBatchNorm2d("bn", 2);
        assertThat(bn.eps()).isEqualTo(1e-5);
        bn.declare(store, new SplittableRandom(0));
        assertThat(store.names()).containsExactly("bn.weight", "bn.bias", "bn.running_mean", "bn.running_var");
        assertThat(store.names()).allSatisfy(n -> assertThat(store.trainable(n)).isFalse());
        assertThat(store.get("bn.weight").toFloatArray()).containsExactly(1, 1);
        assertThat(store.get("bn.running_var").toFloatArray()).containsExactly(1, 1);
    }

    @Test
    void declareCanFreezeParameters() {
        var block = new TestModules.Bottleneck("layer1.0", 64, 64, 1, false, BatchNorm2d::new);
        MapParameterStore store = new MapParameterStore();
        block.declare(store, new SplittableRandom(0), p -> p.name().startsWith("layer1."));
        assertThat(store.names()).isNotEmpty().allSatisfy(n -> assertThat(store.trainable(n)).isFalse());
        MapParameterStore open = new MapParameterStore();
        block.declare(open, new SplittableRandom(0));
        assertThat(open.trainable("layer1.0.conv1.weight")).isTrue();
        assertThat(open.trainable("layer1.0.bn1.running_mean")).isFalse();
    }

    @Test
    void initialiserMustMatchTheDeclaredShape() {
        Parameter p = new Parameter("x", Shape.of(2), DType.FLOAT32, true,
                (shape, dtype, rng) -> HostTensor.ofFloats(new float[3], 3));
        assertThatThrownBy(() -> p.initialValue(new SplittableRandom(0)))
                .hasMessageContaining("initialiser of x returned F32 [3], expected F32 [2]");
        assertThatThrownBy(() -> Init.uniform(-1)).hasMessageContaining("bound");
        assertThatThrownBy(() -> Init.zeros().initialize(Shape.of(1), DType.BOOL, new SplittableRandom(0)))
                .hasMessageContaining("BOOL");
    }

    /** Values within [-bound, bound], spread over it, with mean ~0 and variance ~bound^2 / 3. */
    private static void checkUniform(double[] v, double bound) {
        double limit = (float) bound * (1 + 1e-7);
        double sum = 0;
        double sumSq = 0;
        double maxAbs = 0;
        for (double x : v) {
            assertThat(Math.abs(x)).isLessThanOrEqualTo(limit);
            sum += x;
            sumSq += x * x;
            maxAbs = Math.max(maxAbs, Math.abs(x));
        }
        int n = v.length;
        double mean = sum / n;
        double variance = sumSq / n - mean * mean;
        double expectedVariance = bound * bound / 3;
        // mean of n uniforms has std bound / sqrt(3n); allow 5 sigma
        assertThat(mean).isCloseTo(0, within(5 * bound / Math.sqrt(3.0 * n)));
        assertThat(variance).isCloseTo(expectedVariance, within(expectedVariance * 10 / Math.sqrt(n)));
        assertThat(maxAbs).isGreaterThan(bound * (1 - 20.0 / n));
    }

    private static double[] concat(double[] a, double[] b) {
        double[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}

package org.maskrcnn4j.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.maskrcnn4j.testing.FixtureAssert.assertClose;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.maskrcnn4j.model.MaskRcnnConfig;
import org.maskrcnn4j.model.MaskRcnnModel;
import org.maskrcnn4j.model.NormKind;
import org.maskrcnn4j.model.ResNet;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.Tensor;

/**
 * Conformance: batch norms trained with batch statistics ({@link NormKind#BATCH_NORM_TRAINING}) get running
 * statistics from {@link MaskRcnnModel#calibrateBatchNorm}: for the stem's norm they equal the mean and
 * unbiased variance of the stem convolution's output worked out here on the host, several batches are
 * averaged, and models without such norms are left alone.
 */
public abstract class BatchNormTrainingConformance extends BackendTestBase {
    private static final int SIZE = 64;

    private MaskRcnnModel model(NormKind norm) {
        MaskRcnnConfig config = MaskRcnnConfig.builder().body(ResNet.Spec.narrow(8, 1, 1, 1, 1)).norm(norm)
                .numClasses(3).minSize(SIZE).maxSize(SIZE).fpnChannels(16).representationSize(32).maskLayers(16)
                .anchorSizes(16, 32, 64, 128, 192).build();
        return MaskRcnnModel.create(backend, config, 3);
    }

    private static HostTensor image(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[3 * SIZE * SIZE];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextDouble();
        }
        return HostTensor.ofFloats(v, 3, SIZE, SIZE);
    }

    private double[] get(String name) {
        return backend.parameters().get(name).toDoubleArray();
    }

    @Test
    void calibrationSetsTheStemStatisticsToThoseOfItsInput() {
        MaskRcnnModel m = model(NormKind.BATCH_NORM_TRAINING);
        assertThat(m.usesBatchStatistics()).isTrue();
        List<HostTensor> batch = List.of(image(1), image(2));
        m.calibrateBatchNorm(List.of(batch));

        // the stem convolution's output on the transformed batch, reduced on the host
        HostTensor conv = backend.compile((ops, in) -> {
            Tensor x = m.model().transform().batch(ops, List.of(in.get("a"), in.get("b"))).tensors();
            return Map.of("y", ops.conv2d(x, ops.parameter("backbone.body.conv1.weight"), null,
                    new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1}, 1));
        }).call(inputs("a", batch.get(0), "b", batch.get(1))).get("y");
        int n = (int) conv.shape().get(0);
        int c = (int) conv.shape().get(1);
        int hw = (int) (conv.shape().get(2) * conv.shape().get(3));
        double[] y = conv.toDoubleArray();
        double[] mean = new double[c];
        double[] var = new double[c];
        for (int ch = 0; ch < c; ch++) {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < hw; k++) {
                    sum += y[(i * c + ch) * hw + k];
                }
            }
            mean[ch] = sum / (n * hw);
            double sq = 0;
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < hw; k++) {
                    double d = y[(i * c + ch) * hw + k] - mean[ch];
                    sq += d * d;
                }
            }
            var[ch] = sq / (n * hw - 1);
        }
        assertClose("stem running_mean", get("backbone.body.bn1.running_mean"), mean, 1e-5, 1e-4);
        assertClose("stem running_var", get("backbone.body.bn1.running_var"), var, 1e-5, 1e-4);
        assertThat(java.util.Arrays.stream(var).min().orElseThrow()).as("smallest variance").isGreaterThan(1e-3);
    }

    @Test
    void calibrationAveragesTheBatches() {
        MaskRcnnModel m = model(NormKind.BATCH_NORM_TRAINING);
        String[] buffers = {"backbone.body.bn2.running_mean", "backbone.body.layer4.0.bn2.running_var"};
        double[][][] single = new double[2][][];
        for (int b = 0; b < 2; b++) {
            m.calibrateBatchNorm(List.of(List.of(image(10 + b))));
            single[b] = new double[][] {get(buffers[0]), get(buffers[1])};
        }
        m.calibrateBatchNorm(List.of(List.of(image(10)), List.of(image(11))));
        for (int k = 0; k < buffers.length; k++) {
            double[] expected = new double[single[0][k].length];
            for (int i = 0; i < expected.length; i++) {
                expected[i] = (single[0][k][i] + single[1][k][i]) / 2;
            }
            assertThat(single[0][k]).as("batches differ in %s", buffers[k]).isNotEqualTo(single[1][k]);
            assertClose("mean of two batches, " + buffers[k], get(buffers[k]), expected, 1e-5, 1e-4);
        }
    }

    @Test
    void modelsWithFixedStatisticsAreNotCalibrated() {
        MaskRcnnModel m = model(NormKind.BATCH_NORM);
        assertThat(m.usesBatchStatistics()).isFalse();
        double[] before = get("backbone.body.bn1.running_mean");
        m.calibrateBatchNorm(List.of(List.of(image(5))));
        assertThat(get("backbone.body.bn1.running_mean")).isEqualTo(before);
    }
}

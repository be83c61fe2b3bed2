package org.maskrcnn4j.backend.tf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.maskrcnn4j.tensor.BackendConfig;
import org.maskrcnn4j.tensor.Backends;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.Optimizer;
import org.maskrcnn4j.tensor.TrainStep;

/**
 * Optimizer state for checkpoints: a run interrupted after two steps and resumed in a fresh backend from
 * the parameters and {@link TrainStep#state()} makes the same third step as an uninterrupted run, whether
 * the state is loaded before the first step (buffers not yet created) or after one (buffers replaced).
 */
class TfTrainStepStateTest {
    private static final Optimizer.Sgd SGD = new Optimizer.Sgd(0.9, 1e-4);

    private static TfBackend open() {
        TfBackend b = (TfBackend) Backends.provider(TfBackendProvider.NAME).create(BackendConfig.defaults());
        SplittableRandom rnd = new SplittableRandom(3);
        var store = b.parameters();
        store.declare("small.conv1.weight", TfBackendTest.uniform(rnd, 1 / 3.0, 8, 1, 3, 3), true);
        store.declare("small.conv1.bias", TfBackendTest.uniform(rnd, 0.1, 8), true);
        store.declare("small.conv2.weight", TfBackendTest.uniform(rnd, 1 / Math.sqrt(72), 16, 8, 3, 3), true);
        store.declare("small.conv2.bias", TfBackendTest.uniform(rnd, 0.1, 16), true);
        store.declare("small.fc.weight", TfBackendTest.uniform(rnd, 0.25, 3, 16), true);
        store.declare("small.fc.bias", TfBackendTest.uniform(rnd, 0.1, 3), false);
        return b;
    }

    private static void step(TrainStep s, int i) {
        s.run(TfBackendTest.stripes(new SplittableRandom(i), 8), 0.2);
    }

    @Test
    void resumedStepEqualsTheUninterruptedOne() {
        Map<String, HostTensor> straight;
        try (TfBackend b = open()) {
            TrainStep s = b.trainStep(TfBackendTest::smallNetLoss, SGD);
            assertThat(s.state()).as("no state before the first step").isEmpty();
            for (int i = 0; i < 3; i++) {
                step(s, i);
            }
            straight = b.parameters().snapshot();
        }
        Map<String, HostTensor> params;
        Map<String, HostTensor> state;
        try (TfBackend b = open()) {
            TrainStep s = b.trainStep(TfBackendTest::smallNetLoss, SGD);
            step(s, 0);
            step(s, 1);
            params = b.parameters().snapshot();
            state = s.state();
        }
        assertThat(state.keySet()).as("trainable parameters only, named as on DJL").containsExactlyInAnyOrder(
                "momentum_buffer/small.conv1.weight", "momentum_buffer/small.conv1.bias",
                "momentum_buffer/small.conv2.weight", "momentum_buffer/small.conv2.bias",
                "momentum_buffer/small.fc.weight");
        assertThat(state.get("momentum_buffer/small.fc.weight").toDoubleArray()).isNotEqualTo(new double[3 * 16]);

        try (TfBackend b = open()) {
            params.forEach(b.parameters()::set);
            TrainStep s = b.trainStep(TfBackendTest::smallNetLoss, SGD);
            s.loadState(state); // before the first step: kept until the buffers exist
            assertThat(s.state().keySet()).isEqualTo(state.keySet());
            step(s, 2);
            assertSameValues(b.parameters().snapshot(), straight);

            params.forEach(b.parameters()::set);
            s.loadState(state); // after a step: replaces the buffers
            step(s, 2);
            assertSameValues(b.parameters().snapshot(), straight);

            assertThatThrownBy(() -> s.loadState(Map.of("velocity/small.fc.weight", state.get(
                    "momentum_buffer/small.fc.weight")))).hasMessageContaining("optimizer state 'velocity/").hasMessageContaining("momentum_buffer/<parameter>");
            assertThatThrownBy(() -> s.loadState(Map.of("momentum_buffer/small.fc.weight",
                    HostTensor.ofFloats(new float[3], 3)))).hasMessageContaining("[3]").hasMessageContaining("[3, 16]");
        }
    }

    private static void assertSameValues(Map<String, HostTensor> actual, Map<String, HostTensor> expected) {
        assertThat(actual.keySet()).isEqualTo(expected.keySet());
        for (String name : expected.keySet()) {
            double[] a = actual.get(name).toDoubleArray();
            double[] e = expected.get(name).toDoubleArray();
            for (int i = 0; i < e.length; i++) {
                assertThat(a[i]).as("%s[%d]", name, i).isCloseTo(e[i], org.assertj.core.data.Offset.offset(1e-6));
            }
        }
    }
}

package org.maskrcnn4j.io;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.testing.Fixtures;

/** The weight formula reproduces torchvision's fixture weights bit for bit. */
class FormulaWeightsTest {

    @Test
    void maskPredictorWeightsAreBitIdenticalToTheFixture() {
        SafetensorsFile f = Fixtures.open("mask_predictor_state.safetensors");
        for (String name : f.names()) {
            HostTensor expected = f.get(name);
            HostTensor actual = FormulaWeights.fixtures().value(name, expected.shape());
            assertThat(actual.toFloatArray()).as(name).containsExactly(expected.toFloatArray());
        }
        assertThat(f.names()).hasSize(4);
    }

    @Test
    void firstValuesOfBatchNormAndConvEntriesMatchTheFixture() {
        SafetensorsFile f = Fixtures.open("full_model.safetensors");
        String[] names = org.maskrcnn4j.testing.FixtureNames.stateDictNames(f);
        float[] first4 = f.get("weights.first4").toFloatArray();
        int checked = 0;
        for (int t = 0; t < names.length; t++) {
            String n = names[t];
            org.maskrcnn4j.tensor.Shape shape = switch (n) {
                case "backbone.body.conv1.weight" -> org.maskrcnn4j.tensor.Shape.of(64, 3, 7, 7);
                case "backbone.body.bn1.weight", "backbone.body.bn1.bias", "backbone.body.bn1.running_mean",
                        "backbone.body.bn1.running_var" -> org.maskrcnn4j.tensor.Shape.of(64);
                default -> null;
            };
            if (shape == null) {
                continue;
            }
            float[] v = FormulaWeights.fixtures().value(n, shape).toFloatArray();
            for (int i = 0; i < 4; i++) {
                assertThat(v[i]).as("%s[%d]", n, i).isEqualTo(first4[t * 4 + i]);
            }
            checked++;
        }
        assertThat(checked).isEqualTo(5);
    }

    @Test
    void uniformIsInMinusOneToOne() {
        for (int i = 0; i < 10_000; i++) {
            double r = FormulaWeights.uniform(12345, i);
            assertThat(r).isGreaterThanOrEqualTo(-1).isLessThan(1);
        }
    }
}

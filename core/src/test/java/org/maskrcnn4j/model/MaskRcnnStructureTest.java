package org.maskrcnn4j.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.maskrcnn4j.io.FormulaWeights;
import org.maskrcnn4j.io.SafetensorsFile;
import org.maskrcnn4j.nn.Parameter;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.Shape;
import org.maskrcnn4j.testing.FixtureNames;
import org.maskrcnn4j.testing.Fixtures;

/**
 * The default model has exactly torchvision's state_dict keys, in order, with shapes that make the
 * weight formula reproduce torchvision's per-entry sums and first values.
 */
class MaskRcnnStructureTest {

    @Test
    void parameterNamesAndOrderEqualTorchvisionStateDict() {
        MaskRcnn model = new MaskRcnnFactory(MaskRcnnConfig.torchvision()).build();
        SafetensorsFile f = Fixtures.open("full_model.safetensors");
        List<String> names = model.parameters().stream().map(Parameter::name).toList();
        assertThat(names).containsExactly(FixtureNames.stateDictNames(f));
    }

    @Test
    void formulaWeightsReproduceTorchvisionSumsAndFirstValues() {
        MaskRcnn model = new MaskRcnnFactory(MaskRcnnConfig.torchvision()).build();
        SafetensorsFile f = Fixtures.open("full_model.safetensors");
        double[] sums = f.get("weights.sum").toDoubleArray();
        float[] first4 = f.get("weights.first4").toFloatArray();
        List<Parameter> params = model.parameters();
        for (int t = 0; t < params.size(); t++) {
            Parameter p = params.get(t);
            HostTensor v = FormulaWeights.fixtures().value(p.name(), p.shape());
            double sum = 0;
            for (int i = 0; i < v.size(); i++) {
                sum += v.getDouble(i);
            }
            // torchvision summed in another order: equal to double rounding, not bit for bit
            assertThat(sum).as("sum of %s %s", p.name(), p.shape()).isCloseTo(sums[t], org.assertj.core.data.Offset.offset(1e-9));
            for (int i = 0; i < Math.min(4, v.size()); i++) {
                assertThat((float) v.getDouble(i)).as("%s[%d]", p.name(), i).isEqualTo(first4[t * 4 + i]);
            }
        }
    }

    @Test
    void maskPredictorShapesMatchTheSavedState() {
        MaskRcnn model = new MaskRcnnFactory(MaskRcnnConfig.torchvision()).build();
        SafetensorsFile f = Fixtures.open("mask_predictor_state.safetensors");
        Map<String, Shape> shapes = new java.util.LinkedHashMap<>();
        for (Parameter p : model.parameters()) {
            if (p.name().startsWith("roi_heads.mask_predictor.")) {
                shapes.put(p.name(), p.shape());
            }
        }
        assertThat(shapes.keySet()).containsExactlyElementsOf(f.names());
        for (String n : f.names()) {
            assertThat(shapes.get(n)).as(n).isEqualTo(f.get(n).shape());
        }
    }

    @Test
    void smallConfigurationIsOneLine() {
        MaskRcnn small = new MaskRcnnFactory(MaskRcnnConfig.builder().depth(18).numClasses(4).minSize(256).maxSize(320).build()).build();
        assertThat(small.parameters()).extracting(Parameter::name).contains("backbone.body.layer1.1.conv2.weight",
                "roi_heads.box_predictor.cls_score.weight");
        assertThat(small.parameters().stream().filter(p -> p.name().equals("roi_heads.box_predictor.cls_score.weight"))
                .findFirst().orElseThrow().shape()).isEqualTo(Shape.of(4, 1024));
    }
}

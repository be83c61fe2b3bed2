package org.maskrcnn4j.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskrcnn4j.io.FormulaWeights;
import org.maskrcnn4j.io.SafetensorsFile;
import org.maskrcnn4j.model.MaskRcnnConfig;
import org.maskrcnn4j.model.MaskRcnnModel;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.Shape;
import org.maskrcnn4j.testing.Fixtures;

/**
 * Conformance: weights move in and out of a backend by torchvision name. torchvision's saved mask
 * predictor loads into the model's mask predictor, a saved model reloads bit for bit, and a strict load
 * of a partial file names every missing key; a load that reads a tensor at a time checks every shape before
 * it reads one, then reads each once.
 */
public abstract class ModelWeightsConformance extends BackendTestBase {
    @TempDir
    Path dir;

    @Test
    void torchvisionMaskPredictorLoadsByNameAndSavesBack() throws Exception {
        MaskRcnnModel model = MaskRcnnModel.create(backend, MaskRcnnConfig.torchvision(), 1);
        Path file = Fixtures.file("mask_predictor_state.safetensors");
        model.loadWeights(file, false);
        SafetensorsFile expected = Fixtures.open("mask_predictor_state.safetensors");
        for (String name : expected.names()) {
            assertThat(backend.parameters().get(name).toFloatArray()).as(name)
                    .containsExactly(expected.get(name).toFloatArray());
        }
        assertThatThrownBy(() -> model.loadWeights(file, true)).hasMessageContaining("missing")
                .hasMessageContaining("backbone.body.conv1.weight");

        Path saved = dir.resolve("model.safetensors");
        model.saveWeights(saved);
        try (SafetensorsFile f = SafetensorsFile.open(saved)) {
            assertThat(f.names()).containsExactlyElementsOf(model.shapes().keySet());
            assertThat(f.get("roi_heads.mask_predictor.conv5_mask.weight").toFloatArray())
                    .containsExactly(expected.get("roi_heads.mask_predictor.conv5_mask.weight").toFloatArray());
            assertThat(f.get("backbone.body.conv1.weight").toFloatArray())
                    .containsExactly(backend.parameters().get("backbone.body.conv1.weight").toFloatArray());
        }
    }

    @Test
    void streamedLoadChecksEveryShapeBeforeReadingAndReadsEachTensorOnce() {
        MaskRcnnModel model = MaskRcnnModel.create(backend, MaskRcnnConfig.torchvision(), 1);
        FormulaWeights formula = FormulaWeights.fixtures();
        List<String> reads = new ArrayList<>();
        Function<String, HostTensor> read = name -> {
            reads.add(name);
            return formula.value(name, model.shapes().get(name));
        };
        String conv = "backbone.body.conv1.weight";
        Map<String, Shape> available = new LinkedHashMap<>(model.shapes());
        available.put(conv, Shape.of(64, 3, 7));
        assertThatThrownBy(() -> model.loadWeights(available, read, "formula", true))
                .hasMessageContaining("wrong shape").hasMessageContaining(conv);
        assertThat(reads).isEmpty();

        available.put(conv, model.shapes().get(conv));
        model.loadWeights(available, read, "formula", true);
        assertThat(reads).containsExactlyElementsOf(model.shapes().keySet());
        assertThat(backend.parameters().get(conv).toFloatArray())
                .containsExactly(formula.value(conv, model.shapes().get(conv)).toFloatArray());
    }
}

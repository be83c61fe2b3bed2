package org.maskrcnn4j.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.maskrcnn4j.examples.shapes.ShapesDataset;
import org.maskrcnn4j.model.MaskRcnnModel;
import org.maskrcnn4j.tensor.Backend;
import org.maskrcnn4j.tensor.BackendConfig;
import org.maskrcnn4j.tensor.Backends;
import org.maskrcnn4j.train.LearningRateSchedule;
import org.maskrcnn4j.train.StepResult;
import org.maskrcnn4j.train.Trainer;
import org.maskrcnn4j.train.TrainingExample;

/**
 * {@code --deterministic}: two training runs with the same seed give bit-identical losses. On DJL only: the
 * same check on TensorFlow passes but takes over two minutes with one thread (tracing the training graph).
 */
class DeterministicTrainingTest {

    /** Three steps on one image (one input signature, so TensorFlow traces its step once per run). */
    private static List<Map<String, Double>> train(String backend) throws Exception {
        List<TrainingExample> data = new ArrayList<>();
        for (ShapesDataset.Sample s : new ShapesDataset(5, ShapesDataset.Config.defaults().withSize(96, 96)).samples(1)) {
            data.add(new TrainingExample(s.imageTensor(), s.boxesTensor(), s.labelsTensor(), s.masksTensor()));
        }
        Trainer.Settings settings = new Trainer.Settings(3, 1, LearningRateSchedule.steps(1e-3, 0, 1, new int[0], 1), 0,
                1e-4, 0, 3, Trainer.OptimizerKind.ADAMW, 0, 1);
        List<Map<String, Double>> losses = new ArrayList<>();
        try (Backend b = Backends.provider(backend).create(BackendConfig.deterministic())) {
            MaskRcnnModel model = MaskRcnnModel.create(b, Demo.modelConfig(96, ShapesDataset.categories().size() + 1), 4);
            new Trainer(model, data, settings, Demo::noWeightDecay, null).horizontalFlip(0.5)
                    .listen((StepResult r) -> losses.add(r.losses())).run();
        }
        return losses;
    }

    @ParameterizedTest
    @ValueSource(strings = {"djl"})
    void sameSeedSameLossesToTheBit(String backend) throws Exception {
        List<Map<String, Double>> first = train(backend);
        List<Map<String, Double>> second = train(backend);
        assertThat(first).hasSize(3);
        assertThat(first.get(0)).containsKeys("loss_classifier", "loss_mask");
        // the model learns between steps, so equal lists mean every step repeated exactly
        assertThat(first.get(2)).isNotEqualTo(first.get(0));
        assertThat(second).isEqualTo(first);
    }
}

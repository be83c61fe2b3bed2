package org.maskrcnn4j.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskrcnn4j.examples.shapes.ShapesDataset;
import org.maskrcnn4j.io.SafetensorsFile;
import org.maskrcnn4j.model.MaskRcnnConfig;
import org.maskrcnn4j.model.MaskRcnnModel;
import org.maskrcnn4j.model.NormKind;
import org.maskrcnn4j.tensor.Backend;
import org.maskrcnn4j.tensor.Backends;
import org.maskrcnn4j.train.Checkpoint;
import org.maskrcnn4j.train.LearningRateSchedule;
import org.maskrcnn4j.train.StepResult;
import org.maskrcnn4j.train.Trainer;
import org.maskrcnn4j.train.TrainingDivergedException;
import org.maskrcnn4j.train.TrainingExample;

/**
 * Checkpoint and resume: a run stopped after a checkpoint and resumed in a fresh backend produces the
 * same losses, step for step, as a run that was never interrupted; a diverging run stops with a message
 * naming the step and the losses.
 */
class TrainerResumeTest {
    @TempDir
    Path dir;

    private static final MaskRcnnConfig CONFIG = Demo.modelConfig(96, ShapesDataset.categories().size() + 1);

    private static List<TrainingExample> data() {
        List<TrainingExample> out = new ArrayList<>();
        for (ShapesDataset.Sample s : new ShapesDataset(21, ShapesDataset.Config.defaults().withSize(96, 96)).samples(3)) {
            out.add(new TrainingExample(s.imageTensor(), s.boxesTensor(), s.labelsTensor(), s.masksTensor()));
        }
        return out;
    }

    /** Two landscape and three portrait images. */
    private static List<TrainingExample> mixedData() {
        List<TrainingExample> out = new ArrayList<>();
        for (int[] wh : new int[][] {{96, 64}, {64, 96}}) {
            for (ShapesDataset.Sample s : new ShapesDataset(wh[0], ShapesDataset.Config.defaults().withSize(wh[0], wh[1]))
                    .samples(wh[0] > wh[1] ? 2 : 3)) {
                out.add(new TrainingExample(s.imageTensor(), s.boxesTensor(), s.labelsTensor(), s.masksTensor()));
            }
        }
        return out;
    }

    private static Trainer.Settings settings(int steps) {
        return new Trainer.Settings(steps, 2, LearningRateSchedule.steps(0.01, 2, 0.1, new int[] {3}, 0.5), 0.9, 1e-4, 2, 5);
    }

    /** AdamW with clipping that triggers early on and 2 micro-batches per step. */
    private static Trainer.Settings adamWSettings(int steps) {
        return new Trainer.Settings(steps, 1, LearningRateSchedule.steps(1e-3, 1, 0.1, new int[0], 1), 0, 0.01, 2, 5,
                Trainer.OptimizerKind.ADAMW, 1.0, 2);
    }

    private static List<Map<String, Double>> train(Path out, int steps, boolean resume) throws Exception {
        return train(out, settings(steps), resume);
    }

    private static List<Map<String, Double>> train(Path out, Trainer.Settings settings, boolean resume) throws Exception {
        return train(out, settings, resume, data(), false);
    }

    private static List<Map<String, Double>> train(Path out, Trainer.Settings settings, boolean resume,
            List<TrainingExample> data, boolean grouped) throws Exception {
        return train(out, settings, resume, data, grouped, CONFIG);
    }

    private static List<Map<String, Double>> train(Path out, Trainer.Settings settings, boolean resume,
            List<TrainingExample> data, boolean grouped, MaskRcnnConfig config) throws Exception {
        List<Map<String, Double>> losses = new ArrayList<>();
        try (Backend b = Backends.get()) {
            MaskRcnnModel model = MaskRcnnModel.create(b, config, 9);
            Trainer t = new Trainer(model, data, settings, name -> false, out).aspectRatioGrouping(grouped)
                    .workers(grouped ? 2 : 0).listen((StepResult r) -> losses.add(r.losses()));
            if (resume) {
                t.resume(out);
            } else {
                t.run();
            }
        }
        return losses;
    }

    @Test
    void resumedRunRepeatsTheUninterruptedLosses() throws Exception {
        List<Map<String, Double>> straight = train(dir.resolve("straight"), 4, false);
        Path interrupted = dir.resolve("interrupted");
        train(interrupted, 2, false); // stops after step 2 with a checkpoint
        assertThat(Checkpoint.locate(interrupted)).isEqualTo(interrupted.resolve("step-2"));
        List<Map<String, Double>> resumed = train(interrupted, 4, true);
        assertThat(resumed).hasSize(2);
        assertThat(resumed.get(0)).isEqualTo(straight.get(2));
        assertThat(resumed.get(1)).isEqualTo(straight.get(3));
    }

    @Test
    void resumedRunWithAspectRatioGroupingAndLoaderThreadsRepeatsTheUninterruptedLosses() throws Exception {
        List<Map<String, Double>> straight = train(dir.resolve("straight"), settings(3), false, mixedData(), true);
        Path interrupted = dir.resolve("interrupted");
        train(interrupted, settings(2), false, mixedData(), true);
        List<Map<String, Double>> resumed = train(interrupted, settings(3), true, mixedData(), true);
        assertThat(resumed).hasSize(1);
        assertThat(resumed.get(0)).isEqualTo(straight.get(2));
    }

    @Test
    void resumedAdamWRunWithClippingAndAccumulationRepeatsTheUninterruptedLosses() throws Exception {
        List<Map<String, Double>> straight = train(dir.resolve("straight"), adamWSettings(2), false);
        Path interrupted = dir.resolve("interrupted");
        train(interrupted, adamWSettings(1), false);
        try (SafetensorsFile f = SafetensorsFile.open(Checkpoint.locate(interrupted).resolve("optimizer.safetensors"))) {
            assertThat(f.readAll().keySet()).anyMatch(k -> k.startsWith("exp_avg/")).anyMatch(k -> k.startsWith("step/"));
        }
        List<Map<String, Double>> resumed = train(interrupted, adamWSettings(2), true);
        assertThat(resumed).hasSize(1);
        assertThat(resumed.get(0)).isEqualTo(straight.get(1));
    }

    @Test
    void resumedRunWithTrainedBatchNormRepeatsTheUninterruptedLosses() throws Exception {
        // the running statistics are calibrated before each checkpoint; training steps do not read them
        MaskRcnnConfig bn = Demo.modelConfig(96, ShapesDataset.categories().size() + 1, NormKind.BATCH_NORM_TRAINING);
        List<Map<String, Double>> straight = train(dir.resolve("straight"), settings(3), false, data(), false, bn);
        Path interrupted = dir.resolve("interrupted");
        train(interrupted, settings(2), false, data(), false, bn);
        try (SafetensorsFile f = SafetensorsFile.open(Checkpoint.locate(interrupted).resolve("weights.safetensors"))) {
            assertThat(f.readAll().get("backbone.body.bn1.running_var").toDoubleArray()).as("calibrated")
                    .doesNotContain(1.0);
        }
        List<Map<String, Double>> resumed = train(interrupted, settings(3), true, data(), false, bn);
        assertThat(resumed).hasSize(1);
        assertThat(resumed.get(0)).isEqualTo(straight.get(2));
    }

    @Test
    void resumeRefusesOtherBatchesAndNamesTheSettings() throws Exception {
        Path out = dir.resolve("run");
        train(out, settings(1), false);
        Trainer.Settings other = new Trainer.Settings(2, 1, LearningRateSchedule.steps(0.01, 2, 0.1, new int[] {3}, 0.5),
                0.9, 1e-4, 2, 6);
        assertThatThrownBy(() -> train(out, other, true))
                .hasMessageContaining("was written for another training (batches and optimizer): ")
                .hasMessageContaining("settings.seed is 5 in the checkpoint but 6 requested")
                .hasMessageContaining("settings.batchSize is 2 in the checkpoint but 1 requested");
    }

    @Test
    void aCheckpointIsCompleteOrAbsent() throws Exception {
        Path out = dir.resolve("run");
        train(out, 2, false);
        Path folder = Checkpoint.locate(out);
        assertThat(folder.resolve("weights.safetensors")).isRegularFile();
        assertThat(folder.resolve("optimizer.safetensors")).isRegularFile();
        assertThat(folder.resolve("checkpoint.json")).isRegularFile();
        try (var files = Files.list(folder)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
        assertThatThrownBy(() -> Checkpoint.locate(dir.resolve("nothing-here"))).hasMessageContaining("is not a checkpoint");
    }

    @Test
    void theSidecarRecordsTheModelConfigAndTheTrainingSettings() throws Exception {
        Path out = dir.resolve("run");
        train(out, 2, false);
        MaskRcnnConfig recorded = Checkpoint.config(out).orElseThrow();
        assertThat(recorded).usingRecursiveComparison().isEqualTo(CONFIG);
        assertThat(recorded.anchorSizes()).containsExactly(CONFIG.anchorSizes());
        assertThat(recorded.imageMean()).containsExactly(CONFIG.imageMean());
        assertThat(recorded.body().blocks()).containsExactly(CONFIG.body().blocks());
        assertThat(Files.readString(Checkpoint.locate(out).resolve("checkpoint.json")))
                .contains("\"training\"").contains("\"batchSize\" : 2").contains("\"milestones\" : [ 3 ]")
                .contains("\"aspectRatioGrouping\" : false");
    }

    @Test
    void resumingWithAnotherModelConfigIsRefusedNamingBothValues() throws Exception {
        Path out = dir.resolve("run");
        train(out, 2, false);
        MaskRcnnConfig other = CONFIG.toBuilder().fpnChannels(32).build();
        try (Backend b = Backends.get()) {
            MaskRcnnModel model = MaskRcnnModel.create(b, other, 9);
            Trainer t = new Trainer(model, data(), settings(4), name -> false, out);
            assertThatThrownBy(() -> t.resume(out)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(Checkpoint.locate(out).resolve("checkpoint.json") + " was written for another model "
                            + "configuration: fpnChannels is 64 in the checkpoint but 32 requested");
        }
    }

    @Test
    void aSidecarWithoutConfigStillResumesExactly() throws Exception {
        List<Map<String, Double>> straight = train(dir.resolve("straight"), 3, false);
        Path interrupted = dir.resolve("interrupted");
        train(interrupted, 2, false);
        // the sidecar as it was written before the configuration was recorded
        Files.writeString(Checkpoint.locate(interrupted).resolve("checkpoint.json"),
                "{\"next_step\":2,\"weights\":\"weights.safetensors\",\"optimizer\":\"optimizer.safetensors\"}");
        assertThat(Checkpoint.config(interrupted)).isEmpty();
        List<Map<String, Double>> resumed = train(interrupted, 3, true);
        assertThat(resumed).containsExactly(straight.get(2));
    }

    @Test
    void divergenceStopsWithTheStepAndTheLosses() {
        Trainer.Settings hot = new Trainer.Settings(3, 2, LearningRateSchedule.steps(1e6, 0, 1, new int[0], 1), 0.9, 0, 0, 5);
        assertThatThrownBy(() -> {
            try (Backend b = Backends.get()) {
                new Trainer(MaskRcnnModel.create(b, CONFIG, 9), data(), hot, name -> false, null).run();
            }
        }).isInstanceOf(TrainingDivergedException.class).hasMessageContaining("training diverged at step")
                .hasMessageMatching("(?s).*loss_\\w+=(NaN|Infinity|-Infinity).*");
    }
}

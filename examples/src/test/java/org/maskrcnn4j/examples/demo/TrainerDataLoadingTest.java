package org.maskrcnn4j.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskrcnn4j.examples.pipeline.CocoTrainingData;
import org.maskrcnn4j.examples.shapes.ShapesDataset;
import org.maskrcnn4j.model.MaskRcnnModel;
import org.maskrcnn4j.tensor.Backend;
import org.maskrcnn4j.tensor.Backends;
import org.maskrcnn4j.train.LearningRateSchedule;
import org.maskrcnn4j.train.StepResult;
import org.maskrcnn4j.train.Trainer;
import org.maskrcnn4j.train.TrainingData;

/**
 * The trainer's loader threads: the same losses as loading on the training thread, a corrupt image stops
 * training with a message naming the file, and the threads are gone when training ends or fails.
 */
class TrainerDataLoadingTest {
    @TempDir
    Path dir;

    private static final Trainer.Settings SETTINGS = new Trainer.Settings(2, 2,
            LearningRateSchedule.steps(1e-3, 0, 1, new int[0], 1), 0.9, 1e-4, 0, 5);

    private static List<Map<String, Double>> train(TrainingData data, int workers) throws IOException {
        List<Map<String, Double>> losses = new ArrayList<>();
        try (Backend b = Backends.get()) {
            MaskRcnnModel model = MaskRcnnModel.create(b, Demo.modelConfig(64, ShapesDataset.categories().size() + 1), 9);
            new Trainer(model, data, SETTINGS, name -> false, null).aspectRatioGrouping(true).horizontalFlip(0.5)
                    .workers(workers).listen((StepResult r) -> losses.add(r.losses())).run();
        }
        return losses;
    }

    private static List<String> loaderThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("maskrcnn4j-loader-")).toList();
    }

    @Test
    void loaderThreadsGiveTheLossesOfTheTrainingThreadAndStopAtTheEnd() throws IOException {
        new ShapesDataset(4, ShapesDataset.Config.defaults().withSize(64, 48)).write(dir, 5);
        CocoTrainingData data = CocoTrainingData.open(dir);
        List<Map<String, Double>> sequential = train(data, 0);
        assertThat(sequential).hasSize(2);
        assertThat(train(data, 3)).isEqualTo(sequential);
        assertThat(loaderThreads()).isEmpty();
    }

    @Test
    void aCorruptImageStopsTrainingNamingTheFileAndTheLoadersStop() throws IOException {
        new ShapesDataset(4, ShapesDataset.Config.defaults().withSize(64, 48)).write(dir, 3);
        CocoTrainingData data = CocoTrainingData.open(dir);
        Files.writeString(data.file(1), "truncated"); // 2 steps of 2 visit all 3 images
        assertThatThrownBy(() -> train(data, 2)).isInstanceOf(IOException.class)
                .hasMessageContaining(data.file(1).toString());
        assertThat(loaderThreads()).isEmpty();
    }
}

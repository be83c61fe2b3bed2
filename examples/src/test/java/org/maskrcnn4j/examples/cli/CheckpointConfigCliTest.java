package org.maskrcnn4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskrcnn4j.examples.demo.Demo;
import org.maskrcnn4j.examples.shapes.ShapesDataset;
import org.maskrcnn4j.model.MaskRcnnConfig;
import org.maskrcnn4j.model.MaskRcnnModel;
import org.maskrcnn4j.tensor.Backend;
import org.maskrcnn4j.tensor.Backends;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.train.Checkpoint;
import org.maskrcnn4j.train.LearningRateSchedule;
import org.maskrcnn4j.train.Trainer;
import org.maskrcnn4j.train.TrainingData;
import org.maskrcnn4j.train.TrainingExample;

/**
 * The configuration recorded in a checkpoint: predict and train --resume use it when --config is not given,
 * an explicit --config wins for predict, and train --resume refuses a different one naming both values.
 */
class CheckpointConfigCliTest {
    @TempDir
    Path dir;

    private final CliRun cli = new CliRun();

    /** Not a preset: 3 classes at 64 pixels (the shapes preset has 5 classes at 192). */
    private static final MaskRcnnConfig CONFIG = Demo.modelConfig(64, 3);

    private final ShapesDataset shapes = new ShapesDataset(8, ShapesDataset.Config.defaults().withSize(64, 64).withShapes(1, 1));

    @BeforeEach
    void trainOneStep() throws Exception {
        shapes.write(dir.resolve("data"), 2);
        try (Backend b = Backends.get()) {
            List<TrainingExample> examples = shapes.samples(2).stream().map(s -> new TrainingExample(s.imageTensor(),
                    s.boxesTensor(), ones(s.instances().size()), s.masksTensor())).toList();
            new Trainer(MaskRcnnModel.create(b, CONFIG, 1), TrainingData.of(examples),
                    new Trainer.Settings(1, 1, LearningRateSchedule.steps(1e-3, 0, 1, new int[0], 1), 0.9, 0, 1, 1),
                    name -> false, dir.resolve("out").resolve("checkpoints")).run();
        }
    }

    /** Every object as class 1. */
    private static HostTensor ones(int n) {
        long[] labels = new long[n];
        java.util.Arrays.fill(labels, 1);
        return HostTensor.ofLongs(labels, n);
    }

    @Test
    void predictUsesTheRecordedConfigUnlessConfigIsGiven() {
        String checkpoint = dir.resolve("out").resolve("checkpoints").toString();
        String image = dir.resolve("data").resolve("images").resolve(ShapesDataset.fileName(0)).toString();
        assertThat(cli.run("predict", "--weights", checkpoint, "--out", dir.resolve("pred").toString(), image))
                .as(cli.err()).isEqualTo(0);
        assertThat(dir.resolve("pred").resolve("results.json")).isRegularFile();
        assertThat(cli.run("predict", "--config", "shapes", "--weights", checkpoint, "--out", dir.resolve("p2").toString(),
                image)).isEqualTo(1);
        assertThat(cli.err()).contains("does not match the model: wrong shape").doesNotContain("\tat ");
    }

    @Test
    void resumeWithAnotherConfigIsRefusedNamingBothValues() {
        assertThat(cli.run("train", "--data", dir.resolve("data").toString(), "--out", dir.resolve("out").toString(),
                "--resume", "--steps", "2", "--config", "shapes", "--workers", "1")).isEqualTo(1);
        assertThat(cli.err()).contains("was written for another model configuration: numClasses is 3 in the checkpoint "
                + "but 5 requested").doesNotContain("\tat ");
    }

    @Test
    void trainDecodesOnWorkersAndResumesWithTheRecordedConfig() throws Exception {
        String data = dir.resolve("data").toString();
        String out = dir.resolve("cli").toString();
        assertThat(cli.run("train", "--data", data, "--out", out, "--steps", "1", "--batch-size", "1", "--warmup", "0",
                "--workers", "2")).as(cli.err()).isEqualTo(0);
        Path checkpoint = Checkpoint.locate(dir.resolve("cli").resolve("checkpoints"));
        assertThat(Files.readString(checkpoint.resolve("checkpoint.json"))).contains("\"aspectRatioGrouping\" : true")
                .contains("\"numClasses\" : 5");
        // no --config: the recorded one (shapes) is used
        assertThat(cli.run("train", "--data", data, "--out", out, "--steps", "2", "--batch-size", "1", "--warmup", "0",
                "--resume")).as(cli.err()).isEqualTo(0);
        assertThat(Checkpoint.locate(dir.resolve("cli").resolve("checkpoints"))).endsWith(Path.of("step-2"));
    }

    @Test
    void helpSaysWhereTheConfigComesFrom() {
        assertThat(cli.run("eval", "--help")).isEqualTo(0);
        assertThat(cli.out().replaceAll("\\s+", " "))
                .contains("Default: the configuration recorded in the checkpoint folder given as --weights");
        assertThat(cli.run("train", "--help")).isEqualTo(0);
        assertThat(cli.out().replaceAll("\\s+", " ")).contains("--[no-]aspect-grouping").contains("--workers=<workers>")
                .contains("with the model configuration it records unless --config is given");
    }
}

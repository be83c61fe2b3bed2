package org.maskrcnn4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad arguments get a one-line message naming what is wrong, an exit code, and never a stack trace. */
class CliArgumentsTest {
    @TempDir
    Path dir;

    private final CliRun cli = new CliRun();

    private void assertNoStackTrace() {
        assertThat(cli.err()).doesNotContain("\tat ").doesNotContain("Exception");
    }

    @Test
    void trainWithoutDataIsAUsageError() {
        assertThat(cli.run("train")).isEqualTo(2);
        assertThat(cli.err()).contains("Missing required option: '--data=<data>'");
        assertNoStackTrace();
    }

    @Test
    void predictOfAMissingFileNamesIt() {
        assertThat(cli.run("predict", "--weights", dir.resolve("w.safetensors").toString(), dir.resolve("nope.png").toString()))
                .isEqualTo(1);
        assertThat(cli.err()).contains("error: input " + dir.resolve("nope.png") + " does not exist");
        assertNoStackTrace();
    }

    @Test
    void unknownConfigListsTheChoices() throws Exception {
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        Files.writeString(data.resolve("instances.json"), "{\"images\": [], \"annotations\": [], \"categories\": []}");
        assertThat(cli.run("eval", "--data", data.toString(), "--config", "nope", "--weights", "w.safetensors")).isEqualTo(1);
        assertThat(cli.err()).contains("unknown --config 'nope'; choose one of [shapes, torchvision]");
        assertNoStackTrace();
    }

    @Test
    void convertOfAMissingFileNamesIt() {
        assertThat(cli.run("convert", dir.resolve("missing.pth").toString(), dir.resolve("out.safetensors").toString())).isEqualTo(1);
        assertThat(cli.err()).contains("input file " + dir.resolve("missing.pth") + " does not exist");
        assertNoStackTrace();
    }

    @Test
    void convertOfANonCheckpointSaysSo() throws Exception {
        Path junk = dir.resolve("junk.pth");
        Files.writeString(junk, "not a checkpoint at all");
        assertThat(cli.run("convert", junk.toString(), dir.resolve("out.safetensors").toString())).isEqualTo(1);
        assertThat(cli.err()).contains(junk.toString()).contains("not a PyTorch checkpoint");
        assertThat(dir.resolve("out.safetensors")).doesNotExist();
        assertNoStackTrace();
    }

    @Test
    void demoRejectsNonPositiveSteps() {
        assertThat(cli.run("demo", "--steps", "0")).isEqualTo(1);
        assertThat(cli.err()).contains("--steps, --train-images, --val-images and --batch-size must be positive");
    }

    @Test
    void trainRejectsAnUnknownOptimizer() {
        assertThat(cli.run("train", "--data", dir.resolve("none").toString(), "--optimizer", "adam")).isEqualTo(1);
        assertThat(cli.err()).contains("--optimizer must be sgd or adamw, got 'adam'");
        assertNoStackTrace();
    }

    @Test
    void trainRejectsANegativeClipNorm() {
        assertThat(cli.run("train", "--data", dir.resolve("none").toString(), "--clip-grad-norm", "-1")).isEqualTo(1);
        assertThat(cli.err()).contains("--clip-grad-norm must be a finite number >= 0 (0 = off), got -1.0");
        assertNoStackTrace();
    }

    @Test
    void trainRejectsZeroOrNonNumericAccumulation() {
        assertThat(cli.run("train", "--data", dir.resolve("none").toString(), "--accumulate", "0")).isEqualTo(1);
        assertThat(cli.err()).contains("--accumulate must be >= 1 (micro-batches per step), got 0");
        assertThat(cli.run("train", "--data", dir.resolve("none").toString(), "--accumulate", "two")).isEqualTo(2);
        assertThat(cli.err()).contains("Invalid value for option '--accumulate': 'two' is not an int");
        assertNoStackTrace();
    }

    @Test
    void trainRejectsNegativeWorkers() {
        assertThat(cli.run("train", "--data", dir.resolve("none").toString(), "--workers", "-1")).isEqualTo(1);
        assertThat(cli.err()).contains("--workers must be >= 0 (0 = decode on the training thread), got -1");
        assertNoStackTrace();
    }
}

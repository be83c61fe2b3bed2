package org.maskrcnn4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskrcnn4j.examples.pipeline.ModelPresets;
import org.maskrcnn4j.model.MaskRcnnModel;
import org.maskrcnn4j.tensor.Backend;
import org.maskrcnn4j.tensor.BackendConfig;
import org.maskrcnn4j.tensor.Backends;

/** {@code maskrcnn export}: writes a SavedModel with the tensorflow backend, refuses others with a message. */
class ExportCommandTest {
    @TempDir
    Path dir;

    private final CliRun cli = new CliRun();

    @Test
    void refusesAnotherBackendAndBadSizesWithAMessage() {
        assertThat(cli.run("export", "--backend", "djl", "--weights", "w.safetensors", "--out", dir.resolve("m").toString()))
                .isEqualTo(1);
        assertThat(cli.err()).contains("error: export writes a TensorFlow SavedModel and needs --backend tensorflow, "
                + "got backend 'djl'");
        assertThat(cli.run("export", "--backend", "tensorflow", "--weights", "w.safetensors", "--image-size", "12x",
                "--out", dir.resolve("m").toString())).isEqualTo(1);
        assertThat(cli.err()).contains("--image-size must be HxW or N");
        assertThat(cli.err()).doesNotContain("\tat ").doesNotContain("Exception");
        assertThat(dir.resolve("m")).doesNotExist();
    }

    @Test
    void exportsTheShapesPresetAndRefusesToOverwriteWithoutForce() throws Exception {
        Path weights = dir.resolve("w.safetensors");
        try (Backend djl = Backends.provider("djl").create(BackendConfig.defaults())) {
            MaskRcnnModel.create(djl, ModelPresets.get("shapes"), 5).saveWeights(weights);
        }
        Path out = dir.resolve("saved");
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = cli.run("export", "--backend", "tensorflow", "--config", "shapes", "--weights", weights.toString(),
                    "--image-size", "96x128", "--out", out.toString());
        } finally {
            System.setOut(old);
        }
        assertThat(code).as(cli.err()).isZero();
        assertThat(out.resolve("saved_model.pb")).isRegularFile();
        assertThat(stdout.toString(StandardCharsets.UTF_8)).contains("signature 'serving_default'")
                .contains("images: UINT8 [1, 96, 128, 3]").contains("masks: UINT8 [1, ?, 96, 128]")
                .contains("wrote " + out);

        long size = Files.size(out.resolve("saved_model.pb"));
        assertThat(cli.run("export", "--backend", "tensorflow", "--weights", weights.toString(), "--out", out.toString()))
                .isEqualTo(1);
        assertThat(cli.err()).contains("--out " + out + " already exists; choose another folder or pass --force");
        assertThat(Files.size(out.resolve("saved_model.pb"))).isEqualTo(size);
    }
}

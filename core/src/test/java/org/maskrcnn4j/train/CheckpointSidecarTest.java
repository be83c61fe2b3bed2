package org.maskrcnn4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading checkpoint.json: the recorded configuration, older sidecars without one, and errors naming the file. */
class CheckpointSidecarTest {
    @TempDir
    Path dir;

    private Path sidecar(String json) throws IOException {
        Path folder = dir.resolve("step-3");
        Files.createDirectories(folder);
        Files.writeString(folder.resolve("checkpoint.json"), json);
        Files.writeString(dir.resolve("last"), "step-3\n");
        return folder;
    }

    @Test
    void theRecordedConfigIsRead() throws IOException {
        sidecar("{\"next_step\": 3, \"weights\": \"weights.safetensors\", \"model_config\": "
                + RecordJsonTest.json(RecordJsonTest.custom()) + ", \"training\": {\"horizontalFlip\": 0.5}}");
        assertThat(Checkpoint.config(dir)).get().usingRecursiveComparison().isEqualTo(RecordJsonTest.custom());
    }

    @Test
    void anOlderSidecarHasNoConfig() throws IOException {
        sidecar("{\"next_step\": 3, \"weights\": \"weights.safetensors\", \"optimizer\": \"optimizer.safetensors\"}");
        assertThat(Checkpoint.config(dir)).isEmpty();
    }

    @Test
    void aBrokenSidecarNamesTheFileAndField() throws IOException {
        Path folder = sidecar("{\"next_step\": 3, \"model_config\": {\"numClasses\": \"many\"}}");
        assertThatThrownBy(() -> Checkpoint.config(dir)).isInstanceOf(IOException.class)
                .hasMessage(folder.resolve("checkpoint.json") + ": model_config.numClasses: expected an integer, got 'many'");
        sidecar("{\"next_step\": 3, ");
        assertThatThrownBy(() -> Checkpoint.config(folder)).isInstanceOf(IOException.class)
                .hasMessageStartingWith(folder.resolve("checkpoint.json") + ": not valid JSON");
        sidecar("{\"weights\": \"weights.safetensors\"}");
        assertThatThrownBy(() -> Checkpoint.config(folder))
                .hasMessage(folder.resolve("checkpoint.json") + ": missing field next_step (a step number >= 0)");
    }
}

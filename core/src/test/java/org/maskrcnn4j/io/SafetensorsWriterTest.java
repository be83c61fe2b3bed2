package org.maskrcnn4j.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskrcnn4j.tensor.HostTensor;

/** The writer replaces its target atomically and leaves it intact when writing fails. */
class SafetensorsWriterTest {
    @TempDir
    Path dir;
    Path target;
    byte[] original;

    @BeforeEach
    void writeOriginal() throws IOException {
        target = dir.resolve("weights.safetensors");
        SafetensorsWriter.write(target, Map.of("w", HostTensor.ofFloats(new float[] {1, 2, 3}, 3)), Map.of("v", "1"));
        original = Files.readAllBytes(target);
    }

    @Test
    void failingTensorIterationLeavesTargetIntact() throws IOException {
        Map<String, HostTensor> failing = new AbstractMap<>() {
            @Override
            public Set<Entry<String, HostTensor>> entrySet() {
                return new java.util.AbstractSet<>() {
                    @Override
                    public Iterator<Entry<String, HostTensor>> iterator() {
                        Iterator<Entry<String, HostTensor>> first = Map.of("x",
                                HostTensor.ofFloats(new float[] {9}, 1)).entrySet().iterator();
                        return new Iterator<>() {
                            @Override
                            public boolean hasNext() {
                                return true;
                            }

                            @Override
                            public Entry<String, HostTensor> next() {
                                if (first.hasNext()) {
                                    return first.next();
                                }
                                throw new IllegalStateException("source of tensors failed");
                            }
                        };
                    }

                    @Override
                    public int size() {
                        return 2;
                    }
                };
            }
        };

        assertThatThrownBy(() -> SafetensorsWriter.write(target, failing, null))
                .isInstanceOf(IllegalStateException.class).hasMessage("source of tensors failed");
        assertUntouched();
    }

    @Test
    void failingReplaceDeletesTheTemporaryFile() throws IOException {
        // a non-empty directory cannot be replaced by a file: the move fails after the data was written
        Path blocked = dir.resolve("blocked.safetensors");
        Files.createDirectory(blocked);
        Files.writeString(blocked.resolve("keep.txt"), "keep");

        assertThatThrownBy(() -> SafetensorsWriter.write(blocked,
                Map.of("x", HostTensor.ofFloats(new float[] {9}, 1)), null)).isInstanceOf(IOException.class);

        assertThat(Files.readString(blocked.resolve("keep.txt"))).isEqualTo("keep");
        assertUntouched();
    }

    @Test
    void reservedOrNullNamesAreRejectedBeforeWriting() throws IOException {
        assertThatThrownBy(() -> SafetensorsWriter.write(target,
                Map.of("__metadata__", HostTensor.ofFloats(new float[] {9}, 1)), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reserved");
        Map<String, HostTensor> nullValue = new LinkedHashMap<>();
        nullValue.put("x", null);
        assertThatThrownBy(() -> SafetensorsWriter.write(target, nullValue, null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("'x'");
        assertUntouched();
    }

    @Test
    void missingDirectoryFailsWithoutLeavingFiles() {
        assertThatThrownBy(() -> SafetensorsWriter.write(dir.resolve("no/such/dir/x.safetensors"),
                Map.of("x", HostTensor.ofFloats(new float[] {9}, 1)), null)).isInstanceOf(IOException.class);
    }

    /** The original target still holds its bytes, and no temporary file is left next to it. */
    private void assertUntouched() throws IOException {
        assertThat(Files.readAllBytes(target)).isEqualTo(original);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .allMatch(n -> !n.endsWith(".tmp"), "no temporary file left");
        }
    }
}

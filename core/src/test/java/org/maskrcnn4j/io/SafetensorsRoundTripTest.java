package org.maskrcnn4j.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskrcnn4j.tensor.DType;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.Shape;

/** Writing then reading gives back the same tensors and metadata, for every dtype and edge shape. */
class SafetensorsRoundTripTest {
    @TempDir
    Path dir;

    @Test
    void everyDtypeWithScalarsAndZeroSizeTensors() throws IOException {
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        for (DType dtype : DType.values()) {
            String c = dtype.code();
            tensors.put(c + ".matrix", patterned(dtype, Shape.of(2, 3)));
            tensors.put(c + ".scalar", patterned(dtype, Shape.scalar()));
            tensors.put(c + ".empty", patterned(dtype, Shape.of(0, 4)));
            tensors.put(c + ".vector", patterned(dtype, Shape.of(5)));
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", "pt");
        metadata.put("unicode ✓", "ünïcødé \"quoted\"\n");
        Path path = dir.resolve("all.safetensors");

        SafetensorsWriter.write(path, tensors, metadata);

        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            assertThat(file.names()).containsExactlyElementsOf(tensors.keySet());
            assertThat(file.metadata()).containsExactlyEntriesOf(metadata);
            Map<String, HostTensor> read = file.readAll();
            for (String name : tensors.keySet()) {
                assertSameTensor(read.get(name), tensors.get(name));
            }
        }
        long headerLength = readHeaderLength(path);
        assertThat(headerLength % 8).isZero();
    }

    @Test
    void convenienceValuesSurvive() throws IOException {
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        tensors.put("f", HostTensor.ofFloats(new float[] {1.5f, -2f, Float.NaN, Float.NEGATIVE_INFINITY}, 2, 2));
        tensors.put("d", HostTensor.ofDoubles(new double[] {Math.PI}, 1));
        tensors.put("l", HostTensor.ofLongs(new long[] {Long.MIN_VALUE, Long.MAX_VALUE}, 2));
        tensors.put("b", HostTensor.ofBooleans(new boolean[] {true, false, true}, 3));
        Path path = dir.resolve("values.safetensors");
        SafetensorsWriter.write(path, tensors, null);

        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            assertThat(file.metadata()).isEmpty();
            assertThat(file.get("f").toFloatArray()).containsExactly(1.5f, -2f, Float.NaN, Float.NEGATIVE_INFINITY);
            assertThat(file.get("d").toDoubleArray()).containsExactly(Math.PI);
            assertThat(file.get("l").toLongArray()).containsExactly(Long.MIN_VALUE, Long.MAX_VALUE);
            assertThat(file.get("b").toLongArray()).containsExactly(1, 0, 1);
        }
    }

    @Test
    void emptyFileHasNoTensors() throws IOException {
        Path path = dir.resolve("empty.safetensors");
        SafetensorsWriter.write(path, Map.of(), Map.of());
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            assertThat(file.names()).isEmpty();
            assertThat(file.readAll()).isEmpty();
        }
        assertThat(Files.size(path)).isEqualTo(16); // 8-byte length + "{}" padded to 8
    }

    @Test
    void overwritesExistingFileAndLeavesNoTemporaryFiles() throws IOException {
        Path path = dir.resolve("model.safetensors");
        SafetensorsWriter.write(path, Map.of("a", HostTensor.ofInts(new int[] {1, 2}, 2)), null);
        SafetensorsWriter.write(path, Map.of("b", HostTensor.ofInts(new int[] {3}, 1)), null);
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            assertThat(file.names()).containsExactly("b");
            assertThat(file.get("b").toLongArray()).containsExactly(3);
        }
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(path);
        }
    }

    static HostTensor patterned(DType dtype, Shape shape) {
        int n = Math.toIntExact(shape.size() * dtype.byteSize());
        ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            b.put((byte) (dtype == DType.BOOL ? i % 2 : 31 * i + dtype.ordinal()));
        }
        return HostTensor.of(dtype, shape, b.flip());
    }

    static void assertSameTensor(HostTensor actual, HostTensor expected) {
        assertThat(actual.dtype()).isEqualTo(expected.dtype());
        assertThat(actual.shape()).isEqualTo(expected.shape());
        assertThat(actual.bytes()).isEqualTo(expected.bytes());
    }

    private static long readHeaderLength(Path path) throws IOException {
        byte[] bytes = Files.readAllBytes(path);
        return ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }
}

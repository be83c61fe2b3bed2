package org.maskrcnn4j.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each kind of malformed file is rejected by {@code open} with a message naming the file and the problem. */
class SafetensorsHardeningTest {
    private static final String A = "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";

    @TempDir
    Path dir;

    @Test
    void acceptsAWellFormedCraftedFile() throws IOException {
        Path p = craft("{" + A + ",\"__metadata__\":{\"s\":\"x\",\"o\":{\"k\": [1, 2]},\"n\":1.5e3,\"b\":true}}   ", 8);
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertThat(f.names()).containsExactly("a");
            assertThat(f.metadata()).containsEntry("s", "x").containsEntry("o", "{\"k\": [1, 2]}")
                    .containsEntry("n", "1.5e3").containsEntry("b", "true");
        }
    }

    @Test
    void tooShortFile() throws IOException {
        Path p = dir.resolve("short.safetensors");
        Files.write(p, new byte[] {1, 2, 3});
        rejects(p).hasMessageContaining("too short");
    }

    @Test
    void headerLengthOverLimit() throws IOException {
        rejects(withLength(200_000_000L, "{}")).hasMessageContaining("header length 200000000 exceeds the limit");
        rejects(withLength(-1L, "{}")).hasMessageContaining("header length 18446744073709551615 exceeds the limit");
    }

    @Test
    void headerLengthOverFileSize() throws IOException {
        rejects(withLength(1000, "{}")).hasMessageContaining("header length 1000 exceeds the file size of 10 bytes");
    }

    @Test
    void malformedJson() throws IOException {
        rejects(craft("{\"a\":{\"dtype\":\"F32\",", 0)).hasMessageContaining("malformed JSON header");
        rejects(craft("{\"a\" 1}", 0)).hasMessageContaining("malformed JSON header");
        rejects(craft("[1, 2]", 0)).hasMessageContaining("must start with '{'");
        rejects(craft("  {}", 0)).hasMessageContaining("must start with '{'");
        rejects(craft("", 0)).hasMessageContaining("must start with '{'");
    }

    @Test
    void invalidUtf8() throws IOException {
        byte[] json = "{\"\u00e9\":1}".getBytes(StandardCharsets.UTF_8);
        json[2] = (byte) 0xff;
        rejects(write(json, json.length, 0)).hasMessageContaining("not valid UTF-8");
    }

    @Test
    void trailingGarbage() throws IOException {
        rejects(craft("{" + A + "}  x", 8)).hasMessageContaining("unexpected content after the JSON header");
        rejects(craft("{" + A + "}\n", 8)).hasMessageContaining("only space padding");
        rejects(craft("{" + A + "}{}", 8)).hasMessageContaining("unexpected content");
    }

    @Test
    void missingFields() throws IOException {
        rejects(craft("{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}", 8)).hasMessageContaining("tensor 'a'")
                .hasMessageContaining("missing field 'dtype'");
        rejects(craft("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", 8))
                .hasMessageContaining("missing field 'shape'");
        rejects(craft("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8)).hasMessageContaining("missing field 'data_offsets'");
        rejects(craft("{\"a\":[1]}", 8)).hasMessageContaining("tensor 'a': expected an object");
    }

    @Test
    void invalidDtype() throws IOException {
        rejects(craft("{\"a\":{\"dtype\":\"F99\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8))
                .hasMessageContaining("tensor 'a'").hasMessageContaining("unknown dtype 'F99'");
        rejects(craft("{\"a\":{\"dtype\":4,\"shape\":[2],\"data_offsets\":[0,8]}}", 8))
                .hasMessageContaining("dtype must be a string");
    }

    @Test
    void invalidShape() throws IOException {
        rejects(craft("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8))
                .hasMessageContaining("tensor 'a': negative dimension -2");
        rejects(craft("{\"a\":{\"dtype\":\"F32\",\"shape\":[2.0],\"data_offsets\":[0,8]}}", 8))
                .hasMessageContaining("shape must hold integers");
        rejects(craft("{\"a\":{\"dtype\":\"F32\",\"shape\":\"2\",\"data_offsets\":[0,8]}}", 8))
                .hasMessageContaining("shape must be an array of integers");
        rejects(craft("{\"a\":{\"dtype\":\"F32\",\"shape\":[99999999999999999999],\"data_offsets\":[0,8]}}", 8))
                .hasMessageContaining("too large");
        rejects(craft("{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}", 8))
                .hasMessageContaining("too many elements");
    }

    @Test
    void invalidOffsets() throws IOException {
        rejects(craft("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", 8))
                .hasMessageContaining("tensor 'a': data_offsets [8, 0] must satisfy 0 <= begin <= end");
        rejects(craft("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[-8,0]}}", 8))
                .hasMessageContaining("0 <= begin <= end");
        rejects(craft("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8,16]}}", 8))
                .hasMessageContaining("data_offsets must be [begin, end]");
    }

    @Test
    void offsetsBeyondDataSection() throws IOException {
        rejects(craft("{" + A + "}", 4)).hasMessageContaining("tensor 'a': data_offsets [0, 8]")
                .hasMessageContaining("beyond the data section of 4 bytes");
    }

    @Test
    void byteCountDoesNotMatchShape() throws IOException {
        rejects(craft("{\"a\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8))
                .hasMessageContaining("tensor 'a': data_offsets [0, 8] hold 8 bytes but F64 [2] needs 16");
    }

    @Test
    void overlappingTensors() throws IOException {
        String b = "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}";
        rejects(craft("{" + A + "," + b + "}", 12)).hasMessageContaining("tensors 'a' [0, 8) and 'b' [4, 12) overlap");
        // zero-size tensors overlap nothing, even inside another tensor's range
        String empty = "\"e\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,4]}";
        try (SafetensorsFile f = SafetensorsFile.open(craft("{" + A + "," + empty + "}", 8))) {
            assertThat(f.get("e").size()).isZero();
        }
    }

    @Test
    void duplicateKeys() throws IOException {
        rejects(craft("{" + A + "," + A + "}", 8)).hasMessageContaining("duplicate key 'a'");
        rejects(craft("{\"__metadata__\":{},\"__metadata__\":{}}", 0)).hasMessageContaining("duplicate key '__metadata__'");
        rejects(craft("{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}", 0)).hasMessageContaining("duplicate key 'k'");
        rejects(craft("{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8))
                .hasMessageContaining("tensor 'a': duplicate field 'dtype'");
    }

    @Test
    void metadataMustBeAnObject() throws IOException {
        rejects(craft("{\"__metadata__\":[\"x\"]}", 0)).hasMessageContaining("'__metadata__' must be an object");
    }

    @Test
    void missingFileIsAnIOException() {
        assertThatThrownBy(() -> SafetensorsFile.open(dir.resolve("absent.safetensors")))
                .isInstanceOf(IOException.class).hasMessageContaining("absent.safetensors");
    }

    @Test
    void truncatedAfterOpeningIsReportedOnRead() throws IOException {
        Path p = craft("{" + A + "}", 8);
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            try (var ch = java.nio.channels.FileChannel.open(p, java.nio.file.StandardOpenOption.WRITE)) {
                ch.truncate(Files.size(p) - 4);
            }
            assertThatThrownBy(() -> f.get("a")).isInstanceOf(java.io.UncheckedIOException.class)
                    .hasMessageContaining("tensor 'a'").hasMessageContaining("truncated");
        }
    }

    @Test
    void readingAfterCloseFails() throws IOException {
        SafetensorsFile f = SafetensorsFile.open(craft("{" + A + "}", 8));
        f.close();
        assertThat(f.isOpen()).isFalse();
        assertThatThrownBy(() -> f.get("a")).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    private AbstractThrowableAssert<?, ? extends Throwable> rejects(Path p) {
        return assertThatThrownBy(() -> SafetensorsFile.open(p).close())
                .isInstanceOf(SafetensorsFormatException.class)
                .hasMessageStartingWith(p.toString() + ": ");
    }

    /** A file with the given header text (length field = its UTF-8 byte count) and {@code dataBytes} zeros. */
    private Path craft(String header, int dataBytes) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        return write(json, json.length, dataBytes);
    }

    private Path withLength(long length, String header) throws IOException {
        return write(header.getBytes(StandardCharsets.UTF_8), length, 0);
    }

    private int counter;

    private Path write(byte[] json, long length, int dataBytes) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(length).put(json);
        Path p = dir.resolve("crafted" + counter++ + ".safetensors");
        Files.write(p, b.array());
        return p;
    }
}

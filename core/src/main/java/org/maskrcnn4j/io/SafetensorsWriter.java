package org.maskrcnn4j.io;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import org.maskrcnn4j.tensor.HostTensor;

/**
 * Writes safetensors files atomically: the data goes to a temporary file in the target's directory, which
 * then replaces the target in one rename. A failed write leaves any existing target untouched.
 */
public final class SafetensorsWriter {
    private static final JsonFactory JSON = new JsonFactory();

    private SafetensorsWriter() {
    }

    /**
     * Writes {@code tensors} in map order, with {@code metadata} (may be {@code null} or empty) as the
     * {@code __metadata__} object. The header is padded with spaces so that the data starts at a multiple
     * of 8 bytes.
     */
    public static void write(Path path, Map<String, HostTensor> tensors, Map<String, String> metadata)
            throws IOException {
        List<Map.Entry<String, HostTensor>> entries = snapshot(tensors);
        byte[] header = header(entries, metadata == null ? Map.of() : metadata);
        Path target = path.toAbsolutePath();
        Path temp = target.resolveSibling("." + target.getFileName() + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                ByteBuffer length = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
                length.putLong(0, header.length);
                Channels.writeFully(channel, length);
                Channels.writeFully(channel, ByteBuffer.wrap(header));
                for (Map.Entry<String, HostTensor> e : entries) {
                    Channels.writeFully(channel, e.getValue().bytes());
                }
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException | Error e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private static List<Map.Entry<String, HostTensor>> snapshot(Map<String, HostTensor> tensors) {
        List<Map.Entry<String, HostTensor>> entries = new ArrayList<>(tensors.size());
        for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
            String name = Objects.requireNonNull(e.getKey(), "tensor name");
            if (SafetensorsHeader.METADATA_KEY.equals(name)) {
                throw new IllegalArgumentException("'" + name + "' is reserved and cannot name a tensor");
            }
            HostTensor t = Objects.requireNonNull(e.getValue(), () -> "tensor '" + name + "' is null");
            entries.add(new SimpleImmutableEntry<>(name, t));
        }
        return entries;
    }

    /** The UTF-8 JSON header, padded with spaces to a multiple of 8 bytes. */
    private static byte[] header(List<Map.Entry<String, HostTensor>> entries, Map<String, String> metadata)
            throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartObject();
            if (!metadata.isEmpty()) {
                g.writeObjectFieldStart(SafetensorsHeader.METADATA_KEY);
                for (Map.Entry<String, String> m : metadata.entrySet()) {
                    g.writeStringField(Objects.requireNonNull(m.getKey(), "metadata key"),
                            Objects.requireNonNull(m.getValue(), () -> "metadata value of '" + m.getKey() + "'"));
                }
                g.writeEndObject();
            }
            long offset = 0;
            for (Map.Entry<String, HostTensor> e : entries) {
                HostTensor t = e.getValue();
                long bytes = t.bytes().remaining();
                g.writeObjectFieldStart(e.getKey());
                g.writeStringField("dtype", t.dtype().code());
                long[] dims = t.shape().dims();
                g.writeFieldName("shape");
                g.writeArray(dims, 0, dims.length);
                g.writeFieldName("data_offsets");
                g.writeArray(new long[] {offset, offset + bytes}, 0, 2);
                g.writeEndObject();
                offset += bytes;
            }
            g.writeEndObject();
        }
        while (out.size() % 8 != 0) {
            out.write(' ');
        }
        return out.toByteArray();
    }
}

package org.maskrcnn4j.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.maskrcnn4j.tensor.HostTensor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An open safetensors file: the header is parsed and validated by {@link #open}, tensor data is read lazily
 * with positional reads when a tensor is asked for. Safe for concurrent reads. Note that interrupting a
 * thread while it reads closes the underlying {@link FileChannel} (see {@link #isOpen()}).
 */
public final class SafetensorsFile implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SafetensorsFile.class);
    private static final int MAX_LISTED_NAMES = 10;

    private final Path path;
    private final FileChannel channel;
    private final long dataStart;
    private final SafetensorsHeader header;
    private final Set<String> names;

    private SafetensorsFile(Path path, FileChannel channel, long dataStart, SafetensorsHeader header) {
        this.path = path;
        this.channel = channel;
        this.dataStart = dataStart;
        this.header = header;
        this.names = Collections.unmodifiableSet(new LinkedHashSet<>(header.entries().keySet()));
    }

    /**
     * Opens {@code path} and validates its header; fails with a {@link SafetensorsFormatException} naming the
     * file and the offending tensor or field if the file is malformed.
     */
    public static SafetensorsFile open(Path path) throws IOException {
        String source = path.toString();
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        try {
            long size = channel.size();
            if (size < Long.BYTES) {
                throw SafetensorsHeader.error(source, "file of " + size
                        + " bytes is too short for the 8-byte header length");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            Channels.readFully(channel, 0, lengthBytes, source);
            long headerLength = lengthBytes.getLong(0);
            if (headerLength < 0 || headerLength > SafetensorsHeader.MAX_HEADER_BYTES) {
                throw SafetensorsHeader.error(source, "header length " + Long.toUnsignedString(headerLength)
                        + " exceeds the limit of " + SafetensorsHeader.MAX_HEADER_BYTES + " bytes");
            }
            if (headerLength > size - Long.BYTES) {
                throw SafetensorsHeader.error(source, "header length " + headerLength + " exceeds the file size of "
                        + size + " bytes");
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
            Channels.readFully(channel, Long.BYTES, headerBytes, source);
            long dataStart = Long.BYTES + headerLength;
            SafetensorsHeader header = SafetensorsHeader.parse(headerBytes.array(), size - dataStart, source);
            LOG.debug("opened {}: {} tensors, {} metadata entries", path, header.entries().size(),
                    header.metadata().size());
            return new SafetensorsFile(path, channel, dataStart, header);
        } catch (IOException | RuntimeException | Error e) {
            try {
                channel.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** The file this was opened from. */
    public Path path() {
        return path;
    }

    /** Tensor names in header order. */
    public Set<String> names() {
        return names;
    }

    /** Whether a tensor of this name is present. */
    public boolean contains(String name) {
        return header.entries().containsKey(name);
    }

    /** The header entry (dtype, shape, byte range) of a tensor, without reading its data. */
    public SafetensorsEntry entry(String name) {
        SafetensorsEntry e = header.entries().get(name);
        if (e == null) {
            throw new IllegalArgumentException(missing(name));
        }
        return e;
    }

    /** The {@code __metadata__} object (empty if absent); non-string values are kept as their JSON text. */
    public Map<String, String> metadata() {
        return header.metadata();
    }

    /**
     * Reads one tensor. Fails with an {@link IllegalArgumentException} naming the file and listing available
     * names if there is no such tensor, and with an {@link UncheckedIOException} if reading fails.
     */
    public HostTensor get(String name) {
        SafetensorsEntry e = entry(name);
        if (!channel.isOpen()) {
            throw new IllegalStateException("safetensors file " + path + " is closed");
        }
        if (e.byteCount() > Integer.MAX_VALUE - 8) {
            throw new UnsupportedOperationException("tensor '" + name + "' in " + path + " has " + e.byteCount()
                    + " bytes, more than a host tensor can hold");
        }
        ByteBuffer data = ByteBuffer.allocate((int) e.byteCount()).order(ByteOrder.LITTLE_ENDIAN);
        try {
            Channels.readFully(channel, dataStart + e.begin(), data, path.toString());
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot read tensor '" + name + "' from " + path + ": " + ex.getMessage(),
                    ex);
        }
        return HostTensor.adopt(e.dtype(), e.shape(), data.flip());
    }

    /** Reads every tensor, in header order. */
    public Map<String, HostTensor> readAll() {
        Map<String, HostTensor> all = new LinkedHashMap<>();
        for (String name : names) {
            all.put(name, get(name));
        }
        return Collections.unmodifiableMap(all);
    }

    /** Whether the file is still open for reading. */
    public boolean isOpen() {
        return channel.isOpen();
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close " + path, e);
        }
    }

    @Override
    public String toString() {
        return "SafetensorsFile(" + path + ", " + names.size() + " tensors)";
    }

    private String missing(String name) {
        StringBuilder b = new StringBuilder("no tensor '").append(name).append("' in ").append(path).append("; ");
        if (names.isEmpty()) {
            return b.append("the file holds no tensors").toString();
        }
        b.append(names.size()).append(" available: ");
        int listed = 0;
        for (String n : names) {
            if (listed == MAX_LISTED_NAMES) {
                b.append(", ... (").append(names.size() - listed).append(" more)");
                break;
            }
            b.append(listed++ == 0 ? "" : ", ").append(n);
        }
        return b.toString();
    }
}

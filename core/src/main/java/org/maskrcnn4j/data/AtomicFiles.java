package org.maskrcnn4j.data;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Atomic file writes: a temporary file in the target's folder, synced and renamed over the target, so a
 * crash leaves the old file or the complete new one, never a half-written one.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** Writes the body's output atomically to {@code file}, creating its folder if needed. */
    public static void write(Path file, Body body) throws IOException {
        Pending pending = begin(file);
        try {
            body.write(pending.out());
        } catch (IOException | RuntimeException | Error e) {
            pending.abort();
            throw e;
        }
        pending.commit();
    }

    /** Something that writes to a stream. */
    public interface Body {
        void write(OutputStream out) throws IOException;
    }

    /** Starts writing {@code file}: the data goes to a temporary file until {@link Pending#commit()}. */
    static Pending begin(Path file) throws IOException {
        Path abs = file.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        Path tmp = Files.createTempFile(dir, "." + abs.getFileName(), ".tmp");
        try {
            FileOutputStream fos = new FileOutputStream(tmp.toFile());
            return new Pending(abs, tmp, fos);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    /** A file being written. */
    static final class Pending {
        private final Path target;
        private final Path tmp;
        private final FileOutputStream fos;
        private final OutputStream out;
        private boolean done;

        private Pending(Path target, Path tmp, FileOutputStream fos) {
            this.target = target;
            this.tmp = tmp;
            this.fos = fos;
            this.out = new BufferedOutputStream(fos, 1 << 16);
        }

        /** Where to write; closing it is allowed but not needed. */
        OutputStream out() {
            return out;
        }

        /** Flushes, syncs and renames the temporary file over the target. */
        void commit() throws IOException {
            if (done) {
                return;
            }
            done = true;
            try {
                try {
                    out.flush();
                    fos.getFD().sync();
                } finally {
                    out.close();
                }
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(tmp);
                throw new IOException("cannot write " + target + ": " + e.getMessage(), e);
            }
        }

        /** Discards the temporary file; the target is left as it was. */
        void abort() {
            if (done) {
                return;
            }
            done = true;
            try {
                out.close();
            } catch (IOException ignored) {
                // discarding anyway
            }
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // best effort
            }
        }
    }
}

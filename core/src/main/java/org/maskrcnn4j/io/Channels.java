package org.maskrcnn4j.io;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Full positional reads and full writes on a {@link FileChannel}, in bounded chunks so that the JDK's
 * per-thread temporary direct buffers stay small however large a tensor is.
 */
final class Channels {
    private static final int CHUNK = 1 << 20;

    private Channels() {
    }

    /** Fills {@code dst} from {@code channel} starting at {@code position}; fails if the file ends first. */
    static void readFully(FileChannel channel, long position, ByteBuffer dst, String source) throws IOException {
        int limit = dst.limit();
        long at = position;
        while (dst.position() < limit) {
            dst.limit(Math.min(limit, dst.position() + CHUNK));
            int n = channel.read(dst, at);
            dst.limit(limit);
            if (n < 0) {
                throw new EOFException(source + ": file ends at byte " + at + " but " + (limit - dst.position())
                        + " more bytes were expected there (was it truncated after opening?)");
            }
            at += n;
        }
    }

    /** Writes all remaining bytes of {@code src} at the channel's current position. */
    static void writeFully(FileChannel channel, ByteBuffer src) throws IOException {
        int limit = src.limit();
        while (src.position() < limit) {
            src.limit(Math.min(limit, src.position() + CHUNK));
            channel.write(src);
            src.limit(limit);
        }
    }
}

package org.maskrcnn4j.backend.djl;

import com.sun.jna.Function;
import com.sun.jna.Memory;
import com.sun.jna.NativeLibrary;
import com.sun.jna.NativeLong;
import com.sun.jna.Structure;
import com.sun.jna.ptr.LongByReference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Native memory of this process for leak tests (tests only, via JNA which DJL already brings).
 *
 * <p>{@link #mallocBytes()} is what the C allocator has handed out and not yet got back: jemalloc's
 * {@code stats.allocated} when it is preloaded, else glibc's {@code mallinfo2} (in-use chunks plus mmapped
 * blocks). PyTorch's CPU tensors come from there, so it is the precise measure; -1 when neither is
 * available. {@link #residentOutsideHeap()} is the resident size of every mapping but the Java heap
 * reservation: coarse, since the JVM's own structures (GC bitmaps, code cache) move it by tens of MB.
 */
final class NativeMemory {
    private NativeMemory() {
    }

    /** glibc's {@code struct mallinfo2}. */
    @Structure.FieldOrder({"arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost"})
    public static class MallInfo2 extends Structure implements Structure.ByValue {
        public long arena;
        public long ordblks;
        public long smblks;
        public long hblks;
        public long hblkhd;
        public long usmblks;
        public long fsmblks;
        public long uordblks;
        public long fordblks;
        public long keepcost;
    }

    static long mallocBytes() {
        try {
            Function mallctl = NativeLibrary.getProcess().getFunction("mallctl");
            Memory epoch = new Memory(8);
            epoch.setLong(0, 1);
            Memory old = new Memory(8);
            mallctl.invokeInt(new Object[] {"epoch", old, new LongByReference(8), epoch, new NativeLong(8)});
            Memory value = new Memory(8);
            int rc = mallctl.invokeInt(new Object[] {"stats.allocated", value, new LongByReference(8), null,
                new NativeLong(0)});
            if (rc == 0) {
                return value.getLong(0);
            }
        } catch (UnsatisfiedLinkError e) {
            // not jemalloc
        }
        try {
            Function mallinfo2 = NativeLibrary.getInstance("c").getFunction("mallinfo2");
            MallInfo2 info = (MallInfo2) mallinfo2.invoke(MallInfo2.class, new Object[0]);
            return info.uordblks + info.hblkhd;
        } catch (UnsatisfiedLinkError e) {
            return -1;
        }
    }

    static long residentOutsideHeap() {
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of("/proc/self/smaps"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/self/smaps", e);
        }
        long heapFloorKb = (long) (Runtime.getRuntime().maxMemory() / 1024 * 0.9);
        long total = 0;
        long size = 0;
        for (String line : lines) {
            if (line.startsWith("Size:")) {
                size = kb(line);
            } else if (line.startsWith("Rss:") && size < heapFloorKb) {
                total += kb(line);
            }
        }
        return total * 1024;
    }

    /** The precise measure when available, else the coarse one. */
    static long inUse() {
        long m = mallocBytes();
        return m >= 0 ? m : residentOutsideHeap();
    }

    private static long kb(String line) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }
}

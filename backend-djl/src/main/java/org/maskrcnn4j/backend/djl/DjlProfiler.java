package org.maskrcnn4j.backend.djl;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Optional per-op wall-clock totals of the DJL backend, enabled with {@code -Dmaskrcnn4j.djl.profile=true}
 * and printed to standard error at JVM exit (sorted by total time). Ops are eager, so an op's time is the
 * PyTorch kernel time plus JNI overhead; nested ops (e.g. the casts inside floorDiv) count in both.
 */
final class DjlProfiler {
    static final boolean ENABLED = Boolean.getBoolean("maskrcnn4j.djl.profile");
    private static final Map<String, LongAdder[]> TOTALS = new ConcurrentHashMap<>();

    static {
        if (ENABLED) {
            Runtime.getRuntime().addShutdownHook(new Thread(DjlProfiler::print, "maskrcnn4j-djl-profile"));
        }
    }

    private DjlProfiler() {
    }

    static void record(String op, long nanos) {
        LongAdder[] a = TOTALS.computeIfAbsent(op, k -> new LongAdder[] {new LongAdder(), new LongAdder()});
        a[0].add(nanos);
        a[1].increment();
    }

    /** The totals as lines "op calls total-ms", most expensive first. */
    static List<String> report() {
        List<Map.Entry<String, LongAdder[]>> entries = new ArrayList<>(TOTALS.entrySet());
        entries.sort((x, y) -> Long.compare(y.getValue()[0].sum(), x.getValue()[0].sum()));
        List<String> lines = new ArrayList<>();
        for (Map.Entry<String, LongAdder[]> e : entries) {
            lines.add(String.format("%-28s %8d calls %10.1f ms", e.getKey(), e.getValue()[1].sum(),
                    e.getValue()[0].sum() / 1e6));
        }
        return lines;
    }

    private static void print() {
        System.err.println("maskrcnn4j djl op profile (wall clock, eager):");
        report().forEach(l -> System.err.println("  " + l));
    }
}

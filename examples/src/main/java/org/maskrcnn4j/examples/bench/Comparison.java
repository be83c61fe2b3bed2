package org.maskrcnn4j.examples.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Ratios ours / torchvision per item (median times) and for peak resident memory, or the reasons they
 * are withheld. Ratios are only printed against torchvision at its best; the rule:
 * <ol>
 * <li>the baseline ran and its process had jemalloc mapped (glibc malloc page-faults every large
 * tensor again: torchvision's inference is 2.7x slower with it on the reference VMs);</li>
 * <li>its sgemm (1024x1024 matmul) reached {@value #MIN_GFLOPS_PER_THREAD} GFLOP/s per thread — Debian's
 * reference BLAS measures 3.6-4.3 GFLOP/s on this machine class (2-core AVX-512 EPYC VM), any optimised
 * BLAS several times that;</li>
 * <li>its sgemm reached a third of the best sgemm a maskrcnn4j backend measured in the same run (same
 * machine: catches a BLAS that is optimised but throttled, e.g. pinned to one thread; OpenBLAS pinned to
 * AVX2 kernels on an AVX-512 CPU still passes, which is why the comparison unsets
 * {@code OPENBLAS_CORETYPE});</li>
 * <li>it ran on as many threads as each of our backends.</li>
 * </ol>
 */
public record Comparison(List<String> refusals, Map<String, Map<String, Double>> ratios, List<String> notes) {
    /** Minimum sgemm GFLOP/s per thread of an acceptable baseline. */
    public static final double MIN_GFLOPS_PER_THREAD = 10.0;
    /** Minimum baseline sgemm as a fraction of our best backend's (oneDNN reaches 320 GFLOP/s on 2 cores). */
    public static final double MIN_FRACTION_OF_OURS = 1.0 / 3;
    /** The ratio key for peak resident memory. */
    public static final String PEAK_RSS = "peak_rss";
    /** Items only maskrcnn4j runs (no torchvision counterpart). */
    public static final java.util.Set<String> OURS_ONLY = java.util.Set.of("roi_align_transfer");

    public Comparison {
        refusals = List.copyOf(refusals);
        notes = List.copyOf(notes);
        Map<String, Map<String, Double>> copy = new LinkedHashMap<>();
        ratios.forEach((k, v) -> copy.put(k, java.util.Collections.unmodifiableMap(new LinkedHashMap<>(v))));
        ratios = java.util.Collections.unmodifiableMap(copy);
    }

    public boolean refused() {
        return !refusals.isEmpty();
    }

    /** Compares every engine of {@code ours} that ran with {@code baseline}; no ratios when the rule refuses. */
    public static Comparison of(List<EngineResult> ours, EngineResult baseline) {
        List<String> refusals = baselineProblems(baseline, ours);
        List<String> notes = new ArrayList<>();
        for (EngineResult e : ours) {
            if (e.error() == null && !e.jemalloc()) {
                notes.add(e.engine() + " ran with " + e.allocator() + ", not jemalloc: its numbers are handicapped"
                        + " (the ./maskrcnn launcher preloads jemalloc when libjemalloc2 is installed)");
            }
        }
        Map<String, Map<String, Double>> ratios = new LinkedHashMap<>();
        if (refusals.isEmpty()) {
            for (EngineResult e : ours) {
                if (e.error() == null) {
                    ratios.put(e.engine(), ratios(e, baseline));
                }
            }
        }
        return new Comparison(refusals, ratios, notes);
    }

    /** Why {@code baseline} is not torchvision at its best; empty when it is. */
    public static List<String> baselineProblems(EngineResult baseline, List<EngineResult> ours) {
        List<String> out = new ArrayList<>();
        if (baseline == null) {
            out.add("the torchvision baseline did not run");
            return out;
        }
        if (baseline.error() != null) {
            out.add("the torchvision baseline failed: " + baseline.error());
            return out;
        }
        if (!baseline.jemalloc()) {
            out.add(String.format(Locale.ROOT, "the baseline ran with %s, not jemalloc (LD_PRELOAD=%s): glibc malloc"
                    + " returns large tensors to the OS and page-faults them again; install libjemalloc2",
                    baseline.allocator(), baseline.ldPreload().isEmpty() ? "unset" : baseline.ldPreload()));
        }
        Double g = baseline.sgemmGflops();
        int threads = Math.max(1, baseline.threads());
        if (g == null) {
            out.add("the baseline did not report its sgemm GFLOP/s");
        } else {
            double floor = MIN_GFLOPS_PER_THREAD * threads;
            if (g < floor) {
                out.add(String.format(Locale.ROOT, "the baseline's sgemm reached %.1f GFLOP/s, below %.0f GFLOP/s"
                        + " (%.0f per thread x %d threads): an unoptimised BLAS (BLAS_INFO=%s, mapped: %s);"
                        + " install an optimised one, e.g. apt-get install libopenblas0-pthread", g, floor,
                        MIN_GFLOPS_PER_THREAD, threads, baseline.blasInfo(),
                        baseline.blasLibs().isEmpty() ? "-" : String.join(", ", baseline.blasLibs())));
            }
            EngineResult best = null;
            for (EngineResult e : ours) {
                if (e.error() == null && e.sgemmGflops() != null
                        && (best == null || e.sgemmGflops() > best.sgemmGflops())) {
                    best = e;
                }
            }
            if (best != null && g < MIN_FRACTION_OF_OURS * best.sgemmGflops()) {
                out.add(String.format(Locale.ROOT, "the baseline's sgemm reached %.1f GFLOP/s, less than %.0f%% of"
                        + " %s's %.1f GFLOP/s in the same run: its BLAS is handicapped (check OPENBLAS_CORETYPE,"
                        + " OPENBLAS_NUM_THREADS, the libblas.so.3 alternative)", g, MIN_FRACTION_OF_OURS * 100,
                        best.engine(), best.sgemmGflops()));
            }
        }
        for (EngineResult e : ours) {
            if (e.error() == null && e.threads() != baseline.threads()) {
                out.add(String.format(Locale.ROOT, "the baseline ran on %d threads, %s on %d: pass the same --threads",
                        baseline.threads(), e.engine(), e.threads()));
            }
        }
        return out;
    }

    /**
     * Ours / baseline for every item both ran successfully (median times), in our item order, then
     * {@link #PEAK_RSS} when both peaks are known and both ran the same items successfully (a process's
     * peak depends on what it ran).
     */
    public static Map<String, Double> ratios(EngineResult ours, EngineResult baseline) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (ItemResult r : ours.items()) {
            ItemResult b = baseline.item(r.item());
            if (r.succeeded() && b != null && b.succeeded() && b.stats().medianMs() > 0) {
                out.put(r.item(), r.stats().medianMs() / b.stats().medianMs());
            }
        }
        java.util.Set<String> mine = new java.util.TreeSet<>();
        ours.items().stream().filter(ItemResult::succeeded).forEach(i -> mine.add(i.item()));
        mine.removeAll(OURS_ONLY);
        java.util.Set<String> theirs = new java.util.TreeSet<>();
        baseline.items().stream().filter(ItemResult::succeeded).forEach(i -> theirs.add(i.item()));
        if (mine.equals(theirs) && ours.peakRssMb() != null && baseline.peakRssMb() != null
                && baseline.peakRssMb() > 0) {
            out.put(PEAK_RSS, ours.peakRssMb() / baseline.peakRssMb());
        }
        return out;
    }
}

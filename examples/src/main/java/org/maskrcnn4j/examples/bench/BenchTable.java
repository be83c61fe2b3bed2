package org.maskrcnn4j.examples.bench;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The bench's text output: environment per engine, one row per item and engine, then the ratios. */
public final class BenchTable {
    private BenchTable() {
    }

    /** The whole report as text. */
    public static String format(BenchReport r) {
        StringBuilder b = new StringBuilder();
        Map<String, Object> m = r.machine();
        Map<String, Object> s = r.settings();
        b.append(String.format(Locale.ROOT, "maskrcnn bench: %s, %s cores, %s, Java %s%n", m.getOrDefault("cpu", "?"),
                m.getOrDefault("cores", "?"), m.getOrDefault("os", "?"), m.getOrDefault("java", "?")));
        b.append(String.format(Locale.ROOT, "%s timed runs after %s warm-up; image %s; weights %s%n",
                s.getOrDefault("runs", "?"), s.getOrDefault("warmup", "?"), s.getOrDefault("image", "?"),
                s.getOrDefault("weights", "?")));
        List<EngineResult> all = new ArrayList<>(r.engines());
        if (r.baseline() != null) {
            all.add(r.baseline());
        }
        b.append(String.format(Locale.ROOT, "%n%-12s %7s %13s %12s  %s%n", "ENGINE", "THREADS", "SGEMM GFLOP/s",
                "PEAK RSS MB", "ALLOCATOR"));
        for (EngineResult e : all) {
            if (e.error() != null) {
                b.append(String.format(Locale.ROOT, "%-12s FAILED: %s%n", e.engine(), oneLine(e.error())));
                continue;
            }
            b.append(String.format(Locale.ROOT, "%-12s %7d %13s %12s  %s%n", e.engine(), e.threads(),
                    num(e.sgemmGflops(), "%.1f"), num(e.peakRssMb(), "%.0f"), allocator(e)));
            b.append(String.format(Locale.ROOT, "%-12s %s; BLAS %s: %s%n", "", e.version(),
                    e.blasInfo().isEmpty() ? "?" : e.blasInfo(),
                    e.blasLibs().isEmpty() ? "-" : String.join(", ", e.blasLibs().stream().map(BenchTable::shortLib)
                            .toList())));
        }
        if (r.baselineSource() != null) {
            b.append("baseline: ").append(r.baselineSource()).append('\n');
        }
        b.append(items(all));
        if (r.comparison() != null) {
            b.append(ratios(r.comparison()));
        }
        return b.toString();
    }

    /** One row per item and engine: median, min, max, peak RSS so far, check value (or the failure). */
    static String items(List<EngineResult> engines) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%n%-26s %-12s %11s %11s %11s %9s  %s%n", "ITEM", "ENGINE", "MEDIAN ms",
                "MIN ms", "MAX ms", "RSS MB", "CHECK"));
        for (String item : itemNames(engines)) {
            for (EngineResult e : engines) {
                ItemResult r = e.item(item);
                if (r == null) {
                    continue;
                }
                if (r.succeeded()) {
                    b.append(String.format(Locale.ROOT, "%-26s %-12s %11.1f %11.1f %11.1f %9s  %s%n", item, e.engine(),
                            r.stats().medianMs(), r.stats().minMs(), r.stats().maxMs(), num(r.peakRssMb(), "%.0f"),
                            r.check() == null ? "" : r.check()));
                } else {
                    b.append(String.format(Locale.ROOT, "%-26s %-12s FAILED: %s%n", item, e.engine(),
                            oneLine(r.error())));
                }
            }
        }
        return b.toString();
    }

    /** The ratio table, or why there is none. */
    static String ratios(Comparison c) {
        StringBuilder b = new StringBuilder("\n");
        if (c.refused()) {
            b.append("NO RATIOS: the torchvision baseline is not at its best, so ours / torchvision would flatter us:")
                    .append('\n');
            for (String reason : c.refusals()) {
                b.append("  - ").append(reason).append('\n');
            }
        } else {
            List<String> engines = new ArrayList<>(c.ratios().keySet());
            Set<String> rows = new LinkedHashSet<>();
            c.ratios().values().forEach(m -> m.keySet().stream().filter(k -> !k.equals(Comparison.PEAK_RSS))
                    .forEach(rows::add));
            rows.add(Comparison.PEAK_RSS);
            b.append("RATIOS ours / torchvision (median time; peak resident memory; below 1.00x: ours is better)\n");
            b.append(String.format(Locale.ROOT, "%-26s", "ITEM"));
            engines.forEach(e -> b.append(String.format(Locale.ROOT, " %12s", e)));
            b.append('\n');
            for (String row : rows) {
                b.append(String.format(Locale.ROOT, "%-26s", row.equals(Comparison.PEAK_RSS) ? "peak RSS" : row));
                for (String e : engines) {
                    Double v = c.ratios().get(e).get(row);
                    b.append(String.format(Locale.ROOT, " %12s", v == null ? "-" : ratio(v)));
                }
                b.append('\n');
            }
        }
        for (String n : c.notes()) {
            b.append("note: ").append(n).append('\n');
        }
        return b.toString();
    }

    /** {@code 0.81x}. */
    public static String ratio(double v) {
        return String.format(Locale.ROOT, "%.2fx", v);
    }

    static String allocator(EngineResult e) {
        StringBuilder b = new StringBuilder(e.allocator().isEmpty() ? "?" : e.allocator());
        List<String> parts = new ArrayList<>();
        if (!e.ldPreload().isEmpty()) {
            parts.add("LD_PRELOAD=" + e.ldPreload());
        }
        if (!e.mallocConf().isEmpty()) {
            parts.add("MALLOC_CONF=" + e.mallocConf());
        }
        if (!parts.isEmpty()) {
            b.append(" (").append(String.join(", ", parts)).append(')');
        }
        return b.toString();
    }

    /** A library's file name, with its folder when that names the BLAS ({@code openblas-pthread/libblas.so.3}). */
    static String shortLib(String path) {
        java.nio.file.Path p = java.nio.file.Path.of(path);
        java.nio.file.Path dir = p.getParent();
        String name = p.getFileName() == null ? path : p.getFileName().toString();
        return dir != null && dir.getFileName() != null && dir.getFileName().toString().contains("blas")
                ? dir.getFileName() + "/" + name : name;
    }

    private static List<String> itemNames(List<EngineResult> engines) {
        Set<String> names = new LinkedHashSet<>();
        engines.forEach(e -> e.items().forEach(i -> names.add(i.item())));
        return new ArrayList<>(names);
    }

    private static String num(Double v, String format) {
        return v == null ? "-" : String.format(Locale.ROOT, format, v);
    }

    private static String oneLine(String s) {
        String t = s == null ? "unknown error" : s.replaceAll("\\s*\\R\\s*", " | ");
        return t.length() > 300 ? t.substring(0, 297) + "..." : t;
    }
}

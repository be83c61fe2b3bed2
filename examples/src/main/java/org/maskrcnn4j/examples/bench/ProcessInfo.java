package org.maskrcnn4j.examples.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * What this process runs on, read from {@code /proc/self}: peak resident memory ({@code VmHWM}), the
 * allocator actually mapped (jemalloc preloaded or glibc's), and the BLAS and other math libraries the
 * backends loaded. The parsing is separate from the reading so it can be tested.
 */
public final class ProcessInfo {
    /** Libraries worth naming next to a result: BLAS, OpenMP runtimes, oneDNN, the engines' cores. */
    static final Pattern NATIVE = Pattern.compile(
            "(blas|openblas|mkl|blis|dnnl|mkldnn|gomp|iomp|torch_cpu|tensorflow_framework|tensorflow_cc)",
            Pattern.CASE_INSENSITIVE);

    private ProcessInfo() {
    }

    /** Peak resident memory of this process in MB, or null when {@code /proc} is not there. */
    public static Double peakRssMb() {
        return statusMb(read("/proc/self/status"), "VmHWM");
    }

    /** A {@code /proc/<pid>/status} field given in kB ({@code VmHWM: 123 kB}), in MB; null if absent. */
    static Double statusMb(String status, String field) {
        if (status == null) {
            return null;
        }
        for (String line : status.split("\n")) {
            if (line.startsWith(field + ":")) {
                String[] p = line.substring(field.length() + 1).trim().split("\\s+");
                return Math.round(Long.parseLong(p[0]) / 1024.0 * 10) / 10.0;
            }
        }
        return null;
    }

    /** The shared libraries mapped into this process. */
    public static List<String> mappedLibraries() {
        return libraries(read("/proc/self/maps"));
    }

    /** Distinct paths of the {@code .so} files in a {@code /proc/<pid>/maps} text, sorted. */
    static List<String> libraries(String maps) {
        TreeSet<String> out = new TreeSet<>();
        if (maps != null) {
            for (String line : maps.split("\n")) {
                String[] p = line.trim().split("\\s+");
                if (p.length >= 6 && p[5].contains(".so")) {
                    out.add(p[5]);
                }
            }
        }
        return new ArrayList<>(out);
    }

    /** The libraries of {@link #NATIVE} interest among {@code libs}, as real paths (alternatives resolved). */
    static List<String> nativeLibraries(List<String> libs) {
        TreeSet<String> out = new TreeSet<>();
        for (String l : libs) {
            if (NATIVE.matcher(Path.of(l).getFileName().toString()).find()) {
                out.add(realPath(l));
            }
        }
        return new ArrayList<>(out);
    }

    /** The allocator: {@code jemalloc}, {@code tcmalloc} or {@code glibc malloc}, judged by what is mapped. */
    static String allocator(List<String> libs) {
        boolean je = false;
        boolean tc = false;
        for (String l : libs) {
            String base = Path.of(l).getFileName().toString().toLowerCase(Locale.ROOT);
            je |= base.contains("jemalloc");
            tc |= base.contains("tcmalloc");
        }
        return je ? "jemalloc" : tc ? "tcmalloc" : "glibc malloc";
    }

    /** The allocator of this process with its settings, e.g. {@code jemalloc} plus LD_PRELOAD and MALLOC_CONF. */
    public static Map<String, String> allocatorNow() {
        return Map.of("allocator", allocator(mappedLibraries()),
                "ld_preload", env("LD_PRELOAD"), "malloc_conf", env("MALLOC_CONF"));
    }

    static String env(String name) {
        String v = System.getenv(name);
        return v == null ? "" : v;
    }

    private static String realPath(String p) {
        try {
            return Path.of(p).toRealPath().toString();
        } catch (IOException | RuntimeException e) {
            return p;
        }
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The CPU model name from {@code /proc/cpuinfo} and whether it has AVX-512, e.g. {@code AMD EPYC (avx512f)}. */
    public static String cpu() {
        String info = read("/proc/cpuinfo");
        String model = System.getProperty("os.arch");
        boolean avx512 = false;
        if (info != null) {
            for (String line : info.split("\n")) {
                if (line.startsWith("model name") && line.contains(":")) {
                    model = line.substring(line.indexOf(':') + 1).trim();
                } else if (line.startsWith("flags")) {
                    avx512 |= line.contains(" avx512f");
                }
            }
        }
        return model + (avx512 ? " (avx512f)" : "");
    }
}

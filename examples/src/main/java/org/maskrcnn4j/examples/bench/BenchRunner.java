package org.maskrcnn4j.examples.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.maskrcnn4j.tensor.Availability;
import org.maskrcnn4j.tensor.BackendProvider;
import org.maskrcnn4j.tensor.Backends;

/**
 * Runs {@code maskrcnn bench}: each backend in a child JVM of its own (so each one's peak resident memory
 * is its own and a native crash takes only its rows), with {@code --compare} the torchvision baseline
 * under jemalloc, then prints the table and writes the JSON.
 */
public final class BenchRunner {
    /** Where Debian and others install jemalloc. */
    public static final List<Path> JEMALLOC = List.of(Path.of("/usr/lib/x86_64-linux-gnu/libjemalloc.so.2"),
            Path.of("/usr/lib/aarch64-linux-gnu/libjemalloc.so.2"), Path.of("/usr/lib64/libjemalloc.so.2"),
            Path.of("/usr/local/lib/libjemalloc.so.2"));
    /** The allocator settings the baseline runs with (and the launcher sets for us). */
    public static final String MALLOC_CONF =
            "retain:true,dirty_decay_ms:-1,muzzy_decay_ms:-1,narenas:1,oversize_threshold:0";
    /** Variables removed from the baseline's environment: they pin OpenBLAS to slower kernels. */
    public static final List<String> UNSET_FOR_BASELINE = List.of("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE");

    private final BenchSettings settings;
    private final PrintWriter out;
    private final String mainClass;

    /** {@code mainClass}: the command line's entry point, which child JVMs run as {@code <main> bench ...}. */
    public BenchRunner(BenchSettings settings, PrintWriter out, String mainClass) {
        this.settings = settings;
        this.out = out;
        this.mainClass = mainClass;
    }

    /** Runs everything; 0 when at least one item of one engine succeeded. */
    public int run() throws IOException {
        List<EngineResult> engines = new ArrayList<>();
        for (String name : backendNames()) {
            BackendProvider p = Backends.providers().stream().filter(x -> x.name().equals(name)).findFirst()
                    .orElse(null);
            if (p == null) {
                engines.add(EngineResult.failed(name, "unknown backend; discovered: " + Backends.providers().stream()
                        .map(BackendProvider::name).toList()));
                continue;
            }
            Availability a = p.availability();
            if (!a.available()) {
                engines.add(EngineResult.failed(name, "not available: " + a.reason()));
                out.println(name + ": not available: " + a.reason());
                continue;
            }
            engines.add(settings.inProcess() ? new BackendBench(settings, out, this::saveProgress).run(p)
                    : child(name));
        }
        EngineResult baseline = null;
        String source = null;
        if (settings.compare()) {
            if (settings.baselineJson() != null) {
                baseline = BenchJson.readBaseline(Files.readString(settings.baselineJson()));
                source = "read from " + settings.baselineJson() + " (not measured in this run)";
            } else {
                String[] src = new String[1];
                baseline = baseline(src);
                source = src[0];
            }
        }
        Comparison comparison = settings.compare() ? Comparison.of(engines, baseline) : null;
        BenchReport report = new BenchReport(machine(), settingsMap(), engines, baseline, source, comparison);
        if (!settings.child()) {
            out.println();
            out.print(BenchTable.format(report));
        }
        if (settings.json() != null) {
            Path parent = settings.json().toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(settings.json(), BenchJson.toJson(report));
            if (!settings.child()) {
                out.println("wrote " + settings.json());
            }
        }
        out.flush();
        boolean any = engines.stream().anyMatch(e -> e.items().stream().anyMatch(ItemResult::succeeded));
        return any ? 0 : 1;
    }

    private List<String> backendNames() {
        if (settings.backend() != null) {
            return List.of(settings.backend());
        }
        return Backends.providers().stream().map(BackendProvider::name).toList();
    }

    /** A child JVM saves its results after every item, so that a native crash loses only the item it was in. */
    private void saveProgress(EngineResult partial) {
        if (!settings.child() || settings.json() == null) {
            return;
        }
        BenchReport r = new BenchReport(machine(), settingsMap(), List.of(partial), null, null, null);
        try {
            Path tmp = settings.json().resolveSibling(settings.json().getFileName() + ".part");
            Files.writeString(tmp, BenchJson.toJson(r));
            Files.move(tmp, settings.json(), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            out.println("  (cannot save progress to " + settings.json() + ": " + e.getMessage() + ")");
        }
    }

    /**
     * One backend measured in child JVMs with this JVM's options and class path. When a child dies (a
     * native crash), the item it was in is recorded as failed with the crash's signal and frame, and a new
     * child runs the items after it.
     */
    private EngineResult child(String backend) throws IOException {
        Path dir = Files.createTempDirectory("maskrcnn-bench-" + backend + "-");
        List<String> remaining = new ArrayList<>(settings.items());
        List<ItemResult> done = new ArrayList<>();
        EngineResult first = null;
        Double peak = null;
        int attempt = 0;
        try {
            while (!remaining.isEmpty()) {
                Path json = dir.resolve("result-" + attempt++ + ".json");
                List<String> cmd = new ArrayList<>();
                cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
                for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
                    if (!a.startsWith("-agentlib:jdwp") && !a.startsWith("-Xrunjdwp") && !a.equals("-Xdebug")) {
                        cmd.add(a);
                    }
                }
                cmd.add("-XX:ErrorFile=" + dir.resolve("hs_err_pid%p.log"));
                cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass, "bench", "--child",
                        "--in-process", "--backend", backend, "--json", json.toString(), "--only-items",
                        String.join(",", remaining)));
                cmd.addAll(commonArgs(Integer.toString(settings.threads())));
                out.flush();
                int rc = run(new ProcessBuilder(cmd));
                EngineResult part = Files.isRegularFile(json)
                        ? BenchJson.readEngines(Files.readString(json)).get(0) : null;
                if (part != null) {
                    first = first == null ? part : first;
                    done.addAll(part.items());
                    part.items().forEach(i -> remaining.remove(i.item()));
                    if (part.peakRssMb() != null) {
                        peak = peak == null ? part.peakRssMb() : Math.max(peak, part.peakRssMb());
                    }
                }
                if (remaining.isEmpty()) {
                    break;
                }
                String crashed = remaining.remove(0);
                String why = rc == 0 ? "not reported by the benchmark JVM"
                        : "the benchmark JVM died in this item (exit code " + rc + crashSummary(dir) + ")";
                done.add(ItemResult.failed(crashed, why, null));
                if (!remaining.isEmpty()) {
                    out.println("  " + crashed + ": " + why + "; a new JVM runs " + String.join(", ", remaining));
                }
            }
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : files.filter(f -> f.getFileName().toString().startsWith("result-")).toList()) {
                    Files.deleteIfExists(f);
                }
            }
            try (var files = Files.list(dir)) {
                if (files.findAny().isEmpty()) {
                    Files.delete(dir);
                }
            }
        }
        if (first == null) {
            return EngineResult.failed(backend, done.isEmpty() ? "no result" : done.get(0).error());
        }
        List<String> order = settings.items();
        done.sort(java.util.Comparator.comparingInt(i -> order.indexOf(i.item())));
        return new EngineResult(first.engine(), first.version(), first.threads(), first.allocator(), first.jemalloc(),
                first.ldPreload(), first.mallocConf(), first.blasInfo(), first.blasLibs(), first.sgemmGflops(), peak,
                done, null, first.settings());
    }

    /**
     * {@code ; SIGFPE in [libtorch_cpu.so+0x1163] dnnl::...; report: <file>} from the newest hs_err file in
     * {@code dir}, or nothing when there is none (e.g. the kernel's OOM killer).
     */
    static String crashSummary(Path dir) throws IOException {
        Path newest = null;
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith("hs_err_pid")).toList()) {
                if (newest == null || Files.getLastModifiedTime(f).compareTo(Files.getLastModifiedTime(newest)) > 0) {
                    newest = f;
                }
            }
        }
        if (newest == null) {
            return "";
        }
        String summary = crashSummary(Files.readAllLines(newest));
        Path kept = newest.resolveSibling("seen-" + newest.getFileName());
        Files.move(newest, kept);
        return "; " + summary + "; report: " + kept;
    }

    private static final java.util.regex.Pattern SIGNAL =
            java.util.regex.Pattern.compile("^#\\s+(SIG[A-Z]+|EXCEPTION_[A-Z_]+)");

    /** The signal and the problematic native frame of a JVM fatal error report. */
    static String crashSummary(List<String> hsErr) {
        String signal = null;
        String frame = null;
        for (int i = 0; i < hsErr.size(); i++) {
            String l = hsErr.get(i).trim();
            java.util.regex.Matcher m = SIGNAL.matcher(l);
            if (signal == null && m.find()) {
                signal = m.group(1);
            }
            if (frame == null && l.startsWith("# Problematic frame:") && i + 1 < hsErr.size()) {
                frame = hsErr.get(i + 1).replaceFirst("^#\\s*", "").replaceFirst("^[CJjVv]\\s+", "").trim();
            }
        }
        if (signal == null && frame == null) {
            return "fatal error";
        }
        return (signal == null ? "fatal error" : signal) + (frame == null ? "" : " in " + frame);
    }

    /** The options children and the baseline share: runs, warm-up, threads, items, image, weights. */
    private List<String> commonArgs(String threads) {
        List<String> a = new ArrayList<>(List.of("--runs", Integer.toString(settings.runs()), "--warmup",
                Integer.toString(settings.warmup()), "--threads", threads, "--items",
                String.join(",", settings.groups()), "--image", settings.image().toString()));
        if (settings.weights() != null) {
            a.addAll(List.of("--weights", settings.weights().toString()));
        }
        return a;
    }

    /** Runs bench/torchvision_baseline.py under jemalloc with OpenBLAS unpinned; {@code source[0]} says how. */
    private EngineResult baseline(String[] source) throws IOException {
        Path script = settings.baselineScript() != null ? settings.baselineScript() : findScript();
        if (script == null || !Files.isRegularFile(script)) {
            source[0] = "not run";
            return EngineResult.failed("torchvision", "bench/torchvision_baseline.py not found"
                    + (script == null ? "" : " at " + script) + "; pass --baseline-script");
        }
        Path json = Files.createTempFile("maskrcnn-bench-torchvision-", ".json");
        try {
            List<String> cmd = new ArrayList<>(List.of(settings.python(), script.toString(), "--json",
                    json.toString()));
            cmd.addAll(commonArgs(Integer.toString(settings.effectiveThreads())));
            ProcessBuilder pb = new ProcessBuilder(cmd);
            Map<String, String> env = pb.environment();
            Map<String, String> set = baselineEnvironment(env, JEMALLOC.stream().filter(Files::isRegularFile)
                    .findFirst().orElse(null));
            StringBuilder how = new StringBuilder();
            set.forEach((k, v) -> how.append(k).append('=').append(v).append(' '));
            how.append("(unset: ").append(String.join(", ", UNSET_FOR_BASELINE)).append(") ")
                    .append(String.join(" ", cmd.subList(0, 2))).append(" ...");
            source[0] = "measured in this run: " + how;
            out.println();
            out.println("torchvision baseline: " + how);
            out.flush();
            int rc = run(pb);
            String text = Files.size(json) > 0 ? Files.readString(json) : "";
            if (rc != 0 || text.isEmpty()) {
                return EngineResult.failed("torchvision", settings.python() + " exited with code " + rc
                        + " (see its output above; needs python3-torchvision)");
            }
            return BenchJson.readEngines(text).get(0);
        } catch (IOException e) {
            return EngineResult.failed("torchvision", "cannot run " + settings.python() + ": " + e.getMessage());
        } finally {
            Files.deleteIfExists(json);
        }
    }

    /**
     * Sets up {@code env} for torchvision at its best: jemalloc preloaded with {@link #MALLOC_CONF} (when
     * {@code jemalloc} is installed) and {@link #UNSET_FOR_BASELINE} removed. Returns what it set.
     */
    static Map<String, String> baselineEnvironment(Map<String, String> env, Path jemalloc) {
        Map<String, String> set = new LinkedHashMap<>();
        UNSET_FOR_BASELINE.forEach(env::remove);
        if (jemalloc != null) {
            String pre = env.getOrDefault("LD_PRELOAD", "");
            if (!pre.contains("jemalloc")) {
                pre = pre.isEmpty() ? jemalloc.toString() : jemalloc + ":" + pre;
            }
            set.put("LD_PRELOAD", pre);
            set.put("MALLOC_CONF", MALLOC_CONF);
        }
        env.putAll(set);
        return set;
    }

    private static int run(ProcessBuilder pb) throws IOException {
        pb.redirectOutput(ProcessBuilder.Redirect.INHERIT).redirectError(ProcessBuilder.Redirect.INHERIT);
        Process p = pb.start();
        try {
            return p.waitFor();
        } catch (InterruptedException e) {
            p.destroy();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** bench/torchvision_baseline.py in the working folder or above the jar (examples/target/maskrcnn.jar). */
    static Path findScript() {
        Path rel = Path.of("bench", "torchvision_baseline.py");
        if (Files.isRegularFile(rel)) {
            return rel;
        }
        try {
            Path p = Path.of(BenchRunner.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (int i = 0; i < 5 && p != null; i++, p = p.getParent()) {
                if (Files.isRegularFile(p.resolve(rel))) {
                    return p.resolve(rel);
                }
            }
        } catch (Exception ignored) {
            // no code source location: only the working folder is searched
        }
        return null;
    }

    private static Map<String, Object> machine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpu", ProcessInfo.cpu());
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        m.put("java", System.getProperty("java.version") + " (" + garbageCollectors() + ")");
        return m;
    }

    /** The JVM's collectors, e.g. "Copy, MarkSweepCompact" for -XX:+UseSerialGC: the launcher's choice shows. */
    private static String garbageCollectors() {
        return String.join(", ", ManagementFactory.getGarbageCollectorMXBeans().stream()
                .map(java.lang.management.GarbageCollectorMXBean::getName).toList());
    }

    private Map<String, Object> settingsMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("runs", settings.runs());
        m.put("warmup", settings.warmup());
        m.put("threads", settings.effectiveThreads());
        m.put("items", String.join(",", settings.groups()));
        m.put("image", settings.image().toString());
        m.put("weights", BackendBench.weightsName(settings));
        m.put("compare", settings.compare());
        return m;
    }
}

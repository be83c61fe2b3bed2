package org.maskrcnn4j.examples.bench;

import java.io.File;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Function;
import org.maskrcnn4j.data.ImageTensors;
import org.maskrcnn4j.data.Images;
import org.maskrcnn4j.io.FormulaWeights;
import org.maskrcnn4j.model.Instance;
import org.maskrcnn4j.model.MaskRcnnConfig;
import org.maskrcnn4j.model.MaskRcnnModel;
import org.maskrcnn4j.tensor.Backend;
import org.maskrcnn4j.tensor.BackendConfig;
import org.maskrcnn4j.tensor.BackendProvider;
import org.maskrcnn4j.tensor.CompiledFunction;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.Optimizer;
import org.maskrcnn4j.tensor.TrainStep;

/**
 * Measures one backend in this process: sgemm GFLOP/s, then each item (warm-up runs, then timed runs),
 * the peak resident memory after each. An item that fails records why and the next one runs.
 *
 * <ul>
 * <li>{@code inference}: {@link MaskRcnnModel#predict(HostTensor)} on the image, torchvision's
 * {@code maskrcnn_resnet50_fpn} configuration with {@code box_score_thresh=0.01};</li>
 * <li>{@code train_step}: one SGD step ({@link Workloads#LR}, momentum 0.9, weight decay 1e-4) on the image
 * with {@link Workloads#trainTarget};</li>
 * <li>{@code roi_align_OxO_fwd}: the sum of RoIAlign over features held by the backend (no transfer);</li>
 * <li>{@code roi_align_OxO_fwd_bwd}: {@link Backend#gradient} of that sum with respect to the features,
 * which this API takes and returns as host tensors: 62 MB up and 62 MB down per call;</li>
 * <li>{@code roi_align_transfer}: those transfers alone (the gradient of {@code sum(features)}), to read the
 * op's share of the previous rows;</li>
 * <li>{@code nms_4000}: NMS of 4000 boxes at IoU 0.7.</li>
 * </ul>
 * The model's and the op items run in two backend instances, one after the other.
 */
public final class BackendBench {
    private static final int SGEMM_N = 1024;

    private final BenchSettings settings;
    private final PrintWriter out;
    private final Consumer<EngineResult> progress;
    private BackendProvider provider;
    private BackendConfig config;
    private Double sgemm;
    private Double setupPeak;

    /** {@code progress} gets the results so far after every item (a child JVM saves them, in case it dies). */
    public BackendBench(BenchSettings settings, PrintWriter out, Consumer<EngineResult> progress) {
        this.settings = settings;
        this.out = out;
        this.progress = progress;
    }

    /** A unit of timed work; its value is checked after the clock stops. */
    @FunctionalInterface
    interface Work<T> {
        T run() throws Exception;
    }

    /** Runs every item of the settings on {@code provider}'s backend. */
    public EngineResult run(BackendProvider backend) {
        this.provider = backend;
        this.config = new BackendConfig("cpu", settings.threads(), Map.of());
        List<String> wanted = settings.items();
        List<ItemResult> items = new ArrayList<>();
        out.printf("%s: %d threads%n", provider.name(), config.threads());
        out.flush();
        boolean model = wanted.contains("inference") || wanted.contains("train_step");
        try (Backend b = provider.create(config)) {
            sgemm = sgemm(b);
            out.printf(Locale.ROOT, "  sgemm %dx%d: %.1f GFLOP/s%n", SGEMM_N, SGEMM_N, sgemm);
            if (model) {
                modelItems(b, wanted, items);
            }
        } catch (RuntimeException | Error e) {
            String why = describe(e);
            for (String item : wanted) {
                if ((item.equals("inference") || item.equals("train_step")) && !has(items, item)) {
                    record(items, ItemResult.failed(item, why, ProcessInfo.peakRssMb()));
                }
            }
            if (sgemm == null) {
                out.println("  backend failed: " + why);
            }
        }
        if (wanted.stream().anyMatch(i -> i.startsWith("roi_align") || i.startsWith("nms"))) {
            try (Backend b = provider.create(config)) {
                opItems(b, wanted, items);
            } catch (RuntimeException | Error e) {
                String why = describe(e);
                for (String item : wanted) {
                    if (!has(items, item)) {
                        record(items, ItemResult.failed(item, why, ProcessInfo.peakRssMb()));
                    }
                }
            }
        }
        return result(items);
    }

    private void record(List<ItemResult> items, ItemResult r) {
        items.add(r);
        progress.accept(result(items));
    }

    /** The results so far, with this process's environment. */
    private EngineResult result(List<ItemResult> items) {
        List<String> libs = ProcessInfo.mappedLibraries();
        List<String> natives = ProcessInfo.nativeLibraries(libs);
        boolean systemBlas = natives.stream().anyMatch(l -> l.matches(".*(blas|mkl|blis)[^/]*"));
        String allocator = ProcessInfo.allocator(libs);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("runs", settings.runs());
        s.put("warmup", settings.warmup());
        s.put("image", settings.image().toString());
        s.put("weights", weightsName(settings));
        s.put("lr", Workloads.LR);
        if (setupPeak != null) {
            s.put("peak_rss_after_setup_mb", setupPeak);
        }
        return new EngineResult(provider.name(), version(provider), config.threads(), allocator,
                allocator.equals("jemalloc"), ProcessInfo.env("LD_PRELOAD"), ProcessInfo.env("MALLOC_CONF"),
                systemBlas ? "system" : "engine-bundled", natives, sgemm, ProcessInfo.peakRssMb(), items, null, s);
    }

    static String weightsName(BenchSettings s) {
        return s.weights() == null ? "formula (fixtures, phase 0)" : s.weights().toString();
    }

    private void modelItems(Backend b, List<String> wanted, List<ItemResult> items) {
        HostTensor image;
        try {
            image = ImageTensors.toFloats(Images.readRgb(settings.image()));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + settings.image() + ": " + e.getMessage(), e);
        }
        MaskRcnnModel model = MaskRcnnModel.create(b, MaskRcnnConfig.builder().boxScoreThreshold(0.01).build(), 0);
        if (settings.weights() == null) {
            FormulaWeights formula = FormulaWeights.fixtures(); // a tensor at a time: see loadWeights
            model.loadWeights(model.shapes(), name -> formula.value(name, model.shapes().get(name)), "formula weights",
                    true);
        } else {
            try {
                model.loadWeights(settings.weights(), true);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot read " + settings.weights() + ": " + e.getMessage(), e);
            }
        }
        setupPeak = ProcessInfo.peakRssMb();
        out.printf(Locale.ROOT, "  model ready: peak RSS so far %s MB%n", setupPeak == null ? "?" : Math.round(setupPeak));
        if (wanted.contains("inference")) {
            record(items, time("inference", () -> model.predict(image), BackendBench::detections));
        }
        if (wanted.contains("train_step")) {
            int h = (int) image.shape().get(1);
            int w = (int) image.shape().get(2);
            Map<String, HostTensor> target = Workloads.trainTarget(h, w);
            Map<String, HostTensor> in = new LinkedHashMap<>();
            in.put("image.0", image);
            in.put("boxes.0", target.get("boxes"));
            in.put("labels.0", target.get("labels"));
            in.put("masks.0", target.get("masks"));
            double[] first = {Double.NaN};
            long[] seed = {0};
            TrainStep[] step = {null};
            record(items, time("train_step", () -> {
                if (step[0] == null) {
                    step[0] = model.trainStep(1, new Optimizer.Sgd(Workloads.MOMENTUM, Workloads.WEIGHT_DECAY));
                }
                in.put("seed", HostTensor.ofLongs(new long[] {seed[0]++}, 1));
                Map<String, Double> losses = step[0].run(in, Workloads.LR);
                if (Double.isNaN(first[0])) {
                    first[0] = losses.values().stream().mapToDouble(Double::doubleValue).sum();
                }
                return first[0];
            }, v -> String.format(Locale.ROOT, "loss=%.4f (first step)", v)));
        }
    }

    private void opItems(Backend b, List<String> wanted, List<ItemResult> items) {
        boolean roi = wanted.stream().anyMatch(i -> i.startsWith("roi_align"));
        if (roi) {
            HostTensor features = Workloads.roiFeatures();
            HostTensor rois = Workloads.roiBoxes();
            b.parameters().declare(Workloads.ROI_FEATURES_PARAMETER, features, false);
            Map<String, HostTensor> roisIn = Map.of("rois", rois);
            Map<String, HostTensor> both = Map.of("features", features, "rois", rois);
            for (int o : new int[] {7, 14}) {
                String name = "roi_align_" + o + "x" + o;
                if (wanted.contains(name + "_fwd")) {
                    record(items, time(name + "_fwd", () -> {
                        CompiledFunction f = compiled(b, "fwd" + o, () -> b.compile(Workloads.roiAlignForward(o)));
                        return f.call(roisIn);
                    }, r -> String.format(Locale.ROOT, "sum=%.5e", r.get("sum").getDouble(0))));
                }
                if (wanted.contains(name + "_fwd_bwd")) {
                    record(items, time(name + "_fwd_bwd", () -> {
                        CompiledFunction f = compiled(b, "bwd" + o,
                                () -> b.gradient(Workloads.roiAlignLoss(o), List.of("features")));
                        return f.call(both);
                    }, r -> String.format(Locale.ROOT, "grad_sum=%.5e", sum(r.get("grad/features")))));
                }
            }
            if (wanted.contains("roi_align_transfer")) {
                record(items, time("roi_align_transfer", () -> {
                    CompiledFunction f = compiled(b, "transfer",
                            () -> b.gradient(Workloads.featuresLoss(), List.of("features")));
                    return f.call(Map.of("features", features));
                }, r -> "62 MB up + 62 MB gradient down, no op"));
            }
        }
        if (wanted.contains("nms_4000")) {
            Map<String, HostTensor> in = Map.of("boxes", Workloads.nmsBoxes(), "scores", Workloads.nmsScores());
            record(items, time("nms_4000", () -> {
                CompiledFunction f = compiled(b, "nms", () -> b.compile(Workloads.nms()));
                return f.call(in);
            }, r -> "kept=" + r.get("keep").size()));
        }
    }

    private final Map<String, CompiledFunction> functions = new LinkedHashMap<>();

    /** Compiles on first use, inside the first warm-up (or timed) run, like torch's lazy first call. */
    private CompiledFunction compiled(Backend b, String key, java.util.function.Supplier<CompiledFunction> make) {
        return functions.computeIfAbsent(b.hashCode() + "/" + key, k -> make.get());
    }

    /** sgemm GFLOP/s of a 1024x1024 matmul held by the backend (its output summed: one scalar comes back). */
    static double sgemm(Backend b) {
        float[] a = new float[SGEMM_N * SGEMM_N];
        float[] c = new float[SGEMM_N * SGEMM_N];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) Splitmix.u01(31, i);
            c[i] = (float) Splitmix.u01(32, i);
        }
        b.parameters().declare("bench.sgemm.a", HostTensor.ofFloats(a, SGEMM_N, SGEMM_N), false);
        b.parameters().declare("bench.sgemm.b", HostTensor.ofFloats(c, SGEMM_N, SGEMM_N), false);
        CompiledFunction f = b.compile((ops, in) -> Map.of("s",
                ops.sum(ops.matmul(ops.parameter("bench.sgemm.a"), ops.parameter("bench.sgemm.b")))));
        Map<String, HostTensor> none = Map.of();
        for (int i = 0; i < 2; i++) {
            f.call(none);
        }
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            long t0 = System.nanoTime();
            f.call(none);
            best = Math.min(best, System.nanoTime() - t0);
        }
        return Math.round(2.0 * SGEMM_N * SGEMM_N * SGEMM_N / (best / 1e9) / 1e9 * 10) / 10.0;
    }

    <T> ItemResult time(String item, Work<T> work, Function<T, String> check) {
        out.printf(Locale.ROOT, "  %-26s ...", item);
        out.flush();
        try {
            T value = null;
            for (int i = 0; i < settings.warmup(); i++) {
                value = work.run();
            }
            List<Double> ms = new ArrayList<>();
            for (int i = 0; i < settings.runs(); i++) {
                long t0 = System.nanoTime();
                value = work.run();
                ms.add((System.nanoTime() - t0) / 1e6);
            }
            Stats stats = Stats.of(ms);
            String c = check.apply(value);
            out.printf(Locale.ROOT, " median %9.1f ms  min %9.1f  max %9.1f  %s%n", stats.medianMs(), stats.minMs(),
                    stats.maxMs(), c);
            out.flush();
            return ItemResult.ok(item, stats, c, ProcessInfo.peakRssMb());
        } catch (Exception | Error e) {
            String why = describe(e);
            out.println(" failed: " + why);
            out.flush();
            return ItemResult.failed(item, why, ProcessInfo.peakRssMb());
        }
    }

    static String describe(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    private static boolean has(List<ItemResult> items, String name) {
        return items.stream().anyMatch(i -> i.item().equals(name));
    }

    private static String detections(List<Instance> found) {
        double top = found.stream().mapToDouble(Instance::score).max().orElse(0);
        return String.format(Locale.ROOT, "detections=%d top=%.4f", found.size(), top);
    }

    private static double sum(HostTensor t) {
        double s = 0;
        for (float v : t.toFloatArray()) {
            s += v;
        }
        return s;
    }

    /** The backend's engine libraries (jar names with versions), e.g. {@code pytorch-native-cpu-2.7.1}. */
    static String version(BackendProvider provider) {
        String pattern = switch (provider.name()) {
            case "djl" -> "(api|pytorch-engine|pytorch-native-[a-z0-9]+)-\\d.*";
            case "tensorflow" -> "tensorflow-core-api-\\d.*";
            default -> ".*" + java.util.regex.Pattern.quote(provider.name()) + ".*";
        };
        TreeSet<String> jars = new TreeSet<>();
        List<Path> dirs = new ArrayList<>();
        for (String e : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (!e.isEmpty()) {
                Path p = Path.of(e).toAbsolutePath();
                addJar(jars, p.getFileName() == null ? "" : p.getFileName().toString(), pattern);
                if (p.getParent() != null) {
                    dirs.add(p.getParent().resolve("lib"));
                }
            }
        }
        try {
            var src = provider.getClass().getProtectionDomain().getCodeSource();
            if (src != null) {
                dirs.add(Path.of(src.getLocation().toURI()).getParent());
            }
        } catch (Exception ignored) {
            // no code source: the class path scan above is all we have
        }
        for (Path d : dirs) {
            if (d != null && Files.isDirectory(d)) {
                try (var s = Files.list(d)) {
                    s.forEach(f -> addJar(jars, f.getFileName().toString(), pattern));
                } catch (java.io.IOException ignored) {
                    // unreadable folder: skip it
                }
            }
        }
        String kernels = provider.name().equals("tensorflow")
                ? "; " + tensorflowConvolutions(System.getenv("TF_ENABLE_ONEDNN_OPTS")) : "";
        return "maskrcnn4j " + provider.name() + (jars.isEmpty() ? "" : " (" + String.join(", ", jars) + ")") + kernels;
    }

    /**
     * Which kernels TensorFlow's convolutions use, from the variable it reads once at load: its oneDNN rewrite
     * (the default on x86) measured about 2x slower than its Eigen kernels on this bench, so the report says
     * which one ran.
     */
    static String tensorflowConvolutions(String onednnOpts) {
        boolean off = onednnOpts != null && (onednnOpts.trim().equals("0") || onednnOpts.trim().equalsIgnoreCase("false"));
        return (off ? "Eigen" : "oneDNN") + " convolutions: TF_ENABLE_ONEDNN_OPTS="
                + (onednnOpts == null ? "unset" : onednnOpts);
    }

    private static void addJar(TreeSet<String> jars, String name, String pattern) {
        if (name.endsWith(".jar") && name.matches(pattern)) {
            jars.add(name.substring(0, name.length() - 4));
        }
    }
}

package org.maskrcnn4j.examples.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code maskrcnn bench} was asked to do.
 *
 * @param backend one backend by name, or null for every available one
 * @param runs timed runs per item
 * @param warmup untimed runs before them
 * @param image the image (the fixtures' input.png by default)
 * @param weights a safetensors file, or null for the fixtures' formula weights
 * @param threads intra-op threads (0: all cores), for our backends and the baseline alike
 * @param groups item groups: {@code inference}, {@code train}, {@code roi}, {@code nms}
 * @param json where to write the JSON report, or null
 * @param compare also run the torchvision baseline and print ratios
 * @param python the Python interpreter for the baseline
 * @param baselineScript {@code bench/torchvision_baseline.py}, or null to find it
 * @param baselineJson a baseline result to use instead of running the script, or null
 * @param inProcess measure the backend(s) in this JVM instead of one child JVM per backend
 * @param child this JVM is such a child: no table, only the JSON (rewritten after every item)
 * @param onlyItems for a child: just these items (what a crashed child left), or empty for all
 */
public record BenchSettings(String backend, int runs, int warmup, Path image, Path weights, int threads,
        List<String> groups, Path json, boolean compare, String python, Path baselineScript, Path baselineJson,
        boolean inProcess, boolean child, List<String> onlyItems) {
    /** The item groups, in the order they run. */
    public static final List<String> GROUPS = List.of("inference", "train", "roi", "nms");
    /** The fixtures' image, relative to the fixtures folder. */
    public static final String FIXTURE_IMAGE = "input.png";

    public BenchSettings {
        if (runs < 1 || warmup < 0) {
            throw new IllegalArgumentException("need --runs >= 1 and --warmup >= 0, got " + runs + " and " + warmup);
        }
        if (threads < 0) {
            throw new IllegalArgumentException("--threads must be >= 0, got " + threads);
        }
        List<String> g = new ArrayList<>();
        for (String s : groups) {
            if (!GROUPS.contains(s)) {
                throw new IllegalArgumentException("unknown item group '" + s + "'; choose from " + GROUPS);
            }
            if (!g.contains(s)) {
                g.add(s);
            }
        }
        groups = GROUPS.stream().filter(g::contains).toList();
        onlyItems = onlyItems == null ? List.of() : List.copyOf(onlyItems);
    }

    /**
     * The torchvision fixtures' input.png: in {@code -Dmaskrcnn4j.fixtures}, else in
     * {@code shared/fixtures/torchvision} next to a folder above the jar (the repository's sibling), else
     * {@code /work/shared/fixtures/torchvision}.
     */
    public static Path defaultImage() {
        String dir = System.getProperty("maskrcnn4j.fixtures");
        if (dir != null && !dir.isBlank()) {
            return Path.of(dir, FIXTURE_IMAGE);
        }
        Path rel = Path.of("shared", "fixtures", "torchvision", FIXTURE_IMAGE);
        try {
            Path p = Path.of(BenchSettings.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (int i = 0; i < 6 && p != null; i++, p = p.getParent()) {
                if (java.nio.file.Files.isRegularFile(p.resolve(rel))) {
                    return p.resolve(rel);
                }
            }
        } catch (Exception ignored) {
            // no code source location: use the default folder
        }
        return Path.of("/work").resolve(rel);
    }

    /** The threads our backends and the baseline use. */
    public int effectiveThreads() {
        return threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    }

    /** The item names a maskrcnn4j backend runs, in order ({@code roi_align_transfer} is ours alone). */
    public List<String> items() {
        List<String> out = new ArrayList<>();
        for (String g : groups) {
            switch (g) {
                case "inference" -> out.add("inference");
                case "train" -> out.add("train_step");
                case "roi" -> out.addAll(List.of("roi_align_7x7_fwd", "roi_align_7x7_fwd_bwd", "roi_align_14x14_fwd",
                        "roi_align_14x14_fwd_bwd", "roi_align_transfer"));
                case "nms" -> out.add("nms_4000");
                default -> throw new IllegalStateException(g);
            }
        }
        if (!onlyItems.isEmpty()) {
            out.retainAll(onlyItems);
        }
        return out;
    }
}

package org.maskrcnn4j.examples.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.maskrcnn4j.examples.bench.BenchRunner;
import org.maskrcnn4j.examples.bench.BenchSettings;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code maskrcnn bench}: times inference, a train step, RoIAlign and NMS per backend; see the bench package. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Time each backend (in a JVM of its own; after warm-up runs): inference on",
                "one image, one SGD train step, RoIAlign (512 boxes on 256x200x304, 7x7 and",
                "14x14, forward and forward+backward) and NMS (4000 boxes). Prints median, min",
                "and max, peak resident memory, allocator, BLAS and threads; --json writes them.",
                "Weights: the torchvision fixtures' formula weights unless --weights is given.",
                "--compare also runs bench/torchvision_baseline.py (torchvision under jemalloc)",
                "and prints ratios ours / torchvision, or why not: the baseline had no jemalloc,",
                "its sgemm was below 10 GFLOP/s per thread or a third of ours, or it ran on",
                "another number of threads."})
final class BenchCommand implements Callable<Integer> {

    @Option(names = "--backend", description = "Only this backend (default: every available one).")
    String backend;

    @Option(names = "--runs", defaultValue = "5", description = "Timed runs per item (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--warmup", defaultValue = "1", description = "Untimed runs first (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--image", description = "Image (default: the torchvision fixtures' input.png).")
    Path image;

    @Option(names = "--weights",
            description = "A .safetensors state_dict of maskrcnn_resnet50_fpn (default: the formula weights).")
    Path weights;

    @Option(names = "--threads", defaultValue = "0",
            description = "Intra-op threads for every engine (default: all cores).")
    int threads;

    @Option(names = "--items", split = ",", defaultValue = "inference,train,roi,nms",
            description = "Item groups: inference, train, roi, nms (default: ${DEFAULT-VALUE}).")
    List<String> items;

    @Option(names = "--json", description = "Write the results as JSON here.")
    Path json;

    @Option(names = "--compare", description = "Also run the torchvision baseline and print ratios ours / torchvision.")
    boolean compare;

    @Option(names = "--python", description = "Python with torchvision for --compare (default: /usr/bin/python3).")
    String python;

    @Option(names = "--baseline-script", description = "The baseline script (default: bench/torchvision_baseline.py).")
    Path baselineScript;

    @Option(names = "--baseline-json",
            description = "Compare with this baseline result (the script's --json) instead of running the script.")
    Path baselineJson;

    @Option(names = "--in-process", description = "Measure the backends in this JVM (default: one child JVM each).")
    boolean inProcess;

    @Option(names = "--child", hidden = true)
    boolean child;

    @Option(names = "--only-items", hidden = true, split = ",")
    List<String> onlyItems;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Path img = image != null ? image : BenchSettings.defaultImage();
        if (!Files.isRegularFile(img)) {
            throw new IllegalArgumentException("image " + img + " does not exist (pass --image)");
        }
        if (weights != null && !Files.isRegularFile(weights)) {
            throw new IllegalArgumentException("weights file " + weights + " does not exist");
        }
        String py = python != null ? python
                : Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
        BenchSettings s = new BenchSettings(backend, runs, warmup, img, weights, threads, items, json,
                compare || baselineJson != null, py, baselineScript, baselineJson, inProcess, child, onlyItems);
        PrintWriter out = spec.commandLine().getOut();
        return new BenchRunner(s, out, MaskRcnnCommand.class.getName()).run();
    }
}

package org.maskrcnn4j.examples.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.maskrcnn4j.backend.tf.TfSavedModel;
import org.maskrcnn4j.examples.export.SavedModelExport;
import org.maskrcnn4j.model.MaskRcnnModel;
import org.maskrcnn4j.tensor.Backend;
import org.maskrcnn4j.tensor.Backends;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code maskrcnn export}: write trained weights as a TensorFlow SavedModel for TensorFlow Serving. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Export a model as a TensorFlow SavedModel (tag 'serve', signature 'serving_default'; "
                + "needs the tensorflow backend).",
                "Input: images, uint8 [1, H, W, 3] RGB of exactly --image-size. Outputs, in the input's pixels: "
                        + "boxes float32 [1, N, 4] (x1, y1, x2, y2), labels int64 [1, N], scores float32 [1, N], "
                        + "masks uint8 [1, N, H, W] (0/1), mask_probs float32 [1, N, 28, 28]. "
                        + "Weights are frozen into the graph."})
final class ExportCommand implements Callable<Integer> {
    private static final String TENSORFLOW = "tensorflow";
    private static final Pattern SIZE = Pattern.compile("(\\d{1,6})(?:[xX](\\d{1,6}))?");

    @Mixin
    ModelOptions model = new ModelOptions();

    @Option(names = "--out", required = true, description = "SavedModel folder to write (atomically).")
    Path out;

    @Option(names = "--image-size", paramLabel = "HxW",
            description = "Input image size, fixed in the graph: HxW, or N for NxN (default: the configuration's "
                    + "minimum size, square).")
    String imageSize;

    @Option(names = "--force", description = "Replace --out if it already exists.")
    boolean force;

    @Override
    public Integer call() throws Exception {
        String requested = model.backend != null ? model.backend : Backends.requestedName();
        if (requested != null && !requested.equals(TENSORFLOW)) {
            throw new IllegalArgumentException("export writes a TensorFlow SavedModel and needs --backend tensorflow, "
                    + "got backend '" + requested + "'");
        }
        model.backend = TENSORFLOW;
        if (model.weights == null) {
            throw new IllegalArgumentException("--weights is required (a .safetensors file or a checkpoint folder)");
        }
        long[] size = size();
        if (!force && java.nio.file.Files.exists(out) && !isEmptyFolder(out)) {
            throw new IllegalArgumentException("--out " + out + " already exists; choose another folder or pass --force "
                    + "to replace it");
        }
        long t0 = System.nanoTime();
        try (Backend b = model.openBackend()) {
            MaskRcnnModel m = model.model(b, true);
            TfSavedModel.Signature sig = SavedModelExport.export(m, out, (int) size[0], (int) size[1], force);
            System.out.print(sig);
            System.out.printf("wrote %s (%s, %dx%d images) in %.1f s%n", out, model.configName(model.weights), size[0], size[1],
                    (System.nanoTime() - t0) / 1e9);
        }
        return 0;
    }

    private static boolean isEmptyFolder(Path p) throws java.io.IOException {
        if (!java.nio.file.Files.isDirectory(p)) {
            return false;
        }
        try (java.util.stream.Stream<Path> s = java.nio.file.Files.list(p)) {
            return s.findAny().isEmpty();
        }
    }

    private long[] size() throws java.io.IOException {
        if (imageSize == null) {
            long s = model.config(model.weights).minSize();
            return new long[] {s, s};
        }
        Matcher m = SIZE.matcher(imageSize.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("--image-size must be HxW or N (e.g. 800x1216 or 128), got '"
                    + imageSize + "'");
        }
        long h = Long.parseLong(m.group(1));
        long w = m.group(2) == null ? h : Long.parseLong(m.group(2));
        if (h < 1 || w < 1 || h > 16384 || w > 16384) {
            throw new IllegalArgumentException("--image-size must be between 1 and 16384 per side, got " + h + "x" + w);
        }
        return new long[] {h, w};
    }
}

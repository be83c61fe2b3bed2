package org.maskrcnn4j.examples.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.maskrcnn4j.examples.demo.Demo;
import org.maskrcnn4j.model.NormKind;
import org.maskrcnn4j.tensor.Backend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code maskrcnn demo}: generate the shapes dataset, train from scratch on the CPU, evaluate, draw. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Generate the synthetic shapes dataset, train a small Mask R-CNN (narrow ResNet FPN) from scratch,",
                "evaluate it on held-out images (COCO bbox and segm AP) and write overlays, the loss curve and",
                "metrics to --out. With no options it takes about ten minutes on a two-core CPU."})
final class DemoCommand implements Callable<Integer> {
    private final Demo.Settings d = Demo.Settings.defaults();

    @Option(names = "--out", description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out = d.out();

    @Option(names = "--steps", description = "Training steps (default: ${DEFAULT-VALUE}).")
    int steps = d.steps();

    @Option(names = "--train-images", description = "Generated training images (default: ${DEFAULT-VALUE}).")
    int trainImages = d.trainImages();

    @Option(names = "--val-images", description = "Generated validation images (default: ${DEFAULT-VALUE}).")
    int valImages = d.valImages();

    @Option(names = "--batch-size", description = "Images per step (default: ${DEFAULT-VALUE}).")
    int batchSize = d.batchSize();

    @Option(names = "--lr", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    double learningRate = d.learningRate();

    @Option(names = "--image-size", description = "Side of the generated square images in pixels (default: ${DEFAULT-VALUE}).")
    int imageSize = d.imageSize();

    @Option(names = "--seed", description = "Seed of the data and the training (default: ${DEFAULT-VALUE}).")
    long seed = d.seed();

    @Option(names = "--norm", description = {"Normalisation of the ResNet body: GROUP_NORM or BATCH_NORM_TRAINING",
            "(batch statistics in training, running statistics calibrated after it) (default: ${DEFAULT-VALUE})."})
    NormKind norm = d.norm();

    @Option(names = "--backend", description = "Compute backend (default: the selected one, see 'maskrcnn backends').")
    String backend;

    @Option(names = "--deterministic", description = {"One compute thread, so that runs with the same seed give",
            "bit-identical losses on any CPU (slower)."})
    boolean deterministic;

    @Override
    public Integer call() throws Exception {
        if (norm != NormKind.GROUP_NORM && norm != NormKind.BATCH_NORM_TRAINING) {
            throw new IllegalArgumentException("--norm must be GROUP_NORM or BATCH_NORM_TRAINING (the others do not"
                    + " normalise while training from scratch), got " + norm);
        }
        if (steps <= 0 || trainImages <= 0 || valImages <= 0 || batchSize <= 0 || imageSize < 32) {
            throw new IllegalArgumentException("--steps, --train-images, --val-images and --batch-size must be positive"
                    + " and --image-size at least 32");
        }
        Demo.Settings s = new Demo.Settings(out, trainImages, valImages, steps, batchSize, learningRate, imageSize, seed,
                d.overlays(), norm);
        try (Backend b = ModelOptions.open(backend, deterministic)) {
            Demo.run(b, s, System.err);
        }
        return 0;
    }
}

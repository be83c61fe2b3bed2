package org.maskrcnn4j.examples.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.maskrcnn4j.examples.pipeline.CocoTrainingData;
import org.maskrcnn4j.examples.render.LossCurve;
import org.maskrcnn4j.model.MaskRcnnModel;
import org.maskrcnn4j.model.ResNet;
import org.maskrcnn4j.tensor.Backend;
import org.maskrcnn4j.train.JsonlMetrics;
import org.maskrcnn4j.train.LearningRateSchedule;
import org.maskrcnn4j.train.ProgressBar;
import org.maskrcnn4j.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code maskrcnn train}: train on a COCO dataset folder with checkpoints and resume. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train on a COCO dataset folder (instances.json + images/), e.g. out/demo/data/train.",
                "Writes checkpoints, metrics.jsonl and loss_curve.png to --out; --resume continues exactly."})
final class TrainCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model = new ModelOptions();

    @Option(names = "--data", required = true, description = "COCO dataset folder.")
    Path data;

    @Option(names = "--out", defaultValue = "out/train", description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--steps", defaultValue = "1000", description = "Training steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--batch-size", defaultValue = "2", description = "Images per step (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--lr", description = "Peak learning rate (default: 0.02 for sgd, 1e-4 for adamw).")
    Double lr;

    @Option(names = "--optimizer", defaultValue = "sgd",
            description = "sgd (momentum 0.9) or adamw (torch's betas 0.9/0.999, eps 1e-8). Default: ${DEFAULT-VALUE}.")
    String optimizer;

    @Option(names = "--weight-decay", description = "Weight decay, not applied to norm layers (default: 1e-4 for sgd, "
            + "0.01 for adamw, whose decay is decoupled).")
    Double weightDecay;

    @Option(names = "--clip-grad-norm", defaultValue = "0",
            description = "Clip the gradients to this global L2 norm before each update; 0 = off (default: ${DEFAULT-VALUE}).")
    double clipGradNorm;

    @Option(names = "--accumulate", defaultValue = "1", description = "Micro-batches of --batch-size images whose "
            + "mean gradient makes one step (gradient accumulation); default: ${DEFAULT-VALUE}.")
    int accumulate;

    @Option(names = "--warmup", defaultValue = "100", description = "Linear warm-up steps (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--schedule", defaultValue = "cosine", description = "cosine or step (x0.1 at 2/3 and 8/9 of the steps). Default: ${DEFAULT-VALUE}.")
    String schedule;

    @Option(names = "--checkpoint-every", defaultValue = "500", description = "Steps between checkpoints (default: ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Option(names = "--seed", defaultValue = "7", description = "Seed of the initialisation, batch order and sampling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--resume", description = "Continue from the last checkpoint in --out, with the model configuration "
            + "it records unless --config is given (a different one is refused).")
    boolean resume;

    @Option(names = "--aspect-grouping", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Batch portrait images only with portrait ones and landscape/square with landscape/square, so "
                    + "less padding is computed (torchvision's GroupedBatchSampler). On by default; --no-aspect-grouping "
                    + "draws batches from the whole set. Resume with the same choice.")
    boolean aspectGrouping;

    @Option(names = "--workers", description = "Threads that decode the next batches' images while a step computes "
            + "(default: available processors - 1, at least 1; 0 = decode on the training thread).")
    Integer workers;

    @Override
    public Integer call() throws Exception {
        if (steps <= 0 || batchSize <= 0) {
            throw new IllegalArgumentException("--steps and --batch-size must be positive");
        }
        Trainer.OptimizerKind kind = switch (optimizer) {
            case "sgd" -> Trainer.OptimizerKind.SGD;
            case "adamw" -> Trainer.OptimizerKind.ADAMW;
            default -> throw new IllegalArgumentException("--optimizer must be sgd or adamw, got '" + optimizer + "'");
        };
        if (!(clipGradNorm >= 0) || Double.isInfinite(clipGradNorm)) {
            throw new IllegalArgumentException("--clip-grad-norm must be a finite number >= 0 (0 = off), got " + clipGradNorm);
        }
        if (accumulate < 1) {
            throw new IllegalArgumentException("--accumulate must be >= 1 (micro-batches per step), got " + accumulate);
        }
        int loaders = workers != null ? workers : Math.max(1, Runtime.getRuntime().availableProcessors() - 1);
        if (loaders < 0) {
            throw new IllegalArgumentException("--workers must be >= 0 (0 = decode on the training thread), got " + loaders);
        }
        boolean sgd = kind == Trainer.OptimizerKind.SGD;
        double lr = this.lr != null ? this.lr : sgd ? 0.02 : 1e-4;
        double wd = weightDecay != null ? weightDecay : sgd ? 1e-4 : 0.01;
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("--lr must be a finite number > 0, got " + lr);
        }
        if (!(wd >= 0) || Double.isInfinite(wd)) {
            throw new IllegalArgumentException("--weight-decay must be a finite number >= 0, got " + wd);
        }
        LearningRateSchedule s = switch (schedule) {
            case "cosine" -> LearningRateSchedule.cosine(lr, warmup, 0.001, steps);
            case "step" -> LearningRateSchedule.steps(lr, warmup, 0.001, new int[] {steps * 2 / 3, steps * 8 / 9}, 0.1);
            default -> throw new IllegalArgumentException("--schedule must be cosine or step, got " + schedule);
        };
        CocoTrainingData examples = CocoTrainingData.open(data);
        Files.createDirectories(out);
        try (Backend b = model.openBackend()) {
            MaskRcnnModel m = model.model(b, false, resume ? out.resolve("checkpoints") : model.weights);
            LossCurve curve = new LossCurve();
            Trainer.Settings settings = new Trainer.Settings(steps, batchSize, s, 0.9, wd, checkpointEvery, seed, kind,
                    clipGradNorm, accumulate);
            Trainer t = new Trainer(m, examples, settings, ResNet::isNormParameter, out.resolve("checkpoints"))
                    .aspectRatioGrouping(aspectGrouping).workers(loaders)
                    .listen(new ProgressBar(System.err)).listen(new JsonlMetrics(out.resolve("metrics.jsonl"))).listen(curve);
            if (resume) {
                t.resume(out.resolve("checkpoints"));
            } else {
                t.run();
            }
            curve.write(out.resolve("loss_curve.png"), 900, 500);
        }
        System.out.println("wrote " + out);
        return 0;
    }
}

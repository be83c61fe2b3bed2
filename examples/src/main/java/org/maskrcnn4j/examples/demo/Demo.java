package org.maskrcnn4j.examples.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.maskrcnn4j.data.Images;
import org.maskrcnn4j.examples.render.LossCurve;
import org.maskrcnn4j.examples.render.Overlays;
import org.maskrcnn4j.examples.shapes.ShapesDataset;
import org.maskrcnn4j.model.MaskRcnnConfig;
import org.maskrcnn4j.model.MaskRcnnModel;
import org.maskrcnn4j.model.NormKind;
import org.maskrcnn4j.model.RegionProposalNetwork;
import org.maskrcnn4j.model.ResNet;
import org.maskrcnn4j.model.StandardRoIHeads;
import org.maskrcnn4j.tensor.Backend;
import org.maskrcnn4j.train.JsonlMetrics;
import org.maskrcnn4j.train.LearningRateSchedule;
import org.maskrcnn4j.train.ProgressBar;
import org.maskrcnn4j.train.Trainer;
import org.maskrcnn4j.train.TrainingExample;

/**
 * The demo: generates the shapes dataset, trains a small Mask R-CNN from scratch on the CPU, evaluates it
 * on a held-out split and writes overlays, the loss curve, metrics and the COCO summaries.
 */
public final class Demo {
    /** What the demo trains and where it writes. */
    public record Settings(Path out, int trainImages, int valImages, int steps, int batchSize, double learningRate,
            int imageSize, long seed, int overlays, NormKind norm) {
        /** The README's demo: about ten minutes on a two-core laptop CPU. */
        public static Settings defaults() {
            return new Settings(Path.of("out", "demo"), 1000, 50, 1600, 2, 1e-3, 192, 7, 8, DEFAULT_NORM);
        }
    }

    /** Overlays show detections at or above this score (evaluation uses all of them). */
    static final double OVERLAY_MIN_SCORE = 0.5;

    private Demo() {
    }

    /** The body: a narrow ResNet (two-conv stem, width 32, 1-2-2-1 basic blocks), trainable from scratch. */
    static final ResNet.Spec BODY = ResNet.Spec.narrow(32, 1, 2, 2, 1);

    /** The body's normalisation unless the demo is told otherwise. */
    public static final NormKind DEFAULT_NORM = NormKind.BATCH_NORM_TRAINING;

    /** The small configuration: {@link #BODY} with a 64-channel FPN at {@code imageSize} pixels. */
    public static MaskRcnnConfig modelConfig(int imageSize, int numClasses) {
        return modelConfig(imageSize, numClasses, DEFAULT_NORM);
    }

    /** {@link #modelConfig(int, int)} with the body normalised by {@code norm}. */
    public static MaskRcnnConfig modelConfig(int imageSize, int numClasses, NormKind norm) {
        return MaskRcnnConfig.builder().body(BODY).norm(norm).numClasses(numClasses)
                .minSize(imageSize).maxSize(imageSize)
                .fpnChannels(64).representationSize(256).maskLayers(64, 64)
                .anchorSizes(16, 32, 64, 128, 192)
                .rpn(new RegionProposalNetwork.Settings(600, 300, 300, 100, 0.7, 0.7, 0.3, 128, 0.5, 0.0))
                .roiHeads(new StandardRoIHeads.Settings(0.5, 0.5, 128, 0.25, 0.05, 0.5, 30))
                .build();
    }

    /** Parameters trained without weight decay: norm layers and biases. */
    static boolean noWeightDecay(String name) {
        return ResNet.isNormParameter(name) || name.endsWith(".bias");
    }

    /** Runs the demo; progress goes to {@code log}. */
    public static ShapesEvaluation.Result run(Backend backend, Settings s, PrintStream log) throws IOException {
        Files.createDirectories(s.out());
        ShapesDataset.Config data = ShapesDataset.Config.defaults().withSize(s.imageSize(), s.imageSize());
        ShapesDataset train = new ShapesDataset(s.seed(), data);
        ShapesDataset val = new ShapesDataset(s.seed() + 1_000_003L, data);
        log.printf("generating %d training and %d validation images in %s%n", s.trainImages(), s.valImages(),
                s.out().resolve("data"));
        train.write(s.out().resolve("data").resolve("train"), s.trainImages());
        val.write(s.out().resolve("data").resolve("val"), s.valImages());
        List<ShapesDataset.Sample> trainSamples = train.samples(s.trainImages());
        List<ShapesDataset.Sample> valSamples = val.samples(s.valImages());
        List<TrainingExample> examples = new ArrayList<>();
        for (ShapesDataset.Sample x : trainSamples) {
            examples.add(new TrainingExample(x.imageTensor(), x.boxesTensor(), x.labelsTensor(), x.masksTensor()));
        }

        MaskRcnnConfig config = modelConfig(s.imageSize(), ShapesDataset.categories().size() + 1, s.norm());
        MaskRcnnModel model = MaskRcnnModel.create(backend, config, s.seed());
        Trainer.Settings ts = new Trainer.Settings(s.steps(), s.batchSize(),
                LearningRateSchedule.cosine(s.learningRate(), Math.min(100, s.steps() / 10), 0.001, s.steps()), 0.9, 1e-4, 0,
                s.seed(), Trainer.OptimizerKind.ADAMW, 0, 1);
        LossCurve curve = new LossCurve();
        log.printf("training %s on %s for %d steps (batch %d)%n", "a narrow ResNet FPN Mask R-CNN (" + s.norm() + ")", backend.name(), s.steps(),
                s.batchSize());
        Files.deleteIfExists(s.out().resolve("metrics.jsonl"));
        new Trainer(model, examples, ts, Demo::noWeightDecay, s.out().resolve("checkpoints"))
                .horizontalFlip(0.5)
                .listen(new ProgressBar(log))
                .listen(new JsonlMetrics(s.out().resolve("metrics.jsonl")))
                .listen(curve)
                .run();
        curve.write(s.out().resolve("loss_curve.png"), 900, 500);

        log.printf("evaluating on %d held-out images%n", valSamples.size());
        ShapesEvaluation.Result r = ShapesEvaluation.evaluate(model, valSamples);
        Files.writeString(s.out().resolve("eval_bbox.txt"), String.join("\n", r.bbox().lines()) + "\n");
        Files.writeString(s.out().resolve("eval_segm.txt"), String.join("\n", r.segm().lines()) + "\n");
        ShapesEvaluation.writeResults(valSamples, r, s.out().resolve("results.json"));
        Path overlays = s.out().resolve("overlays");
        Files.createDirectories(overlays);
        List<java.awt.image.BufferedImage> drawn = new ArrayList<>();
        for (int i = 0; i < Math.min(s.overlays(), valSamples.size()); i++) {
            List<org.maskrcnn4j.model.Instance> confident = r.predictions().get(i).stream()
                    .filter(x -> x.score() >= OVERLAY_MIN_SCORE).toList();
            drawn.add(Overlays.draw(valSamples.get(i).image(), confident,
                    label -> ShapesDataset.Shape.ofCategoryId(label).label()));
            Images.writePng(drawn.get(i), overlays.resolve(String.format("val_%03d.png", i)));
        }
        if (!drawn.isEmpty()) {
            Images.writePng(Overlays.grid(drawn, 4, 2), s.out().resolve("overlays.png"));
        }
        log.println("bbox:");
        r.bbox().lines().forEach(l -> log.println("  " + l));
        log.println("segm:");
        r.segm().lines().forEach(l -> log.println("  " + l));
        log.printf("wrote %s (overlays/, overlays.png, loss_curve.png, metrics.jsonl, eval_*.txt, results.json)%n", s.out());
        return r;
    }
}

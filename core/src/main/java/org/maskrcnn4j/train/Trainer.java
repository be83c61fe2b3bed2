package org.maskrcnn4j.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import org.maskrcnn4j.model.MaskRcnnModel;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.Optimizer;
import org.maskrcnn4j.tensor.TrainStep;

/**
 * Trains a {@link MaskRcnnModel} with SGD (momentum) or AdamW (weight decay except on norm parameters),
 * optional gradient clipping and accumulation, a {@link LearningRateSchedule}, periodic atomic checkpoints
 * and resume. The batches (optionally grouped by aspect ratio) and the sampling seed of each micro-batch are
 * functions of (seed, micro-batch index), so a resumed run continues exactly where the interrupted one was.
 * Examples are loaded batch by batch, optionally ahead of time on loader threads.
 */
public final class Trainer {
    /** The update rule a trainer builds its {@link Optimizer} from. */
    public enum OptimizerKind {
        /** {@link Optimizer.Sgd} with the settings' momentum and weight decay. */
        SGD,
        /** {@link Optimizer.AdamW} with torch's betas and eps and the settings' weight decay (momentum unused). */
        ADAMW
    }

    /**
     * Training settings.
     *
     * @param batchSize images per micro-batch
     * @param momentum SGD's momentum; unused by AdamW
     * @param clipGradNorm clip gradients to this global L2 norm before each update; 0 = off
     * @param accumulate micro-batches per update (gradient accumulation, averaged); 1 = none. A step then
     *     sees {@code accumulate * batchSize} images.
     */
    public record Settings(int steps, int batchSize, LearningRateSchedule schedule, double momentum,
            double weightDecay, int checkpointEvery, long seed, OptimizerKind optimizer, double clipGradNorm,
            int accumulate) {
        public Settings {
            if (steps <= 0 || batchSize <= 0) {
                throw new IllegalArgumentException("steps and batch size must be positive, got " + steps + ", " + batchSize);
            }
            if (optimizer == null) {
                throw new IllegalArgumentException("optimizer must be one of " + java.util.Arrays.toString(OptimizerKind.values()));
            }
            if (!(clipGradNorm >= 0) || Double.isInfinite(clipGradNorm)) {
                throw new IllegalArgumentException("clipGradNorm must be finite and >= 0 (0 = off), got " + clipGradNorm);
            }
            if (accumulate < 1) {
                throw new IllegalArgumentException("accumulate (micro-batches per step) must be >= 1, got " + accumulate);
            }
        }

        /** SGD without clipping or accumulation. */
        public Settings(int steps, int batchSize, LearningRateSchedule schedule, double momentum, double weightDecay,
                int checkpointEvery, long seed) {
            this(steps, batchSize, schedule, momentum, weightDecay, checkpointEvery, seed, OptimizerKind.SGD, 0, 1);
        }

        /** The optimizer these settings describe, with weight decay except on {@code noDecay}'s parameters. */
        public Optimizer optimizer(Predicate<String> noDecay) {
            Optimizer o = optimizer == OptimizerKind.SGD ? new Optimizer.Sgd(momentum, weightDecay, noDecay)
                    : new Optimizer.AdamW(weightDecay, noDecay);
            return o.withClipGradNorm(clipGradNorm);
        }
    }

    private final MaskRcnnModel model;
    private final TrainingData data;
    private final Settings settings;
    private final Path checkpointDir;
    private final List<TrainingListener> listeners = new ArrayList<>();
    private final TrainStep step;
    private double flipProbability;
    private boolean aspectRatioGrouping;
    private int workers;
    private int calibrationBatches = DEFAULT_CALIBRATION_BATCHES;

    /** Batches of the batch-norm calibration before each checkpoint and at the end (see {@link #calibrationBatches}). */
    public static final int DEFAULT_CALIBRATION_BATCHES = 32;

    /** Trains on examples already in memory; see {@link #Trainer(MaskRcnnModel, TrainingData, Settings, Predicate, Path)}. */
    public Trainer(MaskRcnnModel model, List<TrainingExample> data, Settings settings, Predicate<String> noDecay,
            Path checkpointDir) {
        this(model, TrainingData.of(data), settings, noDecay, checkpointDir);
    }

    /**
     * @param data the training set, loaded batch by batch (see {@link #workers(int)})
     * @param noDecay parameters exempt from weight decay (norm layers, like detectron2's default)
     * @param checkpointDir where checkpoints go, or null for none
     */
    public Trainer(MaskRcnnModel model, TrainingData data, Settings settings, Predicate<String> noDecay,
            Path checkpointDir) {
        if (data.size() == 0) {
            throw new IllegalArgumentException("no training examples");
        }
        this.model = model;
        this.data = data;
        this.settings = settings;
        this.checkpointDir = checkpointDir;
        this.step = model.trainStep(settings.batchSize(), settings.optimizer(noDecay));
    }

    /**
     * Mirrors each drawn example left-right with probability {@code p} (torchvision's
     * {@code RandomHorizontalFlip}); whether it does is a function of (seed, step, slot), so resume repeats it.
     */
    public Trainer horizontalFlip(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("horizontal flip probability must be in [0, 1], got " + p);
        }
        flipProbability = p;
        return this;
    }

    /**
     * Batches hold only portrait (width &lt; height) or only landscape-or-square images, so padding a batch
     * to its largest image wastes less (torchvision's {@code GroupedBatchSampler}, detectron2's
     * {@code AspectRatioGroupedDataset}); see {@link BatchSampler} for the order. Off by default; a resumed
     * run must use the same choice to repeat the interrupted one's batches.
     */
    public Trainer aspectRatioGrouping(boolean on) {
        aspectRatioGrouping = on;
        return this;
    }

    /**
     * Loads the examples of the next steps on {@code n} threads while the current step computes, handing
     * them over in order (results do not depend on {@code n}); a loading error stops training with the
     * loader's message. 0, the default, loads each batch on the training thread.
     */
    public Trainer workers(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("workers must be >= 0 (0 = load on the training thread), got " + n);
        }
        workers = n;
        return this;
    }

    /**
     * For models whose batch norms use batch statistics ({@link MaskRcnnModel#usesBatchStatistics()}): the
     * number of training batches (the sampler's first ones, unflipped) from which their running statistics
     * are set before each checkpoint and after the last step ({@link MaskRcnnModel#calibrateBatchNorm}). The
     * losses of training steps do not depend on them, so resuming stays exact.
     */
    public Trainer calibrationBatches(int n) {
        if (n <= 0) {
            throw new IllegalArgumentException("calibration batches must be positive, got " + n);
        }
        calibrationBatches = n;
        return this;
    }

    public Trainer listen(TrainingListener listener) {
        listeners.add(listener);
        return this;
    }

    /** Runs from step 0. */
    public void run() throws IOException {
        run(0);
    }

    /** Continues from a checkpoint written by this trainer's settings. */
    public void resume(Path checkpoint) throws IOException {
        int next = Checkpoint.restore(checkpoint, model, step, recorded());
        run(next);
    }

    private void run(int first) throws IOException {
        int a = settings.accumulate();
        int b = settings.batchSize();
        BatchSampler sampler = new BatchSampler(data.size(), b, settings.seed(), aspectRatioGrouping ? aspectRatios() : null);
        int ahead = Math.max(2 * a, (workers + b - 1) / b);
        try (Prefetcher<TrainingExample> loader = new Prefetcher<>(workers, ahead, (long) settings.steps() * a,
                m -> loads(sampler, m))) {
            for (int s = first; s < settings.steps(); s++) {
                long t0 = System.nanoTime();
                double lr = settings.schedule().at(s);
                List<Map<String, HostTensor>> batches = new ArrayList<>();
                for (int j = 0; j < a; j++) {
                    long m = (long) s * a + j;
                    batches.add(inputs(loader.take(m), m));
                }
                Map<String, Double> losses = step.run(batches, lr);
                double total = 0;
                List<String> bad = new ArrayList<>();
                for (Map.Entry<String, Double> e : losses.entrySet()) {
                    total += e.getValue();
                    if (!Double.isFinite(e.getValue())) {
                        bad.add(e.getKey() + "=" + e.getValue());
                    }
                }
                if (!bad.isEmpty()) {
                    throw new TrainingDivergedException("training diverged at step " + s + ": " + String.join(", ", bad)
                            + " (learning rate " + lr + "); lower the learning rate or resume from the last checkpoint");
                }
                StepResult r = new StepResult(s, settings.steps(), lr, losses, total, (System.nanoTime() - t0) / 1e9);
                for (TrainingListener l : listeners) {
                    l.onStep(r);
                }
                boolean last = s == settings.steps() - 1;
                boolean save = checkpointDir != null
                        && (last || (settings.checkpointEvery() > 0 && (s + 1) % settings.checkpointEvery() == 0));
                if (save || last) {
                    calibrateBatchNorm(sampler);
                }
                if (save) {
                    Checkpoint.save(checkpointDir, s + 1, model, step, recorded());
                }
            }
        } finally {
            for (TrainingListener l : listeners) {
                l.onEnd();
            }
        }
    }

    private void calibrateBatchNorm(BatchSampler sampler) throws IOException {
        if (!model.usesBatchStatistics()) {
            return;
        }
        List<List<HostTensor>> batches = new ArrayList<>();
        for (int m = 0; m < calibrationBatches; m++) {
            List<HostTensor> images = new ArrayList<>();
            for (int index : sampler.batch(m)) {
                images.add(data.load(index).image());
            }
            batches.add(images);
        }
        model.calibrateBatchNorm(batches);
    }

    /** What checkpoints record of the training: the settings and the options that shape the batches. */
    private Map<String, Object> recorded() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("settings", settings);
        out.put("horizontalFlip", flipProbability);
        out.put("aspectRatioGrouping", aspectRatioGrouping);
        return out;
    }

    private double[] aspectRatios() {
        double[] r = new double[data.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = data.aspectRatio(i);
        }
        return r;
    }

    /**
     * How to load the examples of micro-batch {@code m} (the step's index without accumulation): the
     * sampler's indices, each mirrored when the flip drawn from (seed, slot position) says so.
     */
    private List<Prefetcher.Task<TrainingExample>> loads(BatchSampler sampler, long m) {
        int[] indices = sampler.batch(m);
        List<Prefetcher.Task<TrainingExample>> out = new ArrayList<>();
        for (int i = 0; i < indices.length; i++) {
            long position = m * indices.length + i;
            int index = indices[i];
            boolean flip = flipProbability > 0
                    && new SplittableRandom(settings.seed() * 31 + position).nextDouble() < flipProbability;
            out.add(() -> flip ? data.load(index).flippedHorizontally() : data.load(index));
        }
        return out;
    }

    /** The step inputs of micro-batch {@code m}: its examples and the sampling seed. */
    private Map<String, HostTensor> inputs(List<TrainingExample> examples, long m) {
        Map<String, HostTensor> in = new LinkedHashMap<>();
        for (int i = 0; i < examples.size(); i++) {
            TrainingExample ex = examples.get(i);
            in.put("image." + i, ex.image());
            in.put("boxes." + i, ex.boxes());
            in.put("labels." + i, ex.labels());
            in.put("masks." + i, ex.masks());
        }
        in.put("seed", HostTensor.ofLongs(new long[] {settings.seed() * 1_000_003L + m}, 1));
        return in;
    }
}

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
 * and resume. The batches and the sampling seed of each micro-batch are functions of (seed, micro-batch
 * index), so a resumed run continues exactly where the interrupted one was.
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
    private final List<TrainingExample> data;
    private final Settings settings;
    private final Path checkpointDir;
    private final List<TrainingListener> listeners = new ArrayList<>();
    private final TrainStep step;
    private double flipProbability;

    /**
     * @param noDecay parameters exempt from weight decay (norm layers, like detectron2's default)
     * @param checkpointDir where checkpoints go, or null for none
     */
    public Trainer(MaskRcnnModel model, List<TrainingExample> data, Settings settings, Predicate<String> noDecay,
            Path checkpointDir) {
        if (data.isEmpty()) {
            throw new IllegalArgumentException("no training examples");
        }
        this.model = model;
        this.data = List.copyOf(data);
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
        int next = Checkpoint.restore(checkpoint, model, step);
        run(next);
    }

    private void run(int first) throws IOException {
        try {
            for (int s = first; s < settings.steps(); s++) {
                long t0 = System.nanoTime();
                double lr = settings.schedule().at(s);
                List<Map<String, HostTensor>> batches = new ArrayList<>();
                for (int j = 0; j < settings.accumulate(); j++) {
                    batches.add(inputs(s * settings.accumulate() + j));
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
                if (checkpointDir != null && (last || (settings.checkpointEvery() > 0 && (s + 1) % settings.checkpointEvery() == 0))) {
                    Checkpoint.save(checkpointDir, s + 1, model, step);
                }
            }
        } finally {
            for (TrainingListener l : listeners) {
                l.onEnd();
            }
        }
    }

    /**
     * The inputs of micro-batch {@code s} (the step's index without accumulation): a batch drawn by a
     * per-epoch permutation, and the sampling seed.
     */
    Map<String, HostTensor> inputs(int s) {
        int b = settings.batchSize();
        Map<String, HostTensor> in = new LinkedHashMap<>();
        for (int i = 0; i < b; i++) {
            long position = (long) s * b + i;
            int epoch = (int) (position / data.size());
            int[] order = permutation(settings.seed() + epoch, data.size());
            TrainingExample ex = data.get(order[(int) (position % data.size())]);
            if (flipProbability > 0
                    && new SplittableRandom(settings.seed() * 31 + position).nextDouble() < flipProbability) {
                ex = ex.flippedHorizontally();
            }
            in.put("image." + i, ex.image());
            in.put("boxes." + i, ex.boxes());
            in.put("labels." + i, ex.labels());
            in.put("masks." + i, ex.masks());
        }
        in.put("seed", HostTensor.ofLongs(new long[] {settings.seed() * 1_000_003L + s}, 1));
        return in;
    }

    private static int[] permutation(long seed, int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}

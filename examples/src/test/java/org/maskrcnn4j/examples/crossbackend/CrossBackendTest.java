package org.maskrcnn4j.examples.crossbackend;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskrcnn4j.examples.demo.Demo;
import org.maskrcnn4j.examples.shapes.ShapesDataset;
import org.maskrcnn4j.model.Instance;
import org.maskrcnn4j.model.MaskRcnnConfig;
import org.maskrcnn4j.model.MaskRcnnModel;
import org.maskrcnn4j.model.StandardRoIHeads;
import org.maskrcnn4j.tensor.Backend;
import org.maskrcnn4j.tensor.BackendConfig;
import org.maskrcnn4j.tensor.Backends;
import org.maskrcnn4j.tensor.Optimizer;
import org.maskrcnn4j.train.Checkpoint;
import org.maskrcnn4j.train.LearningRateSchedule;
import org.maskrcnn4j.train.StepResult;
import org.maskrcnn4j.train.Trainer;
import org.maskrcnn4j.train.TrainingExample;

/**
 * One weights file, two backends: a safetensors file written by DJL loads into TensorFlow and gives the
 * same detections, a checkpoint trained on DJL restores (weights and optimizer state) and trains on
 * TensorFlow, and one trained on TensorFlow restores on DJL with the same detections.
 *
 * <p>Tolerances. Both backends compute in float32 but with different kernels (libtorch vs TensorFlow's
 * oneDNN/Eigen convolutions and matmuls, different summation orders), so activations differ by a few float32
 * ulps per layer, about 1e-6 relative after the ~20 layers of this small model; measured here, scores agree
 * to 3e-8 and boxes to 4e-6 pixels. The limits sit about 100x above that, so that other CPUs (AVX2 vs
 * AVX-512 kernels) and thread counts pass, and far below what any real divergence gives (a wrong op or
 * weight moves scores by 1e-3 or more and boxes by pixels): scores within 1e-5, boxes within 1e-3 pixels.
 * A pasted mask pixel flips only where its probability is within ~1e-6 of 0.5, so at most one pixel in a
 * thousand may differ. Detections are matched by label and box rather than by rank, so that two scores
 * tied to within the tolerance may swap places.
 */
class CrossBackendTest {
    static final int SIZE = 64;
    static final double SCORE_TOL = 1e-5;
    static final double BOX_TOL = 1e-3;

    /** The demo's small ResNet-18 FPN at 64 pixels, keeping up to 100 detections so that several classes show. */
    static MaskRcnnConfig config() {
        return Demo.modelConfig(SIZE, ShapesDataset.categories().size() + 1).toBuilder()
                .roiHeads(new StandardRoIHeads.Settings(0.5, 0.5, 128, 0.25, 0.05, 0.5, 100)).build();
    }

    static List<ShapesDataset.Sample> samples(int n) {
        return new ShapesDataset(21, ShapesDataset.Config.defaults().withSize(SIZE, SIZE)).samples(n);
    }

    static Backend open(String name) {
        return Backends.provider(name).create(BackendConfig.defaults());
    }

    @Test
    void sameWeightsFileGivesTheSameDetectionsOnDjlAndTensorflow(@TempDir Path tmp) throws Exception {
        ShapesDataset.Sample sample = samples(1).get(0);
        Path weights = tmp.resolve("random.safetensors");
        List<Instance> djl;
        try (Backend b = open("djl")) {
            MaskRcnnModel m = MaskRcnnModel.create(b, config(), 7);
            m.saveWeights(weights);
            djl = m.predict(sample.imageTensor());
        }
        List<Instance> tf;
        try (Backend b = open("tensorflow")) {
            MaskRcnnModel m = MaskRcnnModel.create(b, config(), 12345); // other initial values, overwritten
            m.loadWeights(weights, true);
            tf = m.predict(sample.imageTensor());
        }
        assertSameDetections(djl, tf, "random weights");
    }

    @Test
    void checkpointTrainedOnDjlRestoresAndTrainsOnTensorflow(@TempDir Path tmp) throws Exception {
        List<TrainingExample> data = new ArrayList<>();
        List<ShapesDataset.Sample> samples = samples(3);
        for (ShapesDataset.Sample s : samples) {
            data.add(new TrainingExample(s.imageTensor(), s.boxesTensor(), s.labelsTensor(), s.masksTensor()));
        }
        Path run = tmp.resolve("run");
        List<Instance> djl;
        try (Backend b = open("djl")) {
            MaskRcnnModel m = MaskRcnnModel.create(b, config(), 9);
            new Trainer(m, data, settings(3), name -> false, run).run();
            djl = m.predict(samples.get(0).imageTensor());
        }
        assertThat(Checkpoint.locate(run)).isEqualTo(run.resolve("step-3"));

        try (Backend b = open("tensorflow")) {
            MaskRcnnModel m = MaskRcnnModel.create(b, config(), 12345);
            List<Double> losses = new ArrayList<>();
            Trainer t = new Trainer(m, data, settings(4), name -> false, tmp.resolve("resumed"));
            t.listen((StepResult r) -> losses.add(r.loss()));
            // restores DJL's weights and momentum buffers, then predicts before training on
            Checkpoint.restore(run, m, m.trainStep(2, new Optimizer.Sgd(0.9, 1e-4)));
            assertSameDetections(djl, m.predict(samples.get(0).imageTensor()), "a DJL checkpoint on tensorflow");
            t.resume(run);
            assertThat(losses).as("the resumed step runs on tensorflow").singleElement()
                    .satisfies(l -> assertThat(l).isFinite().isPositive());
            assertThat(Checkpoint.locate(tmp.resolve("resumed"))).isEqualTo(tmp.resolve("resumed").resolve("step-4"));
        }
    }

    @Test
    void checkpointTrainedOnTensorflowRestoresOnDjl(@TempDir Path tmp) throws Exception {
        List<TrainingExample> data = new ArrayList<>();
        List<ShapesDataset.Sample> samples = samples(2);
        for (ShapesDataset.Sample s : samples) {
            data.add(new TrainingExample(s.imageTensor(), s.boxesTensor(), s.labelsTensor(), s.masksTensor()));
        }
        Path run = tmp.resolve("run");
        List<Instance> tf;
        try (Backend b = open("tensorflow")) {
            MaskRcnnModel m = MaskRcnnModel.create(b, config(), 9);
            new Trainer(m, data, settings(2), name -> false, run).run();
            tf = m.predict(samples.get(1).imageTensor());
        }
        try (Backend b = open("djl")) {
            MaskRcnnModel m = MaskRcnnModel.create(b, config(), 12345);
            Checkpoint.restore(run, m, m.trainStep(2, new Optimizer.Sgd(0.9, 1e-4)));
            assertSameDetections(tf, m.predict(samples.get(1).imageTensor()), "a TensorFlow checkpoint on DJL");
        }
    }

    private static Trainer.Settings settings(int steps) {
        return new Trainer.Settings(steps, 2, LearningRateSchedule.steps(0.01, 0, 1, new int[0], 1), 0.9, 1e-4, 3, 5);
    }

    static void assertSameDetections(List<Instance> expected, List<Instance> actual, String what) {
        assertThat(expected).as("%s: detections on DJL", what).hasSizeGreaterThan(2);
        assertThat(actual).as("%s: number of detections", what).hasSameSizeAs(expected);
        List<Instance> left = new ArrayList<>(actual);
        int flipped = 0;
        long pixels = 0;
        double worstScore = 0;
        double worstBox = 0;
        for (Instance e : expected) {
            Instance best = null;
            double bestDiff = Double.MAX_VALUE;
            for (Instance a : left) {
                double d = boxDiff(e.box(), a.box());
                if (a.label() == e.label() && d < bestDiff) {
                    best = a;
                    bestDiff = d;
                }
            }
            assertThat(best).as("%s: a detection of label %d at %s", what, e.label(), java.util.Arrays.toString(e.box()))
                    .isNotNull();
            assertThat(bestDiff).as("%s: box of label %d at %s", what, e.label(), java.util.Arrays.toString(e.box()))
                    .isLessThanOrEqualTo(BOX_TOL);
            assertThat((double) best.score()).as("%s: score of label %d at %s", what, e.label(),
                    java.util.Arrays.toString(e.box())).isCloseTo(e.score(), org.assertj.core.data.Offset.offset(SCORE_TOL));
            worstBox = Math.max(worstBox, bestDiff);
            worstScore = Math.max(worstScore, Math.abs(best.score() - e.score()));
            left.remove(best);
            BitSet x = (BitSet) e.mask().pixels().clone();
            x.xor(best.mask().pixels());
            flipped += x.cardinality();
            pixels += (long) e.mask().height() * e.mask().width();
        }
        System.out.printf("%s: %d detections, %d labels, max score diff %.1e, max box diff %.1e px, %d of %d mask "
                + "pixels differ%n", what, expected.size(), expected.stream().map(Instance::label).distinct().count(),
                worstScore, worstBox, flipped, pixels);
        assertThat(flipped).as("%s: mask pixels that differ", what).isLessThanOrEqualTo((int) (pixels / 1000));
    }

    private static double boxDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < 4; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}

package org.maskrcnn4j.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.maskrcnn4j.examples.shapes.ShapesDataset;
import org.maskrcnn4j.model.Instance;
import org.maskrcnn4j.model.MaskRcnnConfig;
import org.maskrcnn4j.model.MaskRcnnModel;
import org.maskrcnn4j.tensor.Backend;
import org.maskrcnn4j.tensor.Backends;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.Optimizer;
import org.maskrcnn4j.tensor.TrainStep;
import org.maskrcnn4j.train.LearningRateSchedule;
import org.maskrcnn4j.train.StepResult;
import org.maskrcnn4j.train.Trainer;
import org.maskrcnn4j.train.TrainingExample;

/**
 * The model learns: a small configuration trained from scratch on a handful of generated shapes images
 * cuts its total loss by a wide margin and predicts masks that overlap the ground truth; one step moves
 * every trainable parameter and no frozen one. Runs on the selected backend (DJL by default), and the
 * learning check also on TensorFlow.
 */
class MaskRcnnLearningTest {

    @Test
    void smallModelLearnsShapesFromScratch() throws Exception {
        try (Backend backend = Backends.get()) {
            learnShapes(backend);
        }
    }

    @Test
    void smallModelLearnsShapesFromScratchOnTensorflow() throws Exception {
        try (Backend backend = Backends.provider("tensorflow").create(org.maskrcnn4j.tensor.BackendConfig.defaults())) {
            learnShapes(backend);
        }
    }

    private static void learnShapes(Backend backend) throws Exception {
        ShapesDataset data = new ShapesDataset(11, ShapesDataset.Config.defaults().withShapes(1, 3));
        List<ShapesDataset.Sample> samples = data.samples(6);
        List<TrainingExample> examples = new ArrayList<>();
        for (ShapesDataset.Sample s : samples) {
            examples.add(new TrainingExample(s.imageTensor(), s.boxesTensor(), s.labelsTensor(), s.masksTensor()));
        }
        MaskRcnnConfig config = Demo.modelConfig(128, ShapesDataset.categories().size() + 1);
        MaskRcnnModel model = MaskRcnnModel.create(backend, config, 3);
        int steps = 300;
        List<Double> losses = new ArrayList<>();
        new Trainer(model, examples, new Trainer.Settings(steps, 2, LearningRateSchedule.cosine(1e-3, 20, 0.001, steps),
                0.9, 1e-4, 0, 5, Trainer.OptimizerKind.ADAMW, 0, 1), Demo::noWeightDecay, null)
                .listen((StepResult r) -> losses.add(r.loss())).run();

        double first = losses.subList(0, 10).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double last = losses.subList(steps - 10, steps).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        assertThat(last).as("mean total loss of the last 10 steps vs the first 10 (%s)", losses).isLessThan(0.4 * first);

        double iouSum = 0;
        int count = 0;
        for (ShapesDataset.Sample s : samples) {
            List<Instance> predicted = model.predict(s.imageTensor());
            for (ShapesDataset.ShapeInstance gt : s.instances()) {
                double best = 0;
                for (Instance p : predicted) {
                    if (p.label() == gt.categoryId()) {
                        best = Math.max(best, p.mask().iou(gt.mask()));
                    }
                }
                iouSum += best;
                count++;
            }
        }
        assertThat(iouSum / count).as("mean best mask IoU over %d training instances", count).isGreaterThanOrEqualTo(0.5);
    }

    @Test
    void oneStepMovesEveryTrainableParameterAndNoFrozenOne() {
        try (Backend backend = Backends.get()) {
            oneStep(backend);
        }
    }

    private static void oneStep(Backend backend) {
        ShapesDataset.Sample s = new ShapesDataset(5).sample(0);
        MaskRcnnConfig config = Demo.modelConfig(128, ShapesDataset.categories().size() + 1).toBuilder()
                .trainableBackboneLayers(3).build();
        MaskRcnnModel model = MaskRcnnModel.create(backend, config, 1);
        Map<String, HostTensor> before = backend.parameters().snapshot();
        TrainStep step = model.trainStep(1, new Optimizer.Sgd(0, 0));
        step.run(Map.of("image.0", s.imageTensor(), "boxes.0", s.boxesTensor(), "labels.0", s.labelsTensor(),
                "masks.0", s.masksTensor(), "seed", HostTensor.ofLongs(new long[] {1}, 1)), 0.01);
        Map<String, HostTensor> after = backend.parameters().snapshot();
        List<String> frozenMoved = new ArrayList<>();
        List<String> trainableStill = new ArrayList<>();
        for (String name : before.keySet()) {
            boolean moved = !java.util.Arrays.equals(before.get(name).toDoubleArray(), after.get(name).toDoubleArray());
            if (backend.parameters().trainable(name) && !moved) {
                trainableStill.add(name);
            } else if (!backend.parameters().trainable(name) && moved) {
                frozenMoved.add(name);
            }
        }
        assertThat(frozenMoved).as("frozen parameters changed by a step").isEmpty();
        assertThat(trainableStill).as("trainable parameters without a gradient").isEmpty();
        assertThat(backend.parameters().trainable("backbone.body.layer1.0.conv1.weight")).isFalse();
        assertThat(backend.parameters().trainable("backbone.body.layer2.0.conv1.weight")).isTrue();
    }
}

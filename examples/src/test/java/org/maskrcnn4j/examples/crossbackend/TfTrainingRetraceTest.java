package org.maskrcnn4j.examples.crossbackend;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.maskrcnn4j.backend.tf.TfBackend;
import org.maskrcnn4j.examples.shapes.ShapesDataset;
import org.maskrcnn4j.model.MaskRcnnModel;
import org.maskrcnn4j.tensor.Backend;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.Optimizer;
import org.maskrcnn4j.tensor.Shape;
import org.maskrcnn4j.tensor.TrainStep;

/**
 * On TensorFlow a training step is traced with static image sizes and, once a batch with other numbers of
 * ground-truth objects arrives, retraced once with those counts unknown; later batches that differ only in
 * the counts reuse that graph. It must compute exactly what an exact-shape graph computes for the same batch.
 */
class TfTrainingRetraceTest {

    @Test
    void generalisedTraceServesOtherObjectCountsWithTheLossesOfAnExactShapeTrace() {
        List<ShapesDataset.Sample> s = new ShapesDataset(4, ShapesDataset.Config.defaults()
                .withSize(CrossBackendTest.SIZE, CrossBackendTest.SIZE).withShapes(3, 4)).samples(2);
        Map<String, HostTensor> x = batch(s.get(0), 3, s.get(1), 3);
        Map<String, HostTensor> y = batch(s.get(0), 2, s.get(1), 3);
        Map<String, HostTensor> z = batch(s.get(0), 1, s.get(1), 3);

        Map<String, Double> exact;
        try (Backend b = CrossBackendTest.open("tensorflow")) {
            exact = step(b).run(x, 0);
        }
        Map<String, Double> general;
        try (Backend b = CrossBackendTest.open("tensorflow")) {
            TfBackend tf = (TfBackend) b;
            TrainStep step = step(b);
            int before = tf.traceCount();
            step.run(y, 0); // traced for y's exact shapes
            general = step.run(x, 0); // 3 objects instead of 2 in image 0: traced with that count unknown
            step.run(z, 0); // 1 object: the same graph
            assertThat(tf.traceCount() - before).as("traces for three object counts").isEqualTo(2);
        }
        System.out.printf("losses, exact-shape trace %s; generalised trace %s%n", exact, general);
        assertThat(general.keySet()).isEqualTo(exact.keySet());
        exact.forEach((k, v) -> assertThat(general.get(k)).as(k).isCloseTo(v, org.assertj.core.data.Offset.offset(1e-6)));
    }

    private static TrainStep step(Backend b) {
        return MaskRcnnModel.create(b, CrossBackendTest.config(), 9).trainStep(2, new Optimizer.Sgd(0.9, 1e-4));
    }

    /** Images a and b with their first {@code na} and {@code nb} objects. */
    private static Map<String, HostTensor> batch(ShapesDataset.Sample a, int na, ShapesDataset.Sample b, int nb) {
        Map<String, HostTensor> m = new LinkedHashMap<>();
        int i = 0;
        for (ShapesDataset.Sample s : List.of(a, b)) {
            int n = i == 0 ? na : nb;
            assertThat(s.instances()).hasSizeGreaterThanOrEqualTo(n);
            m.put("image." + i, s.imageTensor());
            m.put("boxes." + i, first(s.boxesTensor(), n));
            m.put("labels." + i, first(s.labelsTensor(), n));
            m.put("masks." + i, first(s.masksTensor(), n));
            i++;
        }
        m.put("seed", HostTensor.ofLongs(new long[] {3}, 1));
        return m;
    }

    private static HostTensor first(HostTensor t, int n) {
        long[] dims = t.shape().dims();
        int per = (int) (t.size() / dims[0]) * t.dtype().byteSize();
        ByteBuffer bytes = t.bytes();
        bytes.limit(bytes.position() + n * per);
        dims[0] = n;
        return HostTensor.of(t.dtype(), Shape.of(dims), bytes);
    }
}

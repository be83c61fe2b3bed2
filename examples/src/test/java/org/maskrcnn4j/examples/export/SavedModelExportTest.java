package org.maskrcnn4j.examples.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskrcnn4j.backend.tf.TfSavedModel;
import org.maskrcnn4j.backend.tf.TfTensorSpec;
import org.maskrcnn4j.examples.demo.Demo;
import org.maskrcnn4j.examples.shapes.ShapesDataset;
import org.maskrcnn4j.model.Instance;
import org.maskrcnn4j.model.MaskRcnnConfig;
import org.maskrcnn4j.model.MaskRcnnModel;
import org.maskrcnn4j.tensor.Backend;
import org.maskrcnn4j.tensor.BackendConfig;
import org.maskrcnn4j.tensor.Backends;
import org.maskrcnn4j.tensor.DType;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.Shape;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TUint8;

/**
 * A small randomly initialised model (fixed seed) exported as a SavedModel and reloaded with plain
 * TensorFlow Java gives the detections of the in-process model on the same image.
 */
class SavedModelExportTest {
    static final int SIZE = 64;

    /** The demo's small ResNet-18 FPN at 64 pixels, 5 classes. */
    static MaskRcnnConfig smallConfig() {
        return Demo.modelConfig(SIZE, ShapesDataset.categories().size() + 1);
    }

    static ShapesDataset.Sample image() {
        return new ShapesDataset(21, ShapesDataset.Config.defaults().withSize(SIZE, SIZE)).sample(0);
    }

    @Test
    void reloadedSavedModelGivesTheInProcessDetections(@TempDir Path tmp) throws Exception {
        ShapesDataset.Sample sample = image();
        Path dir = tmp.resolve("model");
        List<Instance> expected;
        TfSavedModel.Signature sig;
        try (Backend tf = Backends.provider("tensorflow").create(BackendConfig.defaults())) {
            MaskRcnnModel model = MaskRcnnModel.create(tf, smallConfig(), 7);
            expected = model.predict(sample.imageTensor());
            sig = SavedModelExport.export(model, dir, SIZE, SIZE, false);
        }
        // the test must be able to fail: a random model with threshold 0.05 still finds (random) objects
        assertThat(expected).as("in-process detections").hasSizeGreaterThan(2);
        assertThat(sig.inputs()).containsExactly(new TfTensorSpec("images", DType.UINT8, Shape.of(1, SIZE, SIZE, 3)));
        assertThat(sig.outputs()).extracting(TfTensorSpec::name)
                .containsExactly("boxes", "labels", "scores", "masks", "mask_probs");
        assertThat(sig.outputs()).extracting(TfTensorSpec::dtype)
                .containsExactly(DType.FLOAT32, DType.INT64, DType.FLOAT32, DType.UINT8, DType.FLOAT32);
        assertThat(sig.outputs().get(3).shape()).isEqualTo(Shape.of(1, -1, SIZE, SIZE));

        HostTensor input = SavedModelExport.inputTensor(sample.image());
        try (SavedModelBundle bundle = SavedModelBundle.load(dir.toString(), "serve");
                TUint8 images = TUint8.tensorOf(org.tensorflow.ndarray.Shape.of(input.shape().dims()),
                        DataBuffers.of(bytes(input), true, false));
                Result r = bundle.function("serving_default").call(Map.of("images", images))) {
            TFloat32 boxes = (TFloat32) r.get("boxes").orElseThrow();
            TInt64 labels = (TInt64) r.get("labels").orElseThrow();
            TFloat32 scores = (TFloat32) r.get("scores").orElseThrow();
            TUint8 masks = (TUint8) r.get("masks").orElseThrow();
            TFloat32 probs = (TFloat32) r.get("mask_probs").orElseThrow();
            int n = expected.size();
            assertThat(scores.shape().asArray()).containsExactly(1, n);
            assertThat(boxes.shape().asArray()).containsExactly(1, n, 4);
            assertThat(masks.shape().asArray()).containsExactly(1, n, SIZE, SIZE);
            assertThat(probs.shape().asArray()).containsExactly(1, n, 28, 28);
            int flipped = 0;
            for (int i = 0; i < n; i++) {
                Instance e = expected.get(i);
                assertThat(labels.getLong(0, i)).as("label %d", i).isEqualTo(e.label());
                assertThat(scores.getFloat(0, i)).as("score %d", i).isCloseTo(e.score(), within(1e-4f));
                for (int k = 0; k < 4; k++) {
                    assertThat(boxes.getFloat(0, i, k)).as("box %d[%d]", i, k).isCloseTo(e.box()[k], within(1e-4f));
                }
                for (int y = 0; y < SIZE; y++) {
                    for (int x = 0; x < SIZE; x++) {
                        if ((masks.getByte(0, i, y, x) != 0) != e.mask().get(y, x)) {
                            flipped++;
                        }
                    }
                }
                assertThat(probs.getFloat(0, i, 14, 14)).isCloseTo(e.maskProbabilities()[14 * 28 + 14], within(1e-4f));
            }
            System.out.printf("SavedModel reload: %d detections, %d mask pixels differ%n", n, flipped);
            // pasted masks threshold probabilities that agree to ~1e-6: a pixel right at 0.5 may flip
            assertThat(flipped).as("mask pixels that differ over %d masks", n).isLessThanOrEqualTo(n);
        }
    }

    @Test
    void refusesAModelOnAnotherBackend(@TempDir Path tmp) {
        try (Backend djl = Backends.provider("djl").create(BackendConfig.defaults())) {
            MaskRcnnModel model = MaskRcnnModel.create(djl, smallConfig(), 7);
            assertThatThrownBy(() -> SavedModelExport.export(model, tmp.resolve("m"), SIZE, SIZE, false))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("needs the tensorflow backend").hasMessageContaining("'djl'");
        }
        assertThat(tmp.resolve("m")).doesNotExist();
    }

    private static byte[] bytes(HostTensor t) {
        byte[] b = new byte[(int) t.size()];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) t.getLong(i);
        }
        return b;
    }
}

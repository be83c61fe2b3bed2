package org.maskrcnn4j.backend.tf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.maskrcnn4j.tensor.BackendConfig;
import org.maskrcnn4j.tensor.Backends;
import org.maskrcnn4j.tensor.DType;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.Ops;
import org.maskrcnn4j.tensor.Shape;
import org.maskrcnn4j.tensor.Tensor;
import org.maskrcnn4j.tensor.TensorFunction;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;

/**
 * SavedModel export of a small function with parameters: TensorFlow Java loads it back with
 * {@code SavedModelBundle.load} and computes what the backend computes, with the parameters frozen at
 * export time; the destination is written atomically and never half-written.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TfSavedModelTest {
    private TfBackend backend;

    @BeforeAll
    void open() {
        backend = (TfBackend) Backends.provider(TfBackendProvider.NAME).create(BackendConfig.defaults());
        backend.parameters().declare("net.conv.weight", HostTensor.ofFloats(floats(4 * 3 * 3 * 3, 1), 4, 3, 3, 3), true);
        backend.parameters().declare("net.conv.bias", HostTensor.ofFloats(floats(4, 2), 4), true);
    }

    @AfterAll
    void close() {
        backend.close();
    }

    private static float[] floats(int n, int seed) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextDouble(-1, 1);
        }
        return v;
    }

    /** uint8 [1, h, w, 3] → conv (NCHW inside) → per-channel sums [1, 4] and the argmax channel (int64). */
    private static final TensorFunction NET = (Ops ops, Map<String, Tensor> in) -> {
        Tensor x = ops.div(ops.cast(in.get("images"), DType.FLOAT32), 255.0);
        x = ops.permute(x, 0, 3, 1, 2);
        Tensor y = ops.relu(ops.conv2d(x, ops.parameter("net.conv.weight"), ops.parameter("net.conv.bias"),
                new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1));
        Tensor sums = ops.sum(y, new int[] {2, 3}, false);
        return Map.of("sums", sums, "best", ops.argmax(sums, 1, false));
    };

    private static HostTensor image(int h, int w) {
        byte[] b = new byte[h * w * 3];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i * 37 % 251);
        }
        return HostTensor.ofBytes(b, 1, h, w, 3);
    }

    @Test
    void reloadedModelComputesWhatTheBackendComputesWithParametersFrozen(@TempDir Path tmp) throws Exception {
        HostTensor image = image(12, 10);
        Map<String, HostTensor> expected = backend.compile(NET).call(Map.of("images", image));
        Path dir = tmp.resolve("net");
        TfSavedModel.Signature sig = backend.exportSavedModel(dir, NET,
                List.of(new TfTensorSpec("images", DType.UINT8, Shape.of(1, -1, -1, 3))), false);
        assertThat(sig.key()).isEqualTo("serving_default");
        assertThat(sig.outputs()).extracting(TfTensorSpec::name).containsExactlyInAnyOrder("sums", "best");
        assertThat(sig.outputs()).filteredOn(s -> s.name().equals("sums")).singleElement()
                .extracting(TfTensorSpec::dtype, TfTensorSpec::shape).containsExactly(DType.FLOAT32, Shape.of(1, 4));
        assertThat(dir.resolve("saved_model.pb")).isRegularFile();
        assertThat(dir.resolve("variables")).isDirectory();
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString())).as("no temporary folder left").containsExactly("net");
        }

        // frozen: changing the backend's parameters afterwards does not change the export
        HostTensor bias = backend.parameters().get("net.conv.bias");
        backend.parameters().set("net.conv.bias", HostTensor.ofFloats(new float[] {9, 9, 9, 9}, 4));
        try (SavedModelBundle b = SavedModelBundle.load(dir.toString(), TfSavedModel.TAG);
                org.tensorflow.Tensor in = TfTypes.toTensor(image);
                Result r = b.function(TfSavedModel.SIGNATURE).call(Map.of("images", in))) {
            assertThat(b.function("serving_default").signature().methodName()).isEqualTo("tensorflow/serving/predict");
            HostTensor sums = TfTypes.toHost(r.get("sums").orElseThrow());
            HostTensor best = TfTypes.toHost(r.get("best").orElseThrow());
            assertThat(sums.shape()).isEqualTo(Shape.of(1, 4));
            assertThat(sums.toFloatArray()).containsExactly(expected.get("sums").toFloatArray(),
                    org.assertj.core.data.Offset.offset(1e-4f));
            assertThat(best.toLongArray()).containsExactly(expected.get("best").toLongArray());
        } finally {
            backend.parameters().set("net.conv.bias", bias);
        }
    }

    @Test
    void existingDestinationIsRefusedUnlessReplacedAndFailuresLeaveNothing(@TempDir Path tmp) throws Exception {
        List<TfTensorSpec> in = List.of(new TfTensorSpec("images", DType.UINT8, Shape.of(1, 8, 8, 3)));
        Path dir = tmp.resolve("taken");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("keep.txt"), "mine");
        assertThatThrownBy(() -> backend.exportSavedModel(dir, NET, in, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(dir.toString())
                .hasMessageContaining("already exists");
        assertThat(dir.resolve("keep.txt")).hasContent("mine");

        backend.exportSavedModel(dir, NET, in, true);
        assertThat(dir.resolve("keep.txt")).doesNotExist();
        assertThat(dir.resolve("saved_model.pb")).isRegularFile();

        // a function that fails to trace leaves neither the destination nor a temporary folder
        Path failed = tmp.resolve("failed");
        TensorFunction broken = (ops, x) -> Map.of("y", ops.parameter("no.such.parameter"));
        assertThatThrownBy(() -> backend.exportSavedModel(failed, broken, in, false))
                .hasMessageContaining("unknown parameter 'no.such.parameter'");
        assertThatThrownBy(() -> backend.exportSavedModel(tmp.resolve("clash"), (ops, x) -> Map.of("sums",
                ops.mul(x.get("sums"), 2.0)), List.of(new TfTensorSpec("sums", DType.FLOAT32, Shape.of(2))), false))
                .hasMessageContaining("output name 'sums'");
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("taken");
        }
        assertThatThrownBy(() -> new TfTensorSpec("bad name", DType.FLOAT32, Shape.of(1)))
                .hasMessageContaining("'bad name' is not a valid TensorFlow node name");
    }
}

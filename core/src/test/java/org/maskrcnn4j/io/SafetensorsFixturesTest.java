package org.maskrcnn4j.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.maskrcnn4j.tensor.DType;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.Shape;
import org.maskrcnn4j.testing.Fixtures;

/** Reads every shared torchvision fixture in place and checks known values. */
class SafetensorsFixturesTest {
    private static final Map<String, Integer> TENSOR_COUNTS = Map.of(
            "anchors.safetensors", 12, "box_coder.safetensors", 7, "full_model.safetensors", 40,
            "losses.safetensors", 30, "mask_predictor_state.safetensors", 4,
            "multiscale_roi_align.safetensors", 12, "nms.safetensors", 40, "paste_masks.safetensors", 4,
            "roi_align.safetensors", 33, "transform.safetensors", 24);

    static Stream<String> fixtureFiles() throws IOException {
        try (Stream<Path> files = Files.list(Fixtures.dir())) {
            List<String> names = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".safetensors")).sorted().toList();
            assertThat(names).containsAll(TENSOR_COUNTS.keySet());
            return names.stream();
        }
    }

    @ParameterizedTest
    @MethodSource("fixtureFiles")
    void everyFixtureReadsCompletely(String fileName) throws IOException {
        SafetensorsFile file = Fixtures.open(fileName);
        Map<String, HostTensor> all = file.readAll();

        assertThat(all.keySet()).containsExactlyElementsOf(file.names());
        if (TENSOR_COUNTS.containsKey(fileName)) {
            assertThat(all).hasSize(TENSOR_COUNTS.get(fileName));
        }
        long bytes = 0;
        for (Map.Entry<String, HostTensor> e : all.entrySet()) {
            SafetensorsEntry entry = file.entry(e.getKey());
            assertThat(e.getValue().dtype()).isEqualTo(entry.dtype());
            assertThat(e.getValue().shape()).isEqualTo(entry.shape());
            bytes += entry.byteCount();
        }
        // the generator stores tensors contiguously after a header padded to a multiple of 8
        long headerLength = Files.size(file.path()) - 8 - bytes;
        assertThat(headerLength % 8).isZero();
        assertThat(file.metadata()).containsKey("generator");
    }

    @Test
    void nmsBoxesAndKeep() {
        SafetensorsFile nms = Fixtures.open("nms.safetensors");
        HostTensor boxes = nms.get("random200_iou0.3.boxes");
        assertThat(boxes.dtype()).isEqualTo(DType.FLOAT32);
        assertThat(boxes.shape()).isEqualTo(Shape.of(200, 4));
        assertThat(boxes.toDoubleArray()).startsWith(
                new double[] {55.551631927490234, 5.007278919219971, 64.92276763916016, 23.533973693847656},
                within(0.0));
        HostTensor keep = nms.get("random200_iou0.3.keep");
        assertThat(keep.dtype()).isEqualTo(DType.INT64);
        assertThat(keep.shape()).isEqualTo(Shape.of(119));
        assertThat(keep.toLongArray()).startsWith(138, 4, 75, 169, 150);
        assertThat(nms.metadata()).containsEntry("random200_iou0.3.iou_threshold", "0.3");
    }

    @Test
    void anchorsCellAnchors() {
        HostTensor cell = Fixtures.open("anchors.safetensors").get("cell_anchors.0");
        assertThat(cell.shape()).isEqualTo(Shape.of(3, 4));
        assertThat(cell.toFloatArray()).containsExactly(-23, -11, 23, 11, -16, -16, 16, 16, -11, -23, 11, 23);
    }

    @Test
    void transformBatchShape() {
        HostTensor batchShape = Fixtures.open("transform.safetensors").get("main.batch_shape");
        assertThat(batchShape.dtype()).isEqualTo(DType.INT64);
        assertThat(batchShape.toLongArray()).containsExactly(2, 3, 800, 1344);
    }

    @Test
    void fixturesAreOpenedOnce() {
        assertThat(Fixtures.open("box_coder.safetensors")).isSameAs(Fixtures.open("box_coder.safetensors"));
        assertThat(Fixtures.open("box_coder.safetensors").get("proposals").shape()).isEqualTo(Shape.of(12, 4));
    }

    @Test
    void missingTensorNamesTheFileAndSomeAvailableNames() {
        SafetensorsFile nms = Fixtures.open("nms.safetensors");
        assertThatThrownBy(() -> nms.get("random200_iou0.9.boxes"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'random200_iou0.9.boxes'")
                .hasMessageContaining("nms.safetensors")
                .hasMessageContaining("random200_iou0.3.boxes")
                .hasMessageContaining("40 available")
                .hasMessageContaining("(30 more)");
    }
}

package org.maskrcnn4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code maskrcnn eval --detections}: a results file from another tool is scored by the same COCOeval, without a
 * model. One 8x8 image with a 3x3 square (category 1) and a 2x4 bar (category 2), masks as uncompressed RLE.
 */
class EvalDetectionsTest {
    @TempDir
    Path dir;

    private final CliRun cli = new CliRun();
    private Path data;

    // Column-major runs: rows 1-3 of columns 1-3; rows 5-6 of columns 3-6.
    private static final String SQUARE = "{\"size\": [8, 8], \"counts\": [9, 3, 5, 3, 5, 3, 36]}";
    private static final String BAR = "{\"size\": [8, 8], \"counts\": [29, 2, 6, 2, 6, 2, 6, 2, 9]}";

    @BeforeEach
    void writeDataset() throws Exception {
        data = dir.resolve("val");
        Files.createDirectories(data);
        Files.writeString(data.resolve("instances.json"), """
                {"images": [{"id": 7, "file_name": "a.png", "width": 8, "height": 8}],
                 "categories": [{"id": 1, "name": "square"}, {"id": 2, "name": "bar"}],
                 "annotations": [
                   {"id": 1, "image_id": 7, "category_id": 1, "bbox": [1, 1, 3, 3], "area": 9, "iscrowd": 0, "segmentation": %s},
                   {"id": 2, "image_id": 7, "category_id": 2, "bbox": [3, 5, 4, 2], "area": 8, "iscrowd": 0, "segmentation": %s}]}
                """.formatted(SQUARE, BAR));
    }

    private Path results(String entries) throws Exception {
        Path f = dir.resolve("results.json");
        Files.writeString(f, "[" + entries + "]");
        return f;
    }

    @Test
    void exactDetectionsScoreOne() throws Exception {
        Path f = results("""
                {"image_id": 7, "category_id": 1, "score": 0.9, "bbox": [1, 1, 3, 3], "segmentation": %s},
                {"image_id": 7, "category_id": 2, "score": 0.8, "bbox": [3, 5, 4, 2], "segmentation": %s}
                """.formatted(SQUARE, BAR));
        assertThat(cli.run("eval", "--data", data.toString(), "--detections", f.toString())).isEqualTo(0);
        assertThat(cli.out()).contains("bbox:").contains("segm:")
                .contains("(AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 1.000");
        assertThat(cli.out()).doesNotContain("= 0.000");
    }

    @Test
    void aSwappedLabelHalvesTheMeanOverCategories() throws Exception {
        // The bar's detection carries the square's label: category 1 gets a false positive at a lower score
        // (AP stays 1), category 2 gets nothing (AP 0): the mean over categories is 0.5.
        Path f = results("""
                {"image_id": 7, "category_id": 1, "score": 0.9, "bbox": [1, 1, 3, 3], "segmentation": %s},
                {"image_id": 7, "category_id": 1, "score": 0.8, "bbox": [3, 5, 4, 2], "segmentation": %s}
                """.formatted(SQUARE, BAR));
        assertThat(cli.run("eval", "--data", data.toString(), "--detections", f.toString())).isEqualTo(0);
        assertThat(cli.out()).contains("(AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.500");
    }

    @Test
    void anUnknownImageIdNamesTheFileAndTheEntry() throws Exception {
        Path f = results("{\"image_id\": 8, \"category_id\": 1, \"score\": 0.9, \"bbox\": [1, 1, 3, 3]}");
        assertThat(cli.run("eval", "--data", data.toString(), "--detections", f.toString())).isEqualTo(1);
        assertThat(cli.err()).contains(f.toString()).contains("entry 0 has image_id 8");
    }

    @Test
    void aMaskOfTheWrongSizeIsRefused() throws Exception {
        Path f = results("{\"image_id\": 7, \"category_id\": 1, \"score\": 0.9, \"segmentation\": {\"size\": [4, 16], \"counts\": [64]}}");
        assertThat(cli.run("eval", "--data", data.toString(), "--detections", f.toString())).isEqualTo(1);
        assertThat(cli.err()).contains("entry 0 has a 4x16 mask, but image 7 is 8x8");
    }
}

package org.maskrcnn4j.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CocoJsonTest {
    @TempDir
    Path dir;

    private static CocoDataset sample() {
        Rle rle = Rle.encode(Masks.of(
                ".##.",
                ".###",
                "....",
                "...."));
        Rle crowd = Rle.ofCounts(4, 4, 5, 3, 8);
        return new CocoDataset(
                List.of(new CocoImage(1, "a.png", 4, 4), new CocoImage(7, "dir/b.jpg", 640, 480)),
                List.of(new CocoCategory(1, "circle", "shape"), new CocoCategory(3, "star")),
                List.of(new CocoAnnotation(10, 1, 1, new CocoBox(1, 0, 3, 2), 5, false, new Segmentation.RleMask(rle)),
                        new CocoAnnotation(11, 1, 3, new CocoBox(1, 1, 1, 3), 3, true,
                                new Segmentation.RleMask(crowd, false)),
                        new CocoAnnotation(12, 7, 3, new CocoBox(10.25, 20.5, 100.125, 0.1), 12.5, false,
                                new Segmentation.PolygonMask(List.of(new double[] {10.25, 20.5, 110.375, 20.5, 50, 20.6},
                                        new double[] {1, 2, 3, 4, 5, 6}))),
                        new CocoAnnotation(13, 7, 1, new CocoBox(0, 0, 1e-3, 7), 0, false, null)));
    }

    @Test
    void roundTrip() throws IOException {
        CocoDataset d = sample();
        Path file = dir.resolve("instances.json");
        CocoJson.write(d, file);
        CocoDataset back = CocoJson.read(file);
        assertThat(back).isEqualTo(d);
        assertThat(back.annotationsOf(1)).hasSize(2);
        assertThat(back.annotationsOf(99)).isEmpty();
        assertThat(back.image(7).fileName()).isEqualTo("dir/b.jpg");
        assertThat(back.category(3).supercategory()).isNull();
        String json = Files.readString(file);
        assertThat(json).contains("\"counts\":\"" + Rle.encode(Masks.of(".##.", ".###", "....", "....")).toCompressedString()
                + "\"");
        assertThat(json).contains("\"counts\":[5,3,8]");
        assertThat(json).contains("\"bbox\":[1,0,3,2]").contains("\"iscrowd\":1");
        // writing again gives the same bytes
        Path again = dir.resolve("again.json");
        CocoJson.write(back, again);
        assertThat(Files.readAllBytes(again)).isEqualTo(Files.readAllBytes(file));
    }

    @Test
    void writeIsAtomicAndLeavesNoTemporaryFiles() throws IOException {
        Path file = dir.resolve("out/instances.json");
        CocoJson.write(sample(), file);
        CocoJson.write(sample(), file);
        try (Stream<Path> s = Files.list(file.getParent())) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("instances.json");
        }
    }

    @Test
    void readsPycocotoolsStyleFileWithExtraFields() throws IOException {
        String json = """
                {"info": {"year": 2017, "contributor": "x"}, "licenses": [{"id": 1, "name": "l"}],
                 "annotations": [
                   {"segmentation": [[1.0, 1.0, 4.0, 1.0, 4.0, 3.0, 1.0, 3.0]], "num_keypoints": 0, "iscrowd": 0,
                    "image_id": 5, "category_id": 2, "id": 9},
                   {"segmentation": {"size": [5, 6], "counts": [6, 2, 3, 2, 3, 2, 12]}, "area": 6, "iscrowd": true,
                    "image_id": 5.0, "bbox": [1, 1, 3, 2], "category_id": 2, "id": 10}
                 ],
                 "images": [{"license": 1, "file_name": "x.jpg", "coco_url": "u", "height": 5, "width": 6,
                             "date_captured": "d", "id": 5}],
                 "categories": [{"supercategory": null, "id": 2, "name": "thing", "keypoints": ["a"]}]}
                """;
        CocoDataset d = CocoJson.read(stream(json), "mem.json");
        assertThat(d.images()).containsExactly(new CocoImage(5, "x.jpg", 6, 5));
        assertThat(d.categories()).containsExactly(new CocoCategory(2, "thing", null));
        CocoAnnotation a = d.annotations().get(0);
        // bbox and area derived from the polygon's mask (the rectangle [1,4) x [1,3))
        assertThat(a.bbox()).isEqualTo(new CocoBox(1, 1, 3, 2));
        assertThat(a.area()).isEqualTo(6);
        assertThat(a.segmentation().toRle(5, 6)).isEqualTo(Rle.ofCounts(5, 6, 6, 2, 3, 2, 3, 2, 12));
        CocoAnnotation b = d.annotations().get(1);
        assertThat(b.iscrowd()).isTrue();
        assertThat(b.segmentation()).isEqualTo(new Segmentation.RleMask(Rle.ofCounts(5, 6, 6, 2, 3, 2, 3, 2, 12),
                false));
    }

    @Test
    void emptyDatasetAndImagesWithoutAnnotations() throws IOException {
        CocoDataset d = CocoJson.read(stream("{\"images\": [{\"id\": 1, \"file_name\": \"a\", \"width\": 2, "
                + "\"height\": 3}]}"), "m");
        assertThat(d.images()).hasSize(1);
        assertThat(d.annotations()).isEmpty();
        assertThat(d.categories()).isEmpty();
    }

    @Test
    void errorsNameFileAndField() {
        String base = "{\"images\": [{\"id\": 1, \"file_name\": \"a\", \"width\": 4, \"height\": 4}], "
                + "\"categories\": [{\"id\": 1, \"name\": \"c\"}], \"annotations\": [%s]}";
        String ok = "{\"id\": 1, \"image_id\": 1, \"category_id\": 1, \"bbox\": [0, 0, 1, 1], \"area\": 1}";
        assertError(base.formatted(ok + ", {\"id\": 2, \"image_id\": 1, \"category_id\": 1, \"bbox\": [1, 2, 3]}"),
                "in.json: annotations[1].bbox: expected 4 numbers, got 3");
        assertError(base.formatted(ok + ", {\"id\": 2, \"image_id\": 1, \"category_id\": 1, \"bbox\": [1, 2, 3, \"x\"]}"),
                "in.json: annotations[1].bbox[3]: expected a number, got a string");
        assertError(base.formatted("{\"id\": 2, \"image_id\": 3, \"category_id\": 1, \"bbox\": [0, 0, 1, 1]}"),
                "in.json: annotations[0].image_id: no image has id 3");
        assertError(base.formatted("{\"id\": 2, \"image_id\": 1, \"category_id\": 4, \"bbox\": [0, 0, 1, 1]}"),
                "in.json: annotations[0].category_id: no category has id 4");
        assertError(base.formatted(ok + "," + ok), "in.json: annotations[1].id: duplicate annotation id 1");
        assertError(base.formatted("{\"image_id\": 1, \"category_id\": 1}"), "in.json: annotations[0]: missing id");
        assertError(base.formatted("{\"id\": 2, \"image_id\": 1, \"category_id\": 1}"),
                "in.json: annotations[0].bbox: missing, and no segmentation to derive it");
        assertError(base.formatted("{\"id\": 2, \"image_id\": 1, \"category_id\": 1, \"iscrowd\": 2, "
                + "\"bbox\": [0, 0, 1, 1]}"), "in.json: annotations[0].iscrowd: expected 0 or 1, got 2");
        assertError(base.formatted("{\"id\": 2, \"image_id\": 1, \"category_id\": 1, \"segmentation\": "
                + "{\"size\": [4, 4], \"counts\": \"3p\"}}"),
                "in.json: annotations[0].segmentation.counts: RLE string has an invalid character 'p' at 1");
        assertError(base.formatted("{\"id\": 2, \"image_id\": 1, \"category_id\": 1, \"segmentation\": "
                + "{\"size\": [4, 5], \"counts\": [20]}}"),
                "in.json: annotations[0].segmentation.size: [4, 5] differs from its image's [height, width] [4, 4]");
        assertError(base.formatted("{\"id\": 2, \"image_id\": 1, \"category_id\": 1, \"segmentation\": "
                + "{\"size\": [4, 4], \"counts\": [3, 4]}}"),
                "in.json: annotations[0].segmentation.counts: RLE counts add up to 7");
        assertError(base.formatted("{\"id\": 2, \"image_id\": 1, \"category_id\": 1, \"segmentation\": "
                + "[1, 2, 3, 4, 5, 6]}"), "in.json: annotations[0].segmentation[0]: expected a polygon");
        assertError(base.formatted("{\"id\": 2, \"image_id\": 1, \"category_id\": 1, \"segmentation\": "
                + "[[1, 2, 3, 4, 5, 6, 7]]}"),
                "in.json: annotations[0].segmentation[0]: a polygon needs an even number of coordinates, got 7");
        assertError(base.formatted("{\"id\": 2.5, \"image_id\": 1, \"category_id\": 1}"),
                "in.json: annotations[0].id: expected an integer, got 2.5");
        assertError("{\"images\": [{\"id\": 1, \"file_name\": \"a\", \"width\": 0, \"height\": 4}]}",
                "in.json: images[0].width: expected a positive int, got 0");
        assertError("{\"images\": [{\"id\": 1, \"width\": 3, \"height\": 4}]}", "in.json: images[0]: missing file_name");
        assertError("{\"categories\": []}", "in.json: images: missing");
        assertError("[]", "in.json: expected a JSON object with images, categories and annotations, got an array");
        assertError("{\"images\": [", "in.json: invalid JSON");
        assertError("{\"images\": [{\"id\": 1,, }]}", "in.json: invalid JSON");
    }

    @Test
    void errorsCarryLineAndColumn() {
        String json = "{\"images\": [\n{\"id\": 1, \"file_name\": \"a\", \"width\": 4, \"height\": 4}],\n"
                + "\"annotations\": [\n{\"id\": 1, \"image_id\": 1, \"category_id\": 1, \"bbox\": [0, 1]}]}";
        assertThatThrownBy(() -> CocoJson.read(stream(json), "f.json"))
                .isInstanceOf(CocoFormatException.class)
                .hasMessageContaining("(line 4, column")
                .satisfies(e -> assertThat(((CocoFormatException) e).field()).isEqualTo("annotations[0].bbox"))
                .satisfies(e -> assertThat(((CocoFormatException) e).source()).isEqualTo("f.json"));
    }

    @Test
    void missingFileIsNamed() {
        Path missing = dir.resolve("nope.json");
        assertThatThrownBy(() -> CocoJson.read(missing)).isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("nope.json");
    }

    @Test
    void errorFromFileNamesThePath() throws IOException {
        Path file = dir.resolve("bad.json");
        Files.writeString(file, "{\"images\": [{\"id\": \"x\"}]}");
        assertThatThrownBy(() -> CocoJson.read(file)).hasMessageStartingWith(file + ": images[0].id: expected an integer");
    }

    @Test
    void resultsRoundTrip() throws IOException {
        Rle mask = Rle.encode(Masks.of("##.", ".#.", "..."));
        List<CocoResult> results = List.of(
                new CocoResult(1, 2, new CocoBox(0.5, 1, 10, 20.25), 0.9, mask),
                new CocoResult(1, 3, new CocoBox(1, 1, 2, 2), 0.125, null),
                new CocoResult(4, 2, null, 1, mask));
        Path file = dir.resolve("results.json");
        CocoJson.writeResults(results, file);
        assertThat(CocoJson.readResults(file)).isEqualTo(results);
        assertThat(Files.readString(file)).startsWith("[{\"image_id\":1,\"category_id\":2,\"bbox\":[0.5,1,10,20.25],"
                + "\"score\":0.9,\"segmentation\":{\"size\":[3,3],\"counts\":\"" + mask.toCompressedString() + "\"}}");
    }

    @Test
    void resultsErrors() {
        assertThatThrownBy(() -> CocoJson.readResults(stream("[{\"image_id\": 1, \"category_id\": 1, \"bbox\": [0, 0, "
                + "1, 1]}]"), "r.json")).hasMessageStartingWith("r.json: [0]: missing score");
        assertThatThrownBy(() -> CocoJson.readResults(stream("[{\"image_id\": 1, \"category_id\": 1, \"score\": 1}]"),
                "r.json")).hasMessageStartingWith("r.json: [0]: has neither bbox nor segmentation");
        assertThatThrownBy(() -> CocoJson.readResults(stream("{}"), "r.json"))
                .hasMessageStartingWith("r.json: expected a JSON array of detections");
    }

    @Test
    void resultsWriterStreamsAndDiscardsOnFailure() throws IOException {
        Path file = dir.resolve("r.json");
        try (CocoJson.ResultsWriter w = CocoJson.openResults(file)) {
            for (int i = 0; i < 1000; i++) {
                w.add(new CocoResult(i, 1, new CocoBox(i, 0, 1, 1), i / 1000.0, null));
            }
            assertThat(w.count()).isEqualTo(1000);
            assertThat(file).doesNotExist();
        }
        assertThat(CocoJson.readResults(file)).hasSize(1000);

        Path failing = dir.resolve("f.json");
        assertThatThrownBy(() -> {
            try (CocoJson.ResultsWriter w = CocoJson.openResults(failing)) {
                w.add(new CocoResult(1, 1, new CocoBox(0, 0, 1, 1), 0.5, null));
                w.add(new CocoResult(1, 1, new CocoBox(0, 0, 1, 1), Double.NaN, null));
            }
        }).isInstanceOf(IllegalArgumentException.class);
        assertThat(failing).doesNotExist();
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("r.json");
        }
    }

    @Test
    void readsHundredThousandAnnotationsByStreaming() throws IOException {
        Path file = dir.resolve("big.json");
        int n = 100_000;
        try (Writer w = Files.newBufferedWriter(file)) {
            w.write("{\"images\": [");
            for (int i = 1; i <= 1000; i++) {
                w.write((i > 1 ? "," : "") + "{\"id\":" + i + ",\"file_name\":\"" + i + ".jpg\",\"width\":640,"
                        + "\"height\":480}");
            }
            w.write("], \"categories\": [{\"id\": 1, \"name\": \"a\"}], \"annotations\": [");
            for (int i = 0; i < n; i++) {
                w.write((i > 0 ? "," : "") + "{\"id\":" + i + ",\"image_id\":" + (1 + i % 1000) + ",\"category_id\":1,"
                        + "\"bbox\":[10.5,20,30,40],\"area\":1200,\"iscrowd\":0,\"segmentation\":"
                        + "[[10.5,20,40.5,20,40.5,60,10.5,60]]}");
            }
            w.write("]}");
        }
        long t0 = System.nanoTime();
        CocoDataset d = CocoJson.read(file);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(d.annotations()).hasSize(n);
        assertThat(d.annotationsOf(1)).hasSize(100);
        assertThat(ms).as("read time in ms").isLessThan(20_000);
    }

    @Test
    void writesToStream() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CocoJson.write(new CocoDataset(List.of(), List.of(), List.of()), out);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("{\"images\":[],\"categories\":[],\"annotations\":[]}");
        List<CocoAnnotation> none = new ArrayList<>();
        assertThat(CocoJson.read(new ByteArrayInputStream(out.toByteArray()), "x").annotations()).isEqualTo(none);
    }

    @Test
    void annotationOfMask() {
        Rle m = Rle.encode(Masks.of("....", ".##.", ".#..", "...."));
        CocoAnnotation a = CocoAnnotation.ofMask(1, 2, 3, m, false);
        assertThat(a.bbox()).isEqualTo(new CocoBox(1, 1, 2, 2));
        assertThat(a.area()).isEqualTo(3);
        assertThat(a.segmentation()).isEqualTo(new Segmentation.RleMask(m, true));
    }

    private static void assertError(String json, String messageStart) {
        assertThatThrownBy(() -> CocoJson.read(stream(json), "in.json"))
                .isInstanceOf(CocoFormatException.class)
                .hasMessageStartingWith(messageStart);
    }

    private static InputStream stream(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }
}

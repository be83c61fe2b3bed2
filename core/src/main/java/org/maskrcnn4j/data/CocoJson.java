package org.maskrcnn4j.data;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads and writes COCO instances files and COCO results files with Jackson's streaming API (no tree is built, so
 * files with hundreds of thousands of annotations are read record by record).
 *
 * <p>Errors are {@link CocoFormatException}s naming the file and the record and field, e.g.
 * {@code instances.json: annotations[17].bbox: expected 4 numbers, got 3 (line 1, column 2345)}. Unknown fields
 * ({@code info}, {@code licenses}, {@code coco_url}, {@code keypoints}, ...) are skipped. Writing is atomic: a
 * temporary file in the same folder, renamed over the target when complete.
 *
 * <p>Reading an annotation: {@code id}, {@code image_id}, {@code category_id} are required; {@code iscrowd}
 * defaults to 0; a missing {@code bbox} or {@code area} is derived from the segmentation (pycocotools' {@code toBbox}
 * and {@code area}); {@code segmentation} may be absent, a list of polygons, or an RLE
 * {@code {"counts": "..." | [..], "size": [h, w]}} whose size must match its image's.
 */
public final class CocoJson {
    private static final JsonFactory FACTORY = JsonFactory.builder().build();

    private CocoJson() {
    }

    // ------------------------------------------------------------------ dataset

    /** Reads a COCO instances file. */
    public static CocoDataset read(Path file) throws IOException {
        try (InputStream in = open(file)) {
            return read(in, file.toString());
        }
    }

    /** Reads a COCO instances document from a stream; {@code source} names it in error messages. */
    public static CocoDataset read(InputStream in, String source) throws IOException {
        try (JsonParser p = FACTORY.createParser(in)) {
            return new Reader(p, source).dataset();
        } catch (CocoFormatException e) {
            throw e;
        } catch (JsonProcessingException e) {
            throw new CocoFormatException(source, null, "invalid JSON: " + jacksonMessage(e) + location(e), e);
        }
    }

    /** Writes a COCO instances file atomically. */
    public static void write(CocoDataset dataset, Path file) throws IOException {
        AtomicFiles.write(file, out -> write(dataset, out));
    }

    /** Writes a COCO instances document to a stream (which is left open). */
    public static void write(CocoDataset dataset, OutputStream out) throws IOException {
        try (JsonGenerator g = generator(out)) {
            g.writeStartObject();
            g.writeArrayFieldStart("images");
            for (CocoImage i : dataset.images()) {
                g.writeStartObject();
                g.writeNumberField("id", i.id());
                g.writeStringField("file_name", i.fileName());
                g.writeNumberField("width", i.width());
                g.writeNumberField("height", i.height());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("categories");
            for (CocoCategory c : dataset.categories()) {
                g.writeStartObject();
                g.writeNumberField("id", c.id());
                g.writeStringField("name", c.name());
                if (c.supercategory() != null) {
                    g.writeStringField("supercategory", c.supercategory());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("annotations");
            for (CocoAnnotation a : dataset.annotations()) {
                g.writeStartObject();
                g.writeNumberField("id", a.id());
                g.writeNumberField("image_id", a.imageId());
                g.writeNumberField("category_id", a.categoryId());
                g.writeFieldName("bbox");
                writeBox(g, a.bbox());
                g.writeFieldName("area");
                writeNumber(g, a.area());
                g.writeNumberField("iscrowd", a.iscrowd() ? 1 : 0);
                if (a.segmentation() != null) {
                    g.writeFieldName("segmentation");
                    writeSegmentation(g, a.segmentation());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
    }

    // ------------------------------------------------------------------ results

    /** Reads a COCO results file (a json array of detections). */
    public static List<CocoResult> readResults(Path file) throws IOException {
        try (InputStream in = open(file)) {
            return readResults(in, file.toString());
        }
    }

    /** Reads a COCO results document from a stream; {@code source} names it in error messages. */
    public static List<CocoResult> readResults(InputStream in, String source) throws IOException {
        try (JsonParser p = FACTORY.createParser(in)) {
            return new Reader(p, source).results();
        } catch (CocoFormatException e) {
            throw e;
        } catch (JsonProcessingException e) {
            throw new CocoFormatException(source, null, "invalid JSON: " + jacksonMessage(e) + location(e), e);
        }
    }

    /** Writes a COCO results file atomically (masks as compressed RLE). */
    public static void writeResults(List<CocoResult> results, Path file) throws IOException {
        try (ResultsWriter w = openResults(file)) {
            for (CocoResult r : results) {
                w.add(r);
            }
        }
    }

    /**
     * Opens a streaming results writer: detections are written as they are {@link ResultsWriter#add added}; the
     * file appears (atomically) on {@link ResultsWriter#close()}, unless an add failed.
     */
    public static ResultsWriter openResults(Path file) throws IOException {
        return new ResultsWriter(file);
    }

    /** Writes detections one by one into a COCO results file; see {@link CocoJson#openResults(Path)}. */
    public static final class ResultsWriter implements Closeable {
        private final AtomicFiles.Pending pending;
        private final JsonGenerator g;
        private boolean failed;
        private boolean closed;
        private long count;

        private ResultsWriter(Path file) throws IOException {
            pending = AtomicFiles.begin(file);
            try {
                g = generator(pending.out());
                g.writeStartArray();
            } catch (IOException | RuntimeException e) {
                pending.abort();
                throw e;
            }
        }

        /** Appends one detection. */
        public void add(CocoResult r) throws IOException {
            if (closed) {
                throw new IllegalStateException("results writer is closed");
            }
            try {
                g.writeStartObject();
                g.writeNumberField("image_id", r.imageId());
                g.writeNumberField("category_id", r.categoryId());
                if (r.bbox() != null) {
                    g.writeFieldName("bbox");
                    writeBox(g, r.bbox());
                }
                g.writeFieldName("score");
                writeNumber(g, r.score());
                if (r.segmentation() != null) {
                    g.writeFieldName("segmentation");
                    writeRle(g, r.segmentation(), true);
                }
                g.writeEndObject();
                count++;
            } catch (IOException | RuntimeException e) {
                failed = true;
                throw e;
            }
        }

        /** Number of detections added. */
        public long count() {
            return count;
        }

        /** Finishes the file and moves it into place (or, after a failed add, deletes it). */
        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            if (failed) {
                try {
                    g.close();
                } finally {
                    pending.abort();
                }
                return;
            }
            try {
                g.writeEndArray();
                g.close();
            } catch (IOException | RuntimeException e) {
                pending.abort();
                throw e;
            }
            pending.commit();
        }
    }

    // ------------------------------------------------------------------ writing helpers

    private static JsonGenerator generator(OutputStream out) throws IOException {
        JsonGenerator g = FACTORY.createGenerator(out);
        g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        return g;
    }

    private static void writeBox(JsonGenerator g, CocoBox b) throws IOException {
        g.writeStartArray();
        writeNumber(g, b.x());
        writeNumber(g, b.y());
        writeNumber(g, b.width());
        writeNumber(g, b.height());
        g.writeEndArray();
    }

    /** Integral values as integers (as Python's json writes ints), others as the shortest double repr. */
    private static void writeNumber(JsonGenerator g, double v) throws IOException {
        if (v == Math.rint(v) && Math.abs(v) < 0x1p53 && !(v == 0 && 1 / v < 0)) {
            g.writeNumber((long) v);
        } else if (Double.isFinite(v)) {
            g.writeNumber(v);
        } else {
            throw new IllegalArgumentException("cannot write " + v + " to JSON");
        }
    }

    private static void writeSegmentation(JsonGenerator g, Segmentation s) throws IOException {
        if (s instanceof Segmentation.PolygonMask p) {
            g.writeStartArray();
            for (double[] poly : p.polygons()) {
                g.writeStartArray();
                for (double v : poly) {
                    writeNumber(g, v);
                }
                g.writeEndArray();
            }
            g.writeEndArray();
        } else if (s instanceof Segmentation.RleMask r) {
            writeRle(g, r.rle(), r.compressed());
        } else {
            throw new IllegalArgumentException("unknown segmentation " + s);
        }
    }

    private static void writeRle(JsonGenerator g, Rle rle, boolean compressed) throws IOException {
        g.writeStartObject();
        g.writeArrayFieldStart("size");
        g.writeNumber(rle.height());
        g.writeNumber(rle.width());
        g.writeEndArray();
        if (compressed) {
            g.writeStringField("counts", rle.toCompressedString());
        } else {
            g.writeArrayFieldStart("counts");
            for (int c : rle.counts()) {
                g.writeNumber(c);
            }
            g.writeEndArray();
        }
        g.writeEndObject();
    }

    // ------------------------------------------------------------------ reading

    private static InputStream open(Path file) throws IOException {
        try {
            return new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "COCO json file not found");
        }
    }

    private static String jacksonMessage(JsonProcessingException e) {
        String m = String.valueOf(e.getOriginalMessage());
        return m.replaceAll("\\[Source: [^;\\]]*; ", "[");
    }

    private static String location(JsonProcessingException e) {
        JsonLocation l = e.getLocation();
        return l == null ? "" : " (line " + l.getLineNr() + ", column " + l.getColumnNr() + ")";
    }

    /** One pass over a parser; methods leave the parser on the last token of the value they read. */
    private static final class Reader {
        private final JsonParser p;
        private final String source;

        Reader(JsonParser p, String source) {
            this.p = p;
            this.source = source;
        }

        CocoDataset dataset() throws IOException {
            JsonToken t = p.nextToken();
            if (t != JsonToken.START_OBJECT) {
                throw error("", "expected a JSON object with images, categories and annotations, got " + describe(t)
                        + (t == JsonToken.START_ARRAY ? " (a results file? use readResults)" : ""));
            }
            List<CocoImage> images = null;
            List<CocoCategory> categories = List.of();
            List<PendingAnnotation> annotations = List.of();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                switch (name) {
                    case "images" -> images = images();
                    case "categories" -> categories = categories();
                    case "annotations" -> annotations = annotations();
                    default -> p.skipChildren();
                }
            }
            if (images == null) {
                throw error("images", "missing (a COCO instances file has an \"images\" array)");
            }
            return link(images, categories, annotations);
        }

        private CocoDataset link(List<CocoImage> images, List<CocoCategory> categories,
                List<PendingAnnotation> pendings) throws CocoFormatException {
            Map<Long, CocoImage> imageById = new HashMap<>();
            for (int i = 0; i < images.size(); i++) {
                if (imageById.putIfAbsent(images.get(i).id(), images.get(i)) != null) {
                    throw new CocoFormatException(source, "images[" + i + "].id",
                            "duplicate image id " + images.get(i).id());
                }
            }
            Set<Long> categoryIds = new HashSet<>();
            for (int i = 0; i < categories.size(); i++) {
                if (!categoryIds.add(categories.get(i).id())) {
                    throw new CocoFormatException(source, "categories[" + i + "].id",
                            "duplicate category id " + categories.get(i).id());
                }
            }
            Set<Long> annotationIds = new HashSet<>();
            List<CocoAnnotation> annotations = new ArrayList<>(pendings.size());
            for (int i = 0; i < pendings.size(); i++) {
                PendingAnnotation a = pendings.get(i);
                String at = "annotations[" + i + "]";
                if (!annotationIds.add(a.id)) {
                    throw new CocoFormatException(source, at + ".id", "duplicate annotation id " + a.id);
                }
                CocoImage image = imageById.get(a.imageId);
                if (image == null) {
                    throw new CocoFormatException(source, at + ".image_id", "no image has id " + a.imageId);
                }
                if (!categoryIds.contains(a.categoryId)) {
                    throw new CocoFormatException(source, at + ".category_id", "no category has id " + a.categoryId);
                }
                if (a.segmentation instanceof Segmentation.RleMask r
                        && (r.rle().height() != image.height() || r.rle().width() != image.width())) {
                    throw new CocoFormatException(source, at + ".segmentation.size", "[" + r.rle().height() + ", "
                            + r.rle().width() + "] differs from its image's [height, width] [" + image.height() + ", "
                            + image.width() + "] (image " + image.id() + ")");
                }
                CocoBox box = a.bbox;
                double area = a.area;
                if (box == null || Double.isNaN(area)) {
                    if (a.segmentation == null) {
                        throw new CocoFormatException(source, at + ".bbox", "missing, and no segmentation to derive it");
                    }
                    Rle rle = a.segmentation.toRle(image.height(), image.width());
                    if (box == null) {
                        box = CocoBox.of(rle.toBbox());
                    }
                    if (Double.isNaN(area)) {
                        area = rle.area();
                    }
                }
                annotations.add(new CocoAnnotation(a.id, a.imageId, a.categoryId, box, area, a.iscrowd,
                        a.segmentation));
            }
            return new CocoDataset(images, categories, annotations);
        }

        List<CocoResult> results() throws IOException {
            JsonToken t = p.nextToken();
            if (t != JsonToken.START_ARRAY) {
                throw error("", "expected a JSON array of detections, got " + describe(t));
            }
            List<CocoResult> out = new ArrayList<>();
            int i = 0;
            while (p.nextToken() != JsonToken.END_ARRAY) {
                out.add(result("[" + i + "]"));
                i++;
            }
            return out;
        }

        private CocoResult result(String at) throws IOException {
            expectObject(at);
            long imageId = Long.MIN_VALUE;
            long categoryId = Long.MIN_VALUE;
            double score = Double.NaN;
            CocoBox bbox = null;
            Rle segmentation = null;
            boolean hasImage = false;
            boolean hasCategory = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                String f = at + "." + name;
                switch (name) {
                    case "image_id" -> {
                        imageId = integer(f);
                        hasImage = true;
                    }
                    case "category_id" -> {
                        categoryId = integer(f);
                        hasCategory = true;
                    }
                    case "score" -> score = number(f);
                    case "bbox" -> bbox = box(f);
                    case "segmentation" -> {
                        if (p.currentToken() != JsonToken.VALUE_NULL) {
                            if (p.currentToken() != JsonToken.START_OBJECT) {
                                throw error(f, "expected an RLE object {\"counts\", \"size\"}, got "
                                        + describe(p.currentToken()));
                            }
                            segmentation = rle(f).rle();
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            if (!hasImage) {
                throw error(at, "missing image_id");
            }
            if (!hasCategory) {
                throw error(at, "missing category_id");
            }
            if (Double.isNaN(score)) {
                throw error(at, "missing score");
            }
            if (bbox == null && segmentation == null) {
                throw error(at, "has neither bbox nor segmentation");
            }
            return new CocoResult(imageId, categoryId, bbox, score, segmentation);
        }

        private List<CocoImage> images() throws IOException {
            expectArray("images");
            List<CocoImage> out = new ArrayList<>();
            int i = 0;
            while (p.nextToken() != JsonToken.END_ARRAY) {
                String at = "images[" + i + "]";
                expectObject(at);
                Long id = null;
                String fileName = null;
                int width = -1;
                int height = -1;
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    String f = at + "." + name;
                    switch (name) {
                        case "id" -> id = integer(f);
                        case "file_name" -> fileName = string(f);
                        case "width" -> width = positiveInt(f);
                        case "height" -> height = positiveInt(f);
                        default -> p.skipChildren();
                    }
                }
                if (id == null) {
                    throw error(at, "missing id");
                }
                if (fileName == null) {
                    throw error(at, "missing file_name");
                }
                if (width < 0) {
                    throw error(at, "missing width");
                }
                if (height < 0) {
                    throw error(at, "missing height");
                }
                out.add(new CocoImage(id, fileName, width, height));
                i++;
            }
            return out;
        }

        private List<CocoCategory> categories() throws IOException {
            expectArray("categories");
            List<CocoCategory> out = new ArrayList<>();
            int i = 0;
            while (p.nextToken() != JsonToken.END_ARRAY) {
                String at = "categories[" + i + "]";
                expectObject(at);
                Long id = null;
                String name = null;
                String supercategory = null;
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    p.nextToken();
                    String f = at + "." + field;
                    switch (field) {
                        case "id" -> id = integer(f);
                        case "name" -> name = string(f);
                        case "supercategory" -> supercategory =
                                p.currentToken() == JsonToken.VALUE_NULL ? null : string(f);
                        default -> p.skipChildren();
                    }
                }
                if (id == null) {
                    throw error(at, "missing id");
                }
                if (name == null) {
                    throw error(at, "missing name");
                }
                out.add(new CocoCategory(id, name, supercategory));
                i++;
            }
            return out;
        }

        private record PendingAnnotation(long id, long imageId, long categoryId, CocoBox bbox, double area,
                boolean iscrowd, Segmentation segmentation) {
        }

        private List<PendingAnnotation> annotations() throws IOException {
            expectArray("annotations");
            List<PendingAnnotation> out = new ArrayList<>();
            int i = 0;
            while (p.nextToken() != JsonToken.END_ARRAY) {
                String at = "annotations[" + i + "]";
                expectObject(at);
                Long id = null;
                Long imageId = null;
                Long categoryId = null;
                CocoBox bbox = null;
                double area = Double.NaN;
                boolean iscrowd = false;
                Segmentation segmentation = null;
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    String f = at + "." + name;
                    switch (name) {
                        case "id" -> id = integer(f);
                        case "image_id" -> imageId = integer(f);
                        case "category_id" -> categoryId = integer(f);
                        case "bbox" -> bbox = box(f);
                        case "area" -> area = number(f);
                        case "iscrowd" -> iscrowd = flag(f);
                        case "segmentation" -> segmentation = segmentation(f);
                        default -> p.skipChildren();
                    }
                }
                if (id == null) {
                    throw error(at, "missing id");
                }
                if (imageId == null) {
                    throw error(at, "missing image_id");
                }
                if (categoryId == null) {
                    throw error(at, "missing category_id");
                }
                out.add(new PendingAnnotation(id, imageId, categoryId, bbox, area, iscrowd, segmentation));
                i++;
            }
            return out;
        }

        private Segmentation segmentation(String f) throws IOException {
            JsonToken t = p.currentToken();
            if (t == JsonToken.VALUE_NULL) {
                return null;
            }
            if (t == JsonToken.START_OBJECT) {
                return rle(f);
            }
            if (t != JsonToken.START_ARRAY) {
                throw error(f, "expected a list of polygons or an RLE object, got " + describe(t));
            }
            List<double[]> polygons = new ArrayList<>();
            int k = 0;
            while (p.nextToken() != JsonToken.END_ARRAY) {
                String pf = f + "[" + k + "]";
                if (p.currentToken() != JsonToken.START_ARRAY) {
                    throw error(pf, "expected a polygon [x0, y0, x1, y1, ...], got " + describe(p.currentToken()));
                }
                double[] poly = numbers(pf);
                if (poly.length % 2 != 0) {
                    throw error(pf, "a polygon needs an even number of coordinates, got " + poly.length);
                }
                polygons.add(poly);
                k++;
            }
            return new Segmentation.PolygonMask(polygons);
        }

        /** An RLE object; the parser is on its START_OBJECT. */
        private Segmentation.RleMask rle(String f) throws IOException {
            String counts = null;
            int[] list = null;
            int[] size = null;
            JsonLocation countsAt = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                switch (name) {
                    case "counts" -> {
                        countsAt = p.currentTokenLocation();
                        if (p.currentToken() == JsonToken.VALUE_STRING) {
                            counts = p.getText();
                        } else if (p.currentToken() == JsonToken.START_ARRAY) {
                            list = ints(f + ".counts");
                        } else {
                            throw error(f + ".counts", "expected a string or a list of numbers, got "
                                    + describe(p.currentToken()));
                        }
                    }
                    case "size" -> {
                        if (p.currentToken() != JsonToken.START_ARRAY) {
                            throw error(f + ".size", "expected [height, width], got " + describe(p.currentToken()));
                        }
                        size = ints(f + ".size");
                        if (size.length != 2) {
                            throw error(f + ".size", "expected [height, width], got " + size.length + " numbers");
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            if (size == null) {
                throw error(f, "RLE without size");
            }
            if (counts == null && list == null) {
                throw error(f, "RLE without counts");
            }
            try {
                return counts != null ? new Segmentation.RleMask(Rle.fromCompressedString(counts, size[0], size[1]), true)
                        : new Segmentation.RleMask(Rle.ofCounts(size[0], size[1], list), false);
            } catch (IllegalArgumentException e) {
                throw new CocoFormatException(source, f + ".counts", e.getMessage() + at(countsAt), e);
            }
        }

        private CocoBox box(String f) throws IOException {
            if (p.currentToken() != JsonToken.START_ARRAY) {
                throw error(f, "expected [x, y, width, height], got " + describe(p.currentToken()));
            }
            double[] v = numbers(f);
            if (v.length != 4) {
                throw error(f, "expected 4 numbers, got " + v.length);
            }
            return CocoBox.of(v);
        }

        /** An array of numbers; the parser is on its START_ARRAY. */
        private double[] numbers(String f) throws IOException {
            double[] v = new double[8];
            int n = 0;
            while (p.nextToken() != JsonToken.END_ARRAY) {
                if (!p.currentToken().isNumeric()) {
                    throw error(f + "[" + n + "]", "expected a number, got " + describe(p.currentToken()));
                }
                if (n == v.length) {
                    v = Arrays.copyOf(v, n * 2);
                }
                v[n++] = p.getDoubleValue();
            }
            return Arrays.copyOf(v, n);
        }

        /** An array of non-negative ints; the parser is on its START_ARRAY. */
        private int[] ints(String f) throws IOException {
            int[] v = new int[8];
            int n = 0;
            while (p.nextToken() != JsonToken.END_ARRAY) {
                long x = integer(f + "[" + n + "]");
                if (x < 0 || x > Integer.MAX_VALUE) {
                    throw error(f + "[" + n + "]", "expected a non-negative int, got " + x);
                }
                if (n == v.length) {
                    v = Arrays.copyOf(v, n * 2);
                }
                v[n++] = (int) x;
            }
            return Arrays.copyOf(v, n);
        }

        private long integer(String f) throws IOException {
            JsonToken t = p.currentToken();
            if (t == JsonToken.VALUE_NUMBER_INT) {
                if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                    throw error(f, "integer out of range: " + p.getText());
                }
                return p.getLongValue();
            }
            if (t == JsonToken.VALUE_NUMBER_FLOAT) {
                double d = p.getDoubleValue();
                if (d == Math.rint(d) && Math.abs(d) < 0x1p53) {
                    return (long) d;
                }
                throw error(f, "expected an integer, got " + p.getText());
            }
            throw error(f, "expected an integer, got " + describe(t));
        }

        private int positiveInt(String f) throws IOException {
            long v = integer(f);
            if (v <= 0 || v > Integer.MAX_VALUE) {
                throw error(f, "expected a positive int, got " + v);
            }
            return (int) v;
        }

        private double number(String f) throws IOException {
            JsonToken t = p.currentToken();
            if (t == null || !t.isNumeric()) {
                throw error(f, "expected a number, got " + describe(t));
            }
            return p.getDoubleValue();
        }

        private boolean flag(String f) throws IOException {
            JsonToken t = p.currentToken();
            if (t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE) {
                return t == JsonToken.VALUE_TRUE;
            }
            long v = integer(f);
            if (v != 0 && v != 1) {
                throw error(f, "expected 0 or 1, got " + v);
            }
            return v == 1;
        }

        private String string(String f) throws IOException {
            if (p.currentToken() != JsonToken.VALUE_STRING) {
                throw error(f, "expected a string, got " + describe(p.currentToken()));
            }
            return p.getText();
        }

        private void expectArray(String f) throws IOException {
            if (p.currentToken() != JsonToken.START_ARRAY) {
                throw error(f, "expected an array, got " + describe(p.currentToken()));
            }
        }

        private void expectObject(String f) throws IOException {
            if (p.currentToken() != JsonToken.START_OBJECT) {
                throw error(f, "expected an object, got " + describe(p.currentToken()));
            }
        }

        private CocoFormatException error(String field, String message) {
            return new CocoFormatException(source, field, message + at(p.currentTokenLocation()));
        }

        private static String at(JsonLocation l) {
            return l == null ? "" : " (line " + l.getLineNr() + ", column " + l.getColumnNr() + ")";
        }

        private static String describe(JsonToken t) {
            if (t == null) {
                return "end of input";
            }
            return switch (t) {
                case START_OBJECT -> "an object";
                case START_ARRAY -> "an array";
                case VALUE_STRING -> "a string";
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
                case VALUE_TRUE, VALUE_FALSE -> "a boolean";
                case VALUE_NULL -> "null";
                default -> t.toString();
            };
        }
    }
}

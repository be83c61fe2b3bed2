package org.maskrcnn4j.examples.shapes;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.maskrcnn4j.data.CocoAnnotation;
import org.maskrcnn4j.data.CocoBox;
import org.maskrcnn4j.data.CocoCategory;
import org.maskrcnn4j.data.CocoDataset;
import org.maskrcnn4j.data.CocoImage;
import org.maskrcnn4j.data.CocoJson;
import org.maskrcnn4j.data.ImageTensors;
import org.maskrcnn4j.data.Images;
import org.maskrcnn4j.data.Rle;
import org.maskrcnn4j.data.Segmentation;
import org.maskrcnn4j.model.BinaryMask;
import org.maskrcnn4j.tensor.HostTensor;

/**
 * A generated instance-segmentation dataset of coloured shapes (circles, squares, triangles and non-convex stars)
 * on a textured background, deterministic by seed.
 *
 * <p>Each image has a gradient background with per-pixel noise and a few shapes of random colour, size, position
 * and rotation, drawn in order so that later shapes occlude earlier ones (some are placed to overlap on purpose).
 * The ground truth of each shape is its <b>visible</b> mask (what is left after occlusion); shapes whose visible
 * area is below {@link Config#minVisibleArea()} pixels or {@link Config#minVisibleFraction()} of their full area are
 * dropped (their pixels stay in the image). There are no crowd regions.
 *
 * <p>Sample {@code i} depends only on the seed, the config and {@code i} (random access; pixel-identical on every
 * JVM: only {@link SplittableRandom} and {@link StrictMath} are used). {@link #write(Path, int)} writes a COCO
 * dataset: {@code images/000000.png ...} and {@code instances.json} (masks as compressed RLE); category ids are
 * 1..4 ({@link Shape}).
 */
public final class ShapesDataset {
    /** Folder of the PNG images under the dataset folder. */
    public static final String IMAGES_DIR = "images";
    /** The COCO instances file under the dataset folder. */
    public static final String ANNOTATIONS_FILE = "instances.json";

    /** The shape classes; {@link #categoryId()} is the COCO category id (1..K). */
    public enum Shape {
        CIRCLE(1, "circle"),
        SQUARE(2, "square"),
        TRIANGLE(3, "triangle"),
        /** A five-pointed star: the non-convex class. */
        STAR(4, "star");

        private final int categoryId;
        private final String label;

        Shape(int categoryId, String label) {
            this.categoryId = categoryId;
            this.label = label;
        }

        public int categoryId() {
            return categoryId;
        }

        public String label() {
            return label;
        }

        /** The shape with this category id. */
        public static Shape ofCategoryId(int id) {
            for (Shape s : values()) {
                if (s.categoryId == id) {
                    return s;
                }
            }
            throw new IllegalArgumentException("no shape has category id " + id);
        }
    }

    /** The COCO categories, ids 1..4 in {@link Shape} order, supercategory "shape". */
    public static List<CocoCategory> categories() {
        List<CocoCategory> out = new ArrayList<>();
        for (Shape s : Shape.values()) {
            out.add(new CocoCategory(s.categoryId(), s.label(), "shape"));
        }
        return List.copyOf(out);
    }

    /**
     * Generation settings.
     *
     * @param width image width in pixels
     * @param height image height in pixels
     * @param minShapes fewest shapes drawn per image (before dropping hidden ones)
     * @param maxShapes most shapes drawn per image
     * @param minSize smallest shape radius as a fraction of {@code min(width, height)}
     * @param maxSize largest shape radius as a fraction of {@code min(width, height)}
     * @param overlapProbability chance that a shape is placed over an earlier one
     * @param minVisibleArea instances with fewer visible pixels are dropped
     * @param minVisibleFraction instances with less of their own area visible are dropped
     * @param noise amplitude of the per-pixel noise (0..255 levels)
     */
    public record Config(int width, int height, int minShapes, int maxShapes, double minSize, double maxSize,
            double overlapProbability, int minVisibleArea, double minVisibleFraction, int noise) {
        public Config {
            if (width < 16 || height < 16) {
                throw new IllegalArgumentException("image must be at least 16x16, got " + width + "x" + height);
            }
            if (minShapes < 0 || maxShapes < minShapes) {
                throw new IllegalArgumentException("need 0 <= minShapes <= maxShapes, got " + minShapes + ", "
                        + maxShapes);
            }
            if (!(minSize > 0 && maxSize >= minSize && maxSize <= 0.5)) {
                throw new IllegalArgumentException("need 0 < minSize <= maxSize <= 0.5, got " + minSize + ", "
                        + maxSize);
            }
            if (!(overlapProbability >= 0 && overlapProbability <= 1)) {
                throw new IllegalArgumentException("overlapProbability must be in 0..1, got " + overlapProbability);
            }
            if (minVisibleArea < 1 || !(minVisibleFraction >= 0 && minVisibleFraction <= 1)) {
                throw new IllegalArgumentException("need minVisibleArea >= 1 and minVisibleFraction in 0..1");
            }
            if (noise < 0 || noise > 128) {
                throw new IllegalArgumentException("noise must be in 0..128, got " + noise);
            }
        }

        /** The defaults: 128x128, 1..4 shapes of radius 8%..24% of the side, 30% overlap, drop under 24 px / 20%. */
        public static Config defaults() {
            return new Config(128, 128, 1, 4, 0.08, 0.24, 0.3, 24, 0.2, 12);
        }

        /** The same settings for another image size. */
        public Config withSize(int width, int height) {
            return new Config(width, height, minShapes, maxShapes, minSize, maxSize, overlapProbability,
                    minVisibleArea, minVisibleFraction, noise);
        }

        /** The same settings with another shape count range. */
        public Config withShapes(int min, int max) {
            return new Config(width, height, min, max, minSize, maxSize, overlapProbability, minVisibleArea,
                    minVisibleFraction, noise);
        }
    }

    /**
     * One object of a sample: its class, visible mask (image-sized) and tight box of the visible mask
     * {@code (x1, y1, x2, y2)} in pixels ({@code x2 = last column + 1}).
     */
    public record ShapeInstance(Shape shape, BinaryMask mask, float[] box) {
        public ShapeInstance {
            box = box.clone();
        }

        /** {@link Shape#categoryId()}. */
        public int categoryId() {
            return shape.categoryId();
        }

        /** Visible pixels. */
        public int area() {
            return mask.area();
        }

        /** The box in COCO's {@code [x, y, w, h]}. */
        public CocoBox cocoBox() {
            return CocoBox.fromCorners(box[0], box[1], box[2], box[3]);
        }

        @Override
        public float[] box() {
            return box.clone();
        }
    }

    /** One generated image (RGB, {@link BufferedImage#TYPE_INT_RGB}) and its instances, in drawing order. */
    public record Sample(int index, BufferedImage image, List<ShapeInstance> instances) {
        public Sample {
            instances = List.copyOf(instances);
        }

        /** The image as float RGB {@code [3, h, w]} in 0..1 (see {@link ImageTensors#toFloats}). */
        public HostTensor imageTensor() {
            return ImageTensors.toFloats(image);
        }

        /** Boxes {@code [G, 4]} (x1, y1, x2, y2), float32. */
        public HostTensor boxesTensor() {
            float[] v = new float[instances.size() * 4];
            for (int i = 0; i < instances.size(); i++) {
                System.arraycopy(instances.get(i).box, 0, v, 4 * i, 4);
            }
            return HostTensor.ofFloats(v, instances.size(), 4);
        }

        /** Labels {@code [G]} (category ids 1..4), int64. */
        public HostTensor labelsTensor() {
            long[] v = new long[instances.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = instances.get(i).categoryId();
            }
            return HostTensor.ofLongs(v, v.length);
        }

        /** Masks {@code [G, h, w]}, uint8 0/1. */
        public HostTensor masksTensor() {
            int h = image.getHeight();
            int w = image.getWidth();
            byte[] v = new byte[instances.size() * h * w];
            for (int i = 0; i < instances.size(); i++) {
                BitSet bits = instances.get(i).mask().pixels();
                int base = i * h * w;
                for (int p = bits.nextSetBit(0); p >= 0; p = bits.nextSetBit(p + 1)) {
                    v[base + p] = 1;
                }
            }
            return HostTensor.ofBytes(v, instances.size(), h, w);
        }
    }

    private final long seed;
    private final Config config;

    /** A dataset with the default config. */
    public ShapesDataset(long seed) {
        this(seed, Config.defaults());
    }

    public ShapesDataset(long seed, Config config) {
        this.seed = seed;
        this.config = config;
    }

    public long seed() {
        return seed;
    }

    public Config config() {
        return config;
    }

    /** Samples {@code 0..count-1}. */
    public List<Sample> samples(int count) {
        List<Sample> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(sample(i));
        }
        return out;
    }

    /**
     * Writes {@code count} images and the COCO instances file into {@code dir} (created if needed; existing files
     * of the same names are replaced) and returns the dataset written. Image ids are {@code index + 1}; annotation
     * ids run from 1 in image order.
     */
    public CocoDataset write(Path dir, int count) throws IOException {
        Path images = dir.resolve(IMAGES_DIR);
        Files.createDirectories(images);
        List<List<ShapeInstance>> perImage;
        try {
            perImage = IntStream.range(0, count).parallel().mapToObj(i -> {
                Sample s = sample(i);
                try {
                    Images.writePng(s.image(), images.resolve(fileName(i)));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return s.instances();
            }).toList();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        List<CocoImage> cocoImages = new ArrayList<>(count);
        List<CocoAnnotation> annotations = new ArrayList<>();
        long annId = 1;
        for (int i = 0; i < count; i++) {
            long imageId = i + 1L;
            cocoImages.add(new CocoImage(imageId, fileName(i), config.width(), config.height()));
            for (ShapeInstance inst : perImage.get(i)) {
                Rle rle = Rle.encode(inst.mask());
                annotations.add(new CocoAnnotation(annId++, imageId, inst.categoryId(), inst.cocoBox(), rle.area(),
                        false, new Segmentation.RleMask(rle, true)));
            }
        }
        CocoDataset dataset = new CocoDataset(cocoImages, categories(), annotations);
        CocoJson.write(dataset, dir.resolve(ANNOTATIONS_FILE));
        return dataset;
    }

    /** The image file name of sample {@code index}, relative to {@link #IMAGES_DIR}. */
    public static String fileName(int index) {
        return String.format(Locale.ROOT, "%06d.png", index);
    }

    /** Sample {@code index} (deterministic: the same seed, config and index give the same sample). */
    public Sample sample(int index) {
        if (index < 0) {
            throw new IllegalArgumentException("index must be >= 0, got " + index);
        }
        SplittableRandom rnd = new SplittableRandom(mix(seed ^ mix(index + 0x632BE59BD9B4E019L)));
        int w = config.width();
        int h = config.height();
        int[] rgb = new int[w * h];
        background(rnd, rgb, w, h);

        int n = config.minShapes() + rnd.nextInt(config.maxShapes() - config.minShapes() + 1);
        int[] owner = new int[w * h];
        java.util.Arrays.fill(owner, -1);
        Shape[] shapes = new Shape[n];
        int[] fullArea = new int[n];
        double[][] placed = new double[n][];
        double side = Math.min(w, h);
        for (int k = 0; k < n; k++) {
            Shape shape = Shape.values()[rnd.nextInt(Shape.values().length)];
            double r = side * (config.minSize() + rnd.nextDouble() * (config.maxSize() - config.minSize()));
            double cx;
            double cy;
            if (k > 0 && rnd.nextDouble() < config.overlapProbability()) {
                double[] other = placed[rnd.nextInt(k)];
                double angle = rnd.nextDouble() * 2 * Math.PI;
                double dist = (0.4 + 0.6 * rnd.nextDouble()) * (other[2] + r) * 0.6;
                cx = clamp(other[0] + dist * StrictMath.cos(angle), 0, w);
                cy = clamp(other[1] + dist * StrictMath.sin(angle), 0, h);
            } else {
                cx = r * 0.5 + rnd.nextDouble() * (w - r);
                cy = r * 0.5 + rnd.nextDouble() * (h - r);
            }
            placed[k] = new double[] {cx, cy, r};
            double rotation = rnd.nextDouble() * 2 * Math.PI;
            int colour = shapeColour(rnd, rgb[pixelIndex(cx, cy, w, h)]);
            int shade = config.noise() / 2;
            shapes[k] = shape;
            double[] polygon = outline(shape, cx, cy, r, rotation, rnd);
            int x0 = Math.max(0, (int) Math.floor(cx - r) - 1);
            int x1 = Math.min(w - 1, (int) Math.ceil(cx + r) + 1);
            int y0 = Math.max(0, (int) Math.floor(cy - r) - 1);
            int y1 = Math.min(h - 1, (int) Math.ceil(cy + r) + 1);
            for (int y = y0; y <= y1; y++) {
                double py = y + 0.5;
                for (int x = x0; x <= x1; x++) {
                    double px = x + 0.5;
                    boolean inside = polygon == null
                            ? (px - cx) * (px - cx) + (py - cy) * (py - cy) < r * r
                            : contains(polygon, px, py);
                    if (inside) {
                        int p = y * w + x;
                        owner[p] = k;
                        fullArea[k]++;
                        rgb[p] = jitter(colour, shade == 0 ? 0 : rnd.nextInt(2 * shade + 1) - shade);
                    }
                }
            }
        }

        BitSet[] visible = new BitSet[n];
        for (int k = 0; k < n; k++) {
            visible[k] = new BitSet(w * h);
        }
        for (int p = 0; p < owner.length; p++) {
            if (owner[p] >= 0) {
                visible[owner[p]].set(p);
            }
        }
        List<ShapeInstance> instances = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            int area = visible[k].cardinality();
            if (area < config.minVisibleArea() || area < config.minVisibleFraction() * fullArea[k]) {
                continue;
            }
            int bx0 = w;
            int by0 = h;
            int bx1 = -1;
            int by1 = -1;
            for (int p = visible[k].nextSetBit(0); p >= 0; p = visible[k].nextSetBit(p + 1)) {
                int x = p % w;
                int y = p / w;
                bx0 = Math.min(bx0, x);
                bx1 = Math.max(bx1, x);
                by0 = Math.min(by0, y);
                by1 = Math.max(by1, y);
            }
            instances.add(new ShapeInstance(shapes[k], new BinaryMask(h, w, visible[k]),
                    new float[] {bx0, by0, bx1 + 1, by1 + 1}));
        }
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, w, h, rgb, 0, w);
        return new Sample(index, image, instances);
    }

    // ------------------------------------------------------------------ drawing

    /** Linear gradient between two random colours in a random direction, plus uniform per-pixel noise. */
    private void background(SplittableRandom rnd, int[] rgb, int w, int h) {
        int c0 = randomColour(rnd, 0.1, 0.5, 0.25, 0.9);
        int c1 = randomColour(rnd, 0.1, 0.5, 0.25, 0.9);
        double angle = rnd.nextDouble() * 2 * Math.PI;
        double dx = StrictMath.cos(angle);
        double dy = StrictMath.sin(angle);
        double min = Math.min(0, dx * (w - 1)) + Math.min(0, dy * (h - 1));
        double max = Math.max(0, dx * (w - 1)) + Math.max(0, dy * (h - 1));
        double span = Math.max(1e-9, max - min);
        int noise = config.noise();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double t = (x * dx + y * dy - min) / span;
                int c = mixColours(c0, c1, t);
                rgb[y * w + x] = jitter(c, noise == 0 ? 0 : rnd.nextInt(2 * noise + 1) - noise);
            }
        }
    }

    /** A saturated colour that differs clearly from the background colour under the shape. */
    private static int shapeColour(SplittableRandom rnd, int background) {
        int best = 0;
        int bestDistance = -1;
        for (int attempt = 0; attempt < 8; attempt++) {
            int c = randomColour(rnd, 0.45, 1.0, 0.35, 1.0);
            int d = distance(c, background);
            if (d > bestDistance) {
                best = c;
                bestDistance = d;
            }
            if (d >= 120) {
                break;
            }
        }
        return best;
    }

    /** A random colour from HSV with saturation and value in the given ranges. */
    private static int randomColour(SplittableRandom rnd, double sMin, double sMax, double vMin, double vMax) {
        double hue = rnd.nextDouble() * 6;
        double s = sMin + rnd.nextDouble() * (sMax - sMin);
        double v = vMin + rnd.nextDouble() * (vMax - vMin);
        int i = (int) hue % 6;
        double f = hue - Math.floor(hue);
        double p = v * (1 - s);
        double q = v * (1 - s * f);
        double t = v * (1 - s * (1 - f));
        double r;
        double g;
        double b;
        switch (i) {
            case 0 -> {
                r = v;
                g = t;
                b = p;
            }
            case 1 -> {
                r = q;
                g = v;
                b = p;
            }
            case 2 -> {
                r = p;
                g = v;
                b = t;
            }
            case 3 -> {
                r = p;
                g = q;
                b = v;
            }
            case 4 -> {
                r = t;
                g = p;
                b = v;
            }
            default -> {
                r = v;
                g = p;
                b = q;
            }
        }
        return (int) Math.round(r * 255) << 16 | (int) Math.round(g * 255) << 8 | (int) Math.round(b * 255);
    }

    /**
     * The outline polygon {@code [x0, y0, x1, y1, ...]} of a shape, or null for a circle. Squares and triangles are
     * regular polygons; stars have five points with an inner radius of 0.4..0.55 of the outer one.
     */
    private static double[] outline(Shape shape, double cx, double cy, double r, double rotation,
            SplittableRandom rnd) {
        return switch (shape) {
            case CIRCLE -> null;
            case SQUARE -> regular(cx, cy, r, 4, rotation);
            case TRIANGLE -> regular(cx, cy, r * 1.15, 3, rotation);
            case STAR -> {
                double inner = r * (0.4 + 0.15 * rnd.nextDouble());
                double[] xy = new double[20];
                for (int i = 0; i < 10; i++) {
                    double radius = i % 2 == 0 ? r * 1.1 : inner * 1.1;
                    double a = rotation + i * Math.PI / 5;
                    xy[2 * i] = cx + radius * StrictMath.cos(a);
                    xy[2 * i + 1] = cy + radius * StrictMath.sin(a);
                }
                yield xy;
            }
        };
    }

    private static double[] regular(double cx, double cy, double r, int sides, double rotation) {
        double[] xy = new double[2 * sides];
        for (int i = 0; i < sides; i++) {
            double a = rotation + i * 2 * Math.PI / sides;
            xy[2 * i] = cx + r * StrictMath.cos(a);
            xy[2 * i + 1] = cy + r * StrictMath.sin(a);
        }
        return xy;
    }

    /** Even-odd point-in-polygon test. */
    private static boolean contains(double[] xy, double px, double py) {
        boolean inside = false;
        int n = xy.length / 2;
        for (int i = 0, j = n - 1; i < n; j = i++) {
            double xi = xy[2 * i];
            double yi = xy[2 * i + 1];
            double xj = xy[2 * j];
            double yj = xy[2 * j + 1];
            if ((yi > py) != (yj > py) && px < (xj - xi) * (py - yi) / (yj - yi) + xi) {
                inside = !inside;
            }
        }
        return inside;
    }

    private static int mixColours(int a, int b, double t) {
        int r = (int) Math.round(((a >> 16) & 0xff) * (1 - t) + ((b >> 16) & 0xff) * t);
        int g = (int) Math.round(((a >> 8) & 0xff) * (1 - t) + ((b >> 8) & 0xff) * t);
        int bl = (int) Math.round((a & 0xff) * (1 - t) + (b & 0xff) * t);
        return r << 16 | g << 8 | bl;
    }

    private static int jitter(int c, int d) {
        int r = clampByte(((c >> 16) & 0xff) + d);
        int g = clampByte(((c >> 8) & 0xff) + d);
        int b = clampByte((c & 0xff) + d);
        return r << 16 | g << 8 | b;
    }

    private static int distance(int a, int b) {
        return Math.abs(((a >> 16) & 0xff) - ((b >> 16) & 0xff)) + Math.abs(((a >> 8) & 0xff) - ((b >> 8) & 0xff))
                + Math.abs((a & 0xff) - (b & 0xff));
    }

    private static int clampByte(int v) {
        return v < 0 ? 0 : Math.min(255, v);
    }

    private static double clamp(double v, double lo, double hi) {
        return v < lo ? lo : Math.min(hi, v);
    }

    private static int pixelIndex(double cx, double cy, int w, int h) {
        int x = (int) clamp(Math.floor(cx), 0, w - 1);
        int y = (int) clamp(Math.floor(cy), 0, h - 1);
        return y * w + x;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}

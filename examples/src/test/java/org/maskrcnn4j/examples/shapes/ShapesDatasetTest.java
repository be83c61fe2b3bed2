package org.maskrcnn4j.examples.shapes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskrcnn4j.data.CocoAnnotation;
import org.maskrcnn4j.data.CocoDataset;
import org.maskrcnn4j.data.CocoJson;
import org.maskrcnn4j.data.Images;
import org.maskrcnn4j.examples.shapes.ShapesDataset.Sample;
import org.maskrcnn4j.examples.shapes.ShapesDataset.Shape;
import org.maskrcnn4j.examples.shapes.ShapesDataset.ShapeInstance;
import org.maskrcnn4j.model.BinaryMask;

class ShapesDatasetTest {
    @TempDir
    Path dir;

    @Test
    void sameSeedWritesIdenticalFiles() throws IOException {
        new ShapesDataset(7).write(dir.resolve("a"), 25);
        new ShapesDataset(7).write(dir.resolve("b"), 25);
        new ShapesDataset(8).write(dir.resolve("c"), 25);
        List<Path> files = files(dir.resolve("a"));
        assertThat(files).hasSize(26).contains(Path.of("instances.json"), Path.of("images", "000024.png"));
        assertThat(files(dir.resolve("b"))).isEqualTo(files);
        for (Path f : files) {
            assertThat(Files.readAllBytes(dir.resolve("b").resolve(f))).as(f.toString())
                    .isEqualTo(Files.readAllBytes(dir.resolve("a").resolve(f)));
        }
        assertThat(Files.readAllBytes(dir.resolve("c/instances.json")))
                .isNotEqualTo(Files.readAllBytes(dir.resolve("a/instances.json")));
    }

    @Test
    void samplesAreRandomAccessAndRepeatable() {
        ShapesDataset ds = new ShapesDataset(3);
        Sample direct = new ShapesDataset(3).sample(5);
        Sample viaList = ds.samples(6).get(5);
        assertThat(pixels(direct.image())).isEqualTo(pixels(viaList.image()));
        assertThat(direct.instances()).hasSameSizeAs(viaList.instances());
        for (int i = 0; i < direct.instances().size(); i++) {
            assertThat(direct.instances().get(i).mask()).isEqualTo(viaList.instances().get(i).mask());
            assertThat(direct.instances().get(i).shape()).isEqualTo(viaList.instances().get(i).shape());
        }
        assertThat(pixels(ds.sample(6).image())).isNotEqualTo(pixels(direct.image()));
    }

    @Test
    void visibleMasksAreDisjointLargeEnoughAndBoxedTightly() {
        ShapesDataset ds = new ShapesDataset(11);
        int minArea = ds.config().minVisibleArea();
        int overlappingBoxes = 0;
        Set<Shape> seen = EnumSet.noneOf(Shape.class);
        for (Sample s : ds.samples(200)) {
            assertThat(s.image().getWidth()).isEqualTo(128);
            assertThat(s.image().getHeight()).isEqualTo(128);
            BitSet union = new BitSet();
            List<ShapeInstance> inst = s.instances();
            for (ShapeInstance i : inst) {
                seen.add(i.shape());
                BinaryMask m = i.mask();
                assertThat(m.height()).isEqualTo(128);
                assertThat(m.area()).isGreaterThanOrEqualTo(minArea);
                assertThat(union.intersects(m.pixels())).as("masks of image %d overlap", s.index()).isFalse();
                union.or(m.pixels());
                assertThat(i.box()).containsExactly(tightBox(m));
            }
            for (int a = 0; a < inst.size(); a++) {
                for (int b = a + 1; b < inst.size(); b++) {
                    if (boxesOverlap(inst.get(a).box(), inst.get(b).box())) {
                        overlappingBoxes++;
                    }
                }
            }
        }
        assertThat(seen).containsExactlyInAnyOrder(Shape.values());
        assertThat(overlappingBoxes).as("pairs of instances whose boxes overlap (occlusion)").isGreaterThan(20);
    }

    @Test
    void occludedShapesKeepOnlyTheirVisiblePart() {
        // an occluded instance's pixels carry its own colour, not the occluder's: every mask pixel's colour is
        // closer to the mask's median colour than to that of any other instance of the image
        for (Sample s : new ShapesDataset(5).samples(60)) {
            List<ShapeInstance> inst = s.instances();
            int[] colour = new int[inst.size()];
            for (int i = 0; i < inst.size(); i++) {
                colour[i] = medianColour(s.image(), inst.get(i).mask());
            }
            for (int i = 0; i < inst.size(); i++) {
                BitSet bits = inst.get(i).mask().pixels();
                for (int j = 0; j < inst.size(); j++) {
                    if (j == i || distance(colour[i], colour[j]) < 60) {
                        continue;
                    }
                    int p = bits.nextSetBit(0);
                    int rgb = s.image().getRGB(p % 128, p / 128);
                    assertThat(distance(rgb, colour[i])).isLessThan(distance(rgb, colour[j]));
                }
            }
        }
    }

    @Test
    void writesReadableCocoDatasetMatchingTheSamples() throws IOException {
        ShapesDataset ds = new ShapesDataset(21, ShapesDataset.Config.defaults().withSize(96, 64));
        CocoDataset written = ds.write(dir, 30);
        CocoDataset read = CocoJson.read(dir.resolve(ShapesDataset.ANNOTATIONS_FILE));
        assertThat(read).isEqualTo(written);
        assertThat(read.categories()).extracting(c -> c.id() + ":" + c.name())
                .containsExactly("1:circle", "2:square", "3:triangle", "4:star");
        assertThat(read.images()).hasSize(30);
        for (int i = 0; i < 30; i++) {
            var image = read.images().get(i);
            assertThat(image.width()).isEqualTo(96);
            assertThat(image.height()).isEqualTo(64);
            BufferedImage png = Images.read(dir.resolve(ShapesDataset.IMAGES_DIR).resolve(image.fileName()));
            Sample s = ds.sample(i);
            assertThat(pixels(png)).isEqualTo(pixels(s.image()));
            List<CocoAnnotation> anns = read.annotationsOf(image.id());
            assertThat(anns).hasSameSizeAs(s.instances());
            for (int k = 0; k < anns.size(); k++) {
                CocoAnnotation a = anns.get(k);
                ShapeInstance inst = s.instances().get(k);
                assertThat(a.iscrowd()).isFalse();
                assertThat(a.categoryId()).isEqualTo(inst.categoryId());
                assertThat(a.segmentation().toRle(64, 96).decode()).isEqualTo(inst.mask());
                assertThat(a.area()).isEqualTo(inst.area());
                assertThat(a.bbox()).isEqualTo(inst.cocoBox());
                assertThat(a.bbox().toArray()).containsExactly(a.segmentation().toRle(64, 96).toBbox());
            }
        }
    }

    @Test
    void tensorsOfASample() {
        Sample s = new ShapesDataset(2).samples(10).stream().filter(x -> x.instances().size() >= 2).findFirst()
                .orElseThrow();
        int g = s.instances().size();
        assertThat(s.imageTensor().shape().dims()).containsExactly(3, 128, 128);
        assertThat(s.boxesTensor().shape().dims()).containsExactly(g, 4);
        assertThat(s.labelsTensor().shape().dims()).containsExactly(g);
        assertThat(s.masksTensor().shape().dims()).containsExactly(g, 128, 128);
        assertThat(s.labelsTensor().getLong(1)).isEqualTo(s.instances().get(1).categoryId());
        var masks = s.masksTensor();
        long sum = 0;
        for (long i = 0; i < masks.size(); i++) {
            sum += masks.getLong(i);
        }
        assertThat(sum).isEqualTo(s.instances().stream().mapToInt(ShapeInstance::area).sum());
    }

    @Test
    void thousandImagesTakeSeconds() throws IOException {
        long t0 = System.nanoTime();
        CocoDataset d = new ShapesDataset(1).write(dir, 1000);
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertThat(d.images()).hasSize(1000);
        assertThat(d.annotations().size()).isGreaterThan(1500);
        assertThat(seconds).as("seconds to write 1000 images").isLessThan(30);
    }

    @Test
    void rejectsBadConfig() {
        ShapesDataset.Config c = ShapesDataset.Config.defaults();
        assertThatThrownBy(() -> c.withSize(8, 128)).hasMessageContaining("at least 16x16");
        assertThatThrownBy(() -> c.withShapes(3, 2)).hasMessageContaining("minShapes <= maxShapes");
        assertThat(Shape.ofCategoryId(4)).isEqualTo(Shape.STAR);
        assertThat(new ShapesDataset(1, c.withShapes(0, 0)).sample(0).instances()).isEmpty();
    }

    private static float[] tightBox(BinaryMask m) {
        int x0 = Integer.MAX_VALUE;
        int y0 = Integer.MAX_VALUE;
        int x1 = -1;
        int y1 = -1;
        for (int y = 0; y < m.height(); y++) {
            for (int x = 0; x < m.width(); x++) {
                if (m.get(y, x)) {
                    x0 = Math.min(x0, x);
                    y0 = Math.min(y0, y);
                    x1 = Math.max(x1, x);
                    y1 = Math.max(y1, y);
                }
            }
        }
        return new float[] {x0, y0, x1 + 1, y1 + 1};
    }

    private static boolean boxesOverlap(float[] a, float[] b) {
        return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
    }

    private static int medianColour(BufferedImage img, BinaryMask m) {
        BitSet bits = m.pixels();
        int[][] ch = new int[3][bits.cardinality()];
        int n = 0;
        for (int p = bits.nextSetBit(0); p >= 0; p = bits.nextSetBit(p + 1)) {
            int rgb = img.getRGB(p % m.width(), p / m.width());
            ch[0][n] = (rgb >> 16) & 0xff;
            ch[1][n] = (rgb >> 8) & 0xff;
            ch[2][n] = rgb & 0xff;
            n++;
        }
        for (int[] c : ch) {
            java.util.Arrays.sort(c);
        }
        return ch[0][n / 2] << 16 | ch[1][n / 2] << 8 | ch[2][n / 2];
    }

    private static int distance(int a, int b) {
        return Math.abs(((a >> 16) & 0xff) - ((b >> 16) & 0xff)) + Math.abs(((a >> 8) & 0xff) - ((b >> 8) & 0xff))
                + Math.abs((a & 0xff) - (b & 0xff));
    }

    private static int[] pixels(BufferedImage img) {
        return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
    }

    private static List<Path> files(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).map(root::relativize).sorted().collect(Collectors.toList());
        }
    }
}

package org.maskrcnn4j.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.maskrcnn4j.testing.FixtureAssert.assertClose;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.maskrcnn4j.io.SafetensorsFile;
import org.maskrcnn4j.model.ImageList;
import org.maskrcnn4j.model.RcnnTransform;
import org.maskrcnn4j.model.Target;
import org.maskrcnn4j.tensor.DType;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.Ops;
import org.maskrcnn4j.tensor.Shape;
import org.maskrcnn4j.tensor.Tensor;
import org.maskrcnn4j.testing.Fixtures;

/**
 * Conformance: the detector's input transform ({@link RcnnTransform}: normalise, resize, pad, stack) and
 * its box post-processing run on the backend and match torchvision's {@code GeneralizedRCNNTransform}
 * (fixture {@code transform.safetensors}, configs {@code main} = 800/1333 and {@code small} = 48/80).
 */
public abstract class TransformConformance extends BackendTestBase {
    private static final String FILE = "transform.safetensors";
    private static final long[][] ORIGINAL = {{120, 160}, {90, 200}};
    /** Batch values: README section 7 (measured float32 vs float64 4.1e-6 main, 2.4e-6 small). */
    private static final double BATCH_ATOL = 2e-5;
    /** Post-processed boxes: README section 7. */
    private static final double BOXES_ATOL = 1e-4;
    /**
     * Sums over one image and channel of the padded main batch (800 x 1344 = 1.08M values, abs-sums
     * 5.0e5..6.2e5): the tolerance is relative to the reference abs-sum, so about 0.5 in absolute terms.
     * Measured with NumPy re-implementations: torch's exact arithmetic (source index in double from a
     * float32 ratio, float32 weights) is within 2 ulps elementwise and 1.4e-4 on the sums (3e-10
     * relative); an equally valid float32 source index is within 5.5e-6 elementwise and 4e-3 on the sums
     * (8e-9 relative). Even if every element carried a same-signed error of one ulp (~1.2e-7 at |x| ~ 1)
     * the sums would move by ~0.1 (2e-7 relative), so 1e-6 leaves a margin of 5x over that worst case
     * and 100x over what was measured, while a wrong row or column of the resize (hundreds of values off
     * by O(0.01..1)) is caught.
     */
    private static final double SUM_RTOL = 1e-6;

    private static RcnnTransform config(String cfg) {
        return cfg.equals("main")
                ? new RcnnTransform(800, 1333, RcnnTransform.IMAGENET_MEAN, RcnnTransform.IMAGENET_STD, 32)
                : new RcnnTransform(48, 80, RcnnTransform.IMAGENET_MEAN, RcnnTransform.IMAGENET_STD, 32);
    }

    private static long[][] sizes(HostTensor imageSizes) {
        long[] v = imageSizes.toLongArray();
        return new long[][] {{v[0], v[1]}, {v[2], v[3]}};
    }

    /** The input conversion of the fixture, {@code image.float() / 255} in float32 on the backend. */
    private static Tensor toUnit(Ops ops, Tensor u8) {
        return ops.div(ops.cast(u8, DType.FLOAT32), 255);
    }

    private static Tensor crop(Ops ops, Tensor batch, int image, long r0, long r1, long c0, long c1) {
        Tensor one = ops.squeeze(ops.slice(batch, 0, image, image + 1), 0);
        return ops.slice(ops.slice(one, 1, r0, r1), 2, c0, c1);
    }

    @Test
    void scaleAndSizesAreComputedInFloat32LikeTorch() {
        SafetensorsFile f = Fixtures.open(FILE);
        // README section 7, step 2: 80/200 is 0.39999998f, 1333/200 is 6.6649998f (not 0.4 / 6.665)
        assertThat(config("small").scale(90, 200)).isEqualTo(Math.min(80f * (1f / 200f), 48f * (1f / 90f)));
        assertThat(80f * (1f / 200f)).isEqualTo(0.39999998f);
        assertThat(config("main").scale(90, 200)).isEqualTo(6.6649998f);
        for (String cfg : new String[] {"main", "small"}) {
            long[][] expected = sizes(f.get(cfg + ".image_sizes"));
            for (int i = 0; i < 2; i++) {
                assertThat(config(cfg).resizedSize(ORIGINAL[i][0], ORIGINAL[i][1])).as("%s image %d", cfg, i)
                        .containsExactly(expected[i]);
            }
        }
        assertThat(RcnnTransform.torchvisionDefaults().resizedSize(240, 320)).containsExactly(800, 1066);
    }

    @Test
    void smallBatchMatchesTorchvision() {
        SafetensorsFile f = Fixtures.open(FILE);
        RcnnTransform tr = config("small");
        long[][][] imageSizes = new long[1][][];
        HostTensor batch = backend.compile((ops, in) -> {
            ImageList il = tr.batch(ops, List.of(toUnit(ops, in.get("image0")), toUnit(ops, in.get("image1"))));
            imageSizes[0] = il.imageSizes();
            return Map.of("batch", il.tensors());
        }).call(inputs("image0", f.get("image0"), "image1", f.get("image1"))).get("batch");
        assertThat(batch.shape().dims()).containsExactly(f.get("small.batch_shape").toLongArray());
        assertThat(imageSizes[0]).isDeepEqualTo(sizes(f.get("small.image_sizes")));
        double diff = assertClose("small.batch", batch.toDoubleArray(), f.get("small.batch").toDoubleArray(),
                BATCH_ATOL, 0);
        System.out.printf("[transform] small.batch max abs diff %.3g%n", diff);
    }

    @Test
    void mainBatchMatchesTorchvision() {
        SafetensorsFile f = Fixtures.open(FILE);
        RcnnTransform tr = config("main");
        long[][][] imageSizes = new long[1][][];
        Map<String, HostTensor> out = backend.compile((ops, in) -> {
            ImageList il = tr.batch(ops, List.of(toUnit(ops, in.get("image0")), toUnit(ops, in.get("image1"))));
            imageSizes[0] = il.imageSizes();
            Tensor b = il.tensors();
            long bigH = b.shape().get(2);
            long bigW = b.shape().get(3);
            Map<String, Tensor> m = new LinkedHashMap<>();
            m.put("batch", b);
            m.put("sub16", ops.slice(ops.slice(b, 2, 0, bigH, 16), 3, 0, bigW, 16));
            for (int i = 0; i < 2; i++) {
                long h = il.imageSizes()[i][0];
                long w = il.imageSizes()[i][1];
                m.put("crop" + i + "_topleft", crop(ops, b, i, 0, 32, 0, 32));
                m.put("crop" + i + "_content_edge", crop(ops, b, i, h - 16, Math.min(h + 16, bigH), w - 16, w + 16));
                m.put("crop" + i + "_middle", crop(ops, b, i, h / 2 - 16, h / 2 + 16, w / 2 - 16, w / 2 + 16));
            }
            return m;
        }).call(inputs("image0", f.get("image0"), "image1", f.get("image1")));

        HostTensor batch = out.get("batch");
        assertThat(batch.shape().dims()).containsExactly(f.get("main.batch_shape").toLongArray());
        assertThat(imageSizes[0]).isDeepEqualTo(sizes(f.get("main.image_sizes")));

        HostTensor sub = out.get("sub16");
        assertThat(sub.shape()).isEqualTo(f.get("main.batch_sub16").shape());
        double worst = assertClose("main.batch_sub16", sub.toDoubleArray(), f.get("main.batch_sub16").toDoubleArray(),
                BATCH_ATOL, 0);
        System.out.printf("[transform] main.batch_sub16 max abs diff %.3g%n", worst);
        for (int i = 0; i < 2; i++) {
            for (String c : new String[] {"topleft", "content_edge", "middle"}) {
                String name = "crop" + i + "_" + c;
                HostTensor expected = f.get("main." + name);
                assertThat(out.get(name).shape()).as(name).isEqualTo(expected.shape());
                double d = assertClose("main." + name, out.get(name).toDoubleArray(), expected.toDoubleArray(),
                        BATCH_ATOL, 0);
                System.out.printf("[transform] main.%s max abs diff %.3g%n", name, d);
            }
        }

        // sums over the whole batch, in double on the host
        float[] v = batch.toFloatArray();
        long[] dims = batch.shape().dims();
        int plane = Math.toIntExact(dims[2] * dims[3]);
        double[] sums = new double[6];
        double[] absSums = new double[6];
        for (int p = 0; p < 6; p++) {
            double s = 0;
            double a = 0;
            for (int k = p * plane, end = k + plane; k < end; k++) {
                s += v[k];
                a += Math.abs(v[k]);
            }
            sums[p] = s;
            absSums[p] = a;
        }
        double[] expectedSums = f.get("main.sum_per_image_channel").toDoubleArray();
        double[] expectedAbs = f.get("main.abs_sum_per_image_channel").toDoubleArray();
        double worstRel = 0;
        for (int p = 0; p < 6; p++) {
            double tol = SUM_RTOL * expectedAbs[p];
            double ds = Math.abs(sums[p] - expectedSums[p]);
            double da = Math.abs(absSums[p] - expectedAbs[p]);
            worstRel = Math.max(worstRel, Math.max(ds, da) / expectedAbs[p]);
            assertThat(ds).as("sum of image %d channel %d: %s vs %s", p / 3, p % 3, sums[p], expectedSums[p])
                    .isLessThanOrEqualTo(tol);
            assertThat(da).as("abs sum of image %d channel %d: %s vs %s", p / 3, p % 3, absSums[p], expectedAbs[p])
                    .isLessThanOrEqualTo(tol);
        }
        System.out.printf("[transform] main sums: max |diff| / abs_sum %.3g%n", worstRel);
    }

    @ParameterizedTest(name = "postprocess boxes {0}")
    @ValueSource(strings = {"main", "small"})
    void postprocessedBoxesMatchTorchvision(String cfg) {
        SafetensorsFile f = Fixtures.open(FILE);
        RcnnTransform tr = config(cfg);
        long[][] resized = sizes(f.get(cfg + ".image_sizes"));
        Map<String, HostTensor> out = backend.compile((ops, in) -> Map.of(
                "0", tr.boxesToOriginal(ops, in.get("b0"), resized[0], ORIGINAL[0]),
                "1", tr.boxesToOriginal(ops, in.get("b1"), resized[1], ORIGINAL[1])))
                .call(inputs("b0", f.get(cfg + ".post_boxes_in.0"), "b1", f.get(cfg + ".post_boxes_in.1")));
        for (String i : new String[] {"0", "1"}) {
            HostTensor expected = f.get(cfg + ".post_boxes_out." + i);
            assertThat(out.get(i).shape()).isEqualTo(expected.shape());
            double d = assertClose(cfg + ".post_boxes_out." + i, out.get(i).toDoubleArray(), expected.toDoubleArray(),
                    BOXES_ATOL, 0);
            System.out.printf("[transform] %s.post_boxes_out.%s max abs diff %.3g%n", cfg, i, d);
        }
    }

    /**
     * No fixture covers targets; this checks torchvision's rules directly: box ratios
     * {@code fl32(new) / fl32(old)} per axis, masks by nearest with source {@code floor(dst * fl32(in / out))}
     * (clamped to {@code in - 1}), dtype kept.
     */
    @Test
    void targetsFollowTheResizedImage() {
        RcnnTransform tr = config("small");
        long h = 90;
        long w = 200;
        long[] rs = tr.resizedSize(h, w); // 35 x 79
        byte[] mask = new byte[(int) (2 * h * w)];
        for (int g = 0; g < 2; g++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    mask[(int) ((g * h + y) * w + x)] = (byte) (((x * 7 + y * 3 + g) % 5) < 2 ? 1 : 0);
                }
            }
        }
        float[] boxes = {0, 0, 200, 90, 10.5f, 20.25f, 100.75f, 60.125f};
        Map<String, HostTensor> out = backend.compile((ops, in) -> {
            Tensor resizedImage = tr.normalizeAndResize(ops, in.get("image"));
            Target t = tr.resizeTarget(ops, new Target(in.get("boxes"), in.get("labels"), in.get("masks")),
                    new long[] {h, w}, rs, resizedImage);
            return Map.of("boxes", t.boxes(), "labels", t.labels(), "masks", t.masks());
        }).call(inputs("image", HostTensor.ofFloats(new float[(int) (3 * h * w)], 3, h, w),
                "boxes", HostTensor.ofFloats(boxes, 2, 4), "labels", HostTensor.ofLongs(new long[] {3, 1}, 2),
                "masks", HostTensor.ofBytes(mask, 2, h, w)));

        float rh = (float) rs[0] / (float) h;
        float rw = (float) rs[1] / (float) w;
        float[] expectedBoxes = new float[8];
        for (int k = 0; k < 8; k++) {
            expectedBoxes[k] = boxes[k] * (k % 2 == 0 ? rw : rh);
        }
        assertThat(out.get("boxes").toFloatArray()).containsExactly(expectedBoxes);
        assertThat(out.get("labels").toLongArray()).containsExactly(3, 1);
        HostTensor masks = out.get("masks");
        assertThat(masks.dtype()).isEqualTo(DType.UINT8);
        assertThat(masks.shape()).isEqualTo(Shape.of(2, rs[0], rs[1]));
        float sy = (float) h / (float) rs[0];
        float sx = (float) w / (float) rs[1];
        long[] actual = masks.toLongArray();
        for (int g = 0; g < 2; g++) {
            for (int y = 0; y < rs[0]; y++) {
                long srcY = Math.min((long) Math.floor(y * sy), h - 1);
                for (int x = 0; x < rs[1]; x++) {
                    long srcX = Math.min((long) Math.floor(x * sx), w - 1);
                    long expected = mask[(int) ((g * h + srcY) * w + srcX)];
                    assertThat(actual[(int) ((g * rs[0] + y) * rs[1] + x)]).as("mask %d at (%d, %d)", g, y, x)
                            .isEqualTo(expected);
                }
            }
        }
    }
}

package org.maskrcnn4j.model;

import java.util.ArrayList;
import java.util.List;
import org.maskrcnn4j.tensor.DType;
import org.maskrcnn4j.tensor.Ops;
import org.maskrcnn4j.tensor.Tensor;

/**
 * Input and output transform of the detector, exactly as torchvision's {@code GeneralizedRCNNTransform}
 * (0.14, eval semantics, no horizontal flip): normalise each image {@code [C, h, w]} (float, values in
 * 0..1) by {@code (x - mean[c]) / std[c]}, resize it bilinearly so that its short side becomes
 * {@code minSize} unless the long side would exceed {@code maxSize}, zero-pad every image of the batch to
 * the same size rounded up to a multiple of {@code sizeDivisible} and stack them.
 *
 * <p>The arithmetic follows torch step by step, so results agree to the last bit with a backend that
 * implements the ops like PyTorch: the scale is computed in float32 as
 * {@code min(fl32(minSize * fl32(1 / min_side)), fl32(maxSize * fl32(1 / max_side)))}, the output size is
 * {@code floor(side * (double) scale)}, and the resize uses the ratio {@code in / out}
 * ({@code recompute_scale_factor=True}). Box ratios are float32 quotients of the sizes, as
 * {@code resize_boxes}.
 *
 * <p>Pure tensor code: sizes come from static shapes (Java longs), so images must have known spatial
 * dimensions; tensor values are never read.
 */
public final class RcnnTransform {
    /** ImageNet channel means used by torchvision's detection models. */
    public static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
    /** ImageNet channel standard deviations used by torchvision's detection models. */
    public static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};

    private final long minSize;
    private final long maxSize;
    private final float[] mean;
    private final float[] std;
    private final long sizeDivisible;

    /**
     * @param minSize target length of the short side
     * @param maxSize upper bound of the long side
     * @param mean per-channel mean subtracted first
     * @param std per-channel standard deviation divided by next
     * @param sizeDivisible the padded batch's height and width are multiples of it
     */
    public RcnnTransform(long minSize, long maxSize, float[] mean, float[] std, long sizeDivisible) {
        if (minSize <= 0 || maxSize <= 0 || sizeDivisible <= 0) {
            throw new IllegalArgumentException("minSize, maxSize and sizeDivisible must be positive, got "
                    + minSize + ", " + maxSize + ", " + sizeDivisible);
        }
        if (mean.length == 0 || mean.length != std.length) {
            throw new IllegalArgumentException("mean and std need one entry per channel, got " + mean.length
                    + " and " + std.length);
        }
        this.minSize = minSize;
        this.maxSize = maxSize;
        this.mean = mean.clone();
        this.std = std.clone();
        this.sizeDivisible = sizeDivisible;
    }

    /** With batches padded to multiples of 32, torchvision's default. */
    public RcnnTransform(long minSize, long maxSize, float[] mean, float[] std) {
        this(minSize, maxSize, mean, std, 32);
    }

    /** torchvision's defaults for {@code maskrcnn_resnet50_fpn}: 800 / 1333, ImageNet mean and std, 32. */
    public static RcnnTransform torchvisionDefaults() {
        return new RcnnTransform(800, 1333, IMAGENET_MEAN, IMAGENET_STD, 32);
    }

    public long minSize() {
        return minSize;
    }

    public long maxSize() {
        return maxSize;
    }

    public long sizeDivisible() {
        return sizeDivisible;
    }

    /**
     * The resize factor for an image of {@code height x width}, in float32 exactly as torch computes
     * {@code min(min_size / min_side, max_size / max_side)} (a Python float over a float32 tensor is
     * {@code reciprocal(tensor) * float}).
     */
    public float scale(long height, long width) {
        float minSide = (float) Math.min(height, width);
        float maxSide = (float) Math.max(height, width);
        float byMin = (float) minSize * (1f / minSide);
        float byMax = (float) maxSize * (1f / maxSide);
        return Math.min(byMin, byMax);
    }

    /** The size {@code {h, w}} an image of {@code height x width} is resized to: {@code floor(side * scale)}. */
    public long[] resizedSize(long height, long width) {
        double s = scale(height, width);
        return new long[] {(long) Math.floor(height * s), (long) Math.floor(width * s)};
    }

    /**
     * Normalises and resizes one image {@code [C, h, w]} (floating, values 0..1) to
     * {@link #resizedSize}; the result is {@code [C, h', w']}, not padded.
     */
    public Tensor normalizeAndResize(Ops ops, Tensor image) {
        long[] hw = spatialSize(image);
        long[] out = resizedSize(hw[0], hw[1]);
        Tensor normalized = normalize(ops, image);
        return ops.squeeze(ops.resizeBilinear(ops.unsqueeze(normalized, 0), out[0], out[1]), 0);
    }

    /** {@code (image - mean[c]) / std[c]} per channel, in the image's dtype (float32 constants). */
    public Tensor normalize(Ops ops, Tensor image) {
        checkImage(image);
        Tensor m = ops.constant(mean, mean.length, 1, 1);
        Tensor s = ops.constant(std, std.length, 1, 1);
        if (image.dtype() != DType.FLOAT32) {
            m = ops.cast(m, image.dtype());
            s = ops.cast(s, image.dtype());
        }
        return ops.div(ops.sub(image, m), s);
    }

    /**
     * The detector's input batch: every image {@code [C, h, w]} (floating, values 0..1) normalised and
     * resized, zero-padded (after normalisation) to the largest height and width over the batch rounded up
     * to a multiple of {@code sizeDivisible}, and stacked to {@code [B, C, H, W]}; image sizes are the
     * resized sizes.
     */
    public ImageList batch(Ops ops, List<Tensor> images) {
        List<Tensor> resized = new ArrayList<>(images.size());
        for (Tensor image : images) {
            resized.add(normalizeAndResize(ops, image));
        }
        return pad(ops, resized);
    }

    /**
     * Pads already normalised and resized images {@code [C, h, w]} with zeros to a common size, a multiple
     * of {@code sizeDivisible}, and stacks them (torchvision's {@code batch_images}).
     */
    public ImageList pad(Ops ops, List<Tensor> resizedImages) {
        if (resizedImages.isEmpty()) {
            throw new IllegalArgumentException("cannot batch an empty list of images");
        }
        long[][] sizes = new long[resizedImages.size()][];
        long maxH = 0;
        long maxW = 0;
        for (int i = 0; i < sizes.length; i++) {
            sizes[i] = spatialSize(resizedImages.get(i));
            maxH = Math.max(maxH, sizes[i][0]);
            maxW = Math.max(maxW, sizes[i][1]);
        }
        long padH = ceilToMultiple(maxH);
        long padW = ceilToMultiple(maxW);
        List<Tensor> padded = new ArrayList<>(sizes.length);
        for (int i = 0; i < sizes.length; i++) {
            Tensor image = resizedImages.get(i);
            long bottom = padH - sizes[i][0];
            long right = padW - sizes[i][1];
            padded.add(bottom == 0 && right == 0 ? image
                    : ops.pad(image, new long[] {0, 0, 0}, new long[] {0, bottom, right}, 0));
        }
        return new ImageList(ops.stack(padded, 0), sizes);
    }

    /**
     * A training target moved onto the resized image, as torchvision's transform does: boxes
     * {@code [G, 4]} scaled per axis by {@code float32(resized) / float32(original)}, masks
     * {@code [G, h, w]} resized with nearest ({@code floor(dst * in / out)}) to the size of
     * {@code resizedImage} ({@code [C, h', w']} or {@code [1, C, h', w']}) and returned in their input
     * dtype, labels unchanged. Null boxes or masks stay null.
     */
    public Target resizeTarget(Ops ops, Target t, long[] originalSize, long[] resizedSize, Tensor resizedImage) {
        Tensor boxes = t.boxes() == null ? null : scaleBoxes(ops, t.boxes(), originalSize, resizedSize);
        Tensor masks = t.masks();
        if (masks != null) {
            Tensor like = resizedImage.rank() == 4 ? resizedImage : ops.unsqueeze(resizedImage, 0);
            Tensor m = ops.unsqueeze(masks, 1);
            if (m.dtype() != DType.FLOAT32) {
                m = ops.cast(m, DType.FLOAT32);
            }
            Tensor r = ops.squeeze(ops.resizeNearestLike(m, like), 1);
            masks = masks.dtype() == DType.FLOAT32 ? r : ops.cast(r, masks.dtype());
        }
        return new Target(boxes, t.labels(), masks);
    }

    /**
     * Detections {@code [N, 4]} in resized-image coordinates mapped back to the original image
     * (postprocess): x times {@code fl32(orig_w) / fl32(resized_w)}, y times
     * {@code fl32(orig_h) / fl32(resized_h)}.
     */
    public Tensor boxesToOriginal(Ops ops, Tensor boxes, long[] resizedSize, long[] originalSize) {
        return scaleBoxes(ops, boxes, resizedSize, originalSize);
    }

    /** torchvision's {@code resize_boxes}: ratios are float32 quotients {@code to / from} per axis. */
    static Tensor scaleBoxes(Ops ops, Tensor boxes, long[] from, long[] to) {
        if (from.length != 2 || to.length != 2) {
            throw new IllegalArgumentException("sizes must be {h, w}");
        }
        float ratioH = (float) to[0] / (float) from[0];
        float ratioW = (float) to[1] / (float) from[1];
        Tensor ratios = ops.constant(new float[] {ratioW, ratioH, ratioW, ratioH}, 4);
        if (boxes.dtype() != DType.FLOAT32) {
            ratios = ops.cast(ratios, boxes.dtype());
        }
        return ops.mul(boxes, ratios);
    }

    private long ceilToMultiple(long v) {
        return (v + sizeDivisible - 1) / sizeDivisible * sizeDivisible;
    }

    private void checkImage(Tensor image) {
        if (image.rank() != 3) {
            throw new IllegalArgumentException("images must be [C, h, w], got shape " + image.shape());
        }
        if (!image.dtype().isFloating()) {
            throw new IllegalArgumentException("images must be floating point with values in 0..1, got "
                    + image.dtype() + " " + image.shape());
        }
        long c = image.shape().get(0);
        if (c >= 0 && c != mean.length) {
            throw new IllegalArgumentException("image has " + c + " channels but mean/std have " + mean.length
                    + ", shape " + image.shape());
        }
    }

    private static long[] spatialSize(Tensor image) {
        if (image.rank() != 3) {
            throw new IllegalArgumentException("images must be [C, h, w], got shape " + image.shape());
        }
        long h = image.shape().get(1);
        long w = image.shape().get(2);
        if (h < 0 || w < 0) {
            throw new IllegalArgumentException("the transform needs static image sizes, got shape " + image.shape());
        }
        return new long[] {h, w};
    }
}

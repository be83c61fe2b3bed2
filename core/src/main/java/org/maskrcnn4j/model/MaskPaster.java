package org.maskrcnn4j.model;

import java.util.List;
import org.maskrcnn4j.tensor.DType;
import org.maskrcnn4j.tensor.Ops;
import org.maskrcnn4j.tensor.Tensor;

/**
 * Pastes {@code M x M} mask probabilities into the image at their boxes, exactly as torchvision's
 * {@code paste_masks_in_image}: pad the mask by {@code padding} zeros, grow the box about its centre by
 * {@code (M + 2p) / M}, truncate it to integers, bilinearly resize ({@code align_corners=False}) to the
 * box's {@code (y2 - y1 + 1) x (x2 - x1 + 1)} pixels and copy the part inside the image.
 *
 * <p>Pure tensor code: the resize-and-paste of each mask is separable, so it is two batched matmuls
 * with interpolation matrices {@code [D, H, M+2p]} and {@code [D, W, M+2p]} holding the two bilinear
 * weights per image row or column (zero rows outside the box).
 */
public final class MaskPaster {
    private final int padding;

    public MaskPaster(int padding) {
        this.padding = padding;
    }

    /** torchvision's default padding of 1. */
    public MaskPaster() {
        this(1);
    }

    /**
     * Pasted masks {@code [D, H, W]} float32 from mask probabilities {@code masks [D, M, M]} and boxes
     * {@code [D, 4]} in image pixels; {@code imageHeight}/{@code imageWidth} are the image size.
     */
    public Tensor paste(Ops ops, Tensor masks, Tensor boxes, long imageHeight, long imageWidth) {
        long m = masks.shape().get(-1);
        if (m < 0) {
            throw new IllegalArgumentException("paste needs a static mask size, got masks " + masks.shape());
        }
        long padded = m + 2L * padding;
        Tensor padMasks = ops.pad(masks, new long[] {0, padding, padding}, new long[] {0, padding, padding}, 0);
        double scale = (double) padded / m;
        Tensor[] c = BoxCoder.columns(ops, boxes);
        Tensor wHalf = ops.mul(ops.mul(ops.sub(c[2], c[0]), 0.5), scale);
        Tensor hHalf = ops.mul(ops.mul(ops.sub(c[3], c[1]), 0.5), scale);
        Tensor xc = ops.mul(ops.add(c[2], c[0]), 0.5);
        Tensor yc = ops.mul(ops.add(c[3], c[1]), 0.5);
        Tensor x1 = ops.cast(ops.sub(xc, wHalf), DType.INT64);
        Tensor x2 = ops.cast(ops.add(xc, wHalf), DType.INT64);
        Tensor y1 = ops.cast(ops.sub(yc, hHalf), DType.INT64);
        Tensor y2 = ops.cast(ops.add(yc, hHalf), DType.INT64);
        Tensor rows = interpolationMatrix(ops, y1, y2, imageHeight, padded); // [D, H, P]
        Tensor cols = interpolationMatrix(ops, x1, x2, imageWidth, padded); // [D, W, P]
        return ops.matmul(ops.matmul(rows, padMasks), ops.permute(cols, 0, 2, 1));
    }

    /**
     * For each box {@code [start, end]} (int64 {@code [D]}), the {@code [D, length, P]} matrix mapping a
     * padded mask axis of {@code P} samples onto the image axis of {@code length} pixels: row {@code i}
     * holds the bilinear weights of pixel {@code i - start} of the resized mask, zero outside the box.
     */
    private static Tensor interpolationMatrix(Ops ops, Tensor start, Tensor end, long length, long p) {
        Tensor size = ops.maximum(ops.add(ops.sub(end, start), ops.scalar(1, DType.INT64)),
                ops.scalar(1, DType.INT64)); // [D]
        Tensor pixel = ops.unsqueeze(ops.arange(0, length, 1, DType.INT64), 0); // [1, L]
        Tensor offset = ops.sub(pixel, ops.unsqueeze(start, 1)); // [D, L] position inside the box
        Tensor sizeCol = ops.unsqueeze(size, 1);
        Tensor inside = ops.logicalAnd(ops.ge(offset, ops.scalar(0, DType.INT64)), ops.lt(offset, sizeCol));
        // PyTorch: scale = (float) in / out; src = max(scale * (dst + 0.5) - 0.5, 0) in float32
        Tensor scale = ops.div(ops.scalar(p, DType.FLOAT32), ops.cast(sizeCol, DType.FLOAT32));
        Tensor src = ops.sub(ops.mul(scale, ops.add(ops.cast(offset, DType.FLOAT32), 0.5)), 0.5);
        src = ops.maximum(src, ops.scalar(0, DType.FLOAT32));
        Tensor low = ops.floor(src);
        Tensor lambda = ops.sub(src, low);
        Tensor lowIndex = ops.cast(low, DType.INT64);
        Tensor highIndex = ops.minimum(ops.add(lowIndex, ops.scalar(1, DType.INT64)), ops.scalar(p - 1, DType.INT64));
        Tensor k = ops.reshape(ops.arange(0, p, 1, DType.INT64), 1, 1, p);
        Tensor lowHot = ops.cast(ops.eq(k, ops.unsqueeze(lowIndex, 2)), DType.FLOAT32);
        Tensor highHot = ops.cast(ops.eq(k, ops.unsqueeze(highIndex, 2)), DType.FLOAT32);
        Tensor lambdaCol = ops.unsqueeze(lambda, 2);
        Tensor weights = ops.add(ops.mul(lowHot, ops.sub(ops.onesLike(lambdaCol), lambdaCol)),
                ops.mul(highHot, lambdaCol));
        return ops.mul(weights, ops.unsqueeze(ops.cast(inside, DType.FLOAT32), 2));
    }

    /** The list form used by post-processing: one pasted mask tensor per image. */
    public List<Tensor> pasteAll(Ops ops, List<Tensor> masks, List<Tensor> boxes, long[][] imageSizes) {
        Tensor[] out = new Tensor[masks.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = paste(ops, masks.get(i), boxes.get(i), imageSizes[i][0], imageSizes[i][1]);
        }
        return List.of(out);
    }
}

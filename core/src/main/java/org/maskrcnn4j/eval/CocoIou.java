package org.maskrcnn4j.eval;

import java.util.BitSet;
import org.maskrcnn4j.model.BinaryMask;

/**
 * Detection-to-ground-truth IoU exactly as pycocotools' {@code maskApi.c} ({@code bbIou}, {@code rleIou}).
 *
 * <ul>
 *   <li>Boxes are {@code [x, y, w, h]}; intersection sides {@code min(x+w) - max(x)}, no overlap (side
 *       {@code <= 0}) gives 0; the union is {@code area(dt) + area(gt) - inter}, or {@code area(dt)} alone when
 *       the ground truth is a crowd region.</li>
 *   <li>Masks: 0 unless the masks' tight boxes overlap; then -1 when the masks' sizes differ, else
 *       {@code inter / union} (crowd: {@code inter / area(dt)}), 0 when the masks do not intersect.</li>
 * </ul>
 */
public final class CocoIou {
    private CocoIou() {
    }

    /**
     * IoU of a detection box and a ground-truth box ({@code bbIou}).
     *
     * @param dt detection {@code [x, y, w, h]}
     * @param gt ground truth {@code [x, y, w, h]}
     * @param crowd whether the ground truth is a crowd region (then intersection over detection area)
     */
    public static double bbox(double[] dt, double[] gt, boolean crowd) {
        double ga = gt[2] * gt[3];
        double da = dt[2] * dt[3];
        double w = Math.min(dt[2] + dt[0], gt[2] + gt[0]) - Math.max(dt[0], gt[0]);
        if (w <= 0) {
            return 0;
        }
        double h = Math.min(dt[3] + dt[1], gt[3] + gt[1]) - Math.max(dt[1], gt[1]);
        if (h <= 0) {
            return 0;
        }
        double i = w * h;
        double u = crowd ? da : da + ga - i;
        return i / u;
    }

    /**
     * IoU of a detection mask and a ground-truth mask ({@code rleIou}).
     *
     * @param dt detection mask
     * @param gt ground-truth mask
     * @param crowd whether the ground truth is a crowd region (then intersection over detection area)
     */
    public static double mask(BinaryMask dt, BinaryMask gt, boolean crowd) {
        return mask(dt, maskBox(dt), dt.area(), gt, maskBox(gt), crowd);
    }

    /** {@link #mask} with the detection's tight box and area precomputed. */
    static double mask(BinaryMask dt, double[] dtBox, int dtArea, BinaryMask gt, double[] gtBox, boolean crowd) {
        if (bbox(dtBox, gtBox, crowd) <= 0) {
            return 0;
        }
        if (dt.height() != gt.height() || dt.width() != gt.width()) {
            return -1;
        }
        BitSet inter = dt.pixels();
        inter.and(gt.pixels());
        long i = inter.cardinality();
        if (i == 0) {
            return 0;
        }
        long u = crowd ? dtArea : (long) dtArea + gt.area() - i;
        return (double) i / (double) u;
    }

    /**
     * The tight box {@code [x, y, w, h]} of a mask's set pixels, {@code [0, 0, 0, 0]} for an empty mask
     * (pycocotools' {@code toBbox}).
     */
    public static double[] maskBox(BinaryMask mask) {
        BitSet bits = mask.pixels();
        int w = mask.width();
        int first = bits.nextSetBit(0);
        if (first < 0 || w <= 0) {
            return new double[4];
        }
        int ys = first / w;
        int ye = (bits.length() - 1) / w;
        int xs = Integer.MAX_VALUE;
        int xe = -1;
        for (int y = ys; y <= ye; y++) {
            int rowStart = y * w;
            int a = bits.nextSetBit(rowStart);
            if (a < 0 || a >= rowStart + w) {
                continue;
            }
            int b = bits.previousSetBit(rowStart + w - 1);
            xs = Math.min(xs, a - rowStart);
            xe = Math.max(xe, b - rowStart);
        }
        return new double[] {xs, ys, xe - xs + 1, ye - ys + 1};
    }
}

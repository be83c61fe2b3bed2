package org.maskrcnn4j.reference;

/**
 * Reference box coder with the semantics of torchvision's
 * {@code torchvision.models.detection._utils.BoxCoder(weights, bbox_xform_clip)}: it encodes boxes as
 * weighted center/size deltas relative to reference boxes (proposals or anchors) and decodes them back.
 *
 * <p>Boxes are {@code (x1, y1, x2, y2)}; {@code w = x2 - x1} (no +1), {@code cx = x1 + 0.5 * w}.
 * Encode: {@code dx = wx * (gcx - cx) / w}, {@code dy = wy * (gcy - cy) / h}, {@code dw = ww * log(gw / w)},
 * {@code dh = wh * log(gh / h)}. Decode: {@code dx = code / wx}, {@code dw = min(code / ww, clip)} (clamped
 * from above only), {@code pcx = dx * w + cx}, {@code pw = exp(dw) * w}, {@code x1 = pcx - 0.5 * pw},
 * {@code x2 = pcx + 0.5 * pw} (likewise y).
 */
public final class ReferenceBoxCoder {
    /** torchvision's default {@code bbox_xform_clip = log(1000 / 16)}. */
    public static final double DEFAULT_BBOX_XFORM_CLIP = Math.log(1000.0 / 16);

    private ReferenceBoxCoder() {
    }

    /**
     * Encodes ground-truth boxes relative to reference boxes ({@code BoxCoder.encode_single}).
     *
     * @param gt        {@code [N, 4]} matched ground-truth boxes
     * @param proposals {@code [N, 4]} reference boxes
     * @param weights   {@code (wx, wy, ww, wh)}
     * @return {@code [N, 4]} deltas {@code (dx, dy, dw, dh)}
     */
    public static double[] encode(double[] gt, double[] proposals, double[] weights) {
        int n = ReferenceIou.boxCount("gt", gt);
        if (proposals.length != gt.length) {
            throw new IllegalArgumentException(n + " gt boxes but " + proposals.length / 4.0 + " proposals");
        }
        checkWeights(weights);
        double wx = weights[0];
        double wy = weights[1];
        double ww = weights[2];
        double wh = weights[3];
        double[] deltas = new double[4 * n];
        for (int i = 0; i < n; i++) {
            double exWidth = proposals[4 * i + 2] - proposals[4 * i];
            double exHeight = proposals[4 * i + 3] - proposals[4 * i + 1];
            double exCtrX = proposals[4 * i] + 0.5 * exWidth;
            double exCtrY = proposals[4 * i + 1] + 0.5 * exHeight;

            double gtWidth = gt[4 * i + 2] - gt[4 * i];
            double gtHeight = gt[4 * i + 3] - gt[4 * i + 1];
            double gtCtrX = gt[4 * i] + 0.5 * gtWidth;
            double gtCtrY = gt[4 * i + 1] + 0.5 * gtHeight;

            deltas[4 * i] = wx * (gtCtrX - exCtrX) / exWidth;
            deltas[4 * i + 1] = wy * (gtCtrY - exCtrY) / exHeight;
            deltas[4 * i + 2] = ww * Math.log(gtWidth / exWidth);
            deltas[4 * i + 3] = wh * Math.log(gtHeight / exHeight);
        }
        return deltas;
    }

    /**
     * Decodes deltas for {@code K} classes relative to reference boxes ({@code BoxCoder.decode_single}).
     *
     * @param relCodes  {@code [N, 4K]} deltas, {@code (dx, dy, dw, dh)} per class
     * @param proposals {@code [N, 4]} reference boxes
     * @param weights   {@code (wx, wy, ww, wh)}
     * @param clip      upper bound for {@code dw} and {@code dh} after dividing by the weights
     *                  (torchvision's {@code bbox_xform_clip}, by default {@link #DEFAULT_BBOX_XFORM_CLIP})
     * @return {@code [N, K, 4]} boxes {@code (x1, y1, x2, y2)}
     */
    public static double[] decode(double[] relCodes, double[] proposals, double[] weights, double clip) {
        int n = ReferenceIou.boxCount("proposals", proposals);
        if (n == 0 ? relCodes.length != 0 : relCodes.length % (4 * n) != 0) {
            throw new IllegalArgumentException("relCodes has " + relCodes.length + " values, not N x 4K for N = "
                    + n);
        }
        checkWeights(weights);
        int k = n == 0 ? 0 : relCodes.length / (4 * n);
        double wx = weights[0];
        double wy = weights[1];
        double ww = weights[2];
        double wh = weights[3];
        double[] boxes = new double[relCodes.length];
        for (int i = 0; i < n; i++) {
            double width = proposals[4 * i + 2] - proposals[4 * i];
            double height = proposals[4 * i + 3] - proposals[4 * i + 1];
            double ctrX = proposals[4 * i] + 0.5 * width;
            double ctrY = proposals[4 * i + 1] + 0.5 * height;
            for (int j = 0; j < k; j++) {
                int at = (i * k + j) * 4;
                double dx = relCodes[at] / wx;
                double dy = relCodes[at + 1] / wy;
                double dw = Math.min(relCodes[at + 2] / ww, clip);
                double dh = Math.min(relCodes[at + 3] / wh, clip);

                double predCtrX = dx * width + ctrX;
                double predCtrY = dy * height + ctrY;
                double predW = Math.exp(dw) * width;
                double predH = Math.exp(dh) * height;

                boxes[at] = predCtrX - 0.5 * predW;
                boxes[at + 1] = predCtrY - 0.5 * predH;
                boxes[at + 2] = predCtrX + 0.5 * predW;
                boxes[at + 3] = predCtrY + 0.5 * predH;
            }
        }
        return boxes;
    }

    /** {@link #decode(double[], double[], double[], double)} with the default clip {@code log(1000 / 16)}. */
    public static double[] decode(double[] relCodes, double[] proposals, double[] weights) {
        return decode(relCodes, proposals, weights, DEFAULT_BBOX_XFORM_CLIP);
    }

    private static void checkWeights(double[] weights) {
        if (weights.length != 4) {
            throw new IllegalArgumentException("weights must be (wx, wy, ww, wh), got " + weights.length
                    + " values");
        }
    }
}

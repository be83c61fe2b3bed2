package org.maskrcnn4j.reference;

/**
 * Reference RoIAlign, forward and backward, with the exact semantics of torchvision 0.14's CPU kernel
 * ({@code torchvision.ops.roi_align}), computed in double precision.
 *
 * <p>Layouts (row-major): features {@code [N, C, H, W]}; rois {@code [K, 5]} with rows
 * {@code [batch_index, x1, y1, x2, y2]} in image coordinates; output {@code [K, C, outH, outW]}.
 *
 * <p>Per RoI: {@code offset = aligned ? 0.5 : 0}; {@code start = coord * spatialScale - offset};
 * {@code roiW = x2s - x1s}, {@code roiH = y2s - y1s}, both raised to at least 1 when not aligned;
 * {@code bin = roi / pooled}; sampling grid {@code samplingRatio > 0 ? samplingRatio : ceil(roi / pooled)}
 * per axis; {@code count = max(gridH * gridW, 1)}. Sample point {@code y = y1s + ph * binH + (iy + 0.5) *
 * binH / gridH} (likewise x). A sample is 0 if {@code y < -1 || y > H || x < -1 || x > W}; otherwise negative
 * coordinates are clamped to 0 and, if {@code floor(y) >= H - 1}, row {@code H - 1} is used for both
 * neighbours (likewise columns). Each bin's output is the sum of its bilinear samples divided by
 * {@code count}; the backward pass scatters {@code grad * weight / count} with the same weights.
 */
public final class ReferenceRoiAlign {
    private ReferenceRoiAlign() {
    }

    /**
     * RoIAlign forward.
     *
     * @param features     {@code [n, c, h, w]} feature map
     * @param rois         {@code [k, 5]} rows {@code [batch_index, x1, y1, x2, y2]}
     * @param spatialScale factor from image coordinates to feature coordinates
     * @param samplingRatio samples per bin and axis; {@code <= 0} means adaptive {@code ceil(roi / pooled)}
     * @param aligned      whether to shift by half a pixel (torchvision {@code aligned=True})
     * @return {@code [k, c, outH, outW]}
     */
    public static double[] forward(double[] features, int n, int c, int h, int w, double[] rois, int k, int outH,
            int outW, double spatialScale, int samplingRatio, boolean aligned) {
        checkLength("features", features, (long) n * c * h * w);
        checkLength("rois", rois, (long) k * 5);
        double[] output = new double[k * c * outH * outW];
        Sample s = new Sample();
        for (int r = 0; r < k; r++) {
            Roi roi = new Roi(rois, r, n, outH, outW, spatialScale, samplingRatio, aligned);
            for (int ch = 0; ch < c; ch++) {
                int plane = (roi.batch * c + ch) * h * w;
                for (int ph = 0; ph < outH; ph++) {
                    for (int pw = 0; pw < outW; pw++) {
                        double sum = 0;
                        for (int iy = 0; iy < roi.gridH; iy++) {
                            double y = roi.sampleY(ph, iy);
                            for (int ix = 0; ix < roi.gridW; ix++) {
                                double x = roi.sampleX(pw, ix);
                                if (!s.set(y, x, h, w)) {
                                    continue;
                                }
                                sum += s.w1 * features[plane + s.yLow * w + s.xLow]
                                        + s.w2 * features[plane + s.yLow * w + s.xHigh]
                                        + s.w3 * features[plane + s.yHigh * w + s.xLow]
                                        + s.w4 * features[plane + s.yHigh * w + s.xHigh];
                            }
                        }
                        output[((r * c + ch) * outH + ph) * outW + pw] = sum / roi.count;
                    }
                }
            }
        }
        return output;
    }

    /**
     * RoIAlign backward: the gradient of {@code sum(forward(features, ...) * gradOutput)} with respect to
     * {@code features} (it does not depend on the feature values, only on their shape).
     *
     * @param gradOutput {@code [k, c, outH, outW]} upstream gradient
     * @return {@code [n, c, h, w]} gradient of the features
     */
    public static double[] backward(double[] gradOutput, int n, int c, int h, int w, double[] rois, int k, int outH,
            int outW, double spatialScale, int samplingRatio, boolean aligned) {
        checkLength("gradOutput", gradOutput, (long) k * c * outH * outW);
        checkLength("rois", rois, (long) k * 5);
        double[] gradFeatures = new double[n * c * h * w];
        Sample s = new Sample();
        for (int r = 0; r < k; r++) {
            Roi roi = new Roi(rois, r, n, outH, outW, spatialScale, samplingRatio, aligned);
            for (int ch = 0; ch < c; ch++) {
                int plane = (roi.batch * c + ch) * h * w;
                for (int ph = 0; ph < outH; ph++) {
                    for (int pw = 0; pw < outW; pw++) {
                        double g = gradOutput[((r * c + ch) * outH + ph) * outW + pw] / roi.count;
                        for (int iy = 0; iy < roi.gridH; iy++) {
                            double y = roi.sampleY(ph, iy);
                            for (int ix = 0; ix < roi.gridW; ix++) {
                                double x = roi.sampleX(pw, ix);
                                if (!s.set(y, x, h, w)) {
                                    continue;
                                }
                                gradFeatures[plane + s.yLow * w + s.xLow] += g * s.w1;
                                gradFeatures[plane + s.yLow * w + s.xHigh] += g * s.w2;
                                gradFeatures[plane + s.yHigh * w + s.xLow] += g * s.w3;
                                gradFeatures[plane + s.yHigh * w + s.xHigh] += g * s.w4;
                            }
                        }
                    }
                }
            }
        }
        return gradFeatures;
    }

    /** The geometry of one RoI in feature coordinates. */
    private static final class Roi {
        final int batch;
        final double startX;
        final double startY;
        final double binW;
        final double binH;
        final int gridW;
        final int gridH;
        final double count;

        Roi(double[] rois, int r, int n, int outH, int outW, double spatialScale, int samplingRatio,
                boolean aligned) {
            batch = (int) rois[r * 5];
            if (batch < 0 || batch >= n) {
                throw new IllegalArgumentException("roi " + r + " has batch index " + rois[r * 5]
                        + ", feature batch size is " + n);
            }
            double offset = aligned ? 0.5 : 0.0;
            startX = rois[r * 5 + 1] * spatialScale - offset;
            startY = rois[r * 5 + 2] * spatialScale - offset;
            double endX = rois[r * 5 + 3] * spatialScale - offset;
            double endY = rois[r * 5 + 4] * spatialScale - offset;
            double roiW = endX - startX;
            double roiH = endY - startY;
            if (!aligned) {
                // legacy behaviour: force malformed RoIs to be at least 1x1
                roiW = Math.max(roiW, 1.0);
                roiH = Math.max(roiH, 1.0);
            }
            binW = roiW / outW;
            binH = roiH / outH;
            gridH = samplingRatio > 0 ? samplingRatio : (int) Math.ceil(roiH / outH);
            gridW = samplingRatio > 0 ? samplingRatio : (int) Math.ceil(roiW / outW);
            if (gridH < 0 || gridW < 0) {
                // torchvision 0.14 crashes here (negative grid size for an inverted aligned RoI)
                throw new IllegalArgumentException("roi " + r + " is inverted (x2 < x1 or y2 < y1) with"
                        + " aligned=true and adaptive sampling, which torchvision does not support");
            }
            count = Math.max(gridH * gridW, 1);
        }

        double sampleY(int ph, int iy) {
            return startY + ph * binH + (iy + 0.5) * binH / gridH;
        }

        double sampleX(int pw, int ix) {
            return startX + pw * binW + (ix + 0.5) * binW / gridW;
        }
    }

    /** Bilinear neighbours and weights of one sample point (torchvision's {@code bilinear_interpolate}). */
    private static final class Sample {
        int yLow;
        int yHigh;
        int xLow;
        int xHigh;
        double w1;
        double w2;
        double w3;
        double w4;

        /** Sets the neighbours and weights of point (y, x); false if the point contributes nothing. */
        boolean set(double y, double x, int h, int w) {
            if (y < -1.0 || y > h || x < -1.0 || x > w) {
                return false;
            }
            if (y <= 0) {
                y = 0;
            }
            if (x <= 0) {
                x = 0;
            }
            yLow = (int) y;
            xLow = (int) x;
            if (yLow >= h - 1) {
                yHigh = yLow = h - 1;
                y = yLow;
            } else {
                yHigh = yLow + 1;
            }
            if (xLow >= w - 1) {
                xHigh = xLow = w - 1;
                x = xLow;
            } else {
                xHigh = xLow + 1;
            }
            double ly = y - yLow;
            double lx = x - xLow;
            double hy = 1.0 - ly;
            double hx = 1.0 - lx;
            w1 = hy * hx;
            w2 = hy * lx;
            w3 = ly * hx;
            w4 = ly * lx;
            return true;
        }
    }

    private static void checkLength(String name, double[] a, long expected) {
        if (a.length != expected) {
            throw new IllegalArgumentException(name + " has " + a.length + " values, expected " + expected);
        }
    }
}

package org.maskrcnn4j.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Rasterizes COCO polygons exactly as pycocotools' {@code rleFrPoly} / {@code frPyObjects}.
 *
 * <p>The polygon is upsampled by 5 (vertices rounded with {@code (int)(5 * v + 0.5)}, i.e. truncation toward zero),
 * its edges are walked densely, and a pixel column {@code x} gets a boundary wherever the upsampled outline crosses
 * the column's centre line {@code 5x + 2}; the row of that boundary is {@code ceil((v + 0.5) / 5 - 0.5)} of the
 * upper of the two upsampled points, clamped to {@code 0..h}. Pixels between pairs of boundaries in a column are
 * set (even-odd). This reproduces pycocotools bit for bit with IEEE double arithmetic without fused multiply-add
 * (as pycocotools built for x86-64).
 */
public final class Polygons {
    private static final double SCALE = 5;
    private static final long MAX_BOUNDARY_POINTS = 1L << 27;

    private Polygons() {
    }

    /**
     * One polygon {@code [x0, y0, x1, y1, ...]} (pixel coordinates, pixel {@code (x, y)} covering
     * {@code [x, x+1) x [y, y+1)}) as an RLE of a {@code height x width} mask. An odd trailing coordinate is ignored,
     * as pycocotools does.
     */
    public static Rle rasterize(double[] xy, int height, int width) {
        int k = xy.length / 2;
        // upsample and get discrete points densely along the entire boundary
        int[] x = new int[k + 1];
        int[] y = new int[k + 1];
        for (int j = 0; j < k; j++) {
            x[j] = (int) (SCALE * xy[2 * j] + .5);
            y[j] = (int) (SCALE * xy[2 * j + 1] + .5);
        }
        if (k > 0) {
            x[k] = x[0];
            y[k] = y[0];
        }
        long total = 0;
        for (int j = 0; j < k; j++) {
            total += Math.max(Math.abs((long) x[j] - x[j + 1]), Math.abs((long) y[j] - y[j + 1])) + 1;
        }
        if (total > MAX_BOUNDARY_POINTS) {
            throw new IllegalArgumentException("polygon too large to rasterize: " + total
                    + " boundary points at 5x (coordinates far outside the image?)");
        }
        int[] u = new int[(int) total];
        int[] v = new int[(int) total];
        int m = 0;
        for (int j = 0; j < k; j++) {
            int xs = x[j];
            int xe = x[j + 1];
            int ys = y[j];
            int ye = y[j + 1];
            int dx = Math.abs(xe - xs);
            int dy = Math.abs(ys - ye);
            boolean flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye);
            if (flip) {
                int t = xs;
                xs = xe;
                xe = t;
                t = ys;
                ys = ye;
                ye = t;
            }
            double s = dx >= dy ? (double) (ye - ys) / dx : (double) (xe - xs) / dy;
            if (dx >= dy) {
                for (int d = 0; d <= dx; d++) {
                    int t = flip ? dx - d : d;
                    u[m] = t + xs;
                    v[m] = (int) (ys + s * t + .5);
                    m++;
                }
            } else {
                for (int d = 0; d <= dy; d++) {
                    int t = flip ? dy - d : d;
                    v[m] = t + ys;
                    u[m] = (int) (xs + s * t + .5);
                    m++;
                }
            }
        }
        // get points along the y-boundary and downsample
        int n = m;
        long[] a = new long[n + 1];
        m = 0;
        for (int j = 1; j < n; j++) {
            if (u[j] != u[j - 1]) {
                double xd = u[j] < u[j - 1] ? u[j] : u[j] - 1;
                xd = (xd + .5) / SCALE - .5;
                if (Math.floor(xd) != xd || xd < 0 || xd > width - 1) {
                    continue;
                }
                double yd = v[j] < v[j - 1] ? v[j] : v[j - 1];
                yd = (yd + .5) / SCALE - .5;
                if (yd < 0) {
                    yd = 0;
                } else if (yd > height) {
                    yd = height;
                }
                yd = Math.ceil(yd);
                a[m++] = (long) (int) xd * height + (int) yd;
            }
        }
        // compute the rle encoding given the y-boundary points
        a[m++] = (long) height * width;
        Arrays.sort(a, 0, m);
        long p = 0;
        for (int j = 0; j < m; j++) {
            long t = a[j];
            a[j] -= p;
            p = t;
        }
        int[] b = new int[m];
        int nb = 0;
        int j = 0;
        b[nb++] = (int) a[j++];
        while (j < m) {
            if (a[j] > 0) {
                b[nb++] = (int) a[j++];
            } else {
                j++;
                if (j < m) {
                    b[nb - 1] += (int) a[j++];
                }
            }
        }
        return Rle.ofCounts(height, width, Arrays.copyOf(b, nb));
    }

    /** Several polygons of one object, merged into one mask (pycocotools' {@code merge(frPyObjects(polys, h, w))}). */
    public static Rle rasterize(List<double[]> polygons, int height, int width) {
        if (polygons.isEmpty()) {
            return Rle.empty(height, width);
        }
        List<Rle> parts = new ArrayList<>(polygons.size());
        for (double[] polygon : polygons) {
            parts.add(rasterize(polygon, height, width));
        }
        return Rle.merge(parts, false);
    }

    /**
     * A box {@code [x, y, w, h]} as an RLE (pycocotools' {@code frBbox}: the polygon through its four corners).
     */
    public static Rle fromBox(double x, double y, double w, double h, int height, int width) {
        double xe = x + w;
        double ye = y + h;
        return rasterize(new double[] {x, y, x, ye, xe, ye, xe, y}, height, width);
    }

    /**
     * The mask of a COCO polygon segmentation as pycocotools' {@code COCO.annToRLE}: when the first entry has
     * exactly 4 numbers pycocotools reads every entry as a box {@code [x, y, w, h]}; otherwise each entry is a
     * polygon; the parts are merged. An empty list gives an empty mask.
     */
    public static Rle annotationToRle(List<double[]> segmentation, int height, int width) {
        if (segmentation.isEmpty()) {
            return Rle.empty(height, width);
        }
        if (segmentation.get(0).length == 4) {
            List<Rle> parts = new ArrayList<>(segmentation.size());
            for (double[] b : segmentation) {
                if (b.length != 4) {
                    throw new IllegalArgumentException("segmentation mixes boxes (4 numbers) and polygons ("
                            + b.length + " numbers)");
                }
                parts.add(fromBox(b[0], b[1], b[2], b[3], height, width));
            }
            return Rle.merge(parts, false);
        }
        return rasterize(segmentation, height, width);
    }
}

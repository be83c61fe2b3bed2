package org.maskrcnn4j.data;

import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import org.maskrcnn4j.model.BinaryMask;

/**
 * COCO run-length encoding of a binary mask, bit-compatible with pycocotools ({@code maskApi.c}).
 *
 * <p>Pixels are visited in <b>column-major</b> order (down the first column, then the second, ...); the counts
 * alternate between runs of zeros and runs of ones and always start with a run of zeros, which is {@code 0} when
 * the first pixel is set. The counts add up to {@code height * width}. Instances are immutable.
 *
 * <p>{@link #toCompressedString()} / {@link #fromCompressedString} implement pycocotools' {@code rleToString} /
 * {@code rleFrString}: every count (from the fourth on, as its difference to the count two places earlier) is
 * written as a little-endian sequence of 5-bit groups, each as one ASCII character {@code 48 + group}, with
 * bit {@code 0x20} set on all but the last character of a count.
 */
public final class Rle {
    private final int height;
    private final int width;
    private final int[] counts;

    private Rle(int height, int width, int[] counts) {
        this.height = height;
        this.width = width;
        this.counts = counts;
    }

    /**
     * An RLE from uncompressed counts (COCO's {@code {"counts": [..], "size": [h, w]}}).
     *
     * @throws IllegalArgumentException if a count is negative or the counts do not add up to {@code height * width}
     */
    public static Rle ofCounts(int height, int width, int... counts) {
        checkSize(height, width);
        long sum = 0;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] < 0) {
                throw new IllegalArgumentException("RLE count " + i + " is negative: " + counts[i]);
            }
            sum += counts[i];
        }
        if (counts.length == 0) {
            counts = new int[] {0};
        }
        if (sum != (long) height * width) {
            throw new IllegalArgumentException("RLE counts add up to " + sum + " but the mask " + height + "x" + width
                    + " has " + (long) height * width + " pixels");
        }
        return new Rle(height, width, counts.clone());
    }

    /** The RLE of an all-zero mask (counts {@code [h*w]}, or {@code [0]} for an empty size, as pycocotools). */
    public static Rle empty(int height, int width) {
        checkSize(height, width);
        return new Rle(height, width, new int[] {height * width});
    }

    /** Encodes a mask. */
    public static Rle encode(BinaryMask mask) {
        return encode(mask.height(), mask.width(), mask.pixels());
    }

    /** Encodes a {@code height x width} mask given as a row-major bit set (bit {@code y * width + x}). */
    public static Rle encode(int height, int width, BitSet rowMajor) {
        checkSize(height, width);
        int[] buf = new int[height * width + 1];
        int k = 0;
        boolean previous = false;
        int run = 0;
        for (int x = 0; x < width; x++) {
            for (int y = 0; y < height; y++) {
                boolean v = rowMajor.get(y * width + x);
                if (v != previous) {
                    buf[k++] = run;
                    run = 0;
                    previous = v;
                }
                run++;
            }
        }
        buf[k++] = run;
        return new Rle(height, width, Arrays.copyOf(buf, k));
    }

    /** Encodes a {@code height x width} mask given as a row-major boolean array of length {@code height * width}. */
    public static Rle encode(int height, int width, boolean[] rowMajor) {
        checkSize(height, width);
        if (rowMajor.length != height * width) {
            throw new IllegalArgumentException("mask has " + rowMajor.length + " pixels, expected " + height + "x" + width);
        }
        BitSet bits = new BitSet(rowMajor.length);
        for (int i = 0; i < rowMajor.length; i++) {
            if (rowMajor[i]) {
                bits.set(i);
            }
        }
        return encode(height, width, bits);
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    /** A copy of the (uncompressed) counts. */
    public int[] counts() {
        return counts.clone();
    }

    /** Number of runs. */
    public int runCount() {
        return counts.length;
    }

    /** Decodes to a row-major mask. */
    public BinaryMask decode() {
        BitSet bits = new BitSet(height * width);
        int pos = 0;
        for (int j = 0; j < counts.length; j++) {
            int end = pos + counts[j];
            if ((j & 1) == 1) {
                for (int p = pos; p < end; p++) {
                    bits.set((p % height) * width + p / height);
                }
            }
            pos = end;
        }
        return new BinaryMask(height, width, bits);
    }

    /** Number of set pixels (pycocotools' {@code area}). */
    public int area() {
        int a = 0;
        for (int j = 1; j < counts.length; j += 2) {
            a += counts[j];
        }
        return a;
    }

    /**
     * The bounding box {@code [x, y, w, h]} as pycocotools' {@code toBbox}: all zeros for an empty mask; when a run
     * of ones continues from one column into the next the box covers the full height.
     */
    public double[] toBbox() {
        int m = counts.length / 2 * 2;
        if (m == 0 || height == 0) {
            return new double[4];
        }
        long xs = width;
        long ys = height;
        long xe = 0;
        long ye = 0;
        long xp = 0;
        long cc = 0;
        for (int j = 0; j < m; j++) {
            cc += counts[j];
            long t = cc - (j % 2);
            long y = t % height;
            long x = (t - y) / height;
            if (j % 2 == 0) {
                xp = x;
            } else if (xp < x) {
                ys = 0;
                ye = height - 1;
            }
            xs = Math.min(xs, x);
            xe = Math.max(xe, x);
            ys = Math.min(ys, y);
            ye = Math.max(ye, y);
        }
        return new double[] {xs, ys, xe - xs + 1, ye - ys + 1};
    }

    /** pycocotools' compressed counts string ({@code rleToString}). */
    public String toCompressedString() {
        StringBuilder s = new StringBuilder(counts.length * 2);
        for (int i = 0; i < counts.length; i++) {
            long x = counts[i];
            if (i > 2) {
                x -= counts[i - 2];
            }
            boolean more = true;
            while (more) {
                int c = (int) (x & 0x1f);
                x >>= 5;
                more = (c & 0x10) != 0 ? x != -1 : x != 0;
                if (more) {
                    c |= 0x20;
                }
                s.append((char) (c + 48));
            }
        }
        return s.toString();
    }

    /**
     * Parses pycocotools' compressed counts string ({@code rleFrString}).
     *
     * @throws IllegalArgumentException on a character outside {@code '0'..'o'}, a truncated count, a negative count
     *     or counts that do not add up to {@code height * width}
     */
    public static Rle fromCompressedString(String s, int height, int width) {
        checkSize(height, width);
        int[] cnts = new int[s.length()];
        int m = 0;
        int p = 0;
        while (p < s.length()) {
            long x = 0;
            int k = 0;
            boolean more = true;
            while (more) {
                if (p >= s.length()) {
                    throw new IllegalArgumentException("RLE string ends inside a count (at character " + p + ")");
                }
                int c = s.charAt(p) - 48;
                if (c < 0 || c > 63) {
                    throw new IllegalArgumentException("RLE string has an invalid character '" + s.charAt(p)
                            + "' at " + p);
                }
                if (k >= 7) {
                    throw new IllegalArgumentException("RLE string has a count that is too long at " + p);
                }
                x |= (long) (c & 0x1f) << (5 * k);
                more = (c & 0x20) != 0;
                p++;
                k++;
                if (!more && (c & 0x10) != 0) {
                    x |= -1L << (5 * k);
                }
            }
            if (m > 2) {
                x += cnts[m - 2];
            }
            if (x < 0 || x > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("RLE string decodes to an invalid count " + x + " (count " + m + ")");
            }
            cnts[m++] = (int) x;
        }
        return ofCounts(height, width, Arrays.copyOf(cnts, m));
    }

    /** Union of this mask and another of the same size. */
    public Rle union(Rle other) {
        return merge(List.of(this, other), false);
    }

    /** Intersection of this mask and another of the same size. */
    public Rle intersection(Rle other) {
        return merge(List.of(this, other), true);
    }

    /**
     * pycocotools' {@code merge}: union (or intersection) of masks of one size; one mask is returned as is.
     *
     * @throws IllegalArgumentException if the list is empty or the sizes differ
     */
    public static Rle merge(List<Rle> rles, boolean intersect) {
        if (rles.isEmpty()) {
            throw new IllegalArgumentException("nothing to merge");
        }
        Rle first = rles.get(0);
        int h = first.height;
        int w = first.width;
        if (rles.size() == 1) {
            return first;
        }
        int[] cnts = first.counts;
        int m;
        int[] out = new int[h * w + 1];
        for (int i = 1; i < rles.size(); i++) {
            Rle b = rles.get(i);
            if (b.height != h || b.width != w) {
                throw new IllegalArgumentException("cannot merge masks of different sizes: " + h + "x" + w + " and "
                        + b.height + "x" + b.width);
            }
            int[] ac = cnts;
            int[] bc = b.counts;
            long ca = ac[0];
            long cb = bc[0];
            boolean v = false;
            boolean va = false;
            boolean vb = false;
            m = 0;
            int ia = 1;
            int ib = 1;
            long cc = 0;
            long ct = 1;
            while (ct > 0) {
                long c = Math.min(ca, cb);
                cc += c;
                ct = 0;
                ca -= c;
                if (ca == 0 && ia < ac.length) {
                    ca = ac[ia++];
                    va = !va;
                }
                ct += ca;
                cb -= c;
                if (cb == 0 && ib < bc.length) {
                    cb = bc[ib++];
                    vb = !vb;
                }
                ct += cb;
                boolean vp = v;
                v = intersect ? va && vb : va || vb;
                if (v != vp || ct == 0) {
                    out[m++] = (int) cc;
                    cc = 0;
                }
            }
            cnts = Arrays.copyOf(out, m);
        }
        return new Rle(h, w, cnts);
    }

    /**
     * pycocotools' mask IoU of a detection {@code dt} and a ground truth {@code gt}: intersection over union, or
     * for a crowd ground truth intersection over the area of the detection; 0 when they do not intersect.
     *
     * @throws IllegalArgumentException if the sizes differ (pycocotools answers -1 there)
     */
    public static double iou(Rle dt, Rle gt, boolean gtIsCrowd) {
        if (dt.height != gt.height || dt.width != gt.width) {
            throw new IllegalArgumentException("IoU of masks of different sizes: " + dt.height + "x" + dt.width
                    + " and " + gt.height + "x" + gt.width);
        }
        int[] a = dt.counts;
        int[] b = gt.counts;
        long ca = a[0];
        long cb = b[0];
        boolean va = false;
        boolean vb = false;
        int ka = 1;
        int kb = 1;
        long inter = 0;
        long union = 0;
        long ct = 1;
        while (ct > 0) {
            long c = Math.min(ca, cb);
            if (va || vb) {
                union += c;
                if (va && vb) {
                    inter += c;
                }
            }
            ct = 0;
            ca -= c;
            if (ca == 0 && ka < a.length) {
                ca = a[ka++];
                va = !va;
            }
            ct += ca;
            cb -= c;
            if (cb == 0 && kb < b.length) {
                cb = b[kb++];
                vb = !vb;
            }
            ct += cb;
        }
        if (inter == 0) {
            return 0;
        }
        if (gtIsCrowd) {
            union = dt.area();
        }
        return (double) inter / (double) union;
    }

    /**
     * The IoU matrix {@code [dts.size()][gts.size()]} as pycocotools' {@code iou(dt, gt, iscrowd)}.
     *
     * @param gtIsCrowd one flag per ground truth
     */
    public static double[][] iou(List<Rle> dts, List<Rle> gts, boolean[] gtIsCrowd) {
        if (gtIsCrowd.length != gts.size()) {
            throw new IllegalArgumentException(gts.size() + " ground truths but " + gtIsCrowd.length + " crowd flags");
        }
        double[][] out = new double[dts.size()][gts.size()];
        for (int d = 0; d < dts.size(); d++) {
            for (int g = 0; g < gts.size(); g++) {
                out[d][g] = iou(dts.get(d), gts.get(g), gtIsCrowd[g]);
            }
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Rle r && r.height == height && r.width == width && Arrays.equals(r.counts, counts);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * height + width) + Arrays.hashCode(counts);
    }

    @Override
    public String toString() {
        return "Rle[" + height + "x" + width + ", area=" + area() + ", counts=" + toCompressedString() + "]";
    }

    private static void checkSize(int height, int width) {
        if (height < 0 || width < 0 || (long) height * width > Integer.MAX_VALUE - 1) {
            throw new IllegalArgumentException("invalid mask size " + height + "x" + width);
        }
    }
}

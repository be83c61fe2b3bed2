package org.maskrcnn4j.backend.djl;

import java.util.Arrays;

/**
 * Data-dependent algorithms that the DJL backend runs on host copies inside an op: stable sorting / top-k
 * with PyTorch's order (NaN largest, ties by ascending index) and torchvision's NMS.
 */
final class DjlHostAlgorithms {
    private DjlHostAlgorithms() {
    }

    // ------------------------------------------------------------------ sort keys

    /** Order-preserving int of a float: NaN largest (canonical), -0.0 == 0.0. */
    static int sortableFloat(float v) {
        int bits = Float.isNaN(v) ? 0x7fc00000 : (v == 0f ? 0 : Float.floatToRawIntBits(v));
        return bits ^ ((bits >> 31) & 0x7fffffff);
    }

    /** Order-preserving long of a double: NaN largest (canonical), -0.0 == 0.0. */
    static long sortableDouble(double v) {
        long bits = Double.isNaN(v) ? 0x7ff8000000000000L : (v == 0d ? 0L : Double.doubleToRawLongBits(v));
        return bits ^ ((bits >> 63) & 0x7fffffffffffffffL);
    }

    /**
     * For each of {@code rows} rows of {@code n} 32-bit sort keys, the indices of the first {@code k} elements
     * of the stable sort (ascending key, ties by ascending index; {@code descending} reverses the key order but
     * not the tie order). Result row-major {@code [rows, k]}.
     */
    static long[] order32(int[] keys, int rows, int n, int k, boolean descending) {
        long[] out = new long[Math.multiplyExact(rows, k)];
        long[] packed = new long[n];
        for (int r = 0; r < rows; r++) {
            int base = r * n;
            for (int i = 0; i < n; i++) {
                int key = descending ? ~keys[base + i] : keys[base + i];
                packed[i] = ((long) key << 32) | i;
            }
            if (k < n / 4) {
                select(packed, 0, n - 1, k);
                Arrays.sort(packed, 0, k);
            } else {
                Arrays.sort(packed);
            }
            for (int i = 0; i < k; i++) {
                out[r * k + i] = packed[i] & 0xffffffffL;
            }
        }
        return out;
    }

    /** Like {@link #order32} for 64-bit keys (int64 and float64 tensors), by a stable merge sort. */
    static long[] order64(long[] keys, int rows, int n, int k, boolean descending) {
        long[] out = new long[Math.multiplyExact(rows, k)];
        int[] idx = new int[n];
        int[] tmp = new int[n];
        long[] rowKeys = new long[n];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < n; i++) {
                idx[i] = i;
                long key = keys[r * n + i];
                rowKeys[i] = descending ? ~key : key;
            }
            mergeSort(idx, tmp, rowKeys, 0, n);
            for (int i = 0; i < k; i++) {
                out[r * k + i] = idx[i];
            }
        }
        return out;
    }

    private static void mergeSort(int[] a, int[] tmp, long[] keys, int from, int to) {
        if (to - from <= 16) {
            for (int i = from + 1; i < to; i++) {
                int v = a[i];
                int j = i - 1;
                while (j >= from && keys[a[j]] > keys[v]) {
                    a[j + 1] = a[j];
                    j--;
                }
                a[j + 1] = v;
            }
            return;
        }
        int mid = (from + to) >>> 1;
        mergeSort(a, tmp, keys, from, mid);
        mergeSort(a, tmp, keys, mid, to);
        if (keys[a[mid - 1]] <= keys[a[mid]]) {
            return;
        }
        System.arraycopy(a, from, tmp, from, to - from);
        int i = from;
        int j = mid;
        int o = from;
        while (i < mid && j < to) {
            a[o++] = keys[tmp[j]] < keys[tmp[i]] ? tmp[j++] : tmp[i++];
        }
        while (i < mid) {
            a[o++] = tmp[i++];
        }
        while (j < to) {
            a[o++] = tmp[j++];
        }
    }

    /** Rearranges {@code a[lo..hi]} (distinct values) so that its {@code k} smallest come first. */
    private static void select(long[] a, int lo, int hi, int k) {
        int target = lo + k - 1;
        while (hi > lo) {
            int mid = (lo + hi) >>> 1;
            // median of three as pivot
            if (a[mid] < a[lo]) {
                swap(a, mid, lo);
            }
            if (a[hi] < a[lo]) {
                swap(a, hi, lo);
            }
            if (a[hi] < a[mid]) {
                swap(a, hi, mid);
            }
            long pivot = a[mid];
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (a[i] < pivot) {
                    i++;
                }
                while (a[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    swap(a, i, j);
                    i++;
                    j--;
                }
            }
            if (target <= j) {
                hi = j;
            } else if (target >= i) {
                lo = i;
            } else {
                return;
            }
        }
    }

    private static void swap(long[] a, int i, int j) {
        long t = a[i];
        a[i] = a[j];
        a[j] = t;
    }

    // ------------------------------------------------------------------ NMS

    /**
     * torchvision's CPU NMS on float32 values: stable descending score order, areas and intersections in
     * float, suppress iff {@code inter / (area_i + area_j - inter) > threshold}. {@code subset} lists the
     * candidate indices (null for all); returns kept indices in processing order.
     */
    static int[] nmsFloat(float[] boxes, float[] scores, int[] subset, double threshold) {
        int n = subset == null ? scores.length : subset.length;
        int[] keys = new int[n];
        for (int i = 0; i < n; i++) {
            keys[i] = sortableFloat(scores[subset == null ? i : subset[i]]);
        }
        long[] ord = order32(keys, 1, n, n, true);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = subset == null ? (int) ord[i] : subset[(int) ord[i]];
        }
        float[] x1 = new float[n];
        float[] y1 = new float[n];
        float[] x2 = new float[n];
        float[] y2 = new float[n];
        float[] area = new float[n];
        for (int i = 0; i < n; i++) {
            int b = order[i] * 4;
            x1[i] = boxes[b];
            y1[i] = boxes[b + 1];
            x2[i] = boxes[b + 2];
            y2[i] = boxes[b + 3];
            area[i] = (x2[i] - x1[i]) * (y2[i] - y1[i]);
        }
        boolean[] suppressed = new boolean[n];
        int[] keep = new int[n];
        int kept = 0;
        OverlapCandidates near = OverlapCandidates.of(toDoubles(x1), toDoubles(x2), threshold);
        for (int i = 0; i < n; i++) {
            if (suppressed[i]) {
                continue;
            }
            keep[kept++] = order[i];
            float ix1 = x1[i];
            float iy1 = y1[i];
            float ix2 = x2[i];
            float iy2 = y2[i];
            float iarea = area[i];
            int to = near.end(ix2);
            for (int c = near.start(i, ix1); c < to; c++) {
                int j = near.at(c);
                if (j <= i || suppressed[j]) {
                    continue;
                }
                // std::max / std::min semantics (first argument on ties and NaN), as torchvision's kernel
                float xx1 = ix1 < x1[j] ? x1[j] : ix1;
                float yy1 = iy1 < y1[j] ? y1[j] : iy1;
                float xx2 = x2[j] < ix2 ? x2[j] : ix2;
                float yy2 = y2[j] < iy2 ? y2[j] : iy2;
                float dw = xx2 - xx1;
                float dh = yy2 - yy1;
                float w = 0f < dw ? dw : 0f;
                float h = 0f < dh ? dh : 0f;
                float inter = w * h;
                float ovr = inter / (iarea + area[j] - inter);
                if (ovr > threshold) {
                    suppressed[j] = true;
                }
            }
        }
        return Arrays.copyOf(keep, kept);
    }

    /** {@link #nmsFloat} in float64 arithmetic (for float64 inputs). */
    static int[] nmsDouble(double[] boxes, double[] scores, int[] subset, double threshold) {
        int n = subset == null ? scores.length : subset.length;
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            keys[i] = sortableDouble(scores[subset == null ? i : subset[i]]);
        }
        long[] ord = order64(keys, 1, n, n, true);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = subset == null ? (int) ord[i] : subset[(int) ord[i]];
        }
        double[] x1 = new double[n];
        double[] y1 = new double[n];
        double[] x2 = new double[n];
        double[] y2 = new double[n];
        double[] area = new double[n];
        for (int i = 0; i < n; i++) {
            int b = order[i] * 4;
            x1[i] = boxes[b];
            y1[i] = boxes[b + 1];
            x2[i] = boxes[b + 2];
            y2[i] = boxes[b + 3];
            area[i] = (x2[i] - x1[i]) * (y2[i] - y1[i]);
        }
        boolean[] suppressed = new boolean[n];
        int[] keep = new int[n];
        int kept = 0;
        OverlapCandidates near = OverlapCandidates.of(x1, x2, threshold);
        for (int i = 0; i < n; i++) {
            if (suppressed[i]) {
                continue;
            }
            keep[kept++] = order[i];
            int to = near.end(x2[i]);
            for (int c = near.start(i, x1[i]); c < to; c++) {
                int j = near.at(c);
                if (j <= i || suppressed[j]) {
                    continue;
                }
                double xx1 = x1[i] < x1[j] ? x1[j] : x1[i];
                double yy1 = y1[i] < y1[j] ? y1[j] : y1[i];
                double xx2 = x2[j] < x2[i] ? x2[j] : x2[i];
                double yy2 = y2[j] < y2[i] ? y2[j] : y2[i];
                double dw = xx2 - xx1;
                double dh = yy2 - yy1;
                double w = 0d < dw ? dw : 0d;
                double h = 0d < dh ? dh : 0d;
                double inter = w * h;
                double ovr = inter / (area[i] + area[j] - inter);
                if (ovr > threshold) {
                    suppressed[j] = true;
                }
            }
        }
        return Arrays.copyOf(keep, kept);
    }

    private static double[] toDoubles(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }

    /**
     * The boxes NMS must compare with box {@code i}: those whose x-extent can overlap {@code i}'s. Boxes are
     * indexed by {@code x1}; with {@code W} the widest box, a box whose {@code x1} is below {@code ix1 - W} or
     * at least {@code ix2} has no positive x-overlap with {@code i}, so its IoU is 0 and cannot exceed a
     * threshold {@code >= 0}: leaving it out changes no result. For a negative or NaN threshold, or NaN
     * coordinates, every box is a candidate (the plain pairwise loop).
     */
    private static final class OverlapCandidates {
        private final int n;
        private final int[] byX1;
        private final double[] sortedX1;
        private final double widest;
        private final boolean all;

        private OverlapCandidates(int n, int[] byX1, double[] sortedX1, double widest, boolean all) {
            this.n = n;
            this.byX1 = byX1;
            this.sortedX1 = sortedX1;
            this.widest = widest;
            this.all = all;
        }

        static OverlapCandidates of(double[] x1, double[] x2, double threshold) {
            int n = x1.length;
            double widest = 0;
            boolean finite = threshold >= 0;
            for (int i = 0; i < n && finite; i++) {
                double w = x2[i] - x1[i];
                finite = Double.isFinite(x1[i]) && Double.isFinite(x2[i]);
                widest = Math.max(widest, w);
            }
            if (!finite) {
                return new OverlapCandidates(n, null, null, 0, true);
            }
            long[] keys = new long[n];
            for (int i = 0; i < n; i++) {
                keys[i] = sortableDouble(x1[i]);
            }
            long[] idx = order64(keys, 1, n, n, false);
            int[] byX1 = new int[n];
            double[] sorted = new double[n];
            for (int i = 0; i < n; i++) {
                byX1[i] = (int) idx[i];
                sorted[i] = x1[byX1[i]];
            }
            return new OverlapCandidates(n, byX1, sorted, widest, false);
        }

        /** The first candidate position for box {@code i} whose left edge is {@code ix1}. */
        int start(int i, double ix1) {
            // a few ulps of margin, so that rounding in the subtraction can only add candidates
            return all ? i + 1 : lowerBound(ix1 - widest - 4 * Math.ulp(Math.abs(ix1) + widest));
        }

        /** One past the last candidate position for a box whose right edge is {@code ix2}. */
        int end(double ix2) {
            return all ? n : lowerBound(ix2);
        }

        /** The box at candidate position {@code c}. */
        int at(int c) {
            return all ? c : byX1[c];
        }

        private int lowerBound(double v) {
            int lo = 0;
            int hi = sortedX1.length;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (sortedX1[mid] < v) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo;
        }
    }
}

package org.maskrcnn4j.eval;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** The few numpy / Python behaviours COCOeval's numbers depend on, reproduced bit for bit. */
final class NumpyCompat {
    /** numpy's reduction buffer size: a 1-D sum is a sequence of pairwise sums over blocks of this many. */
    private static final int BUFFER_SIZE = 8192;
    private static final int PAIRWISE_BLOCK = 128;

    private NumpyCompat() {
    }

    /** {@code np.linspace(start, stop, num)} (endpoint included): {@code i * ((stop - start) / (num - 1)) + start}. */
    static double[] linspace(double start, double stop, int num) {
        double[] y = new double[num];
        if (num == 1) {
            y[0] = start;
            return y;
        }
        double step = (stop - start) / (num - 1);
        for (int i = 0; i < num; i++) {
            y[i] = step == 0 ? i / (double) (num - 1) * (stop - start) + start : i * step + start;
        }
        y[num - 1] = stop;
        return y;
    }

    /**
     * {@code np.argsort(-keys, kind='mergesort')}: indices by descending key, ties in input order. Keys compare as
     * numpy compares doubles ({@code -0.0 == 0.0}; NaN last).
     */
    static int[] argsortDescendingStable(double[] keys, int n) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        if (n < 2) {
            return idx;
        }
        int[] tmp = new int[n];
        mergeSort(keys, idx, tmp, 0, n);
        return idx;
    }

    /** Strictly "before" in descending order with NaN last: {@code -a < -b} under numpy's NaN-last ordering. */
    private static boolean before(double a, double b) {
        if (Double.isNaN(a)) {
            return false;
        }
        return Double.isNaN(b) || a > b;
    }

    private static void mergeSort(double[] keys, int[] idx, int[] tmp, int lo, int hi) {
        if (hi - lo < 2) {
            return;
        }
        int mid = (lo + hi) >>> 1;
        mergeSort(keys, idx, tmp, lo, mid);
        mergeSort(keys, idx, tmp, mid, hi);
        if (!before(keys[idx[mid]], keys[idx[mid - 1]])) {
            return;
        }
        System.arraycopy(idx, lo, tmp, lo, hi - lo);
        int i = lo;
        int j = mid;
        for (int k = lo; k < hi; k++) {
            if (i < mid && (j >= hi || !before(keys[tmp[j]], keys[tmp[i]]))) {
                idx[k] = tmp[i++];
            } else {
                idx[k] = tmp[j++];
            }
        }
    }

    /**
     * {@code np.searchsorted(a[:n], v, side='left')} for non-decreasing {@code a}: the first {@code i} with
     * {@code a[i] >= v}, {@code n} if none.
     */
    static int searchsortedLeft(double[] a, int n, double v) {
        int lo = 0;
        int hi = n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (a[mid] < v) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** {@code np.mean} of {@code a[0:n]} ({@code n > 0}): numpy's blocked pairwise summation, then one division. */
    static double mean(double[] a, int n) {
        double sum = 0.0;
        for (int lo = 0; lo < n; lo += BUFFER_SIZE) {
            sum += pairwiseSum(a, lo, Math.min(BUFFER_SIZE, n - lo));
        }
        return sum / n;
    }

    /** numpy's {@code pairwise_sum_DOUBLE}. */
    static double pairwiseSum(double[] a, int lo, int n) {
        if (n < 8) {
            double res = 0.0;
            for (int i = 0; i < n; i++) {
                res += a[lo + i];
            }
            return res;
        } else if (n <= PAIRWISE_BLOCK) {
            double r0 = a[lo];
            double r1 = a[lo + 1];
            double r2 = a[lo + 2];
            double r3 = a[lo + 3];
            double r4 = a[lo + 4];
            double r5 = a[lo + 5];
            double r6 = a[lo + 6];
            double r7 = a[lo + 7];
            int i;
            for (i = 8; i < n - (n % 8); i += 8) {
                r0 += a[lo + i];
                r1 += a[lo + i + 1];
                r2 += a[lo + i + 2];
                r3 += a[lo + i + 3];
                r4 += a[lo + i + 4];
                r5 += a[lo + i + 5];
                r6 += a[lo + i + 6];
                r7 += a[lo + i + 7];
            }
            double res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
            for (; i < n; i++) {
                res += a[lo + i];
            }
            return res;
        } else {
            int n2 = n / 2;
            n2 -= n2 % 8;
            return pairwiseSum(a, lo, n2) + pairwiseSum(a, lo + n2, n - n2);
        }
    }

    /** Python's {@code '{:0.<digits>f}'.format(x)}: the exact binary value rounded half-even. */
    static String fixed(double x, int digits) {
        if (Double.isNaN(x)) {
            return "nan";
        }
        if (Double.isInfinite(x)) {
            return x > 0 ? "inf" : "-inf";
        }
        String s = new BigDecimal(x).setScale(digits, RoundingMode.HALF_EVEN).toPlainString();
        if ((x < 0 || (x == 0 && 1 / x < 0)) && !s.startsWith("-")) {
            s = "-" + s;
        }
        return s;
    }
}

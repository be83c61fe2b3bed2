package org.maskrcnn4j.reference;

/**
 * Reference pairwise IoU of boxes in {@code (x1, y1, x2, y2)} form, as {@code torchvision.ops.box_iou}:
 * {@code area = (x2 - x1) * (y2 - y1)} (no +1), intersection sides clamped at 0,
 * {@code iou = inter / (area_a + area_b - inter)}; two zero-area boxes give {@code 0 / 0 = NaN}.
 */
public final class ReferenceIou {
    private ReferenceIou() {
    }

    /**
     * The IoU matrix of two box sets.
     *
     * @param a {@code [N, 4]} boxes (row-major)
     * @param b {@code [M, 4]} boxes (row-major)
     * @return {@code [N, M]} with entry {@code (i, j)} = IoU of {@code a[i]} and {@code b[j]}
     */
    public static double[] pairwise(double[] a, double[] b) {
        int n = boxCount("a", a);
        int m = boxCount("b", b);
        double[] iou = new double[n * m];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                iou[i * m + j] = iou(a, i, b, j);
            }
        }
        return iou;
    }

    /** IoU of box {@code i} of {@code a} and box {@code j} of {@code b} (both {@code [*, 4]} row-major). */
    public static double iou(double[] a, int i, double[] b, int j) {
        double inter = intersection(a, i, b, j);
        return inter / (area(a, i) + area(b, j) - inter);
    }

    /** Area {@code (x2 - x1) * (y2 - y1)} of box {@code i} (no +1; negative for an inverted box). */
    static double area(double[] boxes, int i) {
        return (boxes[4 * i + 2] - boxes[4 * i]) * (boxes[4 * i + 3] - boxes[4 * i + 1]);
    }

    /** Intersection area of two boxes, each side clamped at 0. */
    static double intersection(double[] a, int i, double[] b, int j) {
        double left = Math.max(a[4 * i], b[4 * j]);
        double top = Math.max(a[4 * i + 1], b[4 * j + 1]);
        double right = Math.min(a[4 * i + 2], b[4 * j + 2]);
        double bottom = Math.min(a[4 * i + 3], b[4 * j + 3]);
        return Math.max(right - left, 0.0) * Math.max(bottom - top, 0.0);
    }

    /** Number of boxes in a {@code [*, 4]} array. */
    static int boxCount(String name, double[] boxes) {
        if (boxes.length % 4 != 0) {
            throw new IllegalArgumentException(name + " has " + boxes.length + " values, not a multiple of 4");
        }
        return boxes.length / 4;
    }
}

package org.maskrcnn4j.reference;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reference non-maximum suppression with the semantics of {@code torchvision.ops.nms} and
 * {@code torchvision.ops.batched_nms} (torchvision 0.14).
 *
 * <p>Boxes are processed in descending score order, ties by ascending index (torch's stable descending
 * sort). Each box not yet suppressed is kept and suppresses every later box whose IoU with it is strictly
 * greater than the threshold; IoU is {@code inter / (area_i + area_j - inter)} with
 * {@code area = (x2 - x1) * (y2 - y1)} (no +1), so two identical zero-area boxes have IoU {@code NaN} and
 * never suppress each other. The result lists the kept indices in processing (descending score) order.
 */
public final class ReferenceNms {
    private ReferenceNms() {
    }

    /**
     * Non-maximum suppression.
     *
     * @param boxes        {@code [N, 4]} boxes {@code (x1, y1, x2, y2)}, row-major
     * @param scores       {@code [N]} scores
     * @param iouThreshold suppress a box iff its IoU with a kept higher-scored box is {@code > iouThreshold}
     * @return indices of the kept boxes, by descending score (ties by ascending index)
     */
    public static long[] nms(double[] boxes, double[] scores, double iouThreshold) {
        int n = ReferenceIou.boxCount("boxes", boxes);
        if (scores.length != n) {
            throw new IllegalArgumentException(n + " boxes but " + scores.length + " scores");
        }
        Integer[] order = descendingOrder(scores);
        boolean[] suppressed = new boolean[n];
        long[] keep = new long[n];
        int kept = 0;
        for (int a = 0; a < n; a++) {
            int i = order[a];
            if (suppressed[i]) {
                continue;
            }
            keep[kept++] = i;
            for (int b = a + 1; b < n; b++) {
                int j = order[b];
                if (!suppressed[j] && ReferenceIou.iou(boxes, i, boxes, j) > iouThreshold) {
                    suppressed[j] = true;
                }
            }
        }
        return Arrays.copyOf(keep, kept);
    }

    /**
     * Class-aware NMS: boxes only suppress boxes of the same class ({@code idxs}). Equals {@link #nms} run
     * per class, the kept indices of all classes merged by descending score (ties by ascending index).
     *
     * @param boxes        {@code [N, 4]} boxes {@code (x1, y1, x2, y2)}, row-major
     * @param scores       {@code [N]} scores
     * @param idxs         {@code [N]} class (or image) of each box
     * @param iouThreshold suppression threshold, as for {@link #nms}
     * @return indices of the kept boxes, by descending score (ties by ascending index)
     */
    public static long[] batchedNms(double[] boxes, double[] scores, long[] idxs, double iouThreshold) {
        int n = ReferenceIou.boxCount("boxes", boxes);
        if (scores.length != n || idxs.length != n) {
            throw new IllegalArgumentException(n + " boxes but " + scores.length + " scores and " + idxs.length
                    + " idxs");
        }
        Map<Long, List<Integer>> byClass = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            byClass.computeIfAbsent(idxs[i], key -> new ArrayList<>()).add(i);
        }
        boolean[] keepMask = new boolean[n];
        for (List<Integer> members : byClass.values()) {
            double[] classBoxes = new double[4 * members.size()];
            double[] classScores = new double[members.size()];
            for (int m = 0; m < members.size(); m++) {
                int i = members.get(m);
                System.arraycopy(boxes, 4 * i, classBoxes, 4 * m, 4);
                classScores[m] = scores[i];
            }
            for (long m : nms(classBoxes, classScores, iouThreshold)) {
                keepMask[members.get((int) m)] = true;
            }
        }
        Integer[] order = descendingOrder(scores);
        long[] keep = new long[n];
        int kept = 0;
        for (int i : order) {
            if (keepMask[i]) {
                keep[kept++] = i;
            }
        }
        return Arrays.copyOf(keep, kept);
    }

    /**
     * Indices sorted by descending score, ties by ascending index (a stable sort). NaN scores sort first, as
     * in torch's descending sort, which treats NaN as the largest value.
     */
    static Integer[] descendingOrder(double[] scores) {
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        // Arrays.sort on objects is stable; equal scores (including -0.0 and 0.0) keep index order, and
        // Double.compare orders NaN above +infinity
        Arrays.sort(order, (a, b) -> scores[a] == scores[b] ? 0 : Double.compare(scores[b], scores[a]));
        return order;
    }
}

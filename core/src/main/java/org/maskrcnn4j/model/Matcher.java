package org.maskrcnn4j.model;

import org.maskrcnn4j.tensor.DType;
import org.maskrcnn4j.tensor.Ops;
import org.maskrcnn4j.tensor.Tensor;

/**
 * Assigns each prediction (anchor or proposal) the ground truth it overlaps most, as torchvision's
 * {@code Matcher}: IoU below {@code low} gives {@link #BELOW_LOW_THRESHOLD}, between {@code low} and
 * {@code high} gives {@link #BETWEEN_THRESHOLDS}; with low-quality matches allowed, every prediction that
 * is the best one for some ground truth keeps its match regardless of thresholds.
 */
public final class Matcher {
    /** Match index of predictions whose best IoU is below the low threshold (background). */
    public static final long BELOW_LOW_THRESHOLD = -1;
    /** Match index of predictions between the thresholds (ignored). */
    public static final long BETWEEN_THRESHOLDS = -2;

    private final double high;
    private final double low;
    private final boolean allowLowQualityMatches;

    public Matcher(double high, double low, boolean allowLowQualityMatches) {
        if (low > high) {
            throw new IllegalArgumentException("low threshold " + low + " above high threshold " + high);
        }
        this.high = high;
        this.low = low;
        this.allowLowQualityMatches = allowLowQualityMatches;
    }

    /**
     * Match index (int64 {@code [P]}: ground-truth row, or one of the negative sentinels) per column of
     * the quality matrix {@code [G, P]} (G >= 1).
     */
    public Tensor match(Ops ops, Tensor quality) {
        Tensor best = ops.max(quality, new int[] {0}, false);
        Tensor all = ops.argmax(quality, 0, false);
        Tensor below = ops.lt(best, low);
        Tensor between = ops.logicalAnd(ops.ge(best, low), ops.lt(best, high));
        Tensor matches = ops.where(below, ops.scalar(BELOW_LOW_THRESHOLD, DType.INT64), all);
        matches = ops.where(between, ops.scalar(BETWEEN_THRESHOLDS, DType.INT64), matches);
        if (allowLowQualityMatches) {
            Tensor bestPerGt = ops.max(quality, new int[] {1}, true); // [G, 1]
            Tensor isBest = ops.cast(ops.eq(quality, bestPerGt), DType.FLOAT32);
            Tensor lowQuality = ops.gt(ops.max(isBest, new int[] {0}, false), 0.5);
            matches = ops.where(lowQuality, all, matches);
        }
        return matches;
    }
}

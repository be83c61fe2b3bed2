package org.maskrcnn4j.eval;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Evaluation parameters, pycocotools' {@code Params} for detection ({@code setDetParams}). Immutable; change a
 * field with the {@code with...} methods.
 *
 * <p>Defaults: IoU thresholds {@code np.linspace(.5, 0.95, 10)}, recall thresholds
 * {@code np.linspace(.0, 1.00, 101)} (the same doubles as numpy), max detections {@code [1, 10, 100]},
 * {@link AreaRange#DEFAULTS}, {@code useCats = true}. Image and category ids default to {@code null}, meaning
 * "all": the sorted distinct ids found in the ground truths and detections (pycocotools takes them from the
 * dataset's image and category lists; images and categories without any annotation do not change the
 * results).
 */
public final class CocoParams {
    private final double[] iouThrs;
    private final double[] recThrs;
    private final int[] maxDets;
    private final List<AreaRange> areaRanges;
    private final boolean useCats;
    private final long[] imageIds;
    private final long[] categoryIds;

    private CocoParams(double[] iouThrs, double[] recThrs, int[] maxDets, List<AreaRange> areaRanges,
            boolean useCats, long[] imageIds, long[] categoryIds) {
        this.iouThrs = iouThrs;
        this.recThrs = recThrs;
        this.maxDets = maxDets;
        this.areaRanges = areaRanges;
        this.useCats = useCats;
        this.imageIds = imageIds;
        this.categoryIds = categoryIds;
    }

    /** pycocotools' defaults for {@code bbox} and {@code segm}. */
    public static CocoParams defaults() {
        return new CocoParams(NumpyCompat.linspace(.5, 0.95, 10), NumpyCompat.linspace(.0, 1.00, 101),
                new int[] {1, 10, 100}, AreaRange.DEFAULTS, true, null, null);
    }

    /** IoU thresholds ({@code iouThrs}). */
    public double[] iouThresholds() {
        return iouThrs.clone();
    }

    /** Recall thresholds ({@code recThrs}). */
    public double[] recallThresholds() {
        return recThrs.clone();
    }

    /** Max detections per image ({@code maxDets}), as given (the evaluator sorts them). */
    public int[] maxDets() {
        return maxDets.clone();
    }

    /** Area ranges ({@code areaRng} with {@code areaRngLbl}). */
    public List<AreaRange> areaRanges() {
        return areaRanges;
    }

    /** Whether categories are used ({@code useCats}); if not, all categories are pooled as one. */
    public boolean useCats() {
        return useCats;
    }

    /** Image ids to evaluate, or {@code null} for all. */
    public long[] imageIds() {
        return imageIds == null ? null : imageIds.clone();
    }

    /** Category ids to evaluate, or {@code null} for all. */
    public long[] categoryIds() {
        return categoryIds == null ? null : categoryIds.clone();
    }

    public CocoParams withIouThresholds(double... thresholds) {
        requireNonEmpty(thresholds.length, "iou thresholds");
        return new CocoParams(thresholds.clone(), recThrs, maxDets, areaRanges, useCats, imageIds, categoryIds);
    }

    public CocoParams withRecallThresholds(double... thresholds) {
        requireNonEmpty(thresholds.length, "recall thresholds");
        return new CocoParams(iouThrs, thresholds.clone(), maxDets, areaRanges, useCats, imageIds, categoryIds);
    }

    public CocoParams withMaxDets(int... max) {
        requireNonEmpty(max.length, "maxDets");
        for (int m : max) {
            if (m < 0) {
                throw new IllegalArgumentException("maxDets must be >= 0: " + Arrays.toString(max));
            }
        }
        return new CocoParams(iouThrs, recThrs, max.clone(), areaRanges, useCats, imageIds, categoryIds);
    }

    public CocoParams withAreaRanges(List<AreaRange> ranges) {
        requireNonEmpty(ranges.size(), "area ranges");
        return new CocoParams(iouThrs, recThrs, maxDets, List.copyOf(ranges), useCats, imageIds, categoryIds);
    }

    public CocoParams withUseCats(boolean use) {
        return new CocoParams(iouThrs, recThrs, maxDets, areaRanges, use, imageIds, categoryIds);
    }

    /** Restricts (or, for images without annotations, extends) the evaluated images; {@code null} for all. */
    public CocoParams withImageIds(long... ids) {
        return new CocoParams(iouThrs, recThrs, maxDets, areaRanges, useCats, ids == null ? null : ids.clone(),
                categoryIds);
    }

    /** Restricts (or extends) the evaluated categories; {@code null} for all. */
    public CocoParams withCategoryIds(long... ids) {
        return new CocoParams(iouThrs, recThrs, maxDets, areaRanges, useCats, imageIds,
                ids == null ? null : ids.clone());
    }

    private static void requireNonEmpty(int n, String what) {
        if (n == 0) {
            throw new IllegalArgumentException(what + " must not be empty");
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CocoParams p
                && Arrays.equals(iouThrs, p.iouThrs)
                && Arrays.equals(recThrs, p.recThrs)
                && Arrays.equals(maxDets, p.maxDets)
                && areaRanges.equals(p.areaRanges)
                && useCats == p.useCats
                && Arrays.equals(imageIds, p.imageIds)
                && Arrays.equals(categoryIds, p.categoryIds);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(iouThrs), Arrays.hashCode(recThrs), Arrays.hashCode(maxDets), areaRanges,
                useCats, Arrays.hashCode(imageIds), Arrays.hashCode(categoryIds));
    }

    @Override
    public String toString() {
        return "CocoParams[iouThrs=" + Arrays.toString(iouThrs) + ", recThrs=" + recThrs.length + " values, maxDets="
                + Arrays.toString(maxDets) + ", areaRanges=" + areaRanges + ", useCats=" + useCats + ", imageIds="
                + (imageIds == null ? "all" : imageIds.length + " ids") + ", categoryIds="
                + (categoryIds == null ? "all" : Arrays.toString(categoryIds)) + "]";
    }
}

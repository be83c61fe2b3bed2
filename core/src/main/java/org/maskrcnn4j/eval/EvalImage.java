package org.maskrcnn4j.eval;

/**
 * The matching of one (image, category, area range), an element of pycocotools' {@code evalImgs}.
 *
 * <p>Detections are in matching order (score descending, ties in input order, at most {@code maxDet});
 * ground truths have the ignored ones last. Ids are indices into the evaluator's input lists (pycocotools uses
 * annotation ids; "unmatched", pycocotools' 0, is -1 here). Matrices are indexed {@code [iouThreshold][i]}.
 * Accessors return copies.
 */
public final class EvalImage {
    final long imageId;
    final long categoryId;
    final AreaRange areaRange;
    final int maxDet;
    final int[] dtIds;
    final int[] gtIds;
    final int[][] dtMatches;
    final int[][] gtMatches;
    final double[] dtScores;
    final boolean[] gtIgnore;
    final boolean[][] dtIgnore;

    EvalImage(long imageId, long categoryId, AreaRange areaRange, int maxDet, int[] dtIds, int[] gtIds,
            int[][] dtMatches, int[][] gtMatches, double[] dtScores, boolean[] gtIgnore, boolean[][] dtIgnore) {
        this.imageId = imageId;
        this.categoryId = categoryId;
        this.areaRange = areaRange;
        this.maxDet = maxDet;
        this.dtIds = dtIds;
        this.gtIds = gtIds;
        this.dtMatches = dtMatches;
        this.gtMatches = gtMatches;
        this.dtScores = dtScores;
        this.gtIgnore = gtIgnore;
        this.dtIgnore = dtIgnore;
    }

    public long imageId() {
        return imageId;
    }

    /** The category id, or -1 when categories are not used. */
    public long categoryId() {
        return categoryId;
    }

    public AreaRange areaRange() {
        return areaRange;
    }

    public int maxDet() {
        return maxDet;
    }

    /** Indices of the detections into the evaluator's detection list, in matching order. */
    public int[] dtIds() {
        return dtIds.clone();
    }

    /** Indices of the ground truths into the evaluator's ground-truth list, ignored ones last. */
    public int[] gtIds() {
        return gtIds.clone();
    }

    /** {@code [T][D]}: the ground-truth index each detection matched at each IoU threshold, or -1. */
    public int[][] dtMatches() {
        return deepCopy(dtMatches);
    }

    /** {@code [T][G]}: the detection index each ground truth matched at each IoU threshold, or -1. */
    public int[][] gtMatches() {
        return deepCopy(gtMatches);
    }

    public double[] dtScores() {
        return dtScores.clone();
    }

    /** {@code [G]}: crowd or outside the area range. */
    public boolean[] gtIgnore() {
        return gtIgnore.clone();
    }

    /** {@code [T][D]}: matched to an ignored ground truth, or unmatched and outside the area range. */
    public boolean[][] dtIgnore() {
        boolean[][] copy = new boolean[dtIgnore.length][];
        for (int i = 0; i < copy.length; i++) {
            copy[i] = dtIgnore[i].clone();
        }
        return copy;
    }

    private static int[][] deepCopy(int[][] a) {
        int[][] copy = new int[a.length][];
        for (int i = 0; i < copy.length; i++) {
            copy[i] = a[i].clone();
        }
        return copy;
    }

    @Override
    public String toString() {
        return "EvalImage[imageId=" + imageId + ", categoryId=" + categoryId + ", area=" + areaRange.label()
                + ", maxDet=" + maxDet + ", dets=" + dtIds.length + ", gts=" + gtIds.length + "]";
    }
}

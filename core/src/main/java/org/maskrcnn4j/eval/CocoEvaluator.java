package org.maskrcnn4j.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import org.maskrcnn4j.model.BinaryMask;

/**
 * COCO {@code bbox} / {@code segm} evaluation, identical to pycocotools' {@code COCOeval}
 * ({@code evaluate()}, {@code accumulate()}, {@code summarize()}).
 *
 * <pre>{@code
 * CocoEvaluator ev = new CocoEvaluator(IouType.BBOX, groundTruths, detections);
 * CocoSummary s = ev.run();   // evaluate + accumulate + summarize
 * System.out.println(s);      // the 12 pycocotools lines
 * }</pre>
 *
 * <p>Per (image, category): detections are sorted by score, descending and stable, and cut at the largest
 * {@code maxDets}; per area range, ground truths that are crowd or whose {@code area} is outside the range are
 * ignored and put last; at each IoU threshold each detection in turn takes the unmatched (or crowd, which may
 * be matched repeatedly) ground truth of best IoU {@code >= min(threshold, 1 - 1e-10)}, non-ignored ground
 * truths first: once it holds a non-ignored match the scan stops at the first ignored one. A detection
 * matched to an ignored ground truth, or unmatched and outside the area range, is ignored. Accumulation pools
 * all images per (category, area range, maxDets), sorts by score (stable), and samples the right-to-left
 * maximum of precision at the 101 recall thresholds ({@code searchsorted(side='left')}, 0 past the last
 * recall); recall is the final recall. Precision and recall stay -1 where there is no non-ignored ground
 * truth. Not thread-safe.
 */
public final class CocoEvaluator {
    private static final double SPACING_1 = Math.ulp(1.0);
    private static final long NO_CATEGORY = -1;

    private final IouType iouType;
    private final List<CocoGroundTruth> gts;
    private final List<CocoDetection> dts;
    private final CocoParams params;

    private final double[] iouThrs;
    private final double[] recThrs;
    private final int[] maxDets;
    private final List<AreaRange> areaRanges;
    private final boolean useCats;

    private long[] imgIds;
    private long[] catIds;
    private Map<Key, Cell> cells;
    private EvalImage[] evalImgs;
    private double[][][][][] precision;
    private double[][][][] recall;
    private double[][][][][] scores;

    /** An evaluator with pycocotools' default parameters. */
    public CocoEvaluator(IouType iouType, List<CocoGroundTruth> groundTruths, List<CocoDetection> detections) {
        this(iouType, groundTruths, detections, CocoParams.defaults());
    }

    /**
     * @param iouType what the IoU is computed on; it decides which of box / mask each input must have
     * @param groundTruths the ground truths (their order matters only as pycocotools' annotation order)
     * @param detections the detections (their order breaks score ties, as the order of a results file)
     * @param params evaluation parameters
     */
    public CocoEvaluator(IouType iouType, List<CocoGroundTruth> groundTruths, List<CocoDetection> detections,
            CocoParams params) {
        this.iouType = Objects.requireNonNull(iouType, "iouType");
        this.gts = List.copyOf(groundTruths);
        this.dts = List.copyOf(detections);
        this.params = Objects.requireNonNull(params, "params");
        this.iouThrs = params.iouThresholds();
        this.recThrs = params.recallThresholds();
        int[] md = params.maxDets();
        Arrays.sort(md);
        this.maxDets = md;
        this.areaRanges = params.areaRanges();
        this.useCats = params.useCats();
        validate();
    }

    /** Evaluates, accumulates and summarizes. */
    public CocoSummary run() {
        evaluate();
        accumulate();
        return summarize();
    }

    public IouType iouType() {
        return iouType;
    }

    public CocoParams params() {
        return params;
    }

    // ------------------------------------------------------------------------------------------------ evaluate

    /** Computes IoUs and matches every (category, area range, image): pycocotools' {@code evaluate()}. */
    public void evaluate() {
        imgIds = params.imageIds() != null ? sortedDistinct(params.imageIds())
                : sortedDistinct(gts.stream().mapToLong(CocoGroundTruth::imageId),
                        dts.stream().mapToLong(CocoDetection::imageId));
        catIds = params.categoryIds() != null ? sortedDistinct(params.categoryIds())
                : sortedDistinct(gts.stream().mapToLong(CocoGroundTruth::categoryId),
                        dts.stream().mapToLong(CocoDetection::categoryId));

        // _prepare: per (image, category), in input order
        Map<Key, List<Integer>> gtGroups = new HashMap<>();
        Map<Key, List<Integer>> dtGroups = new HashMap<>();
        for (int i = 0; i < gts.size(); i++) {
            gtGroups.computeIfAbsent(new Key(gts.get(i).imageId(), gts.get(i).categoryId()), k -> new ArrayList<>())
                    .add(i);
        }
        for (int i = 0; i < dts.size(); i++) {
            dtGroups.computeIfAbsent(new Key(dts.get(i).imageId(), dts.get(i).categoryId()), k -> new ArrayList<>())
                    .add(i);
        }

        long[] evalCats = useCats ? catIds : new long[] {NO_CATEGORY};
        cells = new HashMap<>();
        for (long img : imgIds) {
            for (long cat : evalCats) {
                List<Integer> g = collect(gtGroups, img, cat);
                List<Integer> d = collect(dtGroups, img, cat);
                if (!g.isEmpty() || !d.isEmpty()) {
                    cells.put(new Key(img, cat), computeCell(g, d));
                }
            }
        }

        int a0 = areaRanges.size();
        int i0 = imgIds.length;
        int maxDet = maxDets[maxDets.length - 1];
        evalImgs = new EvalImage[evalCats.length * a0 * i0];
        for (int k = 0; k < evalCats.length; k++) {
            for (int a = 0; a < a0; a++) {
                for (int i = 0; i < i0; i++) {
                    evalImgs[k * a0 * i0 + a * i0 + i] = evaluateImg(imgIds[i], evalCats[k], areaRanges.get(a), maxDet);
                }
            }
        }
        precision = null;
        recall = null;
        scores = null;
    }

    private List<Integer> collect(Map<Key, List<Integer>> groups, long img, long cat) {
        if (useCats) {
            return groups.getOrDefault(new Key(img, cat), List.of());
        }
        List<Integer> all = new ArrayList<>();
        for (long c : catIds) {
            all.addAll(groups.getOrDefault(new Key(img, c), List.of()));
        }
        return all;
    }

    /** pycocotools' {@code computeIoU}: detections sorted and cut at the largest maxDets, IoU {@code [D][G]}. */
    private Cell computeCell(List<Integer> gtList, List<Integer> dtList) {
        int[] g = gtList.stream().mapToInt(Integer::intValue).toArray();
        double[] sc = new double[dtList.size()];
        for (int i = 0; i < sc.length; i++) {
            sc[i] = dts.get(dtList.get(i)).score();
        }
        int[] order = NumpyCompat.argsortDescendingStable(sc, sc.length);
        int nd = Math.min(order.length, maxDets[maxDets.length - 1]);
        int[] d = new int[nd];
        for (int i = 0; i < nd; i++) {
            d[i] = dtList.get(order[i]);
        }
        double[][] ious = new double[nd][g.length];
        if (nd > 0 && g.length > 0) {
            if (iouType == IouType.BBOX) {
                for (int i = 0; i < nd; i++) {
                    double[] db = dts.get(d[i]).box();
                    for (int j = 0; j < g.length; j++) {
                        CocoGroundTruth gt = gts.get(g[j]);
                        ious[i][j] = CocoIou.bbox(db, gt.box(), gt.iscrowd());
                    }
                }
            } else {
                double[][] gtBoxes = new double[g.length][];
                for (int j = 0; j < g.length; j++) {
                    gtBoxes[j] = CocoIou.maskBox(gts.get(g[j]).mask());
                }
                for (int i = 0; i < nd; i++) {
                    BinaryMask dm = dts.get(d[i]).mask();
                    double[] dBox = CocoIou.maskBox(dm);
                    int dArea = dm.area();
                    for (int j = 0; j < g.length; j++) {
                        CocoGroundTruth gt = gts.get(g[j]);
                        ious[i][j] = CocoIou.mask(dm, dBox, dArea, gt.mask(), gtBoxes[j], gt.iscrowd());
                    }
                }
            }
        }
        return new Cell(g, d, ious);
    }

    private double detectionArea(CocoDetection d) {
        if (iouType == IouType.BBOX) {
            double[] b = d.box();
            return b[2] * b[3];
        }
        return d.mask().area();
    }

    /** pycocotools' {@code evaluateImg}; {@code null} when the image has neither ground truth nor detection. */
    private EvalImage evaluateImg(long imgId, long catId, AreaRange aRng, int maxDet) {
        Cell cell = cells.get(new Key(imgId, catId));
        if (cell == null) {
            return null;
        }
        int nGt = cell.gt.length;
        boolean[] ignoreIn = new boolean[nGt];
        for (int j = 0; j < nGt; j++) {
            CocoGroundTruth g = gts.get(cell.gt[j]);
            ignoreIn[j] = g.iscrowd() || aRng.excludes(g.area());
        }
        // stable: non-ignored first, ignored last
        int[] gtind = new int[nGt];
        int p = 0;
        for (int j = 0; j < nGt; j++) {
            if (!ignoreIn[j]) {
                gtind[p++] = j;
            }
        }
        for (int j = 0; j < nGt; j++) {
            if (ignoreIn[j]) {
                gtind[p++] = j;
            }
        }
        int[] gtIds = new int[nGt];
        boolean[] gtIg = new boolean[nGt];
        boolean[] iscrowd = new boolean[nGt];
        for (int j = 0; j < nGt; j++) {
            gtIds[j] = cell.gt[gtind[j]];
            gtIg[j] = ignoreIn[gtind[j]];
            iscrowd[j] = gts.get(gtIds[j]).iscrowd();
        }
        int nDt = Math.min(cell.dt.length, maxDet);
        int[] dtIds = Arrays.copyOf(cell.dt, nDt);
        double[] dtScores = new double[nDt];
        for (int i = 0; i < nDt; i++) {
            dtScores[i] = dts.get(dtIds[i]).score();
        }

        int nT = iouThrs.length;
        int[][] gtm = new int[nT][nGt];
        int[][] dtm = new int[nT][nDt];
        boolean[][] dtIg = new boolean[nT][nDt];
        for (int t = 0; t < nT; t++) {
            Arrays.fill(gtm[t], -1);
            Arrays.fill(dtm[t], -1);
        }
        if (nDt > 0 && nGt > 0) {
            for (int t = 0; t < nT; t++) {
                for (int d = 0; d < nDt; d++) {
                    double[] row = cell.ious[d];
                    double iou = Math.min(iouThrs[t], 1 - 1e-10);
                    int m = -1;
                    for (int g = 0; g < nGt; g++) {
                        // already matched and not a crowd: skip
                        if (gtm[t][g] >= 0 && !iscrowd[g]) {
                            continue;
                        }
                        // holding a regular match and reached the ignored ones: stop
                        if (m > -1 && !gtIg[m] && gtIg[g]) {
                            break;
                        }
                        double v = row[gtind[g]];
                        if (v < iou) {
                            continue;
                        }
                        iou = v;
                        m = g;
                    }
                    if (m == -1) {
                        continue;
                    }
                    dtIg[t][d] = gtIg[m];
                    dtm[t][d] = gtIds[m];
                    gtm[t][m] = dtIds[d];
                }
            }
        }
        // unmatched detections outside the area range are ignored
        for (int d = 0; d < nDt; d++) {
            if (aRng.excludes(detectionArea(dts.get(dtIds[d])))) {
                for (int t = 0; t < nT; t++) {
                    if (dtm[t][d] < 0) {
                        dtIg[t][d] = true;
                    }
                }
            }
        }
        return new EvalImage(imgId, catId, aRng, maxDet, dtIds, gtIds, dtm, gtm, dtScores, gtIg, dtIg);
    }

    // ---------------------------------------------------------------------------------------------- accumulate

    /** Builds precision {@code [T][R][K][A][M]} and recall {@code [T][K][A][M]}: pycocotools' {@code accumulate()}. */
    public void accumulate() {
        if (evalImgs == null) {
            throw new IllegalStateException("Please run evaluate() first");
        }
        int nT = iouThrs.length;
        int nR = recThrs.length;
        int nK = useCats ? catIds.length : 1;
        int nA = areaRanges.size();
        int nM = maxDets.length;
        int nI = imgIds.length;
        precision = new double[nT][nR][nK][nA][nM];
        recall = new double[nT][nK][nA][nM];
        scores = new double[nT][nR][nK][nA][nM];
        fill(precision, -1);
        fill(scores, -1);
        for (double[][][] r : recall) {
            for (double[][] rk : r) {
                for (double[] ra : rk) {
                    Arrays.fill(ra, -1);
                }
            }
        }

        for (int k = 0; k < nK; k++) {
            for (int a = 0; a < nA; a++) {
                List<EvalImage> es = new ArrayList<>();
                for (int i = 0; i < nI; i++) {
                    EvalImage e = evalImgs[k * nA * nI + a * nI + i];
                    if (e != null) {
                        es.add(e);
                    }
                }
                if (es.isEmpty()) {
                    continue;
                }
                int npig = 0;
                for (EvalImage e : es) {
                    for (boolean ig : e.gtIgnore) {
                        if (!ig) {
                            npig++;
                        }
                    }
                }
                for (int m = 0; m < nM; m++) {
                    accumulateOne(es, npig, maxDets[m], k, a, m);
                }
            }
        }
    }

    private void accumulateOne(List<EvalImage> es, int npig, int maxDet, int k, int a, int m) {
        int total = 0;
        for (EvalImage e : es) {
            total += Math.min(maxDet, e.dtScores.length);
        }
        double[] dtScores = new double[total];
        EvalImage[] owner = new EvalImage[total];
        int[] pos = new int[total];
        int c = 0;
        for (EvalImage e : es) {
            int n = Math.min(maxDet, e.dtScores.length);
            for (int i = 0; i < n; i++) {
                dtScores[c] = e.dtScores[i];
                owner[c] = e;
                pos[c] = i;
                c++;
            }
        }
        if (npig == 0) {
            return;
        }
        int[] inds = NumpyCompat.argsortDescendingStable(dtScores, total);
        double[] scoresSorted = new double[total];
        for (int i = 0; i < total; i++) {
            scoresSorted[i] = dtScores[inds[i]];
        }
        int nT = iouThrs.length;
        int nR = recThrs.length;
        double[] rc = new double[total];
        double[] pr = new double[total];
        for (int t = 0; t < nT; t++) {
            long tp = 0;
            long fp = 0;
            for (int i = 0; i < total; i++) {
                EvalImage e = owner[inds[i]];
                int j = pos[inds[i]];
                if (!e.dtIgnore[t][j]) {
                    if (e.dtMatches[t][j] >= 0) {
                        tp++;
                    } else {
                        fp++;
                    }
                }
                double tpd = tp;
                double fpd = fp;
                rc[i] = tpd / npig;
                pr[i] = tpd / (fpd + tpd + SPACING_1);
            }
            recall[t][k][a][m] = total > 0 ? rc[total - 1] : 0;
            for (int i = total - 1; i > 0; i--) {
                if (pr[i] > pr[i - 1]) {
                    pr[i - 1] = pr[i];
                }
            }
            for (int r = 0; r < nR; r++) {
                int pi = NumpyCompat.searchsortedLeft(rc, total, recThrs[r]);
                if (pi >= total) {
                    // pycocotools: IndexError ends the loop, the rest stays 0
                    for (; r < nR; r++) {
                        precision[t][r][k][a][m] = 0;
                        scores[t][r][k][a][m] = 0;
                    }
                    break;
                }
                precision[t][r][k][a][m] = pr[pi];
                scores[t][r][k][a][m] = scoresSorted[pi];
            }
        }
    }

    private static void fill(double[][][][][] x, double v) {
        for (double[][][][] a : x) {
            for (double[][][] b : a) {
                for (double[][] c : b) {
                    for (double[] d : c) {
                        Arrays.fill(d, v);
                    }
                }
            }
        }
    }

    // ----------------------------------------------------------------------------------------------- summarize

    /**
     * The 12 standard numbers and lines: pycocotools' {@code summarize()} for {@code bbox} / {@code segm}.
     * Needs at least 3 maxDets (it uses the first three, and 100 for the first AP, as pycocotools does).
     */
    public CocoSummary summarize() {
        if (precision == null) {
            throw new IllegalStateException("Please run accumulate() first");
        }
        if (maxDets.length < 3) {
            throw new IllegalStateException("the summary needs at least 3 maxDets, got " + Arrays.toString(maxDets));
        }
        double[] stats = new double[12];
        List<String> lines = new ArrayList<>(12);
        stats[0] = summarizeOne(true, null, "all", 100, lines);
        stats[1] = summarizeOne(true, .5, "all", maxDets[2], lines);
        stats[2] = summarizeOne(true, .75, "all", maxDets[2], lines);
        stats[3] = summarizeOne(true, null, "small", maxDets[2], lines);
        stats[4] = summarizeOne(true, null, "medium", maxDets[2], lines);
        stats[5] = summarizeOne(true, null, "large", maxDets[2], lines);
        stats[6] = summarizeOne(false, null, "all", maxDets[0], lines);
        stats[7] = summarizeOne(false, null, "all", maxDets[1], lines);
        stats[8] = summarizeOne(false, null, "all", maxDets[2], lines);
        stats[9] = summarizeOne(false, null, "small", maxDets[2], lines);
        stats[10] = summarizeOne(false, null, "medium", maxDets[2], lines);
        stats[11] = summarizeOne(false, null, "large", maxDets[2], lines);
        return new CocoSummary(stats, lines);
    }

    private double summarizeOne(boolean ap, Double iouThr, String areaLbl, int maxDetsValue, List<String> lines) {
        List<Integer> tind = new ArrayList<>();
        for (int t = 0; t < iouThrs.length; t++) {
            if (iouThr == null || iouThrs[t] == iouThr) {
                tind.add(t);
            }
        }
        List<Integer> aind = new ArrayList<>();
        for (int a = 0; a < areaRanges.size(); a++) {
            if (areaRanges.get(a).label().equals(areaLbl)) {
                aind.add(a);
            }
        }
        List<Integer> mind = new ArrayList<>();
        for (int m = 0; m < maxDets.length; m++) {
            if (maxDets[m] == maxDetsValue) {
                mind.add(m);
            }
        }
        // numpy fancy indexing s[..., aind, mind] pairs the two lists (broadcasting a single one)
        int nb;
        if (aind.isEmpty() || mind.isEmpty()) {
            nb = 0;
        } else if (aind.size() == mind.size() || aind.size() == 1 || mind.size() == 1) {
            nb = Math.max(aind.size(), mind.size());
        } else {
            throw new IllegalStateException("shape mismatch: " + aind.size() + " area ranges labelled " + areaLbl
                    + " and " + mind.size() + " maxDets equal to " + maxDetsValue);
        }
        int nK = useCats ? catIds.length : 1;
        int cap = tind.size() * (ap ? recThrs.length : 1) * nK * nb;
        double[] values = new double[cap];
        int n = 0;
        for (int t : tind) {
            if (ap) {
                for (int r = 0; r < recThrs.length; r++) {
                    for (int k = 0; k < nK; k++) {
                        for (int b = 0; b < nb; b++) {
                            double v = precision[t][r][k][aind.get(aind.size() == 1 ? 0 : b)][mind.get(
                                    mind.size() == 1 ? 0 : b)];
                            if (v > -1) {
                                values[n++] = v;
                            }
                        }
                    }
                }
            } else {
                for (int k = 0; k < nK; k++) {
                    for (int b = 0; b < nb; b++) {
                        double v = recall[t][k][aind.get(aind.size() == 1 ? 0 : b)][mind.get(mind.size() == 1 ? 0 : b)];
                        if (v > -1) {
                            values[n++] = v;
                        }
                    }
                }
            }
        }
        double mean = n == 0 ? -1 : NumpyCompat.mean(values, n);
        String iouStr = iouThr == null
                ? NumpyCompat.fixed(iouThrs[0], 2) + ":" + NumpyCompat.fixed(iouThrs[iouThrs.length - 1], 2)
                : NumpyCompat.fixed(iouThr, 2);
        lines.add(String.format(Locale.ROOT, " %-18s %s @[ IoU=%-9s | area=%6s | maxDets=%3d ] = %s",
                ap ? "Average Precision" : "Average Recall", ap ? "(AP)" : "(AR)", iouStr, areaLbl, maxDetsValue,
                NumpyCompat.fixed(mean, 3)));
        return mean;
    }

    // ------------------------------------------------------------------------------------------------- results

    /** The evaluated image ids (sorted, distinct); {@code null} before {@link #evaluate()}. */
    public long[] imageIds() {
        return imgIds == null ? null : imgIds.clone();
    }

    /** The evaluated category ids (sorted, distinct); {@code null} before {@link #evaluate()}. */
    public long[] categoryIds() {
        return catIds == null ? null : catIds.clone();
    }

    /** The max detections, sorted. */
    public int[] maxDets() {
        return maxDets.clone();
    }

    /**
     * pycocotools' {@code ious[imgId, catId]}: {@code [D][G]} IoUs, detections by descending score (cut at the
     * largest maxDets), ground truths in input order; empty when the cell has no detection or no ground truth.
     * Pass category -1 when categories are not used.
     */
    public double[][] ious(long imageId, long categoryId) {
        requireEvaluated();
        Cell cell = cells.get(new Key(imageId, categoryId));
        if (cell == null || cell.dt.length == 0 || cell.gt.length == 0) {
            return new double[0][];
        }
        double[][] copy = new double[cell.ious.length][];
        for (int i = 0; i < copy.length; i++) {
            copy[i] = cell.ious[i].clone();
        }
        return copy;
    }

    /**
     * pycocotools' {@code evalImgs}, ordered category-major, then area range, then image; an element is
     * {@code null} where the image has neither ground truth nor detection of that category.
     */
    public List<EvalImage> evalImages() {
        requireEvaluated();
        return Collections.unmodifiableList(Arrays.asList(evalImgs.clone()));
    }

    /** The {@link EvalImage} of one (image, category, area range index), or {@code null}. */
    public EvalImage evalImage(long imageId, long categoryId, int areaRangeIndex) {
        requireEvaluated();
        int i = Arrays.binarySearch(imgIds, imageId);
        int k = useCats ? Arrays.binarySearch(catIds, categoryId) : (categoryId == NO_CATEGORY ? 0 : -1);
        if (i < 0 || k < 0) {
            return null;
        }
        int nA = areaRanges.size();
        return evalImgs[k * nA * imgIds.length + Objects.checkIndex(areaRangeIndex, nA) * imgIds.length + i];
    }

    /** {@code eval['precision']}: {@code [T][R][K][A][M]}, -1 where there is no data. A copy. */
    public double[][][][][] precision() {
        requireAccumulated();
        return deepCopy5(precision);
    }

    /** {@code eval['scores']}: {@code [T][R][K][A][M]}, the score at which each precision was sampled. A copy. */
    public double[][][][][] scores() {
        requireAccumulated();
        return deepCopy5(scores);
    }

    /** {@code eval['recall']}: {@code [T][K][A][M]}, -1 where there is no data. A copy. */
    public double[][][][] recall() {
        requireAccumulated();
        double[][][][] copy = new double[recall.length][][][];
        for (int t = 0; t < copy.length; t++) {
            copy[t] = new double[recall[t].length][][];
            for (int k = 0; k < copy[t].length; k++) {
                copy[t][k] = new double[recall[t][k].length][];
                for (int a = 0; a < copy[t][k].length; a++) {
                    copy[t][k][a] = recall[t][k][a].clone();
                }
            }
        }
        return copy;
    }

    private static double[][][][][] deepCopy5(double[][][][][] x) {
        double[][][][][] copy = new double[x.length][][][][];
        for (int t = 0; t < x.length; t++) {
            copy[t] = new double[x[t].length][][][];
            for (int r = 0; r < x[t].length; r++) {
                copy[t][r] = new double[x[t][r].length][][];
                for (int k = 0; k < x[t][r].length; k++) {
                    copy[t][r][k] = new double[x[t][r][k].length][];
                    for (int a = 0; a < x[t][r][k].length; a++) {
                        copy[t][r][k][a] = x[t][r][k][a].clone();
                    }
                }
            }
        }
        return copy;
    }

    private void requireEvaluated() {
        if (evalImgs == null) {
            throw new IllegalStateException("Please run evaluate() first");
        }
    }

    private void requireAccumulated() {
        if (precision == null) {
            throw new IllegalStateException("Please run accumulate() first");
        }
    }

    // -------------------------------------------------------------------------------------------------- setup

    private void validate() {
        for (int i = 0; i < gts.size(); i++) {
            CocoGroundTruth g = Objects.requireNonNull(gts.get(i), "ground truth " + i);
            if (iouType == IouType.BBOX && g.box() == null) {
                throw new IllegalArgumentException("bbox evaluation: ground truth " + i + " has no bbox");
            }
            if (iouType == IouType.SEGM && g.mask() == null) {
                throw new IllegalArgumentException("segm evaluation: ground truth " + i + " has no mask");
            }
        }
        for (int i = 0; i < dts.size(); i++) {
            CocoDetection d = Objects.requireNonNull(dts.get(i), "detection " + i);
            if (iouType == IouType.BBOX && d.box() == null) {
                throw new IllegalArgumentException("bbox evaluation: detection " + i + " has no bbox");
            }
            if (iouType == IouType.SEGM && d.mask() == null) {
                throw new IllegalArgumentException("segm evaluation: detection " + i + " has no mask");
            }
        }
    }

    private static long[] sortedDistinct(long[] ids) {
        return Arrays.stream(ids).sorted().distinct().toArray();
    }

    private static long[] sortedDistinct(java.util.stream.LongStream a, java.util.stream.LongStream b) {
        TreeSet<Long> set = new TreeSet<>();
        a.forEach(set::add);
        b.forEach(set::add);
        return set.stream().mapToLong(Long::longValue).toArray();
    }

    private record Key(long image, long category) {
    }

    /** One (image, category): ground-truth indices in input order, detections sorted and cut, IoU [D][G]. */
    private record Cell(int[] gt, int[] dt, double[][] ious) {
    }
}

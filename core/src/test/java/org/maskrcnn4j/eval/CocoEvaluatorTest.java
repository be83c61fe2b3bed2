package org.maskrcnn4j.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * bbox evaluation on hand-checked cases. Notation in the comments: at one IoU threshold, detections in score
 * order give cumulative tp / fp, recall rc = tp / npig (npig = non-ignored gts), precision pr = tp / (tp + fp)
 * (pycocotools adds 2^-52 to the denominator, hence the 1e-12 tolerance), then the right-to-left max envelope,
 * sampled at recall thresholds r = 0, 0.01, ..., 1 at the first index with rc >= r (0 past the end); AP is
 * the mean over 10 IoU thresholds x 101 recall thresholds, AR the mean over IoU thresholds of the final rc.
 */
class CocoEvaluatorTest {
    static final Offset<Double> EPS = within(1e-12);
    static final int CAT = 1;

    static CocoGroundTruth gt(long img, double x, double y, double w, double h) {
        return CocoGroundTruth.ofBox(img, CAT, new double[] {x, y, w, h}, w * h, false);
    }

    static CocoGroundTruth crowd(long img, double x, double y, double w, double h) {
        return CocoGroundTruth.ofBox(img, CAT, new double[] {x, y, w, h}, w * h, true);
    }

    static CocoDetection dt(long img, double x, double y, double w, double h, double score) {
        return CocoDetection.ofBox(img, CAT, new double[] {x, y, w, h}, score);
    }

    static CocoSummary eval(List<CocoGroundTruth> gts, List<CocoDetection> dts) {
        return new CocoEvaluator(IouType.BBOX, gts, dts).run();
    }

    @Test
    void onePerfectDetection() {
        // one small gt (area 100 <= 32^2), one identical detection: matched at every IoU threshold,
        // pr = 1 / (1 + 2^-52) at every recall threshold -> AP = 1; medium / large have no gt -> -1
        CocoSummary s = eval(List.of(gt(1, 0, 0, 10, 10)), List.of(dt(1, 0, 0, 10, 10, 0.9)));
        double[] expected = {1, 1, 1, 1, -1, -1, 1, 1, 1, 1, -1, -1};
        assertStats(s, expected);
        assertThat(s.ap()).isLessThanOrEqualTo(1.0);
    }

    @Test
    void oneDetectionAtIou058MatchesTwoThresholds() {
        // det [0,0,10,5.8] in gt [0,0,10,10]: IoU 58 / 100 = 0.58 >= 0.50, 0.55 only.
        // At those 2 thresholds precision is 1 at all 101 recall thresholds; at the other 8 the det is a false
        // positive: rc = [0], pr = [0] -> 0 at r = 0 and 0 beyond. AP = 2 * 101 / 1010 = 0.2; AP50 = 1; AP75 = 0.
        // AR = (1 + 1 + 0 * 8) / 10 = 0.2.
        CocoSummary s = eval(List.of(gt(1, 0, 0, 10, 10)), List.of(dt(1, 0, 0, 10, 5.8, 0.9)));
        assertThat(s.ap()).isCloseTo(0.2, EPS);
        assertThat(s.ap50()).isCloseTo(1.0, EPS);
        assertThat(s.ap75()).isZero();
        assertThat(s.ar100()).isCloseTo(0.2, EPS);
        assertThat(s.stat(6)).isCloseTo(0.2, EPS);
    }

    @Test
    void iouExactlyOnAThresholdMatchesIt() {
        // IoU 60 / 100 == 0.6 == the third threshold (np.linspace gives exactly 0.6 there); pycocotools skips a
        // gt only when iou < threshold, so it matches at 0.50, 0.55 and 0.60: AP = 3 / 10
        CocoSummary s = eval(List.of(gt(1, 0, 0, 10, 10)), List.of(dt(1, 0, 0, 10, 6, 0.9)));
        assertThat(s.ap()).isCloseTo(0.3, EPS);
        assertThat(s.ar100()).isCloseTo(0.3, EPS);
    }

    @Test
    void falsePositiveBetweenTwoTruePositives() {
        // gts A, B; dets by score: TP(A), FP, TP(B) at every threshold.
        // tp = [1,1,2], fp = [0,1,1], rc = [.5,.5,1], pr = [1, .5, 2/3] -> envelope [1, 2/3, 2/3].
        // r = 0.00..0.50 (51 thresholds, r[50] == 0.5) -> index 0 -> 1; r = 0.51..1 (50) -> index 2 -> 2/3.
        // AP = (51 + 50 * 2/3) / 101 = 253 / 303; AR = 1
        CocoSummary s = eval(List.of(gt(1, 0, 0, 10, 10), gt(1, 20, 0, 10, 10)),
                List.of(dt(1, 0, 0, 10, 10, 0.9), dt(1, 50, 50, 10, 10, 0.8), dt(1, 20, 0, 10, 10, 0.7)));
        assertThat(s.ap()).isCloseTo(253.0 / 303, EPS);
        assertThat(s.ap50()).isCloseTo(253.0 / 303, EPS);
        assertThat(s.ar100()).isCloseTo(1.0, EPS);
        // AR@1 counts one detection per image: the TP(A) -> recall 1/2
        assertThat(s.stat(6)).isCloseTo(0.5, EPS);
    }

    @Test
    void falsePositiveFirst() {
        // FP, TP, TP: tp = [0,1,2], fp = [1,1,1], pr = [0, .5, 2/3] -> envelope [2/3, 2/3, 2/3] -> AP = 2/3
        CocoSummary s = eval(List.of(gt(1, 0, 0, 10, 10), gt(1, 20, 0, 10, 10)),
                List.of(dt(1, 50, 50, 10, 10, 0.9), dt(1, 0, 0, 10, 10, 0.8), dt(1, 20, 0, 10, 10, 0.7)));
        assertThat(s.ap()).isCloseTo(2.0 / 3, EPS);
    }

    @Test
    void detectionOnCrowdRegionIsIgnoredNotAFalsePositive() {
        // crowd gt [0,0,100,100]; two dets inside it (crowd IoU = inter / det area = 1) score above the one
        // regular TP. Both are matched to the (ignored) crowd -- a crowd can be matched repeatedly -- so they
        // are neither TP nor FP: tp = [1], fp = [0] -> AP = 1. Without the crowd rule AP would be 1/3.
        List<CocoGroundTruth> gts = List.of(crowd(1, 0, 0, 100, 100), gt(1, 200, 200, 10, 10));
        List<CocoDetection> dts =
                List.of(dt(1, 10, 10, 20, 20, 0.9), dt(1, 50, 50, 5, 5, 0.8), dt(1, 200, 200, 10, 10, 0.5));
        CocoEvaluator ev = new CocoEvaluator(IouType.BBOX, gts, dts);
        CocoSummary s = ev.run();
        assertThat(s.ap()).isCloseTo(1.0, EPS);
        assertThat(s.ar100()).isCloseTo(1.0, EPS);
        // evalImg (area 'all'): regular gt first, crowd last; both crowd dets matched to gt index 0, ignored
        EvalImage e = ev.evalImage(1, CAT, 0);
        assertThat(e.gtIds()).containsExactly(1, 0);
        assertThat(e.gtIgnore()).containsExactly(false, true);
        assertThat(e.dtIds()).containsExactly(0, 1, 2);
        for (int t = 0; t < 10; t++) {
            assertThat(e.dtMatches()[t]).containsExactly(0, 0, 1);
            assertThat(e.dtIgnore()[t]).containsExactly(true, true, false);
        }
    }

    @Test
    void onlyCrowdGroundTruthGivesMinusOne() {
        CocoSummary s = eval(List.of(crowd(1, 0, 0, 100, 100)), List.of(dt(1, 10, 10, 20, 20, 0.9)));
        for (double v : s.stats()) {
            assertThat(v).isEqualTo(-1.0);
        }
    }

    @Test
    void regularMatchIsPreferredOverCrowd() {
        // det equal to the regular gt [0,0,10,10] also lies inside crowd [0,0,100,100] (crowd IoU 1.0). The scan
        // visits the regular gt first (IoU 1), then stops at the ignored crowd: a TP, AP = 1.
        // A second identical det finds the regular gt taken and goes to the crowd: ignored, not an FP.
        List<CocoGroundTruth> gts = List.of(crowd(1, 0, 0, 100, 100), gt(1, 0, 0, 10, 10));
        CocoSummary s = eval(gts, List.of(dt(1, 0, 0, 10, 10, 0.9), dt(1, 0, 0, 10, 10, 0.8)));
        assertThat(s.ap()).isCloseTo(1.0, EPS);
    }

    @Test
    void duplicateDetectionOfARegularGtIsAFalsePositive() {
        // gts A, B; dets: A (0.9), A again (0.8: A is taken and not a crowd -> FP), B (0.7).
        // TP, FP, TP -> AP = 253/303 as in falsePositiveBetweenTwoTruePositives
        CocoSummary s = eval(List.of(gt(1, 0, 0, 10, 10), gt(1, 20, 0, 10, 10)),
                List.of(dt(1, 0, 0, 10, 10, 0.9), dt(1, 0, 0, 10, 10, 0.8), dt(1, 20, 0, 10, 10, 0.7)));
        assertThat(s.ap()).isCloseTo(253.0 / 303, EPS);
    }

    @Test
    void bestIouWinsAndEqualIousGoToTheLaterGt() {
        // gts A [0,0,10,10], B [2,0,10,10]; det [1,0,10,10] has IoU 90/110 with both. pycocotools replaces the
        // candidate unless iou < best, so on a tie the later gt (B) wins.
        // det2 [0,0,10,10]: IoU 1 with A, 80/120 with B (taken anyway) -> A.
        List<CocoGroundTruth> gts = List.of(gt(1, 0, 0, 10, 10), gt(1, 2, 0, 10, 10));
        CocoEvaluator ev = new CocoEvaluator(IouType.BBOX, gts,
                List.of(dt(1, 1, 0, 10, 10, 0.9), dt(1, 0, 0, 10, 10, 0.8)));
        ev.evaluate();
        EvalImage e = ev.evalImage(1, CAT, 0);
        assertThat(e.dtMatches()[0]).containsExactly(1, 0);
        assertThat(e.gtMatches()[0]).containsExactly(1, 0);
        // at 0.85 (> 90/110 = 0.818) det1 matches nothing; det2 still gets A
        assertThat(e.dtMatches()[7]).containsExactly(-1, 0);
        // best, not first: det [0,0,10,9] has IoU 90/100 with A and 72/118 with B -> A, listed first or not
        CocoEvaluator ev2 = new CocoEvaluator(IouType.BBOX, List.of(gt(1, 2, 0, 10, 10), gt(1, 0, 0, 10, 10)),
                List.of(dt(1, 0, 0, 10, 9, 0.9)));
        ev2.evaluate();
        assertThat(ev2.evalImage(1, CAT, 0).dtMatches()[0]).containsExactly(1);
        assertThat(ev2.ious(1, CAT)[0]).containsExactly(72.0 / 118, 0.9);
    }

    @Test
    void areaRanges() {
        // small gt (area 100) and large gt (area 10000) with perfect dets (0.8, 0.7), plus an unmatched medium
        // det (40x40 = 1600) scored 0.9.
        // all: FP, TP, TP -> AP = 2/3 (see falsePositiveFirst), AR = 1.
        // small: large gt ignored and its det matched to it -> ignored; medium FP unmatched, area outside -> ignored
        //   -> one TP -> AP_S = 1, AR_S = 1. large: likewise AP_L = AR_L = 1. medium: no gt -> -1.
        // AR@1: per image only the top det (the FP) -> 0; AR@10 = 1.
        List<CocoGroundTruth> gts = List.of(gt(1, 0, 0, 10, 10), gt(1, 100, 100, 100, 100));
        List<CocoDetection> dts = List.of(dt(1, 500, 500, 40, 40, 0.9), dt(1, 0, 0, 10, 10, 0.8),
                dt(1, 100, 100, 100, 100, 0.7));
        assertStats(eval(gts, dts), new double[] {2.0 / 3, 2.0 / 3, 2.0 / 3, 1, -1, 1, 0, 1, 1, 1, -1, 1});
    }

    @Test
    void gtAreaFieldDecidesTheRangeNotTheBox() {
        // a 10x10 box annotated with area 2000 counts as medium (32^2 <= 2000 <= 96^2), not small
        CocoGroundTruth g = CocoGroundTruth.ofBox(1, CAT, new double[] {0, 0, 10, 10}, 2000, false);
        CocoSummary s = eval(List.of(g), List.of(dt(1, 0, 0, 10, 10, 0.9)));
        // small: gt ignored, det matched to it -> ignored; npig = 0 -> -1. The det (area 100) counts in medium.
        assertStats(s, new double[] {1, 1, 1, -1, 1, -1, 1, 1, 1, -1, 1, -1});
    }

    @Test
    void areaRangeBoundsAreInclusive() {
        // area exactly 32^2 = 1024 is both small and medium
        CocoSummary s = eval(List.of(gt(1, 0, 0, 32, 32)), List.of(dt(1, 0, 0, 32, 32, 0.9)));
        assertStats(s, new double[] {1, 1, 1, 1, 1, -1, 1, 1, 1, 1, 1, -1});
    }

    @Test
    void scoreTiesKeepInputOrderWithinAnImage() {
        // equal scores, FP listed first: FP, TP -> pr = [0, .5] -> envelope [.5, .5] -> AP = 0.5
        List<CocoGroundTruth> gts = List.of(gt(1, 0, 0, 10, 10));
        CocoSummary fpFirst = eval(gts, List.of(dt(1, 50, 50, 10, 10, 0.5), dt(1, 0, 0, 10, 10, 0.5)));
        assertThat(fpFirst.ap()).isCloseTo(0.5, EPS);
        // TP listed first: TP, FP -> pr = [1, .5], rc = [1, 1] -> every r -> index 0 -> AP = 1
        CocoSummary tpFirst = eval(gts, List.of(dt(1, 0, 0, 10, 10, 0.5), dt(1, 50, 50, 10, 10, 0.5)));
        assertThat(tpFirst.ap()).isCloseTo(1.0, EPS);
    }

    @Test
    void scoreTiesAcrossImagesFollowImageIdOrder() {
        // image 1: TP at 0.5; image 2: gt-less FP at 0.5. Pooled in image-id order (not input order):
        // TP, FP -> AP = 1 (rc = [1, 1])
        List<CocoGroundTruth> gts = List.of(gt(1, 0, 0, 10, 10));
        CocoSummary a = eval(gts, List.of(dt(2, 0, 0, 10, 10, 0.5), dt(1, 0, 0, 10, 10, 0.5)));
        assertThat(a.ap()).isCloseTo(1.0, EPS);
        // swap roles: image 1 FP, image 2 TP -> FP, TP -> AP = 0.5
        CocoSummary b = eval(List.of(gt(2, 0, 0, 10, 10)),
                List.of(dt(2, 0, 0, 10, 10, 0.5), dt(1, 0, 0, 10, 10, 0.5)));
        assertThat(b.ap()).isCloseTo(0.5, EPS);
    }

    @Test
    void imageWithOnlyDetectionsContributesFalsePositives() {
        // image 2 has no gt: its det is an FP. Scored above the TP: FP, TP -> AP = 0.5; below: TP, FP -> AP = 1
        List<CocoGroundTruth> gts = List.of(gt(1, 0, 0, 10, 10));
        assertThat(eval(gts, List.of(dt(1, 0, 0, 10, 10, 0.9), dt(2, 0, 0, 10, 10, 0.95))).ap()).isCloseTo(0.5, EPS);
        assertThat(eval(gts, List.of(dt(1, 0, 0, 10, 10, 0.9), dt(2, 0, 0, 10, 10, 0.5))).ap()).isCloseTo(1.0, EPS);
    }

    @Test
    void imageWithOnlyGroundTruthLowersRecall() {
        // image 1 found, image 2's gt missed: npig = 2, tp = [1], rc = [.5], pr = [1].
        // r = 0..0.5 (51 thresholds) -> 1, r > 0.5 -> past the end -> 0. AP = 51/101, AR = 0.5
        CocoSummary s = eval(List.of(gt(1, 0, 0, 10, 10), gt(2, 0, 0, 10, 10)), List.of(dt(1, 0, 0, 10, 10, 0.9)));
        assertThat(s.ap()).isCloseTo(51.0 / 101, EPS);
        assertThat(s.ar100()).isCloseTo(0.5, EPS);
    }

    @Test
    void gtsButNoDetectionsGiveZeroNotMinusOne() {
        // nd = 0: precision stays 0 at every recall threshold and recall is 0 (pycocotools), not -1
        CocoSummary s = eval(List.of(gt(1, 0, 0, 10, 10)), List.of());
        assertStats(s, new double[] {0, 0, 0, 0, -1, -1, 0, 0, 0, 0, -1, -1});
    }

    @Test
    void emptyEvaluationIsAllMinusOne() {
        CocoSummary s = eval(List.of(), List.of());
        assertThat(s.stats()).containsOnly(-1.0);
        assertThat(s.lines()).hasSize(12).allMatch(l -> l.endsWith(" = -1.000"));
        // detections without any gt: no non-ignored gt anywhere -> -1 as well
        assertThat(eval(List.of(), List.of(dt(1, 0, 0, 10, 10, 0.9))).stats()).containsOnly(-1.0);
    }

    @Test
    void imagesWithoutAnnotationsChangeNothing() {
        List<CocoGroundTruth> gts = List.of(gt(1, 0, 0, 10, 10), gt(2, 20, 0, 10, 10));
        List<CocoDetection> dts = List.of(dt(1, 0, 0, 10, 10, 0.9), dt(1, 50, 50, 10, 10, 0.8));
        double[] base = eval(gts, dts).stats();
        CocoEvaluator ev = new CocoEvaluator(IouType.BBOX, gts, dts,
                CocoParams.defaults().withImageIds(5, 1, 2, 3, 1).withCategoryIds(1, 7));
        assertThat(ev.run().stats()).containsExactly(base);
        assertThat(ev.imageIds()).containsExactly(1, 2, 3, 5);
        assertThat(ev.evalImage(3, CAT, 0)).isNull();
        assertThat(ev.evalImage(1, 7, 0)).isNull();
    }

    @Test
    void imageIdsRestrictTheEvaluation() {
        // only image 1: its TP; image 2's FP and missed gt are left out -> AP = 1
        List<CocoGroundTruth> gts = List.of(gt(1, 0, 0, 10, 10), gt(2, 0, 0, 10, 10));
        List<CocoDetection> dts = List.of(dt(1, 0, 0, 10, 10, 0.5), dt(2, 50, 50, 10, 10, 0.9));
        CocoSummary s = new CocoEvaluator(IouType.BBOX, gts, dts, CocoParams.defaults().withImageIds(1)).run();
        assertThat(s.ap()).isCloseTo(1.0, EPS);
    }

    @Test
    void maxDetsTruncation() {
        // one gt, two FPs scored above the TP. AR@1 sees only the first FP -> 0; AR@10 = AR@100 = 1.
        // AP: tp = [0,0,1], fp = [1,2,2], pr = [0,0,1/3] -> envelope 1/3 everywhere -> AP = 1/3
        CocoSummary s = eval(List.of(gt(1, 0, 0, 10, 10)), List.of(dt(1, 50, 50, 10, 10, 0.9),
                dt(1, 70, 70, 10, 10, 0.8), dt(1, 0, 0, 10, 10, 0.7)));
        assertThat(s.ap()).isCloseTo(1.0 / 3, EPS);
        assertThat(s.stat(6)).isZero();
        assertThat(s.stat(7)).isCloseTo(1.0, EPS);
        assertThat(s.stat(8)).isCloseTo(1.0, EPS);
    }

    @Test
    void detectionsBeyondTheHundredthPerImageAreDropped() {
        // 100 FPs scored 0.5..0.99 and the TP at 0.1: the per-image cut at maxDets[-1] = 100 drops the TP
        // before matching -> rc all 0 -> AP = 0 and AR = 0 (not -1: there is a gt)
        List<CocoDetection> dts = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            dts.add(dt(1, 1000 + 20 * i, 0, 10, 10, 0.5 + i * 0.0049));
        }
        dts.add(dt(1, 0, 0, 10, 10, 0.1));
        CocoEvaluator ev = new CocoEvaluator(IouType.BBOX, List.of(gt(1, 0, 0, 10, 10)), dts);
        CocoSummary s = ev.run();
        assertThat(s.ap()).isZero();
        assertThat(s.ar100()).isZero();
        assertThat(ev.evalImage(1, CAT, 0).dtIds()).hasSize(100).doesNotContain(100);
        // with 101 allowed the TP is last: tp = 1 only at index 100, rc = [0..0, 1], pr[100] = 1/101, envelope
        // 1/101 everywhere -> AP = 1/101
        CocoSummary s2 = new CocoEvaluator(IouType.BBOX, List.of(gt(1, 0, 0, 10, 10)), dts,
                CocoParams.defaults().withMaxDets(1, 10, 101)).run();
        assertThat(s2.stat(1)).isCloseTo(1.0 / 101, EPS);
        // the first AP line uses maxDets=100 literally (pycocotools) -> not present -> -1
        assertThat(s2.ap()).isEqualTo(-1.0);
        assertThat(s2.ar100()).isCloseTo(1.0, EPS);
    }

    @Test
    void categoriesAreEvaluatedSeparatelyAndAveraged() {
        // cat 1: perfect (AP 1). cat 2: one FP above one TP (AP 0.5). cat 3: dets only (no gt) -> -1, excluded.
        // mean over categories with data: AP = 0.75, AR = 1
        List<CocoGroundTruth> gts = List.of(gt(1, 0, 0, 10, 10),
                CocoGroundTruth.ofBox(1, 2, new double[] {0, 0, 10, 10}, 100, false));
        List<CocoDetection> dts = List.of(dt(1, 0, 0, 10, 10, 0.9),
                CocoDetection.ofBox(1, 2, new double[] {50, 50, 10, 10}, 0.9),
                CocoDetection.ofBox(1, 2, new double[] {0, 0, 10, 10}, 0.8),
                CocoDetection.ofBox(1, 3, new double[] {0, 0, 10, 10}, 0.99));
        CocoEvaluator ev = new CocoEvaluator(IouType.BBOX, gts, dts);
        CocoSummary s = ev.run();
        assertThat(s.ap()).isCloseTo(0.75, EPS);
        assertThat(s.ar100()).isCloseTo(1.0, EPS);
        assertThat(ev.categoryIds()).containsExactly(1, 2, 3);
        assertThat(ev.precision()[0][0][2][0][2]).isEqualTo(-1.0);
        assertThat(ev.recall()[0][2][0][2]).isEqualTo(-1.0);
        // a category's detection never matches another category's gt: cat 3's det on cat 1's box is not a TP
        assertThat(ev.recall()[0][0][0][2]).isCloseTo(1.0, EPS);
    }

    @Test
    void useCatsFalsePoolsCategories() {
        // Without categories everything in image 1 is one pool. gts (category order): gt0 (cat 1), gt1 (cat 2),
        // both [0,0,10,10]. Dets gathered in category order (d0; d1, d2; d3) then stably sorted by score:
        // d3 (0.99, [0,0,10,10]), d0 (0.9, [0,0,10,10]), d1 (0.9, [50,50,10,10]), d2 (0.8, [0,0,10,10]).
        // d3: IoU 1 with gt0 and gt1, the tie goes to the later gt1; d0 -> gt0; d1 -> FP; d2 -> FP (both taken).
        // tp = [1,2,2,2], fp = [0,0,1,2], rc = [.5,1,1,1], pr = [1,1,2/3,1/2] -> envelope [1,1,2/3,1/2]
        // every r <= 1 hits index 0 or 1 -> precision 1 -> AP = 1, AR = 1
        List<CocoGroundTruth> gts = List.of(gt(1, 0, 0, 10, 10),
                CocoGroundTruth.ofBox(1, 2, new double[] {0, 0, 10, 10}, 100, false));
        List<CocoDetection> dts = List.of(dt(1, 0, 0, 10, 10, 0.9),
                CocoDetection.ofBox(1, 2, new double[] {50, 50, 10, 10}, 0.9),
                CocoDetection.ofBox(1, 2, new double[] {0, 0, 10, 10}, 0.8),
                CocoDetection.ofBox(1, 3, new double[] {0, 0, 10, 10}, 0.99));
        CocoEvaluator ev = new CocoEvaluator(IouType.BBOX, gts, dts, CocoParams.defaults().withUseCats(false));
        CocoSummary s = ev.run();
        assertThat(s.ap()).isCloseTo(1.0, EPS);
        EvalImage e = ev.evalImage(1, -1, 0);
        assertThat(e.categoryId()).isEqualTo(-1);
        // detections gathered by category (1, 2, 3) then stably sorted: 3 (0.99), 0 (0.9), 1 (0.9), 2 (0.8)
        assertThat(e.dtIds()).containsExactly(3, 0, 1, 2);
        assertThat(e.dtMatches()[0]).containsExactly(1, 0, -1, -1);
    }

    @Test
    void summaryLinesMatchPycocotoolsFormat() {
        List<CocoGroundTruth> gts = List.of(gt(1, 0, 0, 10, 10), gt(1, 100, 100, 100, 100));
        List<CocoDetection> dts = List.of(dt(1, 500, 500, 40, 40, 0.9), dt(1, 0, 0, 10, 10, 0.8),
                dt(1, 100, 100, 100, 100, 0.7));
        CocoSummary s = eval(gts, dts);
        assertThat(s.lines()).containsExactly(
                " Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.667",
                " Average Precision  (AP) @[ IoU=0.50      | area=   all | maxDets=100 ] = 0.667",
                " Average Precision  (AP) @[ IoU=0.75      | area=   all | maxDets=100 ] = 0.667",
                " Average Precision  (AP) @[ IoU=0.50:0.95 | area= small | maxDets=100 ] = 1.000",
                " Average Precision  (AP) @[ IoU=0.50:0.95 | area=medium | maxDets=100 ] = -1.000",
                " Average Precision  (AP) @[ IoU=0.50:0.95 | area= large | maxDets=100 ] = 1.000",
                " Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=  1 ] = 0.000",
                " Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets= 10 ] = 1.000",
                " Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 1.000",
                " Average Recall     (AR) @[ IoU=0.50:0.95 | area= small | maxDets=100 ] = 1.000",
                " Average Recall     (AR) @[ IoU=0.50:0.95 | area=medium | maxDets=100 ] = -1.000",
                " Average Recall     (AR) @[ IoU=0.50:0.95 | area= large | maxDets=100 ] = 1.000");
        assertThat(s.toString()).isEqualTo(String.join("\n", s.lines()));
    }

    @Test
    void precisionArrayShapeAndSampling() {
        // falsePositiveBetweenTwoTruePositives: precision 1 up to r = 0.50, then 2/(3 + 2^-52)
        CocoEvaluator ev = new CocoEvaluator(IouType.BBOX, List.of(gt(1, 0, 0, 10, 10), gt(1, 20, 0, 10, 10)),
                List.of(dt(1, 0, 0, 10, 10, 0.9), dt(1, 50, 50, 10, 10, 0.8), dt(1, 20, 0, 10, 10, 0.7)));
        ev.run();
        double[][][][][] p = ev.precision();
        assertThat(p).hasNumberOfRows(10);
        assertThat(p[0]).hasNumberOfRows(101);
        assertThat(p[0][0][0]).hasNumberOfRows(4);
        assertThat(p[0][0][0][0]).hasSize(3);
        assertThat(p[3][50][0][0][2]).isEqualTo(1 / (1 + Math.ulp(1.0)));
        assertThat(p[3][51][0][0][2]).isEqualTo(2 / (3 + Math.ulp(1.0)));
        // scores at which each sample was taken
        assertThat(ev.scores()[3][50][0][0][2]).isEqualTo(0.9);
        assertThat(ev.scores()[3][51][0][0][2]).isEqualTo(0.7);
        // maxDets = 1: only the TP(A) per image: rc = [.5], pr = [1] -> 1 up to r = .5, 0 after
        assertThat(p[0][50][0][0][0]).isEqualTo(1 / (1 + Math.ulp(1.0)));
        assertThat(p[0][51][0][0][0]).isZero();
        assertThat(ev.recall()[0][0][0][0]).isEqualTo(0.5);
    }

    @Test
    void misuseIsReported() {
        CocoEvaluator ev = new CocoEvaluator(IouType.BBOX, List.of(), List.of());
        assertThatThrownBy(ev::accumulate).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(ev::summarize).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new CocoEvaluator(IouType.BBOX, List.of(),
                List.of(new CocoDetection(1, 1, null, 0.5, null)))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CocoEvaluator(IouType.SEGM, List.of(gt(1, 0, 0, 1, 1)), List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    static void assertStats(CocoSummary s, double[] expected) {
        double[] actual = s.stats();
        for (int i = 0; i < 12; i++) {
            if (expected[i] == -1) {
                assertThat(actual[i]).as(CocoSummary.NAMES.get(i)).isEqualTo(-1.0);
            } else {
                assertThat(actual[i]).as(CocoSummary.NAMES.get(i)).isCloseTo(expected[i], EPS);
            }
        }
    }
}

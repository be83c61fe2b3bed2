package org.maskrcnn4j.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.maskrcnn4j.eval.CocoEvaluatorTest.EPS;
import static org.maskrcnn4j.eval.CocoEvaluatorTest.assertStats;
import static org.maskrcnn4j.eval.CocoIouTest.rect;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.maskrcnn4j.model.BinaryMask;

/** segm evaluation on hand-checked cases (same AP / AR arithmetic as {@link CocoEvaluatorTest}). */
class CocoEvaluatorSegmTest {
    static final int H = 100;
    static final int W = 100;

    static CocoSummary eval(List<CocoGroundTruth> gts, List<CocoDetection> dts) {
        return new CocoEvaluator(IouType.SEGM, gts, dts).run();
    }

    @Test
    void perfectMask() {
        BinaryMask m = rect(H, W, 10, 10, 15, 15); // 25 px: small
        CocoSummary s = eval(List.of(CocoGroundTruth.ofMask(1, 1, m, false)),
                List.of(CocoDetection.ofMask(1, 1, m, 0.9)));
        assertStats(s, new double[] {1, 1, 1, 1, -1, -1, 1, 1, 1, 1, -1, -1});
    }

    @Test
    void partialMaskMatchesSevenThresholds() {
        // gt 6x6 = 36 px, det its first 5 rows = 30 px: IoU 30/36 = 0.833 >= 0.50 .. 0.80 (7 thresholds), < 0.85
        // -> AP = 7 * 101 / 1010 = 0.7, AR = 0.7, AP50 = 1, AP75 = 1
        BinaryMask g = rect(H, W, 0, 0, 6, 6);
        BinaryMask d = rect(H, W, 0, 0, 5, 6);
        CocoSummary s = eval(List.of(CocoGroundTruth.ofMask(1, 1, g, false)),
                List.of(CocoDetection.ofMask(1, 1, d, 0.9)));
        assertThat(s.ap()).isCloseTo(0.7, EPS);
        assertThat(s.ar100()).isCloseTo(0.7, EPS);
        assertThat(s.ap50()).isCloseTo(1.0, EPS);
        assertThat(s.ap75()).isCloseTo(1.0, EPS);
    }

    @Test
    void maskIouNotBoxIou() {
        // gt: an L (column 0 rows 0-19 and row 19 cols 0-19, 39 px); det: the same box filled 20x20 = 400 px.
        // box IoU would be 1, mask IoU is 39/400 < 0.5: an FP -> AP = 0, AR = 0
        BinaryMask l = rect(H, W, 0, 0, 20, 1);
        java.util.BitSet bits = (java.util.BitSet) l.pixels().clone();
        bits.or(rect(H, W, 19, 0, 20, 20).pixels());
        BinaryMask g = new BinaryMask(H, W, bits);
        assertThat(g.area()).isEqualTo(39);
        CocoSummary s = eval(List.of(CocoGroundTruth.ofMask(1, 1, g, false)),
                List.of(CocoDetection.ofMask(1, 1, rect(H, W, 0, 0, 20, 20), 0.9)));
        assertThat(s.ap()).isZero();
        assertThat(s.ar100()).isZero();
    }

    @Test
    void crowdMaskIgnoresDetectionsInsideIt() {
        // crowd = left half; an FP-looking det inside it (crowd IoU = inter / det area = 1) scored first, then
        // a perfect det of a regular gt: the first is ignored -> TP only -> AP = 1
        BinaryMask crowd = rect(H, W, 0, 0, H, 50);
        BinaryMask g = rect(H, W, 0, 60, 10, 70);
        CocoSummary s = eval(
                List.of(CocoGroundTruth.ofMask(1, 1, crowd, true), CocoGroundTruth.ofMask(1, 1, g, false)),
                List.of(CocoDetection.ofMask(1, 1, rect(H, W, 5, 5, 15, 15), 0.9), CocoDetection.ofMask(1, 1, g, 0.5)));
        assertThat(s.ap()).isCloseTo(1.0, EPS);
    }

    @Test
    void detectionAreaIsTheMaskAreaForSegm() {
        // small gt (25 px) with a perfect det at 0.5, and an unmatched det at 0.9 whose box says area 1 but whose
        // mask has 50 * 40 = 2000 px (medium).
        // all: FP, TP -> AP = 0.5. small: the FP is unmatched with area 2000 outside [0, 1024] -> ignored -> AP_S = 1
        // (had the box area been used it would be small and an FP: AP_S = 0.5). AR@1 (area all): only the FP -> 0
        BinaryMask g = rect(H, W, 0, 0, 5, 5);
        CocoDetection big = new CocoDetection(1, 1, new double[] {90, 90, 1, 1}, 0.9, rect(H, W, 50, 50, 100, 90));
        CocoSummary s = eval(List.of(CocoGroundTruth.ofMask(1, 1, g, false)),
                List.of(big, CocoDetection.ofMask(1, 1, g, 0.5)));
        assertStats(s, new double[] {0.5, 0.5, 0.5, 1, -1, -1, 0, 1, 1, 1, -1, -1});
    }

    @Test
    void gtAreaComesFromTheAnnotation() {
        // mask of 25 px annotated with area 5000 (medium, as a polygon's area may differ from its mask's)
        BinaryMask m = rect(H, W, 0, 0, 5, 5);
        CocoGroundTruth g = new CocoGroundTruth(1, 1, null, 5000, false, m);
        CocoSummary s = eval(List.of(g), List.of(CocoDetection.ofMask(1, 1, m, 0.9)));
        // small: gt ignored, det matched to it -> ignored -> -1; medium: gt counted, det matched -> 1
        assertStats(s, new double[] {1, 1, 1, -1, 1, -1, 1, 1, 1, -1, 1, -1});
    }
}

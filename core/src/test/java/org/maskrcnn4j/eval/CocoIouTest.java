package org.maskrcnn4j.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.BitSet;
import org.junit.jupiter.api.Test;
import org.maskrcnn4j.model.BinaryMask;

class CocoIouTest {
    /** A {@code h x w} mask with the rectangle rows {@code [y0, y1)}, columns {@code [x0, x1)} set. */
    static BinaryMask rect(int h, int w, int y0, int x0, int y1, int x1) {
        BitSet bits = new BitSet(h * w);
        for (int y = y0; y < y1; y++) {
            bits.set(y * w + x0, y * w + x1);
        }
        return new BinaryMask(h, w, bits);
    }

    @Test
    void boxIouIsInterOverUnionInXywh() {
        // [0,0,10,10] vs [5,0,10,10]: inter 5*10 = 50, union 100 + 100 - 50 = 150
        assertThat(CocoIou.bbox(new double[] {5, 0, 10, 10}, new double[] {0, 0, 10, 10}, false)).isEqualTo(50.0 / 150);
        // identical
        assertThat(CocoIou.bbox(new double[] {1, 2, 3, 4}, new double[] {1, 2, 3, 4}, false)).isEqualTo(1.0);
        // [0,0,10,6] inside [0,0,10,10]: 60 / 100
        assertThat(CocoIou.bbox(new double[] {0, 0, 10, 6}, new double[] {0, 0, 10, 10}, false)).isEqualTo(0.6);
    }

    @Test
    void touchingOrDisjointBoxesGiveZero() {
        assertThat(CocoIou.bbox(new double[] {10, 0, 5, 5}, new double[] {0, 0, 10, 10}, false)).isZero();
        assertThat(CocoIou.bbox(new double[] {0, 10, 5, 5}, new double[] {0, 0, 10, 10}, false)).isZero();
        assertThat(CocoIou.bbox(new double[] {20, 20, 5, 5}, new double[] {0, 0, 10, 10}, true)).isZero();
    }

    @Test
    void crowdBoxIouIsInterOverDetectionArea() {
        // det [90,90,20,20] (area 400) on crowd [0,0,100,100]: inter 10*10 = 100 -> 100 / 400
        assertThat(CocoIou.bbox(new double[] {90, 90, 20, 20}, new double[] {0, 0, 100, 100}, true)).isEqualTo(0.25);
        // fully inside the crowd region: 1, however small the detection
        assertThat(CocoIou.bbox(new double[] {10, 10, 2, 2}, new double[] {0, 0, 100, 100}, true)).isEqualTo(1.0);
        // not symmetric: crowd is only the gt side
        assertThat(CocoIou.bbox(new double[] {10, 10, 2, 2}, new double[] {0, 0, 100, 100}, false))
                .isEqualTo(4.0 / 10000);
    }

    @Test
    void maskIouCountsPixels() {
        // gt rows 0-5 x cols 0-5 (36 px), det rows 0-4 x cols 0-5 (30 px, inside): 30 / 36
        BinaryMask gt = rect(10, 10, 0, 0, 6, 6);
        BinaryMask dt = rect(10, 10, 0, 0, 5, 6);
        assertThat(CocoIou.mask(dt, gt, false)).isEqualTo(30.0 / 36);
        // partial: det rows 3-8 x cols 3-8 (36 px), inter rows 3-5 x cols 3-5 = 9 px, union 36 + 36 - 9 = 63
        assertThat(CocoIou.mask(rect(10, 10, 3, 3, 9, 9), gt, false)).isEqualTo(9.0 / 63);
    }

    @Test
    void crowdMaskIouIsInterOverDetectionArea() {
        BinaryMask crowd = rect(10, 10, 0, 0, 10, 5); // left half
        BinaryMask dt = rect(10, 10, 0, 3, 4, 7); // 4x4 = 16 px, cols 3-4 inside: 8 px
        assertThat(CocoIou.mask(dt, crowd, true)).isEqualTo(0.5);
        assertThat(CocoIou.mask(dt, crowd, false)).isEqualTo(8.0 / (16 + 50 - 8));
    }

    @Test
    void maskEdgeCases() {
        BinaryMask gt = rect(10, 10, 0, 0, 4, 4);
        // empty detection mask: 0
        assertThat(CocoIou.mask(new BinaryMask(10, 10, new BitSet()), gt, false)).isZero();
        // overlapping boxes but no common pixel (an L shape around a square): 0
        BitSet l = new BitSet();
        l.set(0 * 10 + 5); // (0,5)
        l.set(5 * 10 + 0); // (5,0)
        assertThat(CocoIou.mask(new BinaryMask(10, 10, l), rect(10, 10, 1, 1, 4, 4), false)).isZero();
        // different sizes: -1 when the tight boxes overlap (rleIou), 0 when they do not
        assertThat(CocoIou.mask(rect(12, 12, 0, 0, 4, 4), gt, false)).isEqualTo(-1.0);
        assertThat(CocoIou.mask(rect(12, 12, 8, 8, 12, 12), gt, false)).isZero();
    }

    @Test
    void maskBoxIsTheTightBox() {
        assertThat(CocoIou.maskBox(rect(10, 8, 2, 3, 5, 7))).containsExactly(3, 2, 4, 3);
        assertThat(CocoIou.maskBox(new BinaryMask(4, 4, new BitSet()))).containsExactly(0, 0, 0, 0);
        BitSet two = new BitSet();
        two.set(1 * 6 + 4); // (1,4)
        two.set(3 * 6 + 1); // (3,1)
        assertThat(CocoIou.maskBox(new BinaryMask(5, 6, two))).containsExactly(1, 1, 4, 3);
    }
}

package org.maskrcnn4j.eval;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NumpyCompatTest {
    @Test
    void defaultThresholdsAreNumpysLinspaceDoubles() {
        CocoParams p = CocoParams.defaults();
        // np.linspace(.5, 0.95, 10) prints [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.8999999999999999, 0.95]
        assertThat(p.iouThresholds()).containsExactly(0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.8999999999999999,
                0.95);
        double[] r = p.recallThresholds();
        assertThat(r).hasSize(101);
        assertThat(r[0]).isEqualTo(0.0);
        assertThat(r[50]).isEqualTo(0.5);
        assertThat(r[100]).isEqualTo(1.0);
        // np.linspace(0, 1, 101)[i] is i * 0.01, which is not i / 100 for e.g. i = 35
        assertThat(r[35]).isEqualTo(35 * 0.01).isNotEqualTo(0.35);
        assertThat(p.maxDets()).containsExactly(1, 10, 100);
        assertThat(p.areaRanges()).extracting(AreaRange::label).containsExactly("all", "small", "medium", "large");
    }

    @Test
    void stableDescendingArgsort() {
        double[] s = {0.5, 0.9, 0.5, 0.9, 0.1, 0.5};
        assertThat(NumpyCompat.argsortDescendingStable(s, s.length)).containsExactly(1, 3, 0, 2, 5, 4);
        // -0.0 and 0.0 tie (numpy compares them equal)
        assertThat(NumpyCompat.argsortDescendingStable(new double[] {0.0, -0.0, 0.0}, 3)).containsExactly(0, 1, 2);
        // many ties keep input order
        double[] many = new double[1000];
        int[] idx = NumpyCompat.argsortDescendingStable(many, many.length);
        for (int i = 0; i < idx.length; i++) {
            assertThat(idx[i]).isEqualTo(i);
        }
    }

    @Test
    void searchsortedLeft() {
        double[] rc = {0.0, 0.5, 0.5, 1.0};
        assertThat(NumpyCompat.searchsortedLeft(rc, 4, 0.0)).isEqualTo(0);
        assertThat(NumpyCompat.searchsortedLeft(rc, 4, 0.5)).isEqualTo(1);
        assertThat(NumpyCompat.searchsortedLeft(rc, 4, 0.51)).isEqualTo(3);
        assertThat(NumpyCompat.searchsortedLeft(rc, 3, 0.51)).isEqualTo(3);
        assertThat(NumpyCompat.searchsortedLeft(rc, 0, 0.0)).isEqualTo(0);
    }

    @Test
    void pythonFixedFormatRoundsTheExactBinaryValueHalfEven() {
        // Python: '{:0.3f}'.format(x) for x = 0.0625, 0.1235, 2/3, -1, 0.0005 -> 0.062 0.123 0.667 -1.000 0.001
        assertThat(NumpyCompat.fixed(0.0625, 3)).isEqualTo("0.062");
        assertThat(NumpyCompat.fixed(0.1235, 3)).isEqualTo("0.123");
        assertThat(NumpyCompat.fixed(2.0 / 3, 3)).isEqualTo("0.667");
        assertThat(NumpyCompat.fixed(-1, 3)).isEqualTo("-1.000");
        assertThat(NumpyCompat.fixed(0.0005, 3)).isEqualTo("0.001");
        assertThat(NumpyCompat.fixed(0.95, 2)).isEqualTo("0.95");
    }

    @Test
    void meanIsPairwise() {
        // small arrays: a plain left-to-right sum
        assertThat(NumpyCompat.mean(new double[] {1, 2, 3, 4}, 4)).isEqualTo(2.5);
        // 0.1 ten times: numpy's 8-accumulator unrolling gives 1.0 exactly ((0.1+0.1)*4 + 0.1 + 0.1),
        // where a naive running sum gives 0.9999999999999999
        double[] tenths = new double[10];
        java.util.Arrays.fill(tenths, 0.1);
        double naive = 0;
        for (double v : tenths) {
            naive += v;
        }
        assertThat(naive).isEqualTo(0.9999999999999999);
        assertThat(NumpyCompat.pairwiseSum(tenths, 0, 10)).isEqualTo(1.0);
    }
}

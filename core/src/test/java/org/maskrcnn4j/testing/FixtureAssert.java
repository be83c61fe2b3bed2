package org.maskrcnn4j.testing;

import static org.assertj.core.api.Assertions.assertThat;

/** Element-wise comparison of a reference result with a stored fixture, reporting the worst element. */
public final class FixtureAssert {
    private FixtureAssert() {
    }

    /** Asserts {@code |actual - expected| <= atol + rtol * |expected|} element-wise; returns the max abs diff. */
    public static double assertClose(String what, double[] actual, double[] expected, double atol, double rtol) {
        assertThat(actual).as("%s: element count", what).hasSameSizeAs(expected);
        double maxDiff = 0;
        int worst = -1;
        double worstExcess = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < expected.length; i++) {
            double diff = Math.abs(actual[i] - expected[i]);
            if (Double.isNaN(diff) && !(Double.isNaN(actual[i]) && Double.isNaN(expected[i]))) {
                diff = Double.POSITIVE_INFINITY;
            } else if (Double.isNaN(diff)) {
                diff = 0;
            }
            maxDiff = Math.max(maxDiff, diff);
            double excess = diff - (atol + rtol * Math.abs(expected[i]));
            if (excess > worstExcess) {
                worstExcess = excess;
                worst = i;
            }
        }
        if (worst >= 0 && worstExcess > 0) {
            throw new AssertionError(String.format("%s: element %d is %.9g, expected %.9g (atol %g, rtol %g);"
                    + " max abs diff %.3g", what, worst, actual[worst], expected[worst], atol, rtol, maxDiff));
        }
        return maxDiff;
    }
}

package org.maskrcnn4j.examples.bench;

import java.util.Arrays;
import java.util.List;

/** Median, minimum and maximum of timed runs, in milliseconds, with the runs themselves. */
public record Stats(double medianMs, double minMs, double maxMs, List<Double> runsMs) {
    public Stats {
        runsMs = List.copyOf(runsMs);
    }

    /** The statistics of {@code runsMs} (at least one); an even count's median is the mean of the middle two. */
    public static Stats of(List<Double> runsMs) {
        if (runsMs.isEmpty()) {
            throw new IllegalArgumentException("no runs");
        }
        double[] s = runsMs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = s.length;
        double median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
        return new Stats(median, s[0], s[n - 1], runsMs);
    }

    public static Stats of(double... runsMs) {
        return of(Arrays.stream(runsMs).boxed().toList());
    }
}

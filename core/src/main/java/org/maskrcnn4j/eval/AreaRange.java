package org.maskrcnn4j.eval;

import java.util.List;
import java.util.Objects;

/**
 * An object-area range {@code [min, max]} (both ends inclusive, as pycocotools) with its label.
 *
 * @param label the name used by the summary ({@code "all"}, {@code "small"}, {@code "medium"}, {@code "large"})
 * @param min smallest area in range
 * @param max largest area in range
 */
public record AreaRange(String label, double min, double max) {
    /** {@code [0, 1e5^2]}. */
    public static final AreaRange ALL = new AreaRange("all", 0, 1e10);
    /** {@code [0, 32^2]}. */
    public static final AreaRange SMALL = new AreaRange("small", 0, 32 * 32);
    /** {@code [32^2, 96^2]}. */
    public static final AreaRange MEDIUM = new AreaRange("medium", 32 * 32, 96 * 96);
    /** {@code [96^2, 1e5^2]}. */
    public static final AreaRange LARGE = new AreaRange("large", 96 * 96, 1e10);
    /** pycocotools' defaults, in order: all, small, medium, large. */
    public static final List<AreaRange> DEFAULTS = List.of(ALL, SMALL, MEDIUM, LARGE);

    public AreaRange {
        Objects.requireNonNull(label, "label");
    }

    /** Whether {@code area} is outside {@code [min, max]} ({@code area < min || area > max}). */
    public boolean excludes(double area) {
        return area < min || area > max;
    }
}

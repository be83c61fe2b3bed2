package org.maskrcnn4j.eval;

import java.util.List;

/**
 * The 12 standard COCO numbers ({@code COCOeval.stats}) and the 12 lines pycocotools' {@code summarize()}
 * prints, in order: AP, AP50, AP75, AP small, AP medium, AP large, AR@1, AR@10, AR@100, AR small, AR medium,
 * AR large. A number is -1 where there is no data (no non-ignored ground truth in that setting).
 */
public final class CocoSummary {
    /** Short names of the 12 numbers, in order. */
    public static final List<String> NAMES =
            List.of("AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm", "ARl");

    private final double[] stats;
    private final List<String> lines;

    CocoSummary(double[] stats, List<String> lines) {
        this.stats = stats.clone();
        this.lines = List.copyOf(lines);
    }

    /** The 12 numbers ({@code COCOeval.stats}). */
    public double[] stats() {
        return stats.clone();
    }

    /** Number {@code i} (0 to 11) in {@link #NAMES} order. */
    public double stat(int i) {
        return stats[i];
    }

    /** AP at IoU 0.50:0.95, all areas, 100 detections. */
    public double ap() {
        return stats[0];
    }

    /** AP at IoU 0.50. */
    public double ap50() {
        return stats[1];
    }

    /** AP at IoU 0.75. */
    public double ap75() {
        return stats[2];
    }

    /** AR at IoU 0.50:0.95, all areas, 100 detections. */
    public double ar100() {
        return stats[8];
    }

    /**
     * The printed lines, e.g.
     * {@code " Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.361"}.
     */
    public List<String> lines() {
        return lines;
    }

    /** The lines joined with {@code '\n'}, as {@code summarize()} prints them. */
    @Override
    public String toString() {
        return String.join("\n", lines);
    }
}

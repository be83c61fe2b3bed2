package org.maskrcnn4j.examples.bench;

/**
 * One benchmark item of one engine: its timings (null when it failed, then {@code error} says why), a
 * check value to compare across engines (detections, kept boxes, sums), and the process's peak resident
 * memory (VmHWM) after the item, in MB (null when unknown).
 */
public record ItemResult(String item, Stats stats, String check, String error, Double peakRssMb) {

    public static ItemResult ok(String item, Stats stats, String check, Double peakRssMb) {
        return new ItemResult(item, stats, check, null, peakRssMb);
    }

    public static ItemResult failed(String item, String error, Double peakRssMb) {
        return new ItemResult(item, null, null, error, peakRssMb);
    }

    public boolean succeeded() {
        return stats != null && error == null;
    }
}

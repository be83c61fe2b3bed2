package org.maskrcnn4j.examples.bench;

import java.util.List;
import java.util.Map;

/**
 * One {@code maskrcnn bench} run: the machine, the settings, each backend's results, and with
 * {@code --compare} the torchvision baseline (null otherwise), where it came from, and the comparison.
 */
public record BenchReport(Map<String, Object> machine, Map<String, Object> settings, List<EngineResult> engines,
        EngineResult baseline, String baselineSource, Comparison comparison) {
    public BenchReport {
        machine = Map.copyOf(machine);
        settings = Map.copyOf(settings);
        engines = List.copyOf(engines);
    }
}

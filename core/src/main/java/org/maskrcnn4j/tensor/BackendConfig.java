package org.maskrcnn4j.tensor;

import java.util.Map;

/**
 * What a backend is created with: the device ({@code cpu}, {@code gpu:0}), intra-op threads (0 = all
 * available cores) and backend-specific options.
 */
public record BackendConfig(String device, int intraOpThreads, Map<String, String> options) {
    public BackendConfig {
        options = Map.copyOf(options);
        if (intraOpThreads < 0) {
            throw new IllegalArgumentException("intraOpThreads must be >= 0, got " + intraOpThreads);
        }
    }

    /** CPU, all cores, no options. */
    public static BackendConfig defaults() {
        return new BackendConfig("cpu", 0, Map.of());
    }

    /**
     * CPU with one intra-op and one inter-op thread: every reduction then sums in one fixed order, so two
     * runs with the same seed give bit-identical results on any machine (training is seeded throughout; with
     * more threads runs repeat on one machine but may differ between machines with other core counts).
     */
    public static BackendConfig deterministic() {
        return new BackendConfig("cpu", 1, Map.of("interOpThreads", "1"));
    }

    /** Threads to use: the configured number or the available processors. */
    public int threads() {
        return intraOpThreads > 0 ? intraOpThreads : Runtime.getRuntime().availableProcessors();
    }
}

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

    /** Threads to use: the configured number or the available processors. */
    public int threads() {
        return intraOpThreads > 0 ? intraOpThreads : Runtime.getRuntime().availableProcessors();
    }
}

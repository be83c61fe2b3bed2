package org.maskrcnn4j.examples.bench;

import java.util.List;
import java.util.Map;

/**
 * Everything measured for one engine (a maskrcnn4j backend or torchvision): its environment (threads,
 * allocator, BLAS and other native libraries, sgemm GFLOP/s), its items and its peak resident memory.
 * {@code error} is set when the engine could not run at all. The JSON form is shared with
 * {@code bench/torchvision_baseline.py}.
 */
public record EngineResult(String engine, String version, int threads, String allocator, boolean jemalloc,
        String ldPreload, String mallocConf, String blasInfo, List<String> blasLibs, Double sgemmGflops,
        Double peakRssMb, List<ItemResult> items, String error, Map<String, Object> settings) {

    public EngineResult {
        blasLibs = blasLibs == null ? List.of() : List.copyOf(blasLibs);
        items = items == null ? List.of() : List.copyOf(items);
        settings = settings == null ? Map.of() : Map.copyOf(settings);
    }

    /** An engine that did not run, with the reason. */
    public static EngineResult failed(String engine, String error) {
        return new EngineResult(engine, "", 0, "", false, "", "", "", List.of(), null, null, List.of(), error,
                Map.of());
    }

    /** The item called {@code name}, or null. */
    public ItemResult item(String name) {
        for (ItemResult r : items) {
            if (r.item().equals(name)) {
                return r;
            }
        }
        return null;
    }
}

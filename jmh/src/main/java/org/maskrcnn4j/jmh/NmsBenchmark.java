package org.maskrcnn4j.jmh;

import java.util.Map;
import org.maskrcnn4j.examples.bench.Workloads;
import org.maskrcnn4j.tensor.Backend;
import org.maskrcnn4j.tensor.CompiledFunction;
import org.maskrcnn4j.tensor.HostTensor;
import org.openjdk.jmh.annotations.Benchmark;

/**
 * NMS of the 4000 boxes and scores of {@link Workloads#nmsBoxes} / {@link Workloads#nmsScores} at IoU 0.7 (the
 * RPN's threshold), as {@code maskrcnn bench}'s {@code nms_4000}: boxes and scores in, kept indices out.
 */
public class NmsBenchmark extends AbstractBackendBenchmark {
    private CompiledFunction nmsFn;
    private Map<String, HostTensor> boxesAndScores;

    @Override
    protected void prepare(Backend b) {
        boxesAndScores = Map.of("boxes", Workloads.nmsBoxes(), "scores", Workloads.nmsScores());
        nmsFn = b.compile(Workloads.nms());
        nmsFn.call(boxesAndScores);
    }

    /** The kept indices. */
    @Benchmark
    public Map<String, HostTensor> nms4000() {
        return nmsFn.call(boxesAndScores);
    }
}

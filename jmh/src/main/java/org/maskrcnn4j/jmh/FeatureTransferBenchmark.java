package org.maskrcnn4j.jmh;

import java.util.List;
import java.util.Map;
import org.maskrcnn4j.examples.bench.Workloads;
import org.maskrcnn4j.tensor.Backend;
import org.maskrcnn4j.tensor.CompiledFunction;
import org.maskrcnn4j.tensor.HostTensor;
import org.openjdk.jmh.annotations.Benchmark;

/**
 * The host transfers inside {@link RoiAlignBenchmark#forwardBackward} without the op: the gradient of
 * {@code sum(features)} with respect to {@link Workloads#roiFeatures}, 62 MB in and 62 MB out, so that the
 * op's own share of that benchmark can be read off (the {@code roi_align_transfer} item of {@code maskrcnn bench}).
 */
public class FeatureTransferBenchmark extends AbstractBackendBenchmark {
    private CompiledFunction gradientFn;
    private Map<String, HostTensor> features;

    @Override
    protected void prepare(Backend b) {
        features = Map.of("features", Workloads.roiFeatures());
        gradientFn = b.gradient(Workloads.featuresLoss(), List.of("features"));
        gradientFn.call(features);
    }

    /** {@code sum(features)} and its gradient, through {@link Backend#gradient}. */
    @Benchmark
    public Map<String, HostTensor> roiFeatures() {
        return gradientFn.call(features);
    }
}

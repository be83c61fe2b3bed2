package org.maskrcnn4j.jmh;

import java.util.List;
import java.util.Map;
import org.maskrcnn4j.examples.bench.Workloads;
import org.maskrcnn4j.tensor.Backend;
import org.maskrcnn4j.tensor.CompiledFunction;
import org.maskrcnn4j.tensor.HostTensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;

/**
 * RoIAlign as {@code maskrcnn bench} times it: 512 boxes ({@link Workloads#roiBoxes}) on the 1x256x200x304
 * map {@link Workloads#roiFeatures}, scale 1/4, sampling ratio 2, {@code output} x {@code output} bins.
 * {@link #forward} reads the features from a backend parameter, so only the boxes go in and a scalar comes
 * back; {@link #forwardBackward} goes through {@link Backend#gradient}, which takes the features and returns
 * their gradient as host tensors (62 MB each way; {@link FeatureTransferBenchmark} times that alone).
 */
public class RoiAlignBenchmark extends AbstractBackendBenchmark {
    /** Output bins per side: 7 for the box head, 14 for the mask head. */
    @Param({"7", "14"})
    public int output;

    private CompiledFunction forwardFn;
    private CompiledFunction forwardBackwardFn;
    private Map<String, HostTensor> rois;
    private Map<String, HostTensor> featuresAndRois;

    @Override
    protected void prepare(Backend b) {
        HostTensor features = Workloads.roiFeatures();
        HostTensor boxes = Workloads.roiBoxes();
        b.parameters().declare(Workloads.ROI_FEATURES_PARAMETER, features, false);
        rois = Map.of("rois", boxes);
        featuresAndRois = Map.of("features", features, "rois", boxes);
        forwardFn = b.compile(Workloads.roiAlignForward(output));
        forwardBackwardFn = b.gradient(Workloads.roiAlignLoss(output), List.of("features"));
        forwardFn.call(rois);
        forwardBackwardFn.call(featuresAndRois);
    }

    /** The sum of RoIAlign over the features held by the backend. */
    @Benchmark
    public Map<String, HostTensor> forward() {
        return forwardFn.call(rois);
    }

    /** That sum and its gradient with respect to the features, passed in and returned as host tensors. */
    @Benchmark
    public Map<String, HostTensor> forwardBackward() {
        return forwardBackwardFn.call(featuresAndRois);
    }
}

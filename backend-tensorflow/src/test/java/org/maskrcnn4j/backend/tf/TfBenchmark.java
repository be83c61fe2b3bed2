package org.maskrcnn4j.backend.tf;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.maskrcnn4j.io.FormulaWeights;
import org.maskrcnn4j.model.MaskRcnn;
import org.maskrcnn4j.model.MaskRcnnConfig;
import org.maskrcnn4j.model.MaskRcnnFactory;
import org.maskrcnn4j.nn.Parameter;
import org.maskrcnn4j.tensor.Backend;
import org.maskrcnn4j.tensor.BackendConfig;
import org.maskrcnn4j.tensor.CompiledFunction;
import org.maskrcnn4j.tensor.DType;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.Tensor;
import org.maskrcnn4j.testing.Fixtures;

/**
 * Times full-model inference on the TensorFlow backend, the first call (trace and run) apart from the later
 * ones, on the fixture image with the fixture's formula weights. Prints timings, asserts nothing. Run with
 * {@code -Dmaskrcnn4j.bench=true} (skipped otherwise). RoIAlign and the other ops are timed by the JMH
 * benchmarks of the {@code jmh} module (see {@code bench/README.md}).
 */
class TfBenchmark {

    @Test
    void timings() {
        assumeTrue(Boolean.getBoolean("maskrcnn4j.bench"), "benchmark: run with -Dmaskrcnn4j.bench=true");
        int threads = Integer.getInteger("maskrcnn4j.bench.threads", 0);
        String device = System.getProperty("maskrcnn4j.bench.device", "cpu");
        try (Backend backend = new TfBackendProvider().create(new BackendConfig(device, threads,
                Map.of("graphOptimizer", System.getProperty("maskrcnn4j.bench.graphOptimizer", "default"))))) {
            System.out.println("backend " + backend);
            fullModel(backend, Integer.getInteger("maskrcnn4j.bench.reps", 5));
        }
    }

    static void fullModel(Backend backend, int reps) {
        MaskRcnn model = new MaskRcnnFactory(MaskRcnnConfig.builder().boxScoreThreshold(0.01).build()).build();
        for (Parameter p : model.parameters()) {
            backend.parameters().declare(p.name(), FormulaWeights.fixtures().value(p.name(), p.shape()), false);
        }
        HostTensor image = Fixtures.open("full_model.safetensors").get("image");
        CompiledFunction detect = backend.compile((ops, in) -> {
            Tensor img = ops.div(ops.cast(in.get("image"), DType.FLOAT32), 255.0);
            return model.detect(ops, List.of(img)).get(0);
        });
        long t0 = System.nanoTime();
        Map<String, HostTensor> out = detect.call(Map.of("image", image));
        double first = (System.nanoTime() - t0) / 1e6;
        double best = time(detect, Map.of("image", image), reps);
        System.out.printf("full model (240x320 image -> 800x1088 batch, %d detections): first call (trace + run) "
                + "%.0f ms, then best of %d %.0f ms%n", out.get("labels").shape().get(0), first, reps, best);
    }

    static double time(CompiledFunction f, Map<String, HostTensor> in, int reps) {
        for (int i = 0; i < 2; i++) {
            f.call(in);
        }
        long best = Long.MAX_VALUE;
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            f.call(in);
            best = Math.min(best, System.nanoTime() - t0);
        }
        return reps == 0 ? 0 : best / 1e6;
    }
}

package org.maskrcnn4j.backend.tf;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
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
 * Times the TensorFlow backend: RoIAlign (512 boxes, 256 channels, 200x304 map, scale 1/4, sampling ratio 2;
 * the same case as the DJL benchmark) forward and forward+backward, and full-model inference on the fixture
 * image with the fixture's formula weights. Prints timings, asserts nothing. Run with
 * {@code -Dmaskrcnn4j.bench=true} (skipped otherwise); {@code -Dmaskrcnn4j.bench.part=roi|model} runs one part.
 */
class TfBenchmark {

    @Test
    void timings() {
        assumeTrue(Boolean.getBoolean("maskrcnn4j.bench"), "benchmark: run with -Dmaskrcnn4j.bench=true");
        String part = System.getProperty("maskrcnn4j.bench.part", "all");
        int threads = Integer.getInteger("maskrcnn4j.bench.threads", 0);
        String device = System.getProperty("maskrcnn4j.bench.device", "cpu");
        try (Backend backend = new TfBackendProvider().create(new BackendConfig(device, threads,
                Map.of("graphOptimizer", System.getProperty("maskrcnn4j.bench.graphOptimizer", "default"))))) {
            System.out.println("backend " + backend);
            if (!part.equals("model")) {
                roiAlign(backend, Integer.getInteger("maskrcnn4j.bench.reps", 5));
            }
            if (!part.equals("roi")) {
                fullModel(backend, Integer.getInteger("maskrcnn4j.bench.reps", 5));
            }
        }
    }

    static void roiAlign(Backend backend, int reps) {
        int boxes = 512;
        int c = 256;
        int h = 200;
        int w = 304;
        SplittableRandom rnd = new SplittableRandom(1);
        float[] features = new float[c * h * w];
        for (int i = 0; i < features.length; i++) {
            features[i] = (float) rnd.nextGaussian();
        }
        float[] rois = new float[boxes * 5];
        for (int i = 0; i < boxes; i++) {
            float bw = 16 + (float) rnd.nextDouble() * 400;
            float bh = 16 + (float) rnd.nextDouble() * 400;
            float x1 = (float) rnd.nextDouble() * (w * 4 - bw);
            float y1 = (float) rnd.nextDouble() * (h * 4 - bh);
            rois[i * 5 + 1] = x1;
            rois[i * 5 + 2] = y1;
            rois[i * 5 + 3] = x1 + bw;
            rois[i * 5 + 4] = y1 + bh;
        }
        Map<String, HostTensor> in = Map.of("f", HostTensor.ofFloats(features, 1, c, h, w), "r",
                HostTensor.ofFloats(rois, boxes, 5));
        System.out.printf("roiAlign: %d boxes, %dx%dx%d, scale 0.25, sr 2%n", boxes, c, h, w);
        for (int o : new int[] {7, 14}) {
            // the features are uploaded once per call in all three; the sum keeps the download small
            double base = time(backend.compile((ops, t) -> Map.of("s", ops.sum(t.get("f")))), in, reps);
            double fwd = time(backend.compile((ops, t) -> Map.of("s", ops.sum(ops.roiAlign(t.get("f"), t.get("r"), o,
                    o, 0.25, 2, false)))), in, reps);
            CompiledFunction grad = backend.gradient((ops, t) -> Map.of("value", ops.sum(ops.roiAlign(t.get("f"),
                    t.get("r"), o, o, 0.25, 2, false))), List.of("f"));
            double gradTime = time(grad, in, reps);
            System.out.printf("  %2dx%-2d forward %.1f ms, forward+backward (gradient() incl. the download of d/df) "
                    + "%.1f ms; upload+sum alone %.1f ms%n", o, o, fwd, gradTime, base);
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

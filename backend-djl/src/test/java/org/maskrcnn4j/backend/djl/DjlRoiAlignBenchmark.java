package org.maskrcnn4j.backend.djl;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.maskrcnn4j.tensor.Backend;
import org.maskrcnn4j.tensor.BackendConfig;
import org.maskrcnn4j.tensor.CompiledFunction;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.TensorFunction;

/**
 * Times RoIAlign (512 boxes, 256 channels, 200x304 map, scale 1/4, sampling ratio 2) forward and
 * forward+backward for 7x7 and 14x14. Prints timings, asserts nothing. Run with
 * {@code -Dmaskrcnn4j.bench=true} (skipped otherwise) or as a main program.
 */
class DjlRoiAlignBenchmark {

    @Test
    void roiAlignTimings() {
        assumeTrue(Boolean.getBoolean("maskrcnn4j.bench"), "benchmark: run with -Dmaskrcnn4j.bench=true");
        main(new String[0]);
    }

    public static void main(String[] args) {
        int boxes = 512;
        int c = 256;
        int h = 200;
        int w = 304;
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 10;
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
            rois[i * 5] = 0;
            rois[i * 5 + 1] = x1;
            rois[i * 5 + 2] = y1;
            rois[i * 5 + 3] = x1 + bw;
            rois[i * 5 + 4] = y1 + bh;
        }
        if (Boolean.getBoolean("maskrcnn4j.bench.sorted")) {
            Integer[] idx = new Integer[boxes];
            for (int i = 0; i < boxes; i++) {
                idx[i] = i;
            }
            java.util.Arrays.sort(idx, java.util.Comparator.comparingDouble(i -> Math.floor((rois[i * 5 + 2] + rois[i * 5 + 4]) / 64)
                    * 10000 + (rois[i * 5 + 1] + rois[i * 5 + 3]) / 2));
            float[] sorted = new float[rois.length];
            for (int i = 0; i < boxes; i++) {
                System.arraycopy(rois, idx[i] * 5, sorted, i * 5, 5);
            }
            System.arraycopy(sorted, 0, rois, 0, rois.length);
        }
        Map<String, HostTensor> in = Map.of("f", HostTensor.ofFloats(features, 1, c, h, w), "r",
                HostTensor.ofFloats(rois, boxes, 5));
        int threads = Integer.getInteger("maskrcnn4j.bench.threads", 0);
        try (Backend backend = new DjlBackendProvider().create(new BackendConfig("cpu", threads, Map.of()))) {
            System.out.printf("roiAlign on %d threads, %d boxes, %dx%dx%d, scale 0.25, sr 2%n",
                    ((DjlBackend) backend).threads(), boxes, c, h, w);
            for (int o : new int[] {7, 14}) {
                TensorFunction fwd = (ops, t) -> Map.of("s", ops.sum(ops.roiAlign(t.get("f"), t.get("r"), o, o, 0.25, 2,
                        false)));
                TensorFunction both = (ops, t) -> Map.of("value", ops.sum(ops.roiAlign(t.get("f"), t.get("r"), o, o,
                        0.25, 2, false)));
                CompiledFunction f1 = backend.compile(fwd);
                CompiledFunction f2 = backend.gradient(both, List.of("f"));
                // a forward-only function that does not transfer the big gradient back, to time the op itself
                double tf = time(f1, in, reps);
                double tb = time(f2, in, reps);
                double base = time(backend.compile((ops, t) -> Map.of("s", ops.sum(t.get("f")))), in, reps);
                double[] op = opOnly((DjlBackend) backend, in, o, reps);
                System.out.printf("  %2dx%-2d op only: forward %.1f ms, forward+backward %.1f ms;"
                        + " through compile()/gradient(): %.1f / %.1f ms (upload+sum alone %.1f ms)%n", o, o, op[0],
                        op[1], tf, tb, base);
            }
        }
    }

    /** The op alone: inputs already on the device, no host transfer of the result or gradient. */
    private static double[] opOnly(DjlBackend backend, Map<String, HostTensor> in, int o, int reps) {
        double fwd = Double.MAX_VALUE;
        double both = Double.MAX_VALUE;
        try (ai.djl.ndarray.NDManager scope = backendManager(backend).newSubManager()) {
            DjlOps ops = new DjlOps(backend, scope, false);
            org.maskrcnn4j.tensor.Tensor f = ops.constant(in.get("f"));
            org.maskrcnn4j.tensor.Tensor r = ops.constant(in.get("r"));
            for (int i = 0; i < reps + 3; i++) {
                try (ai.djl.ndarray.NDManager call = scope.newSubManager()) {
                    DjlOps c = new DjlOps(backend, call, false);
                    ai.djl.pytorch.jni.JniUtils.setGradMode(false);
                    DjlTensor ff = c.wrap(ai.djl.pytorch.jni.JniUtils.detachGradient(((DjlTensor) f).pt()));
                    DjlTensor rr = c.wrap(ai.djl.pytorch.jni.JniUtils.detachGradient(((DjlTensor) r).pt()));
                    long t0 = System.nanoTime();
                    ((DjlTensor) c.roiAlign(ff, rr, o, o, 0.25, 2, false)).pt().getShape();
                    long t1 = System.nanoTime();
                    ff.pt().setRequiresGradient(true);
                    try (ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getEngine("PyTorch")
                            .newGradientCollector()) {
                        long t2 = System.nanoTime();
                        gc.backward(((DjlTensor) c.sum(c.roiAlign(ff, rr, o, o, 0.25, 2, false))).pt());
                        ai.djl.pytorch.jni.JniUtils.getGradient(ff.pt()).attach(call);
                        long t3 = System.nanoTime();
                        if (i >= 3) {
                            fwd = Math.min(fwd, (t1 - t0) / 1e6);
                            both = Math.min(both, (t3 - t2) / 1e6);
                        }
                    }
                    ai.djl.pytorch.jni.JniUtils.setGradMode(false);
                }
            }
        }
        return new double[] {fwd, both};
    }

    private static ai.djl.ndarray.NDManager backendManager(DjlBackend backend) {
        try {
            java.lang.reflect.Field m = DjlBackend.class.getDeclaredField("manager");
            m.setAccessible(true);
            return (ai.djl.ndarray.NDManager) m.get(backend);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static double time(CompiledFunction f, Map<String, HostTensor> in, int reps) {
        for (int i = 0; i < 3; i++) {
            f.call(in);
        }
        long best = Long.MAX_VALUE;
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            f.call(in);
            best = Math.min(best, System.nanoTime() - t0);
        }
        return best / 1e6;
    }
}

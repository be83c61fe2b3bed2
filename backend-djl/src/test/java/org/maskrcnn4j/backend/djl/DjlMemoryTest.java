package org.maskrcnn4j.backend.djl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.maskrcnn4j.tensor.BackendConfig;
import org.maskrcnn4j.tensor.CompiledFunction;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.Optimizer;
import org.maskrcnn4j.tensor.TensorFunction;
import org.maskrcnn4j.tensor.TrainStep;

/**
 * Native memory stays flat across calls: after warm-up, 200 calls of roiAlign + nms through compile() (and
 * repeated gradient and training calls) leave the backend's long-lived manager with the same arrays and the
 * process's resident memory outside the Java heap within a small bound.
 */
class DjlMemoryTest {

    private static void assertFlat(String what, long mallocBefore, long mallocAfter, long rssBefore, long rssAfter) {
        if (mallocBefore >= 0) {
            // the C allocator's live bytes: exact, a leak of any tensor would show
            assertThat(mallocAfter - mallocBefore).as("%s: malloc'd bytes before %d, after %d", what, mallocBefore,
                    mallocAfter).isLessThan(32L << 20);
        }
        // resident memory outside the Java heap: coarse (the JVM's own structures move it by tens of MB)
        assertThat(rssAfter - rssBefore).as("%s: resident outside the heap before %d MB, after %d MB", what,
                rssBefore >> 20, rssAfter >> 20).isLessThan(160L << 20);
    }

    private static Map<String, HostTensor> inputs() {
        SplittableRandom rnd = new SplittableRandom(1);
        float[] feat = new float[2 * 64 * 50 * 76];
        for (int i = 0; i < feat.length; i++) {
            feat[i] = (float) rnd.nextGaussian();
        }
        int k = 256;
        float[] rois = new float[k * 5];
        float[] boxes = new float[k * 4];
        float[] scores = new float[k];
        for (int i = 0; i < k; i++) {
            float x = (float) (rnd.nextDouble() * 250);
            float y = (float) (rnd.nextDouble() * 150);
            float w = 10 + (float) (rnd.nextDouble() * 80);
            rois[i * 5] = i % 2;
            rois[i * 5 + 1] = boxes[i * 4] = x;
            rois[i * 5 + 2] = boxes[i * 4 + 1] = y;
            rois[i * 5 + 3] = boxes[i * 4 + 2] = x + w;
            rois[i * 5 + 4] = boxes[i * 4 + 3] = y + w;
            scores[i] = (float) rnd.nextDouble();
        }
        return Map.of("f", HostTensor.ofFloats(feat, 2, 64, 50, 76), "r", HostTensor.ofFloats(rois, k, 5),
                "b", HostTensor.ofFloats(boxes, k, 4), "s", HostTensor.ofFloats(scores, k));
    }

    @Test
    void repeatedRoiAlignAndNmsCallsLeaveNativeMemoryFlat() {
        Map<String, HostTensor> in = inputs();
        try (DjlBackend backend = (DjlBackend) new DjlBackendProvider().create(BackendConfig.defaults())) {
            backend.parameters().declare("mem.scale", HostTensor.ofFloats(new float[] {2f}, 1), true);
            TensorFunction fn = (ops, t) -> Map.of(
                    "pooled", ops.mean(ops.roiAlign(ops.mul(t.get("f"), ops.parameter("mem.scale")), t.get("r"), 7, 7,
                            0.25, 2, false)),
                    "masks", ops.sum(ops.roiAlign(t.get("f"), t.get("r"), 14, 14, 0.25, 0, true)),
                    "keep", ops.nms(t.get("b"), t.get("s"), 0.5),
                    "bkeep", ops.batchedNms(t.get("b"), t.get("s"), ops.reshape(ops.cast(ops.slice(t.get("r"), 1, 0, 1), org.maskrcnn4j.tensor.DType.INT64), -1), 0.5));
            CompiledFunction f = backend.compile(fn);
            int arrays = backend.managedArrays();
            for (int i = 0; i < 30; i++) {
                f.call(in);
            }
            System.gc();
            long mallocBefore = NativeMemory.mallocBytes();
            long rssBefore = NativeMemory.residentOutsideHeap();
            for (int i = 0; i < 200; i++) {
                f.call(in);
                assertThat(backend.managedArrays()).as("arrays alive after call %d", i).isEqualTo(arrays);
            }
            System.gc();
            // one call allocates ~2 MB of inputs and ~40 MB of intermediates (features copy, 14x14 maps); a
            // leak of any of them over 200 calls would exceed the bounds many times over
            assertFlat("200 calls", mallocBefore, NativeMemory.mallocBytes(), rssBefore,
                    NativeMemory.residentOutsideHeap());
        }
    }

    @Test
    void repeatedGradientAndTrainingCallsLeaveNativeMemoryFlat() {
        Map<String, HostTensor> in = inputs();
        try (DjlBackend backend = (DjlBackend) new DjlBackendProvider().create(BackendConfig.defaults())) {
            backend.parameters().declare("mem.w", HostTensor.ofFloats(new float[64], 64, 1, 1), true);
            TensorFunction loss = (ops, t) -> Map.of("loss", ops.mean(ops.square(ops.roiAlign(
                    ops.mul(t.get("f"), ops.parameter("mem.w")), t.get("r"), 7, 7, 0.25, 2, false))));
            TrainStep step = backend.trainStep(loss, new Optimizer.Sgd(0.9, 1e-4));
            CompiledFunction grad = backend.gradient((ops, t) -> Map.of("value", ops.sum(ops.roiAlign(t.get("f"),
                    t.get("r"), 7, 7, 0.25, 2, false))), List.of("f"));
            for (int i = 0; i < 10; i++) {
                step.run(in, 0.01);
                grad.call(in);
            }
            int arrays = backend.managedArrays();
            System.gc();
            long mallocBefore = NativeMemory.mallocBytes();
            long rssBefore = NativeMemory.residentOutsideHeap();
            for (int i = 0; i < 60; i++) {
                step.run(in, 0.01);
                grad.call(in);
            }
            System.gc();
            assertThat(backend.managedArrays()).isEqualTo(arrays);
            assertFlat("60 steps", mallocBefore, NativeMemory.mallocBytes(), rssBefore,
                    NativeMemory.residentOutsideHeap());
        }
    }
}

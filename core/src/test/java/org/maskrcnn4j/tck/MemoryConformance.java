package org.maskrcnn4j.tck;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.maskrcnn4j.tensor.CompiledFunction;
import org.maskrcnn4j.tensor.HostTensor;

/**
 * Conformance: repeated calls release their native memory. 200 calls of roiAlign + nms on a feature map
 * of a few MB must leave the process's resident memory (or the backend's own count, where it has one)
 * flat after warm-up.
 */
public abstract class MemoryConformance extends BackendTestBase {

    /**
     * Native bytes in use; the default is the resident set size of this process minus the committed Java
     * heap, so that heap growth is not mistaken for a native leak.
     */
    protected long nativeBytesInUse() {
        long heap = java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024 - heap;
                }
            }
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("cannot read /proc/self/status; override nativeBytesInUse()", e);
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status; override nativeBytesInUse()");
    }

    @Test
    void repeatedRoiAlignAndNmsLeaveMemoryFlat() {
        SplittableRandom rnd = new SplittableRandom(1);
        float[] feat = new float[64 * 50 * 76];
        for (int i = 0; i < feat.length; i++) {
            feat[i] = (float) rnd.nextGaussian();
        }
        int k = 128;
        float[] rois = new float[k * 5];
        float[] boxes = new float[k * 4];
        float[] scores = new float[k];
        for (int i = 0; i < k; i++) {
            float x = (float) (rnd.nextDouble() * 250);
            float y = (float) (rnd.nextDouble() * 150);
            float w = 10 + (float) (rnd.nextDouble() * 50);
            rois[i * 5 + 1] = boxes[i * 4] = x;
            rois[i * 5 + 2] = boxes[i * 4 + 1] = y;
            rois[i * 5 + 3] = boxes[i * 4 + 2] = x + w;
            rois[i * 5 + 4] = boxes[i * 4 + 3] = y + w;
            scores[i] = (float) rnd.nextDouble();
        }
        Map<String, HostTensor> in = inputs("f", HostTensor.ofFloats(feat, 1, 64, 50, 76), "r", HostTensor.ofFloats(rois, k, 5),
                "b", HostTensor.ofFloats(boxes, k, 4), "s", HostTensor.ofFloats(scores, k));
        CompiledFunction fn = backend.compile((ops, t) -> Map.of(
                "pooled", ops.mean(ops.roiAlign(t.get("f"), t.get("r"), 7, 7, 0.25, 2, false)),
                "keep", ops.nms(t.get("b"), t.get("s"), 0.5)));
        for (int i = 0; i < 30; i++) {
            fn.call(in);
        }
        System.gc();
        long before = nativeBytesInUse();
        for (int i = 0; i < 200; i++) {
            fn.call(in);
        }
        System.gc();
        long after = nativeBytesInUse();
        // one call allocates roughly 1 MB of features + 1.6 MB of pooled output; 200 leaked calls would
        // add > 500 MB, so 64 MB of slack separates noise from a leak
        assertThat(after - before).as("growth over 200 calls (before %d, after %d)", before, after)
                .isLessThan(64L << 20);
    }

    /** Elements of the test input {@code x} (16 MB of floats, all 0.5). */
    private static final int N = 4 << 20;

    /**
     * Calls {@code body} on {@code x} twice in a compiled function, checks the scalar it returns against
     * {@code expected}, and gives the largest growth of native memory measured inside a call.
     */
    private long growthInsideCall(java.util.function.BiFunction<org.maskrcnn4j.tensor.Ops, org.maskrcnn4j.tensor.Tensor,
            org.maskrcnn4j.tensor.Tensor> body, double expected) {
        float[] x = new float[N];
        java.util.Arrays.fill(x, 0.5f);
        long[] growth = new long[1];
        CompiledFunction fn = backend.compile((ops, t) -> {
            long start = nativeBytesInUse();
            org.maskrcnn4j.tensor.Tensor total = body.apply(ops, t.get("x"));
            growth[0] = Math.max(growth[0], nativeBytesInUse() - start);
            return Map.of("total", total);
        });
        for (int i = 0; i < 2; i++) {
            HostTensor out = fn.call(inputs("x", HostTensor.ofFloats(x, N))).get("total");
            assertThat((double) out.getDouble(0)).isCloseTo(expected, org.assertj.core.api.Assertions.withinPercentage(1e-4));
        }
        return growth[0];
    }

    @Test
    void releasedBlocksFreeTheirIntermediatesBeforeTheCallEnds() {
        // 12 blocks, each making two 16 MB intermediates and returning a scalar; measured inside the call, so
        // an eager backend that held them all would show > 350 MB (a graph backend allocates nothing while
        // tracing and passes trivially: it frees intermediates by itself)
        long growth = growthInsideCall((ops, x) -> {
            org.maskrcnn4j.tensor.Tensor total = ops.scalar(0, org.maskrcnn4j.tensor.DType.FLOAT32);
            for (int i = 0; i < 12; i++) {
                double k = i;
                total = ops.add(total, ops.released1(() -> ops.sum(ops.mul(ops.add(x, k), 2))));
            }
            return total;
        }, N * 144.0); // sum over i of 2 * N * (0.5 + i) = N * (12 + 132)
        assertThat(growth).as("native growth inside the call").isLessThan(96L << 20);
    }

    @Test
    void discardedTensorsAreFreedBeforeTheCallEnds() {
        // a chain of 12 steps, each making a 16 MB tensor from the previous one and discarding it; an eager
        // backend that held them all would grow by ~200 MB inside the call (graph backends free them anyway)
        long growth = growthInsideCall((ops, x) -> {
            org.maskrcnn4j.tensor.Tensor y = ops.mul(x, 1);
            for (int i = 0; i < 12; i++) {
                org.maskrcnn4j.tensor.Tensor next = ops.add(y, 1);
                ops.discard(y);
                y = next;
            }
            return ops.sum(y);
        }, N * 12.5);
        assertThat(growth).as("native growth inside the call").isLessThan(96L << 20);
    }

    @Test
    void gradientsFlowThroughReleasedBlocks() {
        float[] x = {1, -2, 3, 0.5f};
        CompiledFunction fn = backend.gradient((ops, t) -> Map.of("value", ops.sum(ops.mul(
                ops.released1(() -> ops.mul(ops.mul(t.get("x"), t.get("x")), 3)), t.get("x")))), java.util.List.of("x"));
        HostTensor grad = fn.call(inputs("x", HostTensor.ofFloats(x, 4))).get("grad/x");
        for (int i = 0; i < x.length; i++) {
            assertThat(grad.getDouble(i)).as("d(3x^3)/dx at %s", x[i]).isCloseTo(9.0 * x[i] * x[i],
                    org.assertj.core.api.Assertions.within(1e-5));
        }
    }
}

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
}

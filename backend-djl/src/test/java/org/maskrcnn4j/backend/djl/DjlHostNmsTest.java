package org.maskrcnn4j.backend.djl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The host NMS compares each kept box only with boxes whose x-extent can overlap it; that must keep exactly
 * what the plain pairwise loop keeps: the float32 loop is written out here as torchvision's CPU kernel reads, the
 * float64 one is core's reference NMS.
 */
class DjlHostNmsTest {

    private static int[] pairwise(float[] b, float[] s, double t) {
        int n = s.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (p, q) -> Float.compare(s[q], s[p])); // stable: ties by index
        boolean[] gone = new boolean[n];
        int[] keep = new int[n];
        int k = 0;
        for (int a = 0; a < n; a++) {
            int i = order[a];
            if (gone[a]) {
                continue;
            }
            keep[k++] = i;
            float ai = (b[i * 4 + 2] - b[i * 4]) * (b[i * 4 + 3] - b[i * 4 + 1]);
            for (int c = a + 1; c < n; c++) {
                int j = order[c];
                float aj = (b[j * 4 + 2] - b[j * 4]) * (b[j * 4 + 3] - b[j * 4 + 1]);
                float w = Math.max(0f, Math.min(b[i * 4 + 2], b[j * 4 + 2]) - Math.max(b[i * 4], b[j * 4]));
                float h = Math.max(0f, Math.min(b[i * 4 + 3], b[j * 4 + 3]) - Math.max(b[i * 4 + 1], b[j * 4 + 1]));
                float inter = w * h;
                if (!gone[c] && inter / (ai + aj - inter) > t) {
                    gone[c] = true;
                }
            }
        }
        return java.util.Arrays.copyOf(keep, k);
    }

    @Test
    void keepsWhatThePairwiseLoopKeeps() {
        SplittableRandom rnd = new SplittableRandom(5);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + rnd.nextInt(300);
            double span = 10 + rnd.nextDouble() * 1000;   // from crowded to sparse
            double maxSide = 1 + rnd.nextDouble() * 200;  // narrow to wide boxes
            float[] boxes = new float[n * 4];
            float[] scores = new float[n];
            for (int i = 0; i < n; i++) {
                float x = (float) (rnd.nextDouble() * span);
                float y = (float) (rnd.nextDouble() * span);
                boxes[i * 4] = x;
                boxes[i * 4 + 1] = y;
                boxes[i * 4 + 2] = x + (float) (rnd.nextDouble() * maxSide);
                boxes[i * 4 + 3] = y + (float) (rnd.nextDouble() * maxSide);
                scores[i] = rnd.nextInt(4) == 0 ? 0.5f : (float) rnd.nextDouble(); // ties too
                if (i > 0 && rnd.nextInt(10) == 0) { // exact duplicates and shared edges
                    System.arraycopy(boxes, (i - 1) * 4, boxes, i * 4, 4);
                }
            }
            double t = new double[] {0, 0.3, 0.5, 0.7, 0.99}[trial % 5];
            int[] want = pairwise(boxes, scores, t);
            assertThat(DjlHostAlgorithms.nmsFloat(boxes, scores, null, t)).as("trial %d, n %d, t %s", trial, n, t)
                    .containsExactly(want);
            double[] bd = new double[boxes.length];
            double[] sd = new double[n];
            for (int i = 0; i < boxes.length; i++) {
                bd[i] = boxes[i];
            }
            for (int i = 0; i < n; i++) {
                sd[i] = scores[i];
            }
            int[] subsetAll = new int[n];
            for (int i = 0; i < n; i++) {
                subsetAll[i] = i;
            }
            assertThat(DjlHostAlgorithms.nmsFloat(boxes, scores, subsetAll, t)).containsExactly(want);
            long[] want64 = org.maskrcnn4j.reference.ReferenceNms.nms(bd, sd, t);
            assertThat(java.util.Arrays.stream(DjlHostAlgorithms.nmsDouble(bd, sd, null, t)).asLongStream().toArray())
                    .as("float64, trial %d", trial).containsExactly(want64);
        }
    }
}

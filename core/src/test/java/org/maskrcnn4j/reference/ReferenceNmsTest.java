package org.maskrcnn4j.reference;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReferenceNmsTest {

    @Test
    void suppressesOnlyAboveThresholdAndKeepsScoreOrder() {
        double[] boxes = {
            0, 0, 10, 10, // 0
            0, 0, 10, 10, // 1: IoU 1 with 0
            5, 0, 15, 10, // 2: IoU 1/3 with 0
            100, 100, 110, 110, // 3: disjoint
        };
        double[] scores = {0.5, 0.9, 0.6, 0.1};
        assertThat(ReferenceNms.nms(boxes, scores, 0.5)).containsExactly(1, 2, 3);
        // IoU exactly 1/3 with threshold 1/3 is not suppressed; a lower threshold suppresses it
        assertThat(ReferenceNms.nms(boxes, scores, 1.0 / 3)).containsExactly(1, 2, 3);
        assertThat(ReferenceNms.nms(boxes, scores, 0.3)).containsExactly(1, 3);
    }

    @Test
    void tiesAreProcessedInIndexOrder() {
        double[] boxes = {0, 0, 10, 10, 0, 0, 10, 10, 0, 0, 10, 10};
        assertThat(ReferenceNms.nms(boxes, new double[] {0.5, 0.5, 0.5}, 0.5)).containsExactly(0);
        assertThat(ReferenceNms.nms(boxes, new double[] {0.4, 0.5, 0.5}, 0.5)).containsExactly(1);
    }

    @Test
    void identicalZeroAreaBoxesNeverSuppress() {
        double[] boxes = {1, 1, 1, 1, 1, 1, 1, 1};
        assertThat(ReferenceNms.nms(boxes, new double[] {0.2, 0.8}, 0.5)).containsExactly(1, 0);
    }

    @Test
    void batchedOnlySuppressesWithinAClass() {
        double[] boxes = {0, 0, 10, 10, 0, 0, 10, 10, 0, 0, 10, 10};
        double[] scores = {0.3, 0.9, 0.6};
        assertThat(ReferenceNms.batchedNms(boxes, scores, new long[] {7, 7, 2}, 0.5)).containsExactly(1, 2);
        assertThat(ReferenceNms.batchedNms(boxes, scores, new long[] {0, 1, 2}, 0.5)).containsExactly(1, 2, 0);
        assertThat(ReferenceNms.batchedNms(new double[0], new double[0], new long[0], 0.5)).isEmpty();
    }
}

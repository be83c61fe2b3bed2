package org.maskrcnn4j.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ReferenceIouTest {

    @Test
    void handComputedMatrix() {
        double[] a = {
            0, 0, 10, 10, // area 100
            5, 5, 15, 15, // area 100
        };
        double[] b = {
            0, 0, 10, 10, // identical to a[0]
            5, 0, 15, 10, // half overlap with a[0]: inter 50, union 150
            20, 20, 30, 30, // disjoint
            2, 2, 4, 4, // inside a[0]: inter 4, union 100
        };
        double[] iou = ReferenceIou.pairwise(a, b);
        assertThat(iou).hasSize(8);
        double[] expected = {
            1.0, 50.0 / 150, 0.0, 4.0 / 100,
            // a[1] vs b: inter 25 / union 175; vs b[1]: inter 50 (x 5..15, y 5..10) / 150; 0; 0 (b[3] ends at 4)
            25.0 / 175, 50.0 / 150, 0.0, 0.0,
        };
        for (int i = 0; i < expected.length; i++) {
            assertThat(iou[i]).as("entry %d", i).isCloseTo(expected[i], within(1e-15));
        }
    }

    @Test
    void touchingBoxesHaveZeroIouAndZeroAreaPairsAreNaN() {
        double[] a = {0, 0, 1, 1, 3, 3, 3, 3};
        double[] b = {1, 0, 2, 1, 3, 3, 3, 3};
        double[] iou = ReferenceIou.pairwise(a, b);
        assertThat(iou[0]).isEqualTo(0.0);
        assertThat(iou[3]).isNaN();
    }

    @Test
    void emptyInputs() {
        assertThat(ReferenceIou.pairwise(new double[0], new double[] {0, 0, 1, 1})).isEmpty();
    }
}

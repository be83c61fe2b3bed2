package org.maskrcnn4j.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.maskrcnn4j.model.BinaryMask;

/**
 * Hand-derived vectors for COCO RLE. Counts follow column-major order and start with zeros; strings follow
 * pycocotools' rleToString: 5-bit groups, low first, '0' + group, 0x20 = more, counts from the 4th on as deltas to
 * the count two places before, sign taken from bit 0x10 of the last group.
 */
class RleTest {

    @Test
    void encodesColumnMajorStartingWithZeros() {
        // column 0: 0 0 0, column 1: 1 1 0, column 2: 0 1 0 -> runs 3 zeros, 2 ones, 2 zeros, 1 one, 1 zero
        BinaryMask m = Masks.of(
                ".#.",
                ".##",
                "...");
        Rle rle = Rle.encode(m);
        assertThat(rle.counts()).containsExactly(3, 2, 2, 1, 1);
        assertThat(rle.area()).isEqualTo(3);
        assertThat(rle.toBbox()).containsExactly(1, 0, 2, 2);
        // 3,2,2 absolute -> "322"; then 1-2 = -1 -> group 31 ('O', sign bit set, no more); 1-2 = -1 -> 'O'
        assertThat(rle.toCompressedString()).isEqualTo("322OO");
        assertThat(Rle.fromCompressedString("322OO", 3, 3)).isEqualTo(rle);
        assertThat(Masks.draw(rle.decode())).containsExactly(".#.", ".##", "...");
    }

    @Test
    void firstPixelSetGivesLeadingZeroCount() {
        Rle rle = Rle.encode(Masks.of("#.", "#."));
        assertThat(rle.counts()).containsExactly(0, 2, 2);
        assertThat(rle.toCompressedString()).isEqualTo("022");
    }

    @Test
    void emptyAndFullMasks() {
        Rle empty = Rle.encode(10, 10, new BitSet());
        assertThat(empty.counts()).containsExactly(100);
        // 100 = 0b11_00100: group 4 with "more" (4 + 32 + 48 = 'T'), then group 3 ('3')
        assertThat(empty.toCompressedString()).isEqualTo("T3");
        assertThat(empty.area()).isZero();
        assertThat(empty.toBbox()).containsExactly(0, 0, 0, 0);
        assertThat(empty).isEqualTo(Rle.empty(10, 10));

        BitSet all = new BitSet();
        all.set(0, 6);
        Rle full = Rle.encode(2, 3, all);
        assertThat(full.counts()).containsExactly(0, 6);
        assertThat(full.toCompressedString()).isEqualTo("06");
        assertThat(full.toBbox()).containsExactly(0, 0, 3, 2);
    }

    @Test
    void compressedStringMultiCharacterAndNegativeDeltas() {
        // counts 16, 5, 40, 1, 20 (sum 82 = 2 x 41):
        // 16: group 16 has the sign bit, so it needs a second group: 16+32+48 = '`', then '0'
        // 5: '5'; 40 = 0b1_01000: 8+32+48 = 'X', then '1'
        // 1-5 = -4: low group 28 (sign bit set, rest is -1) -> 28+48 = 'L'
        // 20-40 = -20: low group 12 (no sign bit, rest -1 != 0) -> 12+32+48 = '\\', then group 31 -> 'O'
        Rle rle = Rle.ofCounts(2, 41, 16, 5, 40, 1, 20);
        assertThat(rle.toCompressedString()).isEqualTo("`05X1L\\O");
        assertThat(Rle.fromCompressedString("`05X1L\\O", 2, 41).counts()).containsExactly(16, 5, 40, 1, 20);
        assertThat(rle.area()).isEqualTo(6);
    }

    @Test
    void bboxOfRunCrossingColumnsCoversFullHeight() {
        // 3x3: pixels (y=2, x=0) and (y=0, x=1) form one run in column-major order
        Rle rle = Rle.encode(Masks.of(
                ".#.",
                "...",
                "#.."));
        assertThat(rle.counts()).containsExactly(2, 2, 5);
        assertThat(rle.toBbox()).containsExactly(0, 0, 2, 3);
    }

    @Test
    void mergeUnionAndIntersection() {
        Rle a = Rle.encode(Masks.of(
                "##..",
                "##..",
                "...."));
        Rle b = Rle.encode(Masks.of(
                "....",
                ".##.",
                ".##."));
        assertThat(Masks.draw(a.union(b).decode())).containsExactly("##..", "###.", ".##.");
        assertThat(Masks.draw(a.intersection(b).decode())).containsExactly("....", ".#..", "....");
        assertThat(a.union(b).counts()).containsExactly(0, 2, 1, 3, 1, 2, 3);
        assertThat(Rle.merge(List.of(a), false)).isSameAs(a);
        assertThat(Rle.merge(List.of(a, b, Rle.empty(3, 4)), false)).isEqualTo(a.union(b));
        assertThatThrownBy(() -> a.union(Rle.empty(4, 3))).hasMessageContaining("different sizes");
    }

    @Test
    void iouPlainAndCrowd() {
        Rle dt = Rle.encode(Masks.of(
                "##..",
                "##..",
                "...."));
        Rle gt = Rle.encode(Masks.of(
                "....",
                ".##.",
                ".##."));
        // intersection 1, union 4 + 4 - 1 = 7; crowd: 1 / area(dt) = 1/4
        assertThat(Rle.iou(dt, gt, false)).isCloseTo(1.0 / 7, within(1e-15));
        assertThat(Rle.iou(dt, gt, true)).isEqualTo(0.25);
        assertThat(Rle.iou(dt, Rle.empty(3, 4), false)).isZero();
        assertThat(Rle.iou(Rle.empty(3, 4), Rle.empty(3, 4), true)).isZero();
        double[][] m = Rle.iou(List.of(dt, gt), List.of(gt), new boolean[] {true});
        assertThat(m[0][0]).isEqualTo(0.25);
        assertThat(m[1][0]).isEqualTo(1.0);
        assertThatThrownBy(() -> Rle.iou(dt, Rle.empty(4, 3), false)).hasMessageContaining("different sizes");
    }

    @Test
    void rejectsMalformedInput() {
        assertThatThrownBy(() -> Rle.ofCounts(2, 2, 1, 2)).hasMessageContaining("add up to 3");
        assertThatThrownBy(() -> Rle.ofCounts(2, 2, 5, -1)).hasMessageContaining("negative");
        assertThatThrownBy(() -> Rle.fromCompressedString("3p", 3, 3)).hasMessageContaining("invalid character");
        assertThatThrownBy(() -> Rle.fromCompressedString("T", 10, 10)).hasMessageContaining("ends inside");
        assertThatThrownBy(() -> Rle.fromCompressedString("T3", 10, 11)).hasMessageContaining("add up to 100");
        assertThatThrownBy(() -> Rle.encode(2, 2, new boolean[3])).hasMessageContaining("3 pixels");
    }

    @Test
    void booleanAndBitSetEncodingsAgree() {
        boolean[] px = {false, true, true, true, false, false};
        BitSet bits = new BitSet();
        bits.set(1, 4);
        assertThat(Rle.encode(2, 3, px)).isEqualTo(Rle.encode(2, 3, bits));
        // rows ".##" / "#..": columns (0,1) (1,0) (1,0) -> runs 1 zero, 1 one, 1 zero... column-major 0 1 1 0 1 0
        assertThat(Rle.encode(2, 3, px).counts()).containsExactly(1, 2, 1, 1, 1);
    }

    @Test
    void zeroSizedMask() {
        Rle r = Rle.encode(0, 5, new BitSet());
        assertThat(r.counts()).containsExactly(0);
        assertThat(r.toCompressedString()).isEqualTo("0");
        assertThat(r.decode().area()).isZero();
    }
}

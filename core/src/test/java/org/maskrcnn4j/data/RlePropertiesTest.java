package org.maskrcnn4j.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.BitSet;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.maskrcnn4j.model.BinaryMask;

/** Properties of RLE over random masks (random pixels, blobs, empty and full). */
class RlePropertiesTest {

    @Provide
    Arbitrary<BinaryMask> masks() {
        Arbitrary<Integer> side = Arbitraries.integers().between(1, 40);
        return Combinators.combine(side, side, Arbitraries.longs(), Arbitraries.integers().between(0, 4))
                .as(RlePropertiesTest::mask);
    }

    private static BinaryMask mask(int h, int w, long seed, int mode) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        BitSet b = new BitSet();
        switch (mode) {
            case 0 -> {
                // empty
            }
            case 1 -> b.set(0, h * w);
            case 2 -> {
                double p = r.nextDouble();
                for (int i = 0; i < h * w; i++) {
                    if (r.nextDouble() < p) {
                        b.set(i);
                    }
                }
            }
            default -> {
                int x0 = r.nextInt(w);
                int y0 = r.nextInt(h);
                int x1 = x0 + r.nextInt(w - x0);
                int y1 = y0 + r.nextInt(h - y0);
                for (int y = y0; y <= y1; y++) {
                    b.set(y * w + x0, y * w + x1 + 1);
                }
            }
        }
        return new BinaryMask(h, w, b);
    }

    @Property(tries = 300)
    void encodeDecodeRoundTrip(@ForAll("masks") BinaryMask m) {
        Rle rle = Rle.encode(m);
        assertThat(rle.decode()).isEqualTo(m);
        assertThat(rle.area()).isEqualTo(m.area());
        int sum = 0;
        for (int c : rle.counts()) {
            sum += c;
        }
        assertThat(sum).isEqualTo(m.height() * m.width());
    }

    @Property(tries = 300)
    void compressedAndUncompressedRoundTrip(@ForAll("masks") BinaryMask m) {
        Rle rle = Rle.encode(m);
        String s = rle.toCompressedString();
        assertThat(s).matches("[0-o]*");
        assertThat(Rle.fromCompressedString(s, m.height(), m.width())).isEqualTo(rle);
        assertThat(Rle.ofCounts(m.height(), m.width(), rle.counts())).isEqualTo(rle);
    }

    @Property(tries = 300)
    void bboxIsTightBox(@ForAll("masks") BinaryMask m) {
        int x0 = Integer.MAX_VALUE;
        int y0 = Integer.MAX_VALUE;
        int x1 = -1;
        int y1 = -1;
        for (int y = 0; y < m.height(); y++) {
            for (int x = 0; x < m.width(); x++) {
                if (m.get(y, x)) {
                    x0 = Math.min(x0, x);
                    y0 = Math.min(y0, y);
                    x1 = Math.max(x1, x);
                    y1 = Math.max(y1, y);
                }
            }
        }
        double[] expected = x1 < 0 ? new double[4] : new double[] {x0, y0, x1 - x0 + 1, y1 - y0 + 1};
        assertThat(Rle.encode(m).toBbox()).containsExactly(expected);
    }

    @Property(tries = 300)
    void mergeAndIouAgreeWithBitSets(@ForAll("masks") BinaryMask a, @ForAll long seed,
            @ForAll("modes") int mode) {
        BinaryMask b = mask(a.height(), a.width(), seed, mode);
        Rle ra = Rle.encode(a);
        Rle rb = Rle.encode(b);
        BitSet or = (BitSet) a.pixels().clone();
        or.or(b.pixels());
        BitSet and = (BitSet) a.pixels().clone();
        and.and(b.pixels());
        assertThat(ra.union(rb)).isEqualTo(Rle.encode(a.height(), a.width(), or));
        assertThat(ra.intersection(rb)).isEqualTo(Rle.encode(a.height(), a.width(), and));
        assertThat(Rle.merge(List.of(ra, rb, ra), false)).isEqualTo(ra.union(rb));
        assertThat(Rle.iou(ra, rb, false)).isEqualTo(and.isEmpty() ? 0.0 : a.iou(b));
        double crowd = and.isEmpty() ? 0.0 : (double) and.cardinality() / a.area();
        assertThat(Rle.iou(ra, rb, true)).isEqualTo(crowd);
    }

    @Provide
    Arbitrary<Integer> modes() {
        return Arbitraries.integers().between(0, 4);
    }
}

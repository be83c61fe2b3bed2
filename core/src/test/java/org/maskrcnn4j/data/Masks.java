package org.maskrcnn4j.data;

import java.util.BitSet;
import org.maskrcnn4j.model.BinaryMask;

/** Test helper: masks drawn as text, one string per row, '#' set. */
final class Masks {
    private Masks() {
    }

    static BinaryMask of(String... rows) {
        int h = rows.length;
        int w = rows[0].length();
        BitSet bits = new BitSet();
        for (int y = 0; y < h; y++) {
            if (rows[y].length() != w) {
                throw new IllegalArgumentException("ragged rows");
            }
            for (int x = 0; x < w; x++) {
                if (rows[y].charAt(x) == '#') {
                    bits.set(y * w + x);
                }
            }
        }
        return new BinaryMask(h, w, bits);
    }

    static String[] draw(BinaryMask m) {
        String[] rows = new String[m.height()];
        for (int y = 0; y < m.height(); y++) {
            StringBuilder s = new StringBuilder();
            for (int x = 0; x < m.width(); x++) {
                s.append(m.get(y, x) ? '#' : '.');
            }
            rows[y] = s.toString();
        }
        return rows;
    }
}

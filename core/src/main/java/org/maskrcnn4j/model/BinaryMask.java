package org.maskrcnn4j.model;

import java.util.BitSet;

/** A binary mask of {@code height x width} pixels, row-major, as predicted for one instance. */
public record BinaryMask(int height, int width, BitSet pixels) {
    public BinaryMask {
        pixels = (BitSet) pixels.clone();
    }

    /** A copy of the row-major pixel bits (the mask itself stays immutable). */
    @Override
    public BitSet pixels() {
        return (BitSet) pixels.clone();
    }

    public boolean get(int y, int x) {
        return pixels.get(y * width + x);
    }

    /** Number of pixels set. */
    public int area() {
        return pixels.cardinality();
    }

    /** Intersection over union with another mask of the same size. */
    public double iou(BinaryMask other) {
        if (other.height != height || other.width != width) {
            throw new IllegalArgumentException("mask sizes differ: " + height + "x" + width + " and " + other.height + "x"
                    + other.width);
        }
        BitSet inter = (BitSet) pixels.clone();
        inter.and(other.pixels);
        BitSet union = (BitSet) pixels.clone();
        union.or(other.pixels);
        return union.isEmpty() ? 0 : (double) inter.cardinality() / union.cardinality();
    }
}

package org.maskrcnn4j.tensor;

import java.util.Arrays;

/**
 * The dimensions of a tensor. A dimension is {@link #UNKNOWN} (-1) while a backend traces a graph whose
 * input sizes are not fixed; eager tensors always have known dimensions.
 */
public final class Shape {
    /** Marker for a dimension not known until run time. */
    public static final long UNKNOWN = -1;

    private final long[] dims;

    private Shape(long[] dims) {
        this.dims = dims;
    }

    /** A shape with the given dimensions ({@link #UNKNOWN} allowed). */
    public static Shape of(long... dims) {
        for (long d : dims) {
            if (d < UNKNOWN) {
                throw new IllegalArgumentException("invalid dimension " + d + " in shape " + Arrays.toString(dims));
            }
        }
        return new Shape(dims.clone());
    }

    /** The shape of a scalar. */
    public static Shape scalar() {
        return new Shape(new long[0]);
    }

    public int rank() {
        return dims.length;
    }

    /** Dimension {@code axis}; negative axes count from the end. */
    public long get(int axis) {
        return dims[normalizeAxis(axis)];
    }

    /** Axis in {@code [0, rank)} for {@code axis} in {@code [-rank, rank)}. */
    public int normalizeAxis(int axis) {
        int a = axis < 0 ? axis + dims.length : axis;
        if (a < 0 || a >= dims.length) {
            throw new IllegalArgumentException("axis " + axis + " out of range for shape " + this);
        }
        return a;
    }

    public long[] dims() {
        return dims.clone();
    }

    /** Whether every dimension is known. */
    public boolean isKnown() {
        for (long d : dims) {
            if (d == UNKNOWN) {
                return false;
            }
        }
        return true;
    }

    /** Number of elements; fails if a dimension is unknown. */
    public long size() {
        long n = 1;
        for (long d : dims) {
            if (d == UNKNOWN) {
                throw new IllegalStateException("size of shape " + this + " with an unknown dimension");
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < dims.length; i++) {
            b.append(i == 0 ? "" : ", ").append(dims[i] == UNKNOWN ? "?" : Long.toString(dims[i]));
        }
        return b.append(']').toString();
    }
}

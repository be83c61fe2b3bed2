package org.maskrcnn4j.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A tensor in Java memory: dtype, fully known shape and little-endian row-major bytes. It is how values
 * cross between Java and a backend (inputs, outputs, parameter values, files). Immutable: the buffer is
 * never handed out writable.
 */
public final class HostTensor {
    private final DType dtype;
    private final Shape shape;
    private final ByteBuffer data;

    private HostTensor(DType dtype, Shape shape, ByteBuffer data) {
        this.dtype = dtype;
        this.shape = shape;
        this.data = data;
    }

    /** Wraps little-endian bytes (copied) of the given dtype and shape; the byte count must match. */
    public static HostTensor of(DType dtype, Shape shape, ByteBuffer bytes) {
        checkSize(dtype, shape, bytes);
        ByteBuffer copy = ByteBuffer.allocate(bytes.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        copy.put(bytes.duplicate()).flip();
        return new HostTensor(dtype, shape, copy);
    }

    /**
     * Takes the remaining little-endian bytes of {@code bytes} without copying them: for a buffer its caller
     * has just filled and hands over, writes no more and shares with no one (a backend's download, a file
     * read), so that a large value is not on the Java heap twice. The byte count must match.
     */
    public static HostTensor adopt(DType dtype, Shape shape, ByteBuffer bytes) {
        checkSize(dtype, shape, bytes);
        return new HostTensor(dtype, shape, bytes.slice().order(ByteOrder.LITTLE_ENDIAN));
    }

    private static void checkSize(DType dtype, Shape shape, ByteBuffer bytes) {
        if (!shape.isKnown()) {
            throw new IllegalArgumentException("host tensor shape must be fully known, got " + shape);
        }
        long expected = shape.size() * dtype.byteSize();
        if (bytes.remaining() != expected) {
            throw new IllegalArgumentException("host tensor of " + dtype + " " + shape + " needs " + expected
                    + " bytes, got " + bytes.remaining());
        }
    }

    public static HostTensor ofFloats(float[] values, long... shape) {
        ByteBuffer b = alloc(values.length, DType.FLOAT32, shape);
        b.asFloatBuffer().put(values);
        return new HostTensor(DType.FLOAT32, Shape.of(shape), b);
    }

    public static HostTensor ofDoubles(double[] values, long... shape) {
        ByteBuffer b = alloc(values.length, DType.FLOAT64, shape);
        b.asDoubleBuffer().put(values);
        return new HostTensor(DType.FLOAT64, Shape.of(shape), b);
    }

    public static HostTensor ofLongs(long[] values, long... shape) {
        ByteBuffer b = alloc(values.length, DType.INT64, shape);
        b.asLongBuffer().put(values);
        return new HostTensor(DType.INT64, Shape.of(shape), b);
    }

    public static HostTensor ofInts(int[] values, long... shape) {
        ByteBuffer b = alloc(values.length, DType.INT32, shape);
        b.asIntBuffer().put(values);
        return new HostTensor(DType.INT32, Shape.of(shape), b);
    }

    public static HostTensor ofBytes(byte[] values, long... shape) {
        ByteBuffer b = alloc(values.length, DType.UINT8, shape);
        b.put(values).flip();
        return new HostTensor(DType.UINT8, Shape.of(shape), b);
    }

    public static HostTensor ofBooleans(boolean[] values, long... shape) {
        ByteBuffer b = alloc(values.length, DType.BOOL, shape);
        for (boolean v : values) {
            b.put((byte) (v ? 1 : 0));
        }
        b.flip();
        return new HostTensor(DType.BOOL, Shape.of(shape), b);
    }

    private static ByteBuffer alloc(int count, DType dtype, long[] shape) {
        long n = Shape.of(shape).size();
        if (n != count) {
            throw new IllegalArgumentException(count + " values do not fill shape " + Arrays.toString(shape)
                    + " (" + n + " elements)");
        }
        return ByteBuffer.allocate(Math.multiplyExact(count, dtype.byteSize())).order(ByteOrder.LITTLE_ENDIAN);
    }

    public DType dtype() {
        return dtype;
    }

    public Shape shape() {
        return shape;
    }

    /** Number of elements. */
    public long size() {
        return shape.size();
    }

    /** A read-only little-endian view of the raw bytes. */
    public ByteBuffer bytes() {
        return data.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Element {@code i} (row-major) converted to double; bool and integers widen exactly up to 2^53. */
    public double getDouble(long i) {
        int at = Math.toIntExact(i * dtype.byteSize());
        return switch (dtype) {
            case FLOAT32 -> data.getFloat(at);
            case FLOAT64 -> data.getDouble(at);
            case FLOAT16 -> halfToFloat(data.getShort(at));
            case BFLOAT16 -> Float.intBitsToFloat((data.getShort(at) & 0xffff) << 16);
            case INT64 -> data.getLong(at);
            case INT32 -> data.getInt(at);
            case UINT8, BOOL -> data.get(at) & 0xff;
        };
    }

    /** IEEE 754 binary16 bits to float (exact; Java 17 has no Float.float16ToFloat). */
    static float halfToFloat(short bits) {
        int h = bits & 0xffff;
        int sign = (h >>> 15) << 31;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1.0p-24f;
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /** Element {@code i} as a long; floating values are truncated toward zero. */
    public long getLong(long i) {
        int at = Math.toIntExact(i * dtype.byteSize());
        return switch (dtype) {
            case INT64 -> data.getLong(at);
            case INT32 -> data.getInt(at);
            case UINT8, BOOL -> data.get(at) & 0xff;
            default -> (long) getDouble(i);
        };
    }

    /** All elements as floats (converted). */
    public float[] toFloatArray() {
        float[] out = new float[Math.toIntExact(size())];
        if (dtype == DType.FLOAT32) {
            bytes().asFloatBuffer().get(out);
        } else {
            for (int i = 0; i < out.length; i++) {
                out[i] = (float) getDouble(i);
            }
        }
        return out;
    }

    /** All elements as doubles (converted). */
    public double[] toDoubleArray() {
        double[] out = new double[Math.toIntExact(size())];
        for (int i = 0; i < out.length; i++) {
            out[i] = getDouble(i);
        }
        return out;
    }

    /** All elements as longs (floating values truncated toward zero). */
    public long[] toLongArray() {
        long[] out = new long[Math.toIntExact(size())];
        for (int i = 0; i < out.length; i++) {
            out[i] = getLong(i);
        }
        return out;
    }

    /** The same bytes viewed with another shape of equal size. */
    public HostTensor reshape(long... newShape) {
        Shape s = Shape.of(newShape);
        if (s.size() != size()) {
            throw new IllegalArgumentException("cannot reshape " + shape + " to " + s);
        }
        return new HostTensor(dtype, s, data);
    }

    @Override
    public String toString() {
        return "HostTensor(" + dtype + " " + shape + ")";
    }
}

package org.maskrcnn4j.backend.djl;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.jni.JniUtils;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.maskrcnn4j.tensor.DType;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.Shape;

/** Conversions between the SPI's types and DJL's, and host copies in and out of native memory. */
final class DjlTypes {
    private DjlTypes() {
    }

    static DataType toDjl(DType t) {
        return switch (t) {
            case FLOAT32 -> DataType.FLOAT32;
            case FLOAT64 -> DataType.FLOAT64;
            case FLOAT16 -> DataType.FLOAT16;
            case BFLOAT16 -> DataType.BFLOAT16;
            case INT64 -> DataType.INT64;
            case INT32 -> DataType.INT32;
            case UINT8 -> DataType.UINT8;
            case BOOL -> DataType.BOOLEAN;
        };
    }

    static DType toDType(DataType t) {
        return switch (t) {
            case FLOAT32 -> DType.FLOAT32;
            case FLOAT64 -> DType.FLOAT64;
            case FLOAT16 -> DType.FLOAT16;
            case BFLOAT16 -> DType.BFLOAT16;
            case INT64 -> DType.INT64;
            case INT32 -> DType.INT32;
            case UINT8 -> DType.UINT8;
            case BOOLEAN -> DType.BOOL;
            default -> throw new IllegalStateException("the djl backend has no SPI dtype for PyTorch dtype " + t);
        };
    }

    static ai.djl.ndarray.types.Shape djlShape(long... dims) {
        return new ai.djl.ndarray.types.Shape(dims);
    }

    /** A new uninitialised contiguous CPU array in {@code manager}. */
    static PtNDArray empty(NDManager manager, DataType type, long... dims) {
        return JniUtils.createEmptyNdArray((PtNDManager) manager, djlShape(dims), type, Device.cpu(),
                SparseFormat.DENSE);
    }

    /** A writable little-endian view of a contiguous CPU array's memory (null for an empty array). */
    static ByteBuffer view(PtNDArray array) {
        if (array.getShape().size() == 0) {
            return null;
        }
        return JniUtils.getByteBuffer(array, true).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A native copy of a host tensor, owned by {@code manager}. */
    static PtNDArray fromHost(NDManager manager, HostTensor value) {
        PtNDArray out = empty(manager, toDjl(value.dtype()), value.shape().dims());
        ByteBuffer dst = view(out);
        if (dst != null) {
            dst.put(value.bytes());
        }
        return out;
    }

    /** A host copy of an array (made contiguous first if it is a strided view). */
    static HostTensor toHost(PtNDArray array) {
        DType dtype = toDType(array.getDataType());
        Shape shape = Shape.of(array.getShape().getShape());
        if (shape.size() == 0) {
            return HostTensor.of(dtype, shape, ByteBuffer.allocate(0));
        }
        // for a non-contiguous array DJL makes a contiguous copy attached to the array's own manager
        return HostTensor.of(dtype, shape, JniUtils.getByteBuffer(array, true).order(ByteOrder.LITTLE_ENDIAN));
    }

    static PtNDArray fromFloats(NDManager manager, float[] values, long... dims) {
        PtNDArray out = empty(manager, DataType.FLOAT32, dims);
        ByteBuffer dst = view(out);
        if (dst != null) {
            dst.asFloatBuffer().put(values, 0, Math.toIntExact(out.getShape().size()));
        }
        return out;
    }

    static PtNDArray fromLongs(NDManager manager, long[] values, int count, long... dims) {
        PtNDArray out = empty(manager, DataType.INT64, dims);
        ByteBuffer dst = view(out);
        if (dst != null) {
            dst.asLongBuffer().put(values, 0, count);
        }
        return out;
    }

    static PtNDArray fromDoubles(NDManager manager, double[] values, long... dims) {
        PtNDArray out = empty(manager, DataType.FLOAT64, dims);
        ByteBuffer dst = view(out);
        if (dst != null) {
            dst.asDoubleBuffer().put(values, 0, Math.toIntExact(out.getShape().size()));
        }
        return out;
    }

    /** All elements of a CPU array as doubles (integers widen, bools are 0/1). */
    static double[] readDoubles(PtNDArray array) {
        int n = Math.toIntExact(array.getShape().size());
        double[] out = new double[n];
        if (n == 0) {
            return out;
        }
        ByteBuffer b = JniUtils.getByteBuffer(array, true).order(ByteOrder.LITTLE_ENDIAN);
        switch (array.getDataType()) {
            case FLOAT64 -> b.asDoubleBuffer().get(out);
            case FLOAT32 -> {
                java.nio.FloatBuffer f = b.asFloatBuffer();
                for (int i = 0; i < n; i++) {
                    out[i] = f.get(i);
                }
            }
            case INT64 -> {
                java.nio.LongBuffer l = b.asLongBuffer();
                for (int i = 0; i < n; i++) {
                    out[i] = l.get(i);
                }
            }
            case INT32 -> {
                java.nio.IntBuffer l = b.asIntBuffer();
                for (int i = 0; i < n; i++) {
                    out[i] = l.get(i);
                }
            }
            case UINT8, BOOLEAN -> {
                for (int i = 0; i < n; i++) {
                    out[i] = b.get(i) & 0xff;
                }
            }
            default -> {
                HostTensor h = toHost(array);
                for (int i = 0; i < n; i++) {
                    out[i] = h.getDouble(i);
                }
            }
        }
        return out;
    }

    /** All elements as float32 values (converted if needed). */
    static float[] readFloats(PtNDArray array) {
        int n = Math.toIntExact(array.getShape().size());
        float[] out = new float[n];
        if (n == 0) {
            return out;
        }
        if (array.getDataType() == DataType.FLOAT32) {
            JniUtils.getByteBuffer(array, true).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
            return out;
        }
        double[] d = readDoubles(array);
        for (int i = 0; i < n; i++) {
            out[i] = (float) d[i];
        }
        return out;
    }

    /** All elements as longs (floating values truncated toward zero). */
    static long[] readLongs(PtNDArray array) {
        int n = Math.toIntExact(array.getShape().size());
        long[] out = new long[n];
        if (n == 0) {
            return out;
        }
        if (array.getDataType() == DataType.INT64) {
            JniUtils.getByteBuffer(array, true).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(out);
            return out;
        }
        double[] d = readDoubles(array);
        for (int i = 0; i < n; i++) {
            out[i] = (long) d[i];
        }
        return out;
    }
}

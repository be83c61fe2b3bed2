package org.maskrcnn4j.backend.tf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.maskrcnn4j.tensor.DType;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.Shape;
import org.tensorflow.RawTensor;
import org.tensorflow.Tensor;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TBfloat16;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat16;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TUint8;
import org.tensorflow.types.family.TType;

/** Dtype and shape mapping between the SPI and TensorFlow, and host copies in both directions. */
final class TfTypes {
    private TfTypes() {
    }

    static DataType dataType(DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> DataType.DT_FLOAT;
            case FLOAT64 -> DataType.DT_DOUBLE;
            case FLOAT16 -> DataType.DT_HALF;
            case BFLOAT16 -> DataType.DT_BFLOAT16;
            case INT64 -> DataType.DT_INT64;
            case INT32 -> DataType.DT_INT32;
            case UINT8 -> DataType.DT_UINT8;
            case BOOL -> DataType.DT_BOOL;
        };
    }

    static DType dtype(DataType dataType) {
        return switch (dataType) {
            case DT_FLOAT -> DType.FLOAT32;
            case DT_DOUBLE -> DType.FLOAT64;
            case DT_HALF -> DType.FLOAT16;
            case DT_BFLOAT16 -> DType.BFLOAT16;
            case DT_INT64 -> DType.INT64;
            case DT_INT32 -> DType.INT32;
            case DT_UINT8 -> DType.UINT8;
            case DT_BOOL -> DType.BOOL;
            default -> throw new IllegalArgumentException("tensorflow backend: no SPI dtype for " + dataType);
        };
    }

    static Class<? extends TType> tensorType(DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> TFloat32.class;
            case FLOAT64 -> TFloat64.class;
            case FLOAT16 -> TFloat16.class;
            case BFLOAT16 -> TBfloat16.class;
            case INT64 -> TInt64.class;
            case INT32 -> TInt32.class;
            case UINT8 -> TUint8.class;
            case BOOL -> TBool.class;
        };
    }

    static org.tensorflow.ndarray.Shape tfShape(Shape shape) {
        return org.tensorflow.ndarray.Shape.of(shape.dims());
    }

    /** A shape of the given rank whose every dimension is unknown. */
    static org.tensorflow.ndarray.Shape unknownDims(int rank) {
        long[] dims = new long[rank];
        java.util.Arrays.fill(dims, org.tensorflow.ndarray.Shape.UNKNOWN_SIZE);
        return org.tensorflow.ndarray.Shape.of(dims);
    }

    /** A native tensor holding a copy of the host value; the caller closes it. */
    static Tensor toTensor(HostTensor value) {
        ByteBuffer bytes = value.bytes();
        long n = bytes.remaining();
        return Tensor.of(tensorType(value.dtype()), tfShape(value.shape()), n, t -> {
            if (n > 0) {
                org.tensorflow.ndarray.buffer.DataBuffers.of(bytes).copyTo(t.asRawTensor().data(), n);
            }
        });
    }

    /** A host copy of a native tensor (which the caller still owns). */
    static HostTensor toHost(Tensor tensor) {
        RawTensor raw = tensor.asRawTensor();
        DType dtype = dtype(raw.dataType());
        Shape shape = Shape.of(raw.shape().asArray());
        long n = shape.size() * dtype.byteSize();
        if (n > Integer.MAX_VALUE) {
            throw new IllegalStateException("tensorflow backend: tensor of " + n + " bytes is too large for the host");
        }
        ByteBuffer out = ByteBuffer.allocate((int) n).order(ByteOrder.LITTLE_ENDIAN);
        if (n > 0) {
            raw.data().copyTo(org.tensorflow.ndarray.buffer.DataBuffers.of(out), n);
        }
        return HostTensor.adopt(dtype, shape, out);
    }

    /** A scalar host value of {@code dtype}; float16 and bfloat16 are not supported here (cast instead). */
    static HostTensor scalar(double value, DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> HostTensor.ofFloats(new float[] {(float) value});
            case FLOAT64 -> HostTensor.ofDoubles(new double[] {value});
            case INT64 -> HostTensor.ofLongs(new long[] {(long) value});
            case INT32 -> HostTensor.ofInts(new int[] {(int) value});
            case UINT8 -> HostTensor.ofBytes(new byte[] {(byte) (long) value});
            case BOOL -> HostTensor.ofBooleans(new boolean[] {value != 0});
            default -> throw new IllegalArgumentException("no direct scalar of " + dtype);
        };
    }
}

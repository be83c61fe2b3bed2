package org.maskrcnn4j.backend.tf;

import org.maskrcnn4j.tensor.DType;
import org.maskrcnn4j.tensor.Shape;
import org.maskrcnn4j.tensor.Tensor;
import org.tensorflow.Output;

/**
 * A symbolic tensor of one trace: a graph output plus a layout tag. When {@code nhwc} is set the graph value
 * is the NHWC permutation of the logical NCHW tensor (only for rank 4); {@link #shape()} is always logical.
 */
final class TfTensor implements Tensor {
    /** Logical axis (N, C, H, W) to its position in the NHWC value. */
    static final int[] PHYSICAL_AXIS = {0, 3, 1, 2};

    final TfTrace trace;
    final Output<?> out;
    final boolean nhwc;
    private final Shape shape;
    private final DType dtype;
    /** Lazily built other-layout views, so one trace never transposes the same value twice. */
    Output<?> logicalView;
    Output<?> nhwcView;

    TfTensor(TfTrace trace, Output<?> out, boolean nhwc) {
        this.trace = trace;
        this.out = out;
        this.nhwc = nhwc;
        this.dtype = TfTypes.dtype(out.dataType());
        org.tensorflow.ndarray.Shape s = out.shape();
        if (s.isUnknown()) {
            throw new IllegalStateException("tensorflow backend: the rank of " + out.op().type() + " output '"
                    + out.op().name() + "' is unknown while tracing");
        }
        long[] dims = s.asArray();
        if (nhwc) {
            if (dims.length != 4) {
                throw new IllegalStateException("NHWC layout tag on a rank-" + dims.length + " tensor");
            }
            dims = new long[] {dims[0], dims[3], dims[1], dims[2]};
        }
        this.shape = Shape.of(dims);
    }

    @Override
    public Shape shape() {
        return shape;
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public String toString() {
        return "TfTensor(" + dtype + " " + shape + (nhwc ? ", NHWC inside" : "") + ", " + out.op().name() + ")";
    }
}

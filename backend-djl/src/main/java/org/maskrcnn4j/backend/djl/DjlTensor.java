package org.maskrcnn4j.backend.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import org.maskrcnn4j.tensor.DType;
import org.maskrcnn4j.tensor.Shape;
import org.maskrcnn4j.tensor.Tensor;

/**
 * A {@link Tensor} of the DJL backend: a PyTorch {@link NDArray} owned by the memory scope of the call that
 * created it. Valid only until that call returns.
 */
public final class DjlTensor implements Tensor {
    private final PtNDArray array;
    private final Shape shape;
    private final DType dtype;
    /** Set by {@link DjlOps#discard}: this handle may not be used again. */
    boolean discarded;

    DjlTensor(PtNDArray array) {
        this.array = array;
        this.shape = Shape.of(array.getShape().getShape());
        this.dtype = DjlTypes.toDType(array.getDataType());
    }

    /** The wrapped array (it is closed when the call that created it returns). */
    public NDArray ndArray() {
        return array;
    }

    PtNDArray pt() {
        if (discarded) {
            throw new IllegalStateException("tensor " + shape + " " + dtype + " was used after Ops.discard");
        }
        if (array.isReleased()) {
            throw new IllegalStateException("tensor " + shape + " " + dtype
                    + " was used after the call that created it returned, or after the released block that made it ended"
                    + " (only the tensors a block returns outlive it)");
        }
        return array;
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
        return "DjlTensor(" + dtype + " " + shape + ")";
    }
}

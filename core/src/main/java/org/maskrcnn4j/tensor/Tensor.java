package org.maskrcnn4j.tensor;

/**
 * An opaque handle to a backend's tensor. Model code only passes tensors to {@link Ops}; it never reads
 * their values (outside model code, {@link CompiledFunction}s return {@link HostTensor}s). While a backend traces, dimensions of
 * {@link #shape()} may be {@link Shape#UNKNOWN}.
 */
public interface Tensor {
    /** The static shape; unknown dimensions are -1 while tracing. */
    Shape shape();

    /** The element type. */
    DType dtype();

    /** Rank, always known. */
    default int rank() {
        return shape().rank();
    }
}

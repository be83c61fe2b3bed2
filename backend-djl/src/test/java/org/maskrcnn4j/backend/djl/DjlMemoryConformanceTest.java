package org.maskrcnn4j.backend.djl;

import org.maskrcnn4j.tck.MemoryConformance;
import org.maskrcnn4j.tensor.Backend;

/** Runs the conformance kit's {@link MemoryConformance} on the djl backend. */
class DjlMemoryConformanceTest extends MemoryConformance {
    @Override
    protected Backend createBackend() {
        return DjlTestBackends.create();
    }

    /** Bytes held by the C allocator, where PyTorch's tensors live (see {@link NativeMemory}). */
    @Override
    protected long nativeBytesInUse() {
        return NativeMemory.inUse();
    }
}

package org.maskrcnn4j.backend.djl;

import org.maskrcnn4j.tck.FullModelConformance;
import org.maskrcnn4j.tensor.Backend;

/** Runs the conformance kit's {@link FullModelConformance} on the djl backend. */
class DjlFullModelConformanceTest extends FullModelConformance {
    @Override
    protected Backend createBackend() {
        return DjlTestBackends.create();
    }
}

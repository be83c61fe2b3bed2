package org.maskrcnn4j.backend.djl;

import org.maskrcnn4j.tck.ComponentConformance;
import org.maskrcnn4j.tensor.Backend;

/** Runs the conformance kit's {@link ComponentConformance} on the djl backend. */
class DjlComponentConformanceTest extends ComponentConformance {
    @Override
    protected Backend createBackend() {
        return DjlTestBackends.create();
    }
}

package org.maskrcnn4j.backend.djl;

import org.maskrcnn4j.tck.ErrorConformance;
import org.maskrcnn4j.tensor.Backend;

/** Runs the conformance kit's {@link ErrorConformance} on the djl backend. */
class DjlErrorConformanceTest extends ErrorConformance {
    @Override
    protected Backend createBackend() {
        return DjlTestBackends.create();
    }
}

package org.maskrcnn4j.backend.djl;

import org.maskrcnn4j.tck.ModelWeightsConformance;
import org.maskrcnn4j.tensor.Backend;

/** Runs the conformance kit's {@link ModelWeightsConformance} on the djl backend. */
class DjlModelWeightsConformanceTest extends ModelWeightsConformance {
    @Override
    protected Backend createBackend() {
        return DjlTestBackends.create();
    }
}

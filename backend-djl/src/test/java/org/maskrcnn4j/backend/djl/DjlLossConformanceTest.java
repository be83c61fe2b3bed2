package org.maskrcnn4j.backend.djl;

import org.maskrcnn4j.tck.LossConformance;
import org.maskrcnn4j.tensor.Backend;

/** Runs the conformance kit's {@link LossConformance} on the djl backend. */
class DjlLossConformanceTest extends LossConformance {
    @Override
    protected Backend createBackend() {
        return DjlTestBackends.create();
    }
}

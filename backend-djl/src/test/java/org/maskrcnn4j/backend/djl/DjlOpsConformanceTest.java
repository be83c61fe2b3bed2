package org.maskrcnn4j.backend.djl;

import org.maskrcnn4j.tck.OpsConformance;
import org.maskrcnn4j.tensor.Backend;

/** Runs the conformance kit's {@link OpsConformance} on the djl backend. */
class DjlOpsConformanceTest extends OpsConformance {
    @Override
    protected Backend createBackend() {
        return DjlTestBackends.create();
    }
}

package org.maskrcnn4j.backend.djl;

import org.maskrcnn4j.tck.DetectionOpsConformance;
import org.maskrcnn4j.tensor.Backend;

/** Runs the conformance kit's {@link DetectionOpsConformance} on the djl backend. */
class DjlDetectionOpsConformanceTest extends DetectionOpsConformance {
    @Override
    protected Backend createBackend() {
        return DjlTestBackends.create();
    }
}

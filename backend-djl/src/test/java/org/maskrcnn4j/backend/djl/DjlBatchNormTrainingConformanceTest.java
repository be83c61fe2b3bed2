package org.maskrcnn4j.backend.djl;

import org.maskrcnn4j.tck.BatchNormTrainingConformance;
import org.maskrcnn4j.tensor.Backend;

/** Runs the conformance kit's {@link BatchNormTrainingConformance} on the djl backend. */
class DjlBatchNormTrainingConformanceTest extends BatchNormTrainingConformance {
    @Override
    protected Backend createBackend() {
        return DjlTestBackends.create();
    }
}

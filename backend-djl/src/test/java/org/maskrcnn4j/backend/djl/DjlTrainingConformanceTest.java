package org.maskrcnn4j.backend.djl;

import org.maskrcnn4j.tck.TrainingConformance;
import org.maskrcnn4j.tensor.Backend;

/** Runs the conformance kit's {@link TrainingConformance} on the djl backend. */
class DjlTrainingConformanceTest extends TrainingConformance {
    @Override
    protected Backend createBackend() {
        return DjlTestBackends.create();
    }
}

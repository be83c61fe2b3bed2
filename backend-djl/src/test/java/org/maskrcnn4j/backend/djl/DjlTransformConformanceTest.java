package org.maskrcnn4j.backend.djl;

import org.maskrcnn4j.tck.TransformConformance;
import org.maskrcnn4j.tensor.Backend;

/** Runs the conformance kit's {@link TransformConformance} on the djl backend. */
class DjlTransformConformanceTest extends TransformConformance {
    @Override
    protected Backend createBackend() {
        return DjlTestBackends.create();
    }
}

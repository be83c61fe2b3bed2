package org.maskrcnn4j.backend.djl;

import org.maskrcnn4j.tck.LayerConformance;
import org.maskrcnn4j.tensor.Backend;

/** Runs the conformance kit's {@link LayerConformance} on the djl backend. */
class DjlLayerConformanceTest extends LayerConformance {
    @Override
    protected Backend createBackend() {
        return DjlTestBackends.create();
    }
}

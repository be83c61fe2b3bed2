package org.maskrcnn4j.backend.tf;

import org.maskrcnn4j.tck.TransformConformance;
import org.maskrcnn4j.tensor.Backend;
import org.maskrcnn4j.tensor.BackendConfig;
import org.maskrcnn4j.tensor.Backends;

/** Runs the conformance kit's {@link TransformConformance} on the tensorflow backend. */
class TfTransformConformanceTest extends TransformConformance {
    @Override
    protected Backend createBackend() {
        return Backends.provider(TfBackendProvider.NAME).create(BackendConfig.defaults());
    }
}

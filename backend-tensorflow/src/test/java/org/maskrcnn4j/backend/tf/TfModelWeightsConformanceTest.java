package org.maskrcnn4j.backend.tf;

import org.maskrcnn4j.tck.ModelWeightsConformance;
import org.maskrcnn4j.tensor.Backend;
import org.maskrcnn4j.tensor.BackendConfig;
import org.maskrcnn4j.tensor.Backends;

/** Runs the conformance kit's {@link ModelWeightsConformance} on the tensorflow backend. */
class TfModelWeightsConformanceTest extends ModelWeightsConformance {
    @Override
    protected Backend createBackend() {
        return Backends.provider(TfBackendProvider.NAME).create(BackendConfig.defaults());
    }
}

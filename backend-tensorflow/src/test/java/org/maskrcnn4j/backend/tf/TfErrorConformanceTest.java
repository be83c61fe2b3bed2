package org.maskrcnn4j.backend.tf;

import org.maskrcnn4j.tck.ErrorConformance;
import org.maskrcnn4j.tensor.Backend;
import org.maskrcnn4j.tensor.BackendConfig;
import org.maskrcnn4j.tensor.Backends;

/** Runs the conformance kit's {@link ErrorConformance} on the tensorflow backend. */
class TfErrorConformanceTest extends ErrorConformance {
    @Override
    protected Backend createBackend() {
        return Backends.provider(TfBackendProvider.NAME).create(BackendConfig.defaults());
    }
}

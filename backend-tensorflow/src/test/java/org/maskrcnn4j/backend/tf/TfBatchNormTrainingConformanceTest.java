package org.maskrcnn4j.backend.tf;

import org.maskrcnn4j.tck.BatchNormTrainingConformance;
import org.maskrcnn4j.tensor.Backend;
import org.maskrcnn4j.tensor.BackendConfig;
import org.maskrcnn4j.tensor.Backends;

/** Runs the conformance kit's {@link BatchNormTrainingConformance} on the tensorflow backend. */
class TfBatchNormTrainingConformanceTest extends BatchNormTrainingConformance {
    @Override
    protected Backend createBackend() {
        return Backends.provider(TfBackendProvider.NAME).create(BackendConfig.defaults());
    }
}

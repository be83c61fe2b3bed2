package org.maskrcnn4j.backend.tf;

import org.maskrcnn4j.tck.TrainingConformance;
import org.maskrcnn4j.tensor.Backend;
import org.maskrcnn4j.tensor.BackendConfig;
import org.maskrcnn4j.tensor.Backends;

/** The training conformance kit on the TensorFlow backend (graph mode). */
class TfTrainingConformanceTest extends TrainingConformance {
    @Override
    protected Backend createBackend() {
        return Backends.provider(TfBackendProvider.NAME).create(BackendConfig.defaults());
    }
}

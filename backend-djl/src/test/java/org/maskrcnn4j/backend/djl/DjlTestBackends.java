package org.maskrcnn4j.backend.djl;

import org.maskrcnn4j.tensor.Backend;
import org.maskrcnn4j.tensor.BackendConfig;
import org.maskrcnn4j.tensor.Backends;

/** Creates the backend under test the way users get it: by name through the ServiceLoader. */
final class DjlTestBackends {
    private DjlTestBackends() {
    }

    static Backend create() {
        return Backends.provider("djl").create(BackendConfig.defaults());
    }
}

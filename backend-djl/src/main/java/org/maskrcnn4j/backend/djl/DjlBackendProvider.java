package org.maskrcnn4j.backend.djl;

import ai.djl.engine.Engine;
import org.maskrcnn4j.tensor.Availability;
import org.maskrcnn4j.tensor.Backend;
import org.maskrcnn4j.tensor.BackendConfig;
import org.maskrcnn4j.tensor.BackendException;
import org.maskrcnn4j.tensor.BackendProvider;

/**
 * {@link java.util.ServiceLoader} entry point of the {@code djl} backend (priority 100). Cheap to construct:
 * the PyTorch native library is loaded by {@link #availability()} or {@link #create}, once per JVM.
 */
public final class DjlBackendProvider implements BackendProvider {
    /** The backend's name. */
    public static final String NAME = "djl";
    /** DJL's name of the PyTorch engine. */
    static final String ENGINE = "PyTorch";

    private static volatile Availability availability;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return 100;
    }

    @Override
    public Availability availability() {
        Availability a = availability;
        if (a == null) {
            synchronized (DjlBackendProvider.class) {
                a = availability;
                if (a == null) {
                    a = load();
                    availability = a;
                }
            }
        }
        return a;
    }

    private static Availability load() {
        try {
            Engine engine = Engine.getEngine(ENGINE);
            engine.getVersion();
            return Availability.ok();
        } catch (Throwable t) { // NoClassDefFoundError, UnsatisfiedLinkError, EngineException, ...
            StringBuilder reason = new StringBuilder("PyTorch engine of DJL failed to load: ");
            Throwable c = t;
            String sep = "";
            while (c != null) {
                reason.append(sep).append(c.getClass().getSimpleName()).append(": ").append(c.getMessage());
                sep = "; caused by ";
                c = c.getCause() == c ? null : c.getCause();
            }
            return Availability.unavailable(reason.toString());
        }
    }

    @Override
    public Backend create(BackendConfig config) {
        Availability a = availability();
        if (!a.available()) {
            throw new BackendException("backend 'djl' is not available: " + a.reason());
        }
        return new DjlBackend(config);
    }
}

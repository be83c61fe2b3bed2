package org.maskrcnn4j.tensor;

/**
 * The {@link java.util.ServiceLoader} entry point of a backend module, listed in
 * {@code META-INF/services/org.maskrcnn4j.tensor.BackendProvider}. Must be cheap to construct: native
 * libraries load in {@link #availability()} or {@link #create}, never in the constructor.
 */
public interface BackendProvider {
    /** Short unique name used for selection, e.g. {@code djl}. */
    String name();

    /** Higher wins when no backend is named. */
    int priority();

    /** Whether {@link #create} can succeed here; loading native code is allowed. */
    Availability availability();

    Backend create(BackendConfig config);
}

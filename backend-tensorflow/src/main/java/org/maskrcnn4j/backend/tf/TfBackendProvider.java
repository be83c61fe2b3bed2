package org.maskrcnn4j.backend.tf;

import org.maskrcnn4j.tensor.Availability;
import org.maskrcnn4j.tensor.Backend;
import org.maskrcnn4j.tensor.BackendConfig;
import org.maskrcnn4j.tensor.BackendException;
import org.maskrcnn4j.tensor.BackendProvider;

/**
 * The {@code tensorflow} backend's {@link java.util.ServiceLoader} entry point (priority 50). Constructing it
 * is free; {@link #availability()} loads the TensorFlow native library once per JVM (the first load on a
 * machine also extracts about 650 MB to {@code ~/.javacpp/cache}) and reports why it failed, if it did.
 */
public final class TfBackendProvider implements BackendProvider {
    /** The backend's name, for {@code -Dmaskrcnn4j.backend=tensorflow}. */
    public static final String NAME = "tensorflow";

    private static volatile Availability availability;
    private static volatile long loadMillis = -1;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return 50;
    }

    @Override
    public Availability availability() {
        Availability a = availability;
        if (a == null) {
            synchronized (TfBackendProvider.class) {
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
        long t0 = System.nanoTime();
        try {
            String version = org.tensorflow.TensorFlow.version();
            loadMillis = (System.nanoTime() - t0) / 1_000_000;
            return version == null ? Availability.unavailable("native library loaded but reports no version")
                    : Availability.ok();
        } catch (Throwable e) { // UnsatisfiedLinkError, NoClassDefFoundError, ExceptionInInitializerError
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            return Availability.unavailable("native library failed to load: " + root);
        }
    }

    /** Milliseconds the first native load took in this JVM, or -1 before it happened or if it failed. */
    public static long nativeLoadMillis() {
        return loadMillis;
    }

    @Override
    public Backend create(BackendConfig config) {
        Availability a = availability();
        if (!a.available()) {
            throw new BackendException("tensorflow backend is not available: " + a.reason());
        }
        return new TfBackend(config);
    }
}

package org.maskrcnn4j.tensor;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Finds backends with {@link ServiceLoader}. The backend is chosen by the system property
 * {@code maskrcnn4j.backend}, else the environment variable {@code MASKRCNN4J_BACKEND}, else the
 * available provider with the highest priority.
 */
public final class Backends {
    public static final String PROPERTY = "maskrcnn4j.backend";
    public static final String ENV = "MASKRCNN4J_BACKEND";

    private Backends() {
    }

    /** Every provider on the class path, highest priority first. */
    public static List<BackendProvider> providers() {
        List<BackendProvider> out = new ArrayList<>();
        ServiceLoader.load(BackendProvider.class).forEach(out::add);
        out.sort(Comparator.comparingInt(BackendProvider::priority).reversed()
                .thenComparing(BackendProvider::name));
        return out;
    }

    /** The name chosen by property or environment, or null when neither is set. */
    public static String requestedName() {
        String name = System.getProperty(PROPERTY);
        if (name == null || name.isBlank()) {
            name = System.getenv(ENV);
        }
        return name == null || name.isBlank() ? null : name.trim();
    }

    /** The provider selected by property, environment or priority. */
    public static BackendProvider provider() {
        return provider(requestedName());
    }

    /**
     * The provider called {@code name}, or the best available one when {@code name} is null. Fails with
     * the list of discovered backends and each one's availability when none fits.
     */
    public static BackendProvider provider(String name) {
        List<BackendProvider> all = providers();
        if (name != null) {
            for (BackendProvider p : all) {
                if (p.name().equals(name)) {
                    Availability a = p.availability();
                    if (!a.available()) {
                        throw new BackendException("backend '" + name + "' is not available: " + a.reason()
                                + describe(all));
                    }
                    return p;
                }
            }
            throw new BackendException("unknown backend '" + name + "'" + describe(all));
        }
        for (BackendProvider p : all) {
            if (p.availability().available()) {
                return p;
            }
        }
        throw new BackendException("no available backend" + describe(all));
    }

    /** Creates the selected backend with the given configuration. */
    public static Backend create(BackendConfig config) {
        return provider().create(config);
    }

    /** Creates the selected backend on the CPU with default settings. */
    public static Backend get() {
        return create(BackendConfig.defaults());
    }

    private static String describe(List<BackendProvider> all) {
        if (all.isEmpty()) {
            return "; no backend was discovered (add a backend module such as maskrcnn4j-backend-djl to the class path)";
        }
        StringBuilder b = new StringBuilder("; discovered backends:");
        for (BackendProvider p : all) {
            Availability a = p.availability();
            b.append("\n  ").append(p.name()).append(" (priority ").append(p.priority()).append("): ")
                    .append(a.available() ? "available" : "unavailable: " + a.reason());
        }
        return b.toString();
    }
}

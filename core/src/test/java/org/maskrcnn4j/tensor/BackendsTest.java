package org.maskrcnn4j.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backend selection: by name, by priority among the available ones, and the error that lists every
 * discovered backend with its availability. Fake providers are registered through a class loader that
 * only this test uses, so no service file leaks into other modules' class paths.
 */
class BackendsTest {
    @TempDir
    Path dir;

    @AfterEach
    void clearProperty() {
        System.clearProperty(Backends.PROPERTY);
    }

    /** Available, low priority. */
    public static final class Slow extends Fake {
        public Slow() {
            super("slow", 1, Availability.ok());
        }
    }

    /** Available, high priority. */
    public static final class Fast extends Fake {
        public Fast() {
            super("fast", 10, Availability.ok());
        }
    }

    /** Highest priority but cannot load. */
    public static final class Broken extends Fake {
        public Broken() {
            super("broken", 99, Availability.unavailable("native library failed to load: libfoo.so missing"));
        }
    }

    abstract static class Fake implements BackendProvider {
        private final String name;
        private final int priority;
        private final Availability availability;

        Fake(String name, int priority, Availability availability) {
            this.name = name;
            this.priority = priority;
            this.availability = availability;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public int priority() {
            return priority;
        }

        @Override
        public Availability availability() {
            return availability;
        }

        @Override
        public Backend create(BackendConfig config) {
            throw new UnsupportedOperationException("fake backend " + name);
        }
    }

    private <T> T withProviders(List<Class<?>> providers, Callable<T> body) throws Exception {
        Path services = dir.resolve("META-INF/services");
        Files.createDirectories(services);
        StringBuilder lines = new StringBuilder();
        for (Class<?> c : providers) {
            lines.append(c.getName()).append('\n');
        }
        Files.writeString(services.resolve(BackendProvider.class.getName()), lines);
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
            Thread.currentThread().setContextClassLoader(loader);
            return body.call();
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
    }

    @Test
    void picksTheAvailableProviderWithHighestPriority() throws Exception {
        String chosen = withProviders(List.of(Slow.class, Broken.class, Fast.class), () -> Backends.provider(null).name());
        assertThat(chosen).isEqualTo("fast");
    }

    @Test
    void propertySelectsByName() throws Exception {
        System.setProperty(Backends.PROPERTY, "slow");
        assertThat(withProviders(List.of(Slow.class, Fast.class), () -> Backends.provider().name())).isEqualTo("slow");
    }

    @Test
    void unknownNameListsEveryDiscoveredBackendWithItsReason() {
        System.setProperty(Backends.PROPERTY, "nope");
        assertThatThrownBy(() -> withProviders(List.of(Slow.class, Broken.class), Backends::provider))
                .isInstanceOf(BackendException.class)
                .hasMessageContaining("unknown backend 'nope'")
                .hasMessageContaining("slow (priority 1): available")
                .hasMessageContaining("broken (priority 99): unavailable: native library failed to load: libfoo.so missing");
    }

    @Test
    void unavailableNameSaysWhy() {
        assertThatThrownBy(() -> withProviders(List.of(Broken.class), () -> Backends.provider("broken")))
                .isInstanceOf(BackendException.class)
                .hasMessageContaining("backend 'broken' is not available: native library failed to load");
    }

    @Test
    void noBackendAtAllTellsWhatToAdd() {
        assertThatThrownBy(() -> withProviders(List.of(), () -> Backends.provider(null)))
                .isInstanceOf(BackendException.class)
                .hasMessageContaining("no backend was discovered");
    }
}

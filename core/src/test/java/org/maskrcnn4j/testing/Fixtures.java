package org.maskrcnn4j.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.maskrcnn4j.io.SafetensorsFile;

/**
 * Locates the shared torchvision reference fixtures for tests and opens them in place (they are never
 * copied into the repository). Opened files are cached for the life of the JVM; do not close them.
 */
public final class Fixtures {
    /** System property naming the fixture folder; set by surefire in the parent pom. */
    public static final String PROPERTY = "maskrcnn4j.fixtures";

    private static final Path RELATIVE = Paths.get("shared", "fixtures", "torchvision");
    private static final Map<String, SafetensorsFile> OPEN = new ConcurrentHashMap<>();

    private Fixtures() {
    }

    /**
     * The fixture folder: the {@value #PROPERTY} system property if it names a folder, else the first
     * {@code shared/fixtures/torchvision} found in the working directory or one of its parents.
     */
    public static Path dir() {
        List<Path> tried = new ArrayList<>();
        String configured = System.getProperty(PROPERTY);
        if (configured != null && !configured.isBlank() && !configured.contains("${")) {
            Path p = Paths.get(configured).toAbsolutePath().normalize();
            if (Files.isDirectory(p)) {
                return p;
            }
            tried.add(p);
        }
        for (Path a = Paths.get("").toAbsolutePath(); a != null; a = a.getParent()) {
            Path p = a.resolve(RELATIVE);
            if (Files.isDirectory(p)) {
                return p;
            }
            tried.add(p);
        }
        throw new IllegalStateException("torchvision fixtures not found; set -D" + PROPERTY
                + "=<folder> or run from inside a checkout next to shared/fixtures/torchvision. Tried: " + tried);
    }

    /** The path of one fixture file; fails if it does not exist. */
    public static Path file(String fileName) {
        Path p = dir().resolve(fileName);
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("fixture file " + p + " does not exist");
        }
        return p;
    }

    /** The fixture file {@code fileName} (e.g. {@code nms.safetensors}), opened once and cached. */
    public static SafetensorsFile open(String fileName) {
        return OPEN.compute(fileName, (name, cached) -> cached != null && cached.isOpen() ? cached : openNow(name));
    }

    private static SafetensorsFile openNow(String fileName) {
        try {
            return SafetensorsFile.open(file(fileName));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open fixture " + fileName, e);
        }
    }
}

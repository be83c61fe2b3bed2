package org.maskrcnn4j.io;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.Shape;

/**
 * Checks that a loaded state dict (parameter name to value) fits a model's expected parameter shapes, and
 * reports every problem in one error instead of stopping at the first.
 */
public final class StateDicts {
    private StateDicts() {
    }

    /** Strict check: missing keys, unexpected keys and wrong shapes all fail. */
    public static void checkCompatible(Map<String, Shape> expected, Map<String, HostTensor> loaded, String source) {
        checkCompatible(expected, loaded, source, true);
    }

    /**
     * Fails with one {@link IllegalArgumentException} listing all missing keys, wrong shapes and, if
     * {@code strict}, unexpected keys of {@code loaded} (read from {@code source}). An {@link Shape#UNKNOWN}
     * dimension in an expected shape matches any size.
     */
    public static void checkCompatible(Map<String, Shape> expected, Map<String, HostTensor> loaded, String source,
            boolean strict) {
        Map<String, Shape> shapes = new java.util.LinkedHashMap<>();
        loaded.forEach((name, t) -> shapes.put(name, t.shape()));
        checkShapes(expected, shapes, source, strict);
    }

    /**
     * As {@link #checkCompatible(Map, Map, String, boolean)} for a source described by its names and shapes
     * alone (e.g. a safetensors header), before any tensor is read.
     */
    public static void checkShapes(Map<String, Shape> expected, Map<String, Shape> loaded, String source,
            boolean strict) {
        List<String> missing = new ArrayList<>();
        List<String> wrongShape = new ArrayList<>();
        for (Map.Entry<String, Shape> e : expected.entrySet()) {
            Shape found = loaded.get(e.getKey());
            if (found == null) {
                missing.add(e.getKey());
            } else if (!matches(e.getValue(), found)) {
                wrongShape.add(e.getKey() + ": expected " + e.getValue() + ", found " + found);
            }
        }
        List<String> unexpected = new ArrayList<>();
        if (strict) {
            for (String name : loaded.keySet()) {
                if (!expected.containsKey(name)) {
                    unexpected.add(name);
                }
            }
        }
        if (missing.isEmpty() && unexpected.isEmpty() && wrongShape.isEmpty()) {
            return;
        }
        List<String> parts = new ArrayList<>();
        describe(parts, "missing", missing);
        describe(parts, "unexpected", unexpected);
        describe(parts, "wrong shape", wrongShape);
        throw new IllegalArgumentException("state dict from " + source + " does not match the model: "
                + String.join("; ", parts));
    }

    private static boolean matches(Shape expected, Shape found) {
        if (expected.rank() != found.rank()) {
            return false;
        }
        for (int i = 0; i < expected.rank(); i++) {
            if (expected.get(i) != Shape.UNKNOWN && expected.get(i) != found.get(i)) {
                return false;
            }
        }
        return true;
    }

    private static void describe(List<String> parts, String what, List<String> items) {
        if (!items.isEmpty()) {
            parts.add(what + " " + items.size() + " " + items);
        }
    }
}

package org.maskrcnn4j.nn;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.ParameterStore;
import org.maskrcnn4j.tensor.Shape;

/** A host-memory {@link ParameterStore} for tests that only declare and inspect values (no ops). */
final class MapParameterStore implements ParameterStore {
    private final Map<String, HostTensor> values = new LinkedHashMap<>();
    private final Map<String, Boolean> trainable = new LinkedHashMap<>();

    @Override
    public void declare(String name, HostTensor initialValue, boolean isTrainable) {
        HostTensor old = values.get(name);
        if (old != null) {
            if (!old.shape().equals(initialValue.shape()) || old.dtype() != initialValue.dtype()) {
                throw new IllegalArgumentException("redeclared " + name + " with another shape or dtype");
            }
            return;
        }
        values.put(name, initialValue);
        trainable.put(name, isTrainable);
    }

    @Override
    public boolean contains(String name) {
        return values.containsKey(name);
    }

    @Override
    public Set<String> names() {
        return Collections.unmodifiableSet(values.keySet());
    }

    @Override
    public Shape shape(String name) {
        return values.get(name).shape();
    }

    @Override
    public boolean trainable(String name) {
        return trainable.get(name);
    }

    @Override
    public HostTensor get(String name) {
        return values.get(name);
    }

    @Override
    public void set(String name, HostTensor value) {
        values.put(name, value);
    }
}

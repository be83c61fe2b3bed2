package org.maskrcnn4j.tensor;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The backend-owned values of a model's parameters and buffers, by torchvision state_dict name. Model
 * code reads them with {@link Ops#parameter}; everything else goes through host copies.
 */
public interface ParameterStore {

    /**
     * Declares a parameter with its initial value. Declaring an existing name again with the same shape
     * and dtype keeps the current value; a different shape or dtype is an error.
     */
    void declare(String name, HostTensor initialValue, boolean trainable);

    boolean contains(String name);

    /** Declared names in declaration order. */
    Set<String> names();

    Shape shape(String name);

    /** The declared element type; backends override this default, which copies the value to the host. */
    default DType dtype(String name) {
        return get(name).dtype();
    }

    boolean trainable(String name);

    /** A host copy of the current value. */
    HostTensor get(String name);

    /** Replaces the value; shape and dtype must equal the declared ones. */
    void set(String name, HostTensor value);

    /** Host copies of every value, in declaration order. */
    default Map<String, HostTensor> snapshot() {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (String n : names()) {
            out.put(n, get(n));
        }
        return out;
    }
}

package org.maskrcnn4j.backend.djl;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.maskrcnn4j.tensor.DType;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.ParameterStore;
import org.maskrcnn4j.tensor.Shape;

/**
 * Parameter values of the DJL backend: contiguous PyTorch arrays in the backend's long-lived manager, plus
 * the SGD momentum buffers of trainable ones. Values are replaced in place, so views handed to a running
 * call stay valid. Thread-safe.
 */
public final class DjlParameterStore implements ParameterStore {
    /** One declared parameter. */
    record Entry(String name, PtNDArray value, DType dtype, Shape shape, boolean trainable) {
    }

    private final NDManager manager;
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private final Map<String, PtNDArray> momentum = new LinkedHashMap<>();

    DjlParameterStore(NDManager manager) {
        this.manager = manager;
    }

    @Override
    public synchronized void declare(String name, HostTensor initialValue, boolean trainable) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("parameter name must not be empty");
        }
        Entry old = entries.get(name);
        if (old != null) {
            if (!old.shape().equals(initialValue.shape()) || old.dtype() != initialValue.dtype()) {
                throw new IllegalArgumentException("parameter '" + name + "' is already declared as " + old.dtype()
                        + " " + old.shape() + ", cannot redeclare it as " + initialValue.dtype() + " "
                        + initialValue.shape());
            }
            if (old.trainable() != trainable) {
                entries.put(name, new Entry(name, old.value(), old.dtype(), old.shape(), trainable));
            }
            return;
        }
        PtNDArray value = DjlTypes.fromHost(manager, initialValue);
        entries.put(name, new Entry(name, value, initialValue.dtype(), initialValue.shape(), trainable));
    }

    @Override
    public synchronized boolean contains(String name) {
        return entries.containsKey(name);
    }

    @Override
    public synchronized Set<String> names() {
        return java.util.Collections.unmodifiableSet(new LinkedHashSet<>(entries.keySet()));
    }

    @Override
    public synchronized Shape shape(String name) {
        return entry(name).shape();
    }

    @Override
    public synchronized boolean trainable(String name) {
        return entry(name).trainable();
    }

    @Override
    public synchronized HostTensor get(String name) {
        return DjlTypes.toHost(entry(name).value());
    }

    @Override
    public synchronized void set(String name, HostTensor value) {
        Entry e = entry(name);
        if (!e.shape().equals(value.shape()) || e.dtype() != value.dtype()) {
            throw new IllegalArgumentException("parameter '" + name + "' is " + e.dtype() + " " + e.shape()
                    + ", cannot set it to " + value.dtype() + " " + value.shape());
        }
        ByteBuffer dst = DjlTypes.view(e.value());
        if (dst != null) {
            dst.put(value.bytes());
        }
    }

    synchronized Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new IllegalArgumentException("unknown parameter '" + name + "' (" + entries.size()
                    + " declared" + (entries.isEmpty() ? "" : ", e.g. '" + entries.keySet().iterator().next() + "'")
                    + ")");
        }
        return e;
    }

    /** The momentum buffer of a parameter, or null before its first SGD step with momentum. */
    synchronized PtNDArray momentum(String name) {
        return momentum.get(name);
    }

    /** Stores a new momentum buffer (moved into the long-lived manager). */
    synchronized void setMomentum(String name, PtNDArray buffer) {
        buffer.attach(manager);
        PtNDArray old = momentum.put(name, buffer);
        if (old != null && old != buffer) {
            old.close();
        }
    }

    /** Prefix of the optimizer-state keys, as in torch's SGD state ({@code momentum_buffer}). */
    static final String MOMENTUM = "momentum_buffer/";

    /** Host copies of the momentum buffers, keyed {@code momentum_buffer/<parameter>}. */
    synchronized Map<String, HostTensor> momentumState() {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        momentum.forEach((name, buf) -> out.put(MOMENTUM + name, DjlTypes.toHost(buf)));
        return out;
    }

    /** Replaces every momentum buffer by the values of {@link #momentumState()}; checks names and shapes first. */
    synchronized void loadMomentum(Map<String, HostTensor> state) {
        for (Map.Entry<String, HostTensor> e : state.entrySet()) {
            if (!e.getKey().startsWith(MOMENTUM)) {
                throw new IllegalArgumentException("unknown optimizer state '" + e.getKey() + "', expected " + MOMENTUM + "<parameter>");
            }
            Entry p = entry(e.getKey().substring(MOMENTUM.length()));
            if (!p.shape().equals(e.getValue().shape()) || p.dtype() != e.getValue().dtype()) {
                throw new IllegalArgumentException("optimizer state '" + e.getKey() + "' is " + e.getValue().dtype() + " "
                        + e.getValue().shape() + ", its parameter is " + p.dtype() + " " + p.shape());
            }
        }
        momentum.values().forEach(PtNDArray::close);
        momentum.clear();
        for (Map.Entry<String, HostTensor> e : state.entrySet()) {
            momentum.put(e.getKey().substring(MOMENTUM.length()), DjlTypes.fromHost(manager, e.getValue()));
        }
    }

    /** Number of declared parameters. */
    synchronized int size() {
        return entries.size();
    }
}

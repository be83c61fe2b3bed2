package org.maskrcnn4j.backend.djl;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.maskrcnn4j.tensor.DType;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.Optimizer;
import org.maskrcnn4j.tensor.ParameterStore;
import org.maskrcnn4j.tensor.Shape;

/**
 * Parameter values of the DJL backend: contiguous PyTorch arrays in the backend's long-lived manager, plus
 * the optimizer state of trainable ones (momentum buffers, AdamW moments and step counts), shared by every
 * training step of the backend. Values are replaced in place, so views handed to a running
 * call stay valid. Thread-safe.
 */
public final class DjlParameterStore implements ParameterStore {
    /** One declared parameter. */
    record Entry(String name, PtNDArray value, DType dtype, Shape shape, boolean trainable) {
    }

    private final NDManager manager;
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    /** Optimizer buffers by state key, e.g. {@code momentum_buffer/<parameter>} (see {@link Optimizer}). */
    private final Map<String, PtNDArray> buffers = new LinkedHashMap<>();
    /** AdamW step counts by state key {@code step/<parameter>}. */
    private final Map<String, Long> steps = new LinkedHashMap<>();

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
    public synchronized DType dtype(String name) {
        return entry(name).dtype();
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

    /** An optimizer buffer by state key ({@code <prefix><parameter>}), or null before the parameter's first update. */
    synchronized PtNDArray optimizerBuffer(String key) {
        return buffers.get(key);
    }

    /** Stores a new optimizer buffer (moved into the long-lived manager). */
    synchronized void setOptimizerBuffer(String key, PtNDArray buffer) {
        buffer.attach(manager);
        PtNDArray old = buffers.put(key, buffer);
        if (old != null && old != buffer) {
            old.close();
        }
    }

    /** Counts one more AdamW update of a parameter and returns the new count (1 on its first update). */
    synchronized long nextStep(String name) {
        return steps.merge(Optimizer.AdamW.STEP + name, 1L, Long::sum);
    }

    /**
     * Host copies of the optimizer state under {@code prefixes}: buffers keyed {@code <prefix><parameter>},
     * step counts as float64 scalars keyed {@code step/<parameter>}.
     */
    synchronized Map<String, HostTensor> optimizerState(List<String> prefixes) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        buffers.forEach((key, buf) -> {
            if (hasPrefix(key, prefixes)) {
                out.put(key, DjlTypes.toHost(buf));
            }
        });
        steps.forEach((key, n) -> {
            if (hasPrefix(key, prefixes)) {
                out.put(key, HostTensor.ofDoubles(new double[] {n}));
            }
        });
        return out;
    }

    /**
     * Replaces all optimizer state under {@code prefixes} by {@code state}, which
     * {@link Optimizer#checkState} has accepted.
     */
    synchronized void loadOptimizerState(List<String> prefixes, Map<String, HostTensor> state) {
        buffers.entrySet().removeIf(e -> {
            boolean drop = hasPrefix(e.getKey(), prefixes);
            if (drop) {
                e.getValue().close();
            }
            return drop;
        });
        steps.keySet().removeIf(key -> hasPrefix(key, prefixes));
        for (Map.Entry<String, HostTensor> e : state.entrySet()) {
            if (e.getKey().startsWith(Optimizer.AdamW.STEP)) {
                steps.put(e.getKey(), (long) e.getValue().getDouble(0));
            } else {
                buffers.put(e.getKey(), DjlTypes.fromHost(manager, e.getValue()));
            }
        }
    }

    private static boolean hasPrefix(String key, List<String> prefixes) {
        for (String p : prefixes) {
            if (key.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    /** Number of declared parameters. */
    synchronized int size() {
        return entries.size();
    }
}

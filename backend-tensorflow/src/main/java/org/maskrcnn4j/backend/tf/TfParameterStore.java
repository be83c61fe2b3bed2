package org.maskrcnn4j.backend.tf;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.maskrcnn4j.tensor.DType;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.ParameterStore;
import org.maskrcnn4j.tensor.Shape;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Tensor;

/**
 * Parameters as resource variables ({@code VarHandleOp}) of the backend's graph. Each declared parameter
 * gets a variable, a read op (fetched by {@link #get}) and an assign from a placeholder (fed by
 * {@link #set}); traced functions read it with their own {@code ReadVariableOp} and train steps update it
 * in place, so values stay in native memory between steps.
 */
public final class TfParameterStore implements ParameterStore {
    private final TfBackend backend;
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private int counter;

    record Entry(String name, DType dtype, Shape shape, boolean trainable, Variable variable) {
        Output<?> handle() {
            return variable.handle();
        }

        Output<?> read() {
            return variable.read();
        }
    }

    TfParameterStore(TfBackend backend) {
        this.backend = backend;
    }

    @Override
    public synchronized void declare(String name, HostTensor initialValue, boolean trainable) {
        backend.checkOpen();
        Entry e = entries.get(name);
        if (e != null) {
            if (!e.shape.equals(initialValue.shape()) || e.dtype != initialValue.dtype()) {
                throw new IllegalArgumentException("parameter '" + name + "' is declared as " + e.dtype + " "
                        + e.shape + ", cannot declare it again as " + initialValue.dtype() + " "
                        + initialValue.shape());
            }
            return;
        }
        Variable v = Variable.create(backend.graph(), "params/" + sanitize(name) + "_" + counter++,
                initialValue.dtype(), initialValue.shape());
        e = new Entry(name, initialValue.dtype(), initialValue.shape(), trainable, v);
        write(e, initialValue);
        entries.put(name, e);
    }

    /**
     * A resource variable with a read op, and an assign from a placeholder for host writes: the shape of
     * parameters and of the training steps' optimizer state.
     */
    record Variable(Output<?> handle, Output<?> read, Output<?> assignValue, GraphOperation assign) {
        /** Adds the variable's ops to {@code g} under the unique name {@code base}; it holds no value yet. */
        static Variable create(Graph g, String base, DType dtype, Shape shape) {
            Output<?> handle = g.opBuilder("VarHandleOp", base, g.baseScope())
                    .setAttr("dtype", TfTypes.dataType(dtype))
                    .setAttr("shape", TfTypes.tfShape(shape))
                    .setAttr("shared_name", base)
                    .setAttr("container", "")
                    .build().output(0);
            Output<?> read = g.opBuilder("ReadVariableOp", base + "/read", g.baseScope())
                    .addInput(handle).setAttr("dtype", TfTypes.dataType(dtype)).build().output(0);
            Output<?> value = g.opBuilder("Placeholder", base + "/value", g.baseScope())
                    .setAttr("dtype", TfTypes.dataType(dtype))
                    .setAttr("shape", TfTypes.tfShape(shape))
                    .build().output(0);
            GraphOperation assign = g.opBuilder("AssignVariableOp", base + "/assign", g.baseScope())
                    .addInput(handle).addInput(value).setAttr("dtype", TfTypes.dataType(dtype)).build();
            return new Variable(handle, read, value, assign);
        }

        /**
         * Adds an op that sets the variable to zeros of {@code dtype} and {@code shape} from a {@code Fill}, so
         * that zero state (optimizer slots, gradient sums) never passes through a host buffer.
         */
        GraphOperation zeroAssign(Graph g, DType dtype, Shape shape) {
            String base = handle.op().name();
            try (Tensor dims = TfTypes.toTensor(HostTensor.ofLongs(shape.dims(), shape.rank()));
                    Tensor zero = TfTypes.toTensor(HostTensor.of(dtype, Shape.of(),
                            java.nio.ByteBuffer.allocate(dtype.byteSize())))) {
                Output<?> d = g.opBuilder("Const", base + "/zeros_shape", g.baseScope())
                        .setAttr("value", dims).setAttr("dtype", dims.dataType()).build().output(0);
                Output<?> z = g.opBuilder("Const", base + "/zero", g.baseScope())
                        .setAttr("value", zero).setAttr("dtype", zero.dataType()).build().output(0);
                Output<?> fill = g.opBuilder("Fill", base + "/zeros", g.baseScope())
                        .addInput(d).addInput(z).build().output(0);
                return g.opBuilder("AssignVariableOp", base + "/assign_zeros", g.baseScope())
                        .addInput(handle).addInput(fill).setAttr("dtype", TfTypes.dataType(dtype)).build();
            }
        }

        /** Replaces the value (shape and dtype already checked). */
        void write(org.tensorflow.Session session, HostTensor value) {
            writeAll(session, Map.of(this, value));
        }

        /** Replaces the values of several variables in one session run (shapes and dtypes already checked). */
        static void writeAll(org.tensorflow.Session session, Map<Variable, HostTensor> values) {
            writeAll(session, values, List.of());
        }

        /** As {@link #writeAll(org.tensorflow.Session, Map)}, running {@code alsoRun} in the same session run. */
        static void writeAll(org.tensorflow.Session session, Map<Variable, HostTensor> values,
                java.util.Collection<GraphOperation> alsoRun) {
            List<Tensor> fed = new ArrayList<>();
            try {
                org.tensorflow.Session.Runner runner = session.runner();
                alsoRun.forEach(runner::addTarget);
                for (Map.Entry<Variable, HostTensor> e : values.entrySet()) {
                    Tensor t = TfTypes.toTensor(e.getValue());
                    fed.add(t);
                    runner.feed(e.getKey().assignValue(), t).addTarget(e.getKey().assign());
                }
                runner.run().close();
            } finally {
                fed.forEach(Tensor::close);
            }
        }
    }

    static String sanitize(String name) {
        StringBuilder b = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = Character.isLetterOrDigit(c) && c < 128 || c == '.' || c == '_' || c == '-';
            b.append(ok ? c : '_');
        }
        return b.length() == 0 ? "p" : b.toString();
    }

    @Override
    public synchronized boolean contains(String name) {
        return entries.containsKey(name);
    }

    @Override
    public synchronized Set<String> names() {
        return Collections.unmodifiableSet(new LinkedHashSet<>(entries.keySet()));
    }

    @Override
    public synchronized Shape shape(String name) {
        return entry(name).shape;
    }

    @Override
    public synchronized DType dtype(String name) {
        return entry(name).dtype;
    }

    @Override
    public synchronized boolean trainable(String name) {
        return entry(name).trainable;
    }

    @Override
    public HostTensor get(String name) {
        Entry e;
        synchronized (this) {
            e = entry(name);
        }
        backend.checkOpen();
        try (Result r = backend.session().runner().fetch(e.read()).run()) {
            return TfTypes.toHost(r.get(0));
        }
    }

    @Override
    public void set(String name, HostTensor value) {
        Entry e;
        synchronized (this) {
            e = entry(name);
        }
        if (!e.shape.equals(value.shape()) || e.dtype != value.dtype()) {
            throw new IllegalArgumentException("parameter '" + name + "' is " + e.dtype + " " + e.shape
                    + ", cannot set a value of " + value.dtype() + " " + value.shape());
        }
        write(e, value);
    }

    private void write(Entry e, HostTensor value) {
        backend.checkOpen();
        e.variable.write(backend.session(), value);
    }

    /** The entry of a declared parameter, or an error listing a few declared names. */
    synchronized Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            StringBuilder known = new StringBuilder();
            int n = 0;
            for (String k : entries.keySet()) {
                if (n++ == 10) {
                    known.append(", ...");
                    break;
                }
                known.append(n == 1 ? "" : ", ").append(k);
            }
            throw new IllegalArgumentException("unknown parameter '" + name + "' (" + entries.size()
                    + " declared" + (entries.isEmpty() ? "" : ": " + known) + ")");
        }
        return e;
    }
}

package org.maskrcnn4j.backend.tf;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.maskrcnn4j.tensor.DType;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.Optimizer;
import org.maskrcnn4j.tensor.TensorFunction;
import org.maskrcnn4j.tensor.TrainStep;
import org.tensorflow.GraphOperation;
import org.tensorflow.Output;

/**
 * A training step in one session run: forward, {@code addGradients} of the summed losses with respect to
 * the reads of every trainable parameter the function used, then {@code torch.optim.SGD}'s update built
 * into the graph ({@code g = grad + wd * p; buf = momentum * buf + g; p -= lr * buf}). Momentum buffers are
 * zero-initialised graph variables of this step, which makes the first step's {@code buf = g} exact. The
 * updates wait (control dependencies) for every loss and gradient, so the losses returned are the values
 * before the update. The learning rate is fed per step.
 *
 * <p>Optimizer state for checkpoints is the momentum buffers, keyed {@code momentum_buffer/<parameter>} as on
 * the DJL backend, so a checkpoint moves between backends. State loaded before the first step (when the
 * buffers do not exist yet) is kept and becomes the buffers' initial values when the step is traced.
 */
final class TfTrainStep implements TrainStep {
    private final TfBackend backend;
    private final TensorFunction lossFn;
    private final Optimizer.Sgd sgd;
    private final Map<List<TfBackend.InputSpec>, TfBackend.Traced> traces = new ConcurrentHashMap<>();
    private static final String MOMENTUM = "momentum_buffer/";
    /** Parameter name to its momentum buffer, shared by all traces of this step; guarded by {@code this}. */
    private final Map<String, Buffer> buffers = new LinkedHashMap<>();
    /** Loaded state of buffers not created yet (by parameter name); guarded by {@code this}. */
    private final Map<String, HostTensor> pending = new LinkedHashMap<>();

    /** A momentum buffer: its variable, a read, and an assign from a placeholder (for restoring state). */
    private record Buffer(Output<?> handle, Output<?> read, Output<?> value, GraphOperation assign,
            TfParameterStore.Entry parameter) {
    }

    TfTrainStep(TfBackend backend, TensorFunction lossFn, Optimizer.Sgd sgd) {
        this.backend = backend;
        this.lossFn = lossFn;
        this.sgd = sgd;
    }

    @Override
    public Map<String, Double> run(Map<String, HostTensor> inputs, double learningRate) {
        if (!(learningRate >= 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be finite and >= 0, got " + learningRate);
        }
        TfBackend.Traced t = backend.traced(traces, inputs, this::trace);
        Map<String, HostTensor> out;
        try (org.tensorflow.Tensor lr = TfTypes.toTensor(HostTensor.ofDoubles(new double[] {learningRate}))) {
            out = backend.run(t, inputs, Map.of(t.learningRate, lr));
        } catch (RuntimeException e) {
            throw backend.diagnose(lossFn, inputs, e);
        }
        Map<String, Double> losses = new LinkedHashMap<>();
        for (Map.Entry<String, HostTensor> e : out.entrySet()) {
            losses.put(e.getKey(), e.getValue().getDouble(0));
        }
        return losses;
    }

    private TfBackend.Traced trace(List<TfBackend.InputSpec> signature) {
        TfBackend.Body body = backend.traceBody("train", lossFn, signature);
        TfOps ops = body.ops();
        TfBackend.Traced t = new TfBackend.Traced();
        t.placeholders.putAll(body.placeholders());
        List<Output<?>> ys = new ArrayList<>();
        for (Map.Entry<String, TfTensor> e : body.outputs().entrySet()) {
            TfTensor loss = e.getValue();
            if (loss.rank() != 0 || !loss.dtype().isFloating()) {
                throw new IllegalArgumentException("train step: output '" + e.getKey()
                        + "' must be a floating scalar loss, got " + loss.dtype() + " " + loss.shape());
            }
            Output<?> y = ops.output(loss);
            ys.add(y);
            t.addOutput(e.getKey(), y);
        }
        TfParameterStore store = backend.parameters();
        List<String> names = new ArrayList<>();
        List<Output<?>> reads = new ArrayList<>();
        for (Map.Entry<String, Output<?>> e : body.trace().parameterReads.entrySet()) {
            if (store.trainable(e.getKey())) {
                names.add(e.getKey());
                reads.add(e.getValue());
            }
        }
        t.learningRate = ops.placeholder(DType.FLOAT64, org.tensorflow.ndarray.Shape.scalar());
        List<GraphOperation> updates = new ArrayList<>();
        List<GraphOperation> bufferInits = new ArrayList<>();
        // buffers made by this trace join the shared map only once initialised (a trace may fail half-way)
        Map<String, Buffer> newBuffers = new LinkedHashMap<>();
        if (!reads.isEmpty()) {
            Output<?>[] grads = backend.gradients(body.trace(), ys.toArray(new Output<?>[0]),
                    reads.toArray(new Output<?>[0]));
            List<GraphOperation> done = new ArrayList<>();
            for (Output<?> y : ys) {
                done.add((GraphOperation) y.op());
            }
            for (Output<?> g : grads) {
                if (g != null) {
                    done.add((GraphOperation) g.op());
                }
            }
            GraphOperation barrier = ops.noOp(done);
            for (int i = 0; i < names.size(); i++) {
                if (grads[i] == null) {
                    continue; // like torch: a parameter without a gradient is left alone
                }
                TfParameterStore.Entry p = store.entry(names.get(i));
                DType dt = p.dtype();
                Output<?> d = grads[i];
                if (sgd.weightDecay() != 0 && !sgd.noDecay().test(p.name())) {
                    d = ops.raw("AddV2", d, ops.raw("Mul", ops.scalarOut(sgd.weightDecay(), dt), reads.get(i)));
                }
                Output<?> step = d;
                if (sgd.momentum() != 0) {
                    Buffer buf;
                    synchronized (this) {
                        buf = buffers.get(p.name());
                    }
                    if (buf == null) {
                        buf = newBuffer(body.trace(), ops, p, bufferInits);
                        newBuffers.put(p.name(), buf);
                    }
                    Output<?> old = ops.readVariable(buf.handle(), dt);
                    step = ops.raw("AddV2", ops.raw("Mul", ops.scalarOut(sgd.momentum(), dt), old), d);
                    updates.add(ops.update("AssignVariableOp", buf.handle(), step, barrier));
                }
                Output<?> delta = ops.raw("Mul", ops.cast(t.learningRate, dt), step);
                updates.add(ops.update("AssignSubVariableOp", p.handle(), delta, barrier));
            }
        }
        t.targets.add(ops.noOp(updates));
        body.trace().finish();
        if (!bufferInits.isEmpty()) {
            runTargets(bufferInits);
            synchronized (this) {
                for (Map.Entry<String, Buffer> e : newBuffers.entrySet()) {
                    HostTensor loaded = pending.remove(e.getKey());
                    if (loaded != null) {
                        assign(e.getValue(), loaded);
                    }
                }
                buffers.putAll(newBuffers);
            }
        }
        return t;
    }

    /**
     * The momentum buffers ({@code momentum_buffer/<parameter>}); empty before the first step unless state
     * was loaded.
     */
    @Override
    public synchronized Map<String, HostTensor> state() {
        backend.checkOpen();
        Map<String, HostTensor> out = new LinkedHashMap<>();
        if (!buffers.isEmpty()) {
            org.tensorflow.Session.Runner r = backend.session().runner();
            List<String> names = new ArrayList<>(buffers.keySet());
            for (String name : names) {
                r.fetch(buffers.get(name).read());
            }
            try (org.tensorflow.Result values = r.run()) {
                for (int i = 0; i < names.size(); i++) {
                    out.put(MOMENTUM + names.get(i), TfTypes.toHost(values.get(i)));
                }
            }
        }
        pending.forEach((name, v) -> out.put(MOMENTUM + name, v));
        return out;
    }

    /**
     * Replaces every momentum buffer by {@link #state()}'s values (buffers absent from {@code state} restart
     * at zero, as torch's SGD does without a buffer); checks every name and shape first.
     */
    @Override
    public synchronized void loadState(Map<String, HostTensor> state) {
        backend.checkOpen();
        Map<String, HostTensor> byName = new LinkedHashMap<>();
        for (Map.Entry<String, HostTensor> e : state.entrySet()) {
            if (!e.getKey().startsWith(MOMENTUM)) {
                throw new IllegalArgumentException("unknown optimizer state '" + e.getKey() + "', expected " + MOMENTUM
                        + "<parameter>");
            }
            String name = e.getKey().substring(MOMENTUM.length());
            TfParameterStore.Entry p = backend.parameters().entry(name);
            HostTensor v = e.getValue();
            if (!p.shape().equals(v.shape()) || p.dtype() != v.dtype()) {
                throw new IllegalArgumentException("optimizer state '" + e.getKey() + "' is " + v.dtype() + " "
                        + v.shape() + ", its parameter is " + p.dtype() + " " + p.shape());
            }
            byName.put(name, v);
        }
        pending.clear();
        for (Map.Entry<String, Buffer> e : buffers.entrySet()) {
            HostTensor v = byName.remove(e.getKey());
            assign(e.getValue(), v != null ? v : zeros(e.getValue().parameter()));
        }
        pending.putAll(byName);
    }

    private static HostTensor zeros(TfParameterStore.Entry p) {
        int n = Math.toIntExact(p.shape().size());
        return switch (p.dtype()) {
            case FLOAT32 -> HostTensor.ofFloats(new float[n], p.shape().dims());
            case FLOAT64 -> HostTensor.ofDoubles(new double[n], p.shape().dims());
            default -> throw new IllegalArgumentException("momentum of a " + p.dtype() + " parameter '" + p.name() + "'");
        };
    }

    private void assign(Buffer b, HostTensor value) {
        try (org.tensorflow.Tensor t = TfTypes.toTensor(value)) {
            backend.session().runner().feed(b.value(), t).addTarget(b.assign()).run().close();
        }
    }

    /** A zero-filled resource variable shaped like the parameter, initialised before the first step. */
    private Buffer newBuffer(TfTrace trace, TfOps ops, TfParameterStore.Entry p, List<GraphOperation> inits) {
        org.tensorflow.Graph g = backend.graph();
        String name = trace.name("Momentum");
        Output<?> handle = g.opBuilder("VarHandleOp", name, g.baseScope())
                .setAttr("dtype", TfTypes.dataType(p.dtype()))
                .setAttr("shape", TfTypes.tfShape(p.shape()))
                .setAttr("shared_name", name)
                .setAttr("container", "")
                .build().output(0);
        Output<?> zeros = ops.raw("ZerosLike", p.read());
        inits.add(ops.update("AssignVariableOp", handle, zeros, null));
        Output<?> value = ops.placeholder(p.dtype(), TfTypes.tfShape(p.shape()));
        return new Buffer(handle, ops.readVariable(handle, p.dtype()), value,
                ops.update("AssignVariableOp", handle, value, null), p);
    }

    private void runTargets(List<GraphOperation> targets) {
        org.tensorflow.Session.Runner r = backend.session().runner();
        for (GraphOperation op : targets) {
            r.addTarget(op);
        }
        r.run().close();
    }
}

package org.maskrcnn4j.backend.tf;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.maskrcnn4j.tensor.DType;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.Optimizer;
import org.maskrcnn4j.tensor.Shape;
import org.maskrcnn4j.tensor.TensorFunction;
import org.maskrcnn4j.tensor.TrainStep;
import org.tensorflow.GraphOperation;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;

/**
 * A training step in one session run: forward, {@code addGradients} of the summed losses with respect to
 * the reads of every trainable parameter the function used, optional clipping of the gradients by their
 * global norm, then the optimizer's update built into the graph ({@code torch.optim.SGD} or
 * {@code torch.optim.AdamW}, see {@link Optimizer}). The updates wait (control dependencies) for every loss
 * and gradient, so the losses returned are the values before the update. The learning rate is fed per step.
 *
 * <p>The optimizer state is one resource variable per state key ({@code momentum_buffer/<parameter>},
 * {@code exp_avg/<parameter>}, ...; AdamW's step counts are float64 scalars), owned by this step and
 * shared by all its traces. A variable is made, zero-filled, the first time a trace updates its parameter;
 * zero is the same as no state for both optimizers ({@code buf = 0 * momentum + g = g}; AdamW's moments
 * start at 0 with step 0), so {@link #state()} may list zeros for parameters not yet updated.
 *
 * <p>Gradient accumulation uses a second trace per signature that adds the gradients to per-parameter
 * {@code grad_sum} variables instead of updating, and one more small graph per set of accumulated
 * parameters that divides the sums by the fed number of micro-batches, clips, updates and zeroes the sums.
 * Plain steps never build these. A failed call discards the accumulated gradients.
 */
final class TfTrainStep implements TrainStep {
    private final TfBackend backend;
    private final TensorFunction lossFn;
    private final Optimizer optimizer;
    private final Map<List<TfBackend.InputSpec>, TfBackend.Traced> traces = new ConcurrentHashMap<>();
    private final Map<List<TfBackend.InputSpec>, TfBackend.Traced> accumulateTraces = new ConcurrentHashMap<>();
    /** State key to its variable; guarded by the backend's trace lock. */
    private final Map<String, TfParameterStore.Variable> slots = new LinkedHashMap<>();
    /**
     * Values for this step's variables not written yet, as those made while tracing, which get their first
     * values together once the trace is done: each session run after graph changes re-imports the session's
     * whole graph, so a run per variable (one per parameter) made a model's first train step take 40 s.
     */
    private final Map<TfParameterStore.Variable, HostTensor> pendingWrites = new LinkedHashMap<>();
    /** Variables to be zero-filled by that same run, in the graph (no host buffer of zeros). */
    private final Set<TfParameterStore.Variable> pendingZeros = new java.util.LinkedHashSet<>();
    /** Each variable of this step's op that zero-fills it; guarded by the trace lock. */
    private final Map<TfParameterStore.Variable, GraphOperation> zeroAssigns = new HashMap<>();
    /** Parameter name to the variable summing its gradients over micro-batches; under the trace lock. */
    private final Map<String, TfParameterStore.Variable> accumulators = new LinkedHashMap<>();
    /** The update from accumulated gradients, per set of parameters that have some; under the trace lock. */
    private final Map<List<String>, Apply> applies = new HashMap<>();
    /** Parameters with accumulated gradients, and the number of micro-batches, since the last update. */
    private final Set<String> pending = new TreeSet<>();
    private int microBatches;

    /** A traced update from the accumulators: fed the learning rate and the number of micro-batches. */
    private record Apply(TfBackend.Traced traced, Output<?> microBatches) {
    }

    TfTrainStep(TfBackend backend, TensorFunction lossFn, Optimizer optimizer) {
        if (optimizer == null) {
            throw new IllegalArgumentException("trainStep: optimizer must not be null");
        }
        this.backend = backend;
        this.lossFn = lossFn;
        this.optimizer = optimizer;
    }

    @Override
    public synchronized Map<String, Double> run(Map<String, HostTensor> inputs, double learningRate) {
        if (!(learningRate >= 0) || Double.isInfinite(learningRate)) {
            endAccumulation(false);
            throw new IllegalArgumentException("learning rate must be finite and >= 0, got " + learningRate);
        }
        if (microBatches == 0) {
            TfBackend.Traced t = backend.traced(traces, inputs, signature -> trace(signature, false));
            try (org.tensorflow.Tensor lr = TfTypes.toTensor(HostTensor.ofDoubles(new double[] {learningRate}))) {
                return losses(t, inputs, Map.of(t.learningRate, lr));
            }
        }
        boolean applied = false;
        try {
            Map<String, Double> losses = accumulate(inputs);
            Apply a;
            synchronized (backend.traceLock()) {
                a = applies.computeIfAbsent(List.copyOf(pending), this::traceApply);
            }
            try (org.tensorflow.Tensor lr = TfTypes.toTensor(HostTensor.ofDoubles(new double[] {learningRate}));
                    org.tensorflow.Tensor n = TfTypes.toTensor(HostTensor.ofDoubles(new double[] {microBatches}))) {
                backend.run(a.traced(), Map.of(), Map.of(a.traced().learningRate, lr, a.microBatches(), n));
            }
            applied = true; // the update also zeroed the accumulators
            return losses;
        } finally {
            endAccumulation(applied);
        }
    }

    @Override
    public synchronized Map<String, Double> accumulate(Map<String, HostTensor> inputs) {
        boolean ok = false;
        try {
            TfBackend.Traced t = backend.traced(accumulateTraces, inputs, signature -> trace(signature, true));
            Map<String, Double> losses = losses(t, inputs, Map.of());
            pending.addAll(t.trained);
            microBatches++;
            ok = true;
            return losses;
        } finally {
            if (!ok) {
                endAccumulation(false);
            }
        }
    }

    /** Runs a traced step and returns its losses; a run-time failure is explained by {@link TfBackend#diagnose}. */
    private Map<String, Double> losses(TfBackend.Traced t, Map<String, HostTensor> inputs,
            Map<Output<?>, org.tensorflow.Tensor> feeds) {
        Map<String, HostTensor> out;
        try {
            out = backend.run(t, inputs, feeds);
        } catch (RuntimeException e) {
            throw backend.diagnose(lossFn, inputs, e);
        }
        Map<String, Double> losses = new LinkedHashMap<>();
        for (Map.Entry<String, HostTensor> e : out.entrySet()) {
            losses.put(e.getKey(), e.getValue().getDouble(0));
        }
        return losses;
    }

    /** Forgets the accumulated micro-batches; zeroes the accumulators unless the update already did. */
    private void endAccumulation(boolean zeroed) {
        if (!zeroed && !pending.isEmpty()) {
            synchronized (backend.traceLock()) {
                for (String name : pending) {
                    pendingZeros.add(accumulators.get(name));
                }
                writePending();
            }
        }
        pending.clear();
        microBatches = 0;
    }

    private void checkNotAccumulating(String what) {
        if (microBatches > 0) {
            throw new IllegalStateException(what + ": " + microBatches + " accumulated micro-batch(es) wait for "
                    + "run(); optimizer state is only consistent between updates");
        }
    }

    @Override
    public synchronized Map<String, HostTensor> state() {
        backend.checkOpen();
        checkNotAccumulating("state()");
        synchronized (backend.traceLock()) {
            Map<String, HostTensor> out = new LinkedHashMap<>();
            if (slots.isEmpty()) {
                return out;
            }
            Session.Runner r = backend.session().runner();
            for (TfParameterStore.Variable v : slots.values()) {
                r.fetch(v.read());
            }
            try (Result values = r.run()) {
                int i = 0;
                for (String key : slots.keySet()) {
                    out.put(key, TfTypes.toHost(values.get(i++)));
                }
            }
            return out;
        }
    }

    @Override
    public synchronized void loadState(Map<String, HostTensor> state) {
        backend.checkOpen();
        checkNotAccumulating("loadState()");
        TfParameterStore store = backend.parameters();
        optimizer.checkState(state, store);
        synchronized (backend.traceLock()) {
            for (Map.Entry<String, TfParameterStore.Variable> e : slots.entrySet()) {
                if (!state.containsKey(e.getKey())) {
                    pendingZeros.add(e.getValue());
                }
            }
            for (Map.Entry<String, HostTensor> e : state.entrySet()) {
                TfParameterStore.Variable v = slot(e.getKey());
                pendingZeros.remove(v); // a new slot starts as pending zeros: the given value replaces them
                pendingWrites.put(v, e.getValue());
            }
            writePending();
        }
    }

    /**
     * Traces the loss function, its gradients and then either the update ({@code accumulate} false) or
     * adding the gradients to the accumulators.
     */
    private TfBackend.Traced trace(List<TfBackend.InputSpec> signature, boolean accumulate) {
        TfBackend.Body body = backend.traceBody("train", lossFn, signature, true);
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
        List<TfParameterStore.Entry> params = new ArrayList<>();
        List<Output<?>> reads = new ArrayList<>();
        for (Map.Entry<String, Output<?>> e : body.trace().parameterReads.entrySet()) {
            if (store.trainable(e.getKey())) {
                params.add(store.entry(e.getKey()));
                reads.add(e.getValue());
            }
        }
        t.learningRate = accumulate ? null : ops.placeholder(DType.FLOAT64, org.tensorflow.ndarray.Shape.scalar());
        List<GraphOperation> updates = new ArrayList<>();
        if (!reads.isEmpty()) {
            Output<?>[] grads = backend.gradients(body.trace(), ys.toArray(new Output<?>[0]),
                    reads.toArray(new Output<?>[0]));
            Output<?>[] clipped = accumulate ? grads : clip(ops, grads);
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
            for (int i = 0; i < params.size(); i++) {
                if (grads[i] == null) {
                    continue; // like torch: a parameter without a gradient is left alone
                }
                TfParameterStore.Entry p = params.get(i);
                t.trained.add(p.name());
                if (accumulate) {
                    Output<?> sum = accumulators.computeIfAbsent(p.name(),
                            n -> newVariable("grad_sum/" + n, p.dtype(), p.shape())).handle();
                    updates.add(ops.update("AssignAddVariableOp", sum, grads[i], barrier));
                } else {
                    updates.addAll(update(ops, p, reads.get(i), clipped[i], t.learningRate, barrier));
                }
            }
        }
        t.targets.add(ops.noOp(updates));
        body.trace().finish();
        writePending();
        return t;
    }

    /**
     * The update from the accumulators of {@code names}: the mean gradient is the sum divided by the fed
     * number of micro-batches; then clipping, the optimizer, and the accumulators back to zero.
     */
    private Apply traceApply(List<String> names) {
        TfTrace trace = backend.newTrace("train_apply");
        TfOps ops = new TfOps(trace);
        TfBackend.Traced t = new TfBackend.Traced();
        t.learningRate = ops.placeholder(DType.FLOAT64, org.tensorflow.ndarray.Shape.scalar());
        Output<?> count = ops.placeholder(DType.FLOAT64, org.tensorflow.ndarray.Shape.scalar());
        TfParameterStore store = backend.parameters();
        Output<?>[] grads = new Output<?>[names.size()];
        for (int i = 0; i < grads.length; i++) {
            DType dt = store.entry(names.get(i)).dtype();
            grads[i] = ops.raw("Div", ops.readVariable(accumulators.get(names.get(i)).handle(), dt), ops.cast(count, dt));
        }
        Output<?>[] clipped = clip(ops, grads);
        List<GraphOperation> updates = new ArrayList<>();
        for (int i = 0; i < grads.length; i++) {
            TfParameterStore.Entry p = store.entry(names.get(i));
            updates.addAll(update(ops, p, ops.readVariable(p.handle(), p.dtype()), clipped[i], t.learningRate, null));
        }
        GraphOperation applied = ops.noOp(updates);
        for (int i = 0; i < grads.length; i++) {
            t.targets.add(ops.update("AssignVariableOp", accumulators.get(names.get(i)).handle(),
                    ops.raw("ZerosLike", grads[i]), applied));
        }
        trace.finish();
        writePending();
        return new Apply(t, count);
    }

    /**
     * {@code torch.nn.utils.clip_grad_norm_} when the optimizer asks for it: every gradient times
     * {@code min(max / (total + 1e-6), 1)}, {@code total} their global L2 norm (summed in float64). Null
     * entries (no gradient) stay null.
     */
    private Output<?>[] clip(TfOps ops, Output<?>[] grads) {
        double max = optimizer.clipGradNorm();
        if (max <= 0) {
            return grads;
        }
        DType f64 = DType.FLOAT64;
        Output<?> squares = null;
        for (Output<?> g : grads) {
            if (g != null) {
                Output<?> sq = ops.raw("Square", g);
                Output<?> axes = ops.raw("Range", ops.scalarOut(0, DType.INT32), ops.raw("Rank", sq),
                        ops.scalarOut(1, DType.INT32));
                Output<?> s = ops.cast(ops.raw("Sum", sq, axes), f64);
                squares = squares == null ? s : ops.raw("AddV2", squares, s);
            }
        }
        if (squares == null) {
            return grads;
        }
        Output<?> total = ops.raw("Sqrt", squares);
        Output<?> coef = ops.raw("Minimum", ops.raw("Div", ops.scalarOut(max, f64),
                ops.raw("AddV2", total, ops.scalarOut(1e-6, f64))), ops.scalarOut(1, f64));
        Output<?>[] out = new Output<?>[grads.length];
        for (int i = 0; i < grads.length; i++) {
            if (grads[i] != null) {
                out[i] = ops.raw("Mul", grads[i], ops.cast(coef, TfTypes.dtype(grads[i].dataType())));
            }
        }
        return out;
    }

    /**
     * The ops that update parameter {@code p}, whose value was {@code read}, from its gradient {@code g},
     * each after {@code after}.
     */
    private List<GraphOperation> update(TfOps ops, TfParameterStore.Entry p, Output<?> read, Output<?> g,
            Output<?> lr, GraphOperation after) {
        DType dt = p.dtype();
        List<GraphOperation> out = new ArrayList<>();
        // the arithmetic waits too: else the executor computes each update's parameter-sized temporaries as
        // soon as the gradient is ready and holds them through the rest of the backward pass
        g = ops.after(g, after);
        read = ops.after(read, after);
        if (optimizer instanceof Optimizer.Sgd sgd) {
            Output<?> d = g;
            if (sgd.weightDecay() != 0 && !sgd.noDecay().test(p.name())) {
                d = ops.raw("AddV2", d, ops.raw("Mul", ops.scalarOut(sgd.weightDecay(), dt), read));
            }
            if (sgd.momentum() != 0) {
                Output<?> buf = slot(Optimizer.Sgd.MOMENTUM_BUFFER + p.name()).handle();
                Output<?> old = ops.after(ops.readVariable(buf, dt), after);
                d = ops.raw("AddV2", ops.raw("Mul", ops.scalarOut(sgd.momentum(), dt), old), d);
                out.add(ops.update("AssignVariableOp", buf, d, after));
            }
            Output<?> delta = ops.raw("Mul", ops.cast(lr, dt), d);
            out.add(ops.update("AssignSubVariableOp", p.handle(), delta, after));
        } else if (optimizer instanceof Optimizer.AdamW adam) {
            DType f64 = DType.FLOAT64;
            Output<?> stepVar = slot(Optimizer.AdamW.STEP + p.name()).handle();
            Output<?> mVar = slot(Optimizer.AdamW.EXP_AVG + p.name()).handle();
            Output<?> vVar = slot(Optimizer.AdamW.EXP_AVG_SQ + p.name()).handle();
            Output<?> t = ops.raw("AddV2", ops.readVariable(stepVar, f64), ops.scalarOut(1, f64));
            out.add(ops.update("AssignVariableOp", stepVar, t, after));
            Output<?> oldM = ops.after(ops.readVariable(mVar, dt), after);
            Output<?> m = ops.raw("AddV2", ops.raw("Mul", ops.scalarOut(adam.beta1(), dt), oldM),
                    ops.raw("Mul", ops.scalarOut(1 - adam.beta1(), dt), g));
            out.add(ops.update("AssignVariableOp", mVar, m, after));
            Output<?> oldV = ops.after(ops.readVariable(vVar, dt), after);
            Output<?> v = ops.raw("AddV2", ops.raw("Mul", ops.scalarOut(adam.beta2(), dt), oldV),
                    ops.raw("Mul", ops.scalarOut(1 - adam.beta2(), dt), ops.raw("Mul", g, g)));
            out.add(ops.update("AssignVariableOp", vVar, v, after));
            // bias corrections in float64, as torch computes them in Python floats
            Output<?> one = ops.scalarOut(1, f64);
            Output<?> bias1 = ops.raw("Sub", one, ops.raw("Pow", ops.scalarOut(adam.beta1(), f64), t));
            Output<?> bias2 = ops.raw("Sub", one, ops.raw("Pow", ops.scalarOut(adam.beta2(), f64), t));
            Output<?> stepSize = ops.cast(ops.raw("Div", lr, bias1), dt);
            Output<?> denom = ops.raw("AddV2", ops.raw("Div", ops.raw("Sqrt", v), ops.cast(ops.raw("Sqrt", bias2), dt)),
                    ops.scalarOut(adam.eps(), dt));
            Output<?> decayed = read;
            if (adam.weightDecay() != 0 && !adam.noDecay().test(p.name())) {
                Output<?> keep = ops.raw("Sub", one, ops.raw("Mul", lr, ops.scalarOut(adam.weightDecay(), f64)));
                decayed = ops.raw("Mul", read, ops.cast(keep, dt));
            }
            Output<?> next = ops.raw("Sub", decayed, ops.raw("Mul", stepSize, ops.raw("Div", m, denom)));
            out.add(ops.update("AssignVariableOp", p.handle(), next, after));
        } else {
            throw new IllegalArgumentException("the tensorflow backend does not support optimizer " + optimizer);
        }
        return out;
    }

    /** The variable of a state key, made and zero-filled on first use; the caller holds the trace lock. */
    private TfParameterStore.Variable slot(String key) {
        TfParameterStore.Variable v = slots.get(key);
        if (v == null) {
            if (key.startsWith(Optimizer.AdamW.STEP)) {
                v = newVariable(key, DType.FLOAT64, Shape.of());
            } else {
                TfParameterStore.Entry p = parameterOf(key);
                v = newVariable(key, p.dtype(), p.shape());
            }
            slots.put(key, v);
        }
        return v;
    }

    /**
     * A new variable of this step that will hold zeros once {@link #writePending} has run; the caller holds the
     * trace lock.
     */
    private TfParameterStore.Variable newVariable(String key, DType dtype, Shape shape) {
        TfParameterStore.Variable v = TfParameterStore.Variable.create(backend.graph(),
                backend.uniqueName("optimizer/" + TfParameterStore.sanitize(key)), dtype, shape);
        zeroAssigns.put(v, v.zeroAssign(backend.graph(), dtype, shape));
        pendingZeros.add(v);
        return v;
    }

    /** Writes the pending values and zero fills in one session run; the caller holds the trace lock. */
    private void writePending() {
        if (!pendingWrites.isEmpty() || !pendingZeros.isEmpty()) {
            TfParameterStore.Variable.writeAll(backend.session(), pendingWrites,
                    pendingZeros.stream().map(zeroAssigns::get).toList());
            pendingWrites.clear();
            pendingZeros.clear();
        }
    }

    /** The parameter a per-parameter state key (an optimizer prefix and the parameter's name) belongs to. */
    private TfParameterStore.Entry parameterOf(String key) {
        String prefix = optimizer.statePrefixes().stream().filter(key::startsWith).findFirst().orElseThrow();
        return backend.parameters().entry(key.substring(prefix.length()));
    }
}

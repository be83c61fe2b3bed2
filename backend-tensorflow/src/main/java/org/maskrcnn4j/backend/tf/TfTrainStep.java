package org.maskrcnn4j.backend.tf;

import java.util.ArrayList;
import java.util.HashMap;
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
 */
final class TfTrainStep implements TrainStep {
    private final TfBackend backend;
    private final TensorFunction lossFn;
    private final Optimizer.Sgd sgd;
    private final Map<List<TfBackend.InputSpec>, TfBackend.Traced> traces = new ConcurrentHashMap<>();
    /** Parameter name to the handle of its momentum buffer, shared by all traces of this step. */
    private final Map<String, Output<?>> buffers = new HashMap<>();

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
        Map<String, Output<?>> newBuffers = new HashMap<>();
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
                    Output<?> buf = buffers.get(p.name());
                    if (buf == null) {
                        buf = newBuffer(body.trace(), ops, p, bufferInits);
                        newBuffers.put(p.name(), buf);
                    }
                    Output<?> old = ops.readVariable(buf, dt);
                    step = ops.raw("AddV2", ops.raw("Mul", ops.scalarOut(sgd.momentum(), dt), old), d);
                    updates.add(ops.update("AssignVariableOp", buf, step, barrier));
                }
                Output<?> delta = ops.raw("Mul", ops.cast(t.learningRate, dt), step);
                updates.add(ops.update("AssignSubVariableOp", p.handle(), delta, barrier));
            }
        }
        t.targets.add(ops.noOp(updates));
        body.trace().finish();
        if (!bufferInits.isEmpty()) {
            runTargets(bufferInits);
            buffers.putAll(newBuffers);
        }
        return t;
    }

    /** A zero-filled resource variable shaped like the parameter, initialised before the first step. */
    private Output<?> newBuffer(TfTrace trace, TfOps ops, TfParameterStore.Entry p, List<GraphOperation> inits) {
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
        return handle;
    }

    private void runTargets(List<GraphOperation> targets) {
        org.tensorflow.Session.Runner r = backend.session().runner();
        for (GraphOperation op : targets) {
            r.addTarget(op);
        }
        r.run().close();
    }
}

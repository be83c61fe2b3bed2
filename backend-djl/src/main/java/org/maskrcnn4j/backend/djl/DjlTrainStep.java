package org.maskrcnn4j.backend.djl;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.Map;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.Optimizer;
import org.maskrcnn4j.tensor.Tensor;
import org.maskrcnn4j.tensor.TensorFunction;
import org.maskrcnn4j.tensor.TrainStep;

/**
 * A training step of the DJL backend, run eagerly in a per-call memory scope: forward, backward through
 * DJL's {@link GradientCollector} from the sum of the losses, optional clipping of the gradients by their
 * global norm, then the optimizer's update in place on the parameter values. {@link #accumulate} keeps
 * gradient sums in the backend's manager until the next {@link #run}. The optimizer state lives in the
 * backend's {@link DjlParameterStore}, keyed as {@link Optimizer} documents.
 */
final class DjlTrainStep implements TrainStep {
    private final DjlBackend backend;
    private final TensorFunction lossFn;
    private final Optimizer optimizer;
    /** Gradient sums of the micro-batches since the last update, in the backend's manager; under the autograd lock. */
    private final Map<String, PtNDArray> accumulated = new LinkedHashMap<>();
    private int microBatches;

    DjlTrainStep(DjlBackend backend, TensorFunction lossFn, Optimizer optimizer) {
        if (optimizer == null) {
            throw new IllegalArgumentException("trainStep: optimizer must not be null");
        }
        this.backend = backend;
        this.lossFn = lossFn;
        this.optimizer = optimizer;
    }

    @Override
    public Map<String, Double> run(Map<String, HostTensor> inputs, double learningRate) {
        return pass(inputs, true, learningRate);
    }

    @Override
    public Map<String, Double> accumulate(Map<String, HostTensor> inputs) {
        return pass(inputs, false, 0);
    }

    /**
     * One forward and backward; then the update ({@code apply}) or adding the gradients to the accumulated
     * ones. An update, and any failure, discards the accumulated gradients.
     */
    private Map<String, Double> pass(Map<String, HostTensor> inputs, boolean apply, double lr) {
        synchronized (DjlBackend.AUTOGRAD_LOCK) {
            if (apply && (!(lr >= 0) || Double.isInfinite(lr))) {
                discardAccumulated();
                throw new IllegalArgumentException("learning rate must be finite and >= 0, got " + lr);
            }
            backend.enter();
            boolean grad = JniUtils.isGradMode();
            boolean ok = false;
            try (NDManager scope = backend.manager().newSubManager()) {
                DjlOps ops = new DjlOps(backend, scope, true);
                Map<String, Double> values = forwardBackward(ops, inputs);
                JniUtils.setGradMode(false);
                Map<String, PtNDArray> grads = gradients(ops);
                if (!apply) {
                    for (Map.Entry<String, PtNDArray> e : grads.entrySet()) {
                        PtNDArray sum = accumulated.get(e.getKey());
                        if (sum == null) {
                            sum = JniUtils.clone(e.getValue());
                            sum.attach(backend.manager());
                            accumulated.put(e.getKey(), sum);
                        } else {
                            JniUtils.addi(sum, e.getValue());
                        }
                    }
                    microBatches++;
                    ok = true;
                    return values;
                }
                if (microBatches > 0) {
                    grads = meanWithAccumulated(scope, grads);
                }
                clip(scope, grads);
                for (Map.Entry<String, PtNDArray> e : grads.entrySet()) {
                    update(scope, e.getKey(), e.getValue(), lr);
                }
                return values;
            } finally {
                JniUtils.setGradMode(grad);
                if (apply || !ok) { // an update, or a failure, ends the accumulation
                    discardAccumulated();
                }
            }
        }
    }

    private void discardAccumulated() {
        accumulated.values().forEach(PtNDArray::close);
        accumulated.clear();
        microBatches = 0;
    }

    /** The mean of this call's gradients and the accumulated ones over all micro-batches, in the call's scope. */
    private Map<String, PtNDArray> meanWithAccumulated(NDManager scope, Map<String, PtNDArray> grads) {
        Map<String, PtNDArray> mean = new LinkedHashMap<>();
        for (Map.Entry<String, PtNDArray> e : grads.entrySet()) {
            PtNDArray sum = accumulated.get(e.getKey());
            mean.put(e.getKey(), sum == null ? e.getValue() : own(scope, JniUtils.add(e.getValue(), sum)));
        }
        for (Map.Entry<String, PtNDArray> e : accumulated.entrySet()) {
            mean.computeIfAbsent(e.getKey(), k -> own(scope, JniUtils.clone(e.getValue())));
        }
        for (PtNDArray g : mean.values()) {
            JniUtils.divi(g, scalar(scope, microBatches + 1, g));
        }
        return mean;
    }

    @Override
    public Map<String, HostTensor> state() {
        checkNotAccumulating("state()");
        return backend.parameters().optimizerState(optimizer.statePrefixes());
    }

    @Override
    public void loadState(Map<String, HostTensor> state) {
        checkNotAccumulating("loadState()");
        optimizer.checkState(state, backend.parameters());
        backend.parameters().loadOptimizerState(optimizer.statePrefixes(), state);
    }

    private void checkNotAccumulating(String what) {
        synchronized (DjlBackend.AUTOGRAD_LOCK) {
            if (microBatches > 0) {
                throw new IllegalStateException(what + ": " + microBatches + " accumulated micro-batch(es) wait for "
                        + "run(); optimizer state is only consistent between updates");
            }
        }
    }

    /** Runs the loss function and backward from the sum of its outputs; returns each output's value. */
    private Map<String, Double> forwardBackward(DjlOps ops, Map<String, HostTensor> inputs) {
        Map<String, Tensor> in = backend.inputs(ops, inputs);
        Map<String, Double> values = new LinkedHashMap<>();
        try (GradientCollector gc = Engine.getEngine(DjlBackendProvider.ENGINE).newGradientCollector()) {
            Map<String, Tensor> out = DjlBackend.checkOutputs(lossFn.apply(ops, in));
            if (out.isEmpty()) {
                throw new IllegalArgumentException("trainStep: the loss function returned no outputs");
            }
            PtNDArray total = null;
            for (Map.Entry<String, Tensor> e : out.entrySet()) {
                DjlBackend.checkScalar("trainStep", e.getKey(), e.getValue());
                PtNDArray v = ops.nd(e.getValue());
                values.put(e.getKey(), ops.toHost(e.getValue()).getDouble(0));
                PtNDArray s = JniUtils.reshape(v, new long[0]);
                total = total == null ? s : JniUtils.add(total, s);
                ops.wrap(total);
            }
            ops.closeAllExcept(total);
            DjlBackend.backward(gc, total);
        }
        return values;
    }

    /**
     * The gradient of every trainable parameter the call used, by name, owned by the call's scope; a
     * parameter without a gradient is left out, as torch skips parameters whose grad is None.
     */
    private static Map<String, PtNDArray> gradients(DjlOps ops) {
        Map<String, PtNDArray> grads = new LinkedHashMap<>();
        for (Map.Entry<String, PtNDArray> e : ops.parameterViews().entrySet()) {
            PtNDArray view = e.getValue();
            if (!JniUtils.requiresGrad(view)) {
                continue;
            }
            PtNDArray g = JniUtils.getGradient(view);
            if (g != null) {
                ops.wrap(g);
                grads.put(e.getKey(), g);
            }
        }
        return grads;
    }

    /**
     * {@code torch.nn.utils.clip_grad_norm_} when the optimizer asks for it: every gradient times
     * {@code min(max / (total + 1e-6), 1)}, {@code total} their global L2 norm (summed in double).
     */
    private void clip(NDManager scope, Map<String, PtNDArray> grads) {
        double max = optimizer.clipGradNorm();
        if (max <= 0 || grads.isEmpty()) {
            return;
        }
        double squares = 0;
        for (PtNDArray g : grads.values()) {
            squares += DjlTypes.readDoubles(own(scope, JniUtils.sum(own(scope, JniUtils.mul(g, g)))))[0];
        }
        double coef = max / (Math.sqrt(squares) + 1e-6);
        if (coef < 1) { // torch multiplies by min(coef, 1); times 1 changes nothing
            for (PtNDArray g : grads.values()) {
                JniUtils.muli(g, scalar(scope, coef, g));
            }
        }
    }

    /** Applies the optimizer to one parameter, in place. */
    private void update(NDManager scope, String name, PtNDArray g, double lr) {
        DjlParameterStore store = backend.parameters();
        PtNDArray p = store.entry(name).value();
        if (optimizer instanceof Optimizer.Sgd sgd) {
            double wd = sgd.noDecay().test(name) ? 0 : sgd.weightDecay();
            PtNDArray d = g;
            if (wd != 0) {
                d = JniUtils.add(g, own(scope, JniUtils.mul(scalar(scope, wd, p), p)));
            }
            if (sgd.momentum() != 0) {
                String key = Optimizer.Sgd.MOMENTUM_BUFFER + name;
                PtNDArray buf = store.optimizerBuffer(key);
                if (buf == null) {
                    buf = JniUtils.clone(d);
                    store.setOptimizerBuffer(key, buf);
                } else {
                    JniUtils.muli(buf, scalar(scope, sgd.momentum(), p));
                    JniUtils.addi(buf, d);
                }
                d = buf;
            }
            JniUtils.subi(p, JniUtils.mul(scalar(scope, lr, p), d));
        } else if (optimizer instanceof Optimizer.AdamW adam) {
            long t = store.nextStep(name);
            if (adam.weightDecay() != 0 && !adam.noDecay().test(name)) {
                JniUtils.muli(p, scalar(scope, 1 - lr * adam.weightDecay(), p));
            }
            PtNDArray m = moment(store, Optimizer.AdamW.EXP_AVG + name, g);
            PtNDArray v = moment(store, Optimizer.AdamW.EXP_AVG_SQ + name, g);
            JniUtils.muli(m, scalar(scope, adam.beta1(), p));
            JniUtils.addi(m, JniUtils.mul(g, scalar(scope, 1 - adam.beta1(), p)));
            JniUtils.muli(v, scalar(scope, adam.beta2(), p));
            JniUtils.addi(v, JniUtils.mul(JniUtils.mul(g, g), scalar(scope, 1 - adam.beta2(), p)));
            double bias1 = 1 - Math.pow(adam.beta1(), t);
            double bias2 = 1 - Math.pow(adam.beta2(), t);
            PtNDArray denom = own(scope, JniUtils.sqrt(v));
            JniUtils.divi(denom, scalar(scope, Math.sqrt(bias2), p));
            JniUtils.addi(denom, scalar(scope, adam.eps(), p));
            PtNDArray delta = own(scope, JniUtils.div(m, denom));
            JniUtils.muli(delta, scalar(scope, lr / bias1, p));
            JniUtils.subi(p, delta);
        } else {
            throw new IllegalArgumentException("the djl backend does not support optimizer " + optimizer);
        }
    }

    /** AdamW's moment buffer {@code key}, zero before the parameter's first update. */
    private static PtNDArray moment(DjlParameterStore store, String key, PtNDArray like) {
        PtNDArray buf = store.optimizerBuffer(key);
        if (buf == null) {
            buf = JniUtils.zerosLike(like, like.getDataType(), Device.cpu(), SparseFormat.DENSE);
            store.setOptimizerBuffer(key, buf);
        }
        return buf;
    }

    /** Moves an intermediate result into the call's scope (results belong to their first operand's manager). */
    private static PtNDArray own(NDManager scope, PtNDArray a) {
        if (a.getManager() != scope) {
            a.attach(scope);
        }
        return a;
    }

    private static PtNDArray scalar(NDManager scope, double v, PtNDArray like) {
        return JniUtils.full((ai.djl.pytorch.engine.PtNDManager) scope, DjlTypes.djlShape(), v, like.getDataType(),
                Device.cpu(), SparseFormat.DENSE);
    }
}

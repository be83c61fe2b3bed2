package org.maskrcnn4j.backend.djl;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.maskrcnn4j.tensor.Backend;
import org.maskrcnn4j.tensor.BackendConfig;
import org.maskrcnn4j.tensor.BackendException;
import org.maskrcnn4j.tensor.CompiledFunction;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.Optimizer;
import org.maskrcnn4j.tensor.Tensor;
import org.maskrcnn4j.tensor.TensorFunction;
import org.maskrcnn4j.tensor.TrainStep;

/**
 * The DJL + PyTorch backend: runs {@link TensorFunction}s eagerly. Every call (compiled function, gradient,
 * training step) gets a fresh sub-manager of the backend's manager and closes it before returning, after
 * copying the outputs to {@link HostTensor}s; parameters and optimizer state live in the backend's manager
 * until {@link #close()}. Gradients use DJL's {@link GradientCollector}, which PyTorch allows only one of at a
 * time per process, so gradient and training calls are serialised.
 */
public final class DjlBackend implements Backend {
    static final Object AUTOGRAD_LOCK = new Object();

    private final NDManager manager;
    private final DjlParameterStore parameters;
    private final int threads;
    private volatile boolean closed;
    private volatile ExecutorService pool;

    DjlBackend(BackendConfig config) {
        checkDevice(config.device());
        this.threads = config.threads();
        JniUtils.setNumThreads(threads);
        this.manager = NDManager.newBaseManager(Device.cpu(), DjlBackendProvider.ENGINE);
        this.manager.setName("maskrcnn4j-djl");
        this.parameters = new DjlParameterStore(manager);
    }

    private static void checkDevice(String device) {
        if (device == null || device.isBlank() || device.equals("cpu")) {
            return;
        }
        if (device.equals("gpu") || device.startsWith("gpu:")) {
            int id;
            try {
                id = device.equals("gpu") ? 0 : Integer.parseInt(device.substring(4));
            } catch (NumberFormatException e) {
                throw new BackendException("invalid device '" + device + "', expected cpu or gpu:N");
            }
            int gpus = Engine.getEngine(DjlBackendProvider.ENGINE).getGpuCount();
            if (id < 0 || id >= gpus) {
                throw new BackendException("device '" + device + "' is not available: the PyTorch engine of DJL sees "
                        + gpus + " GPU(s); the djl backend runs on cpu");
            }
            throw new BackendException("device '" + device + "' is not supported: the djl backend runs on cpu only");
        }
        throw new BackendException("unknown device '" + device + "', expected cpu or gpu:N");
    }

    @Override
    public String name() {
        return DjlBackendProvider.NAME;
    }

    @Override
    public String device() {
        return "cpu";
    }

    /** The intra-op thread count PyTorch uses for this backend's calls. */
    public int threads() {
        return threads;
    }

    /**
     * Worker threads for ops that split work PyTorch runs single-threaded (the RoIAlign product); null when
     * the backend uses one thread. The calling thread does one share itself, so the pool has threads - 1.
     */
    ExecutorService pool() {
        if (threads <= 1) {
            return null;
        }
        ExecutorService p = pool;
        if (p == null) {
            synchronized (this) {
                p = pool;
                if (p == null) {
                    AtomicInteger id = new AtomicInteger();
                    p = Executors.newFixedThreadPool(threads - 1, r -> {
                        Thread t = new Thread(r, "maskrcnn4j-djl-" + id.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    });
                    pool = p;
                }
            }
        }
        return p;
    }

    /** The long-lived manager that owns parameters and optimizer state; calls open sub-managers of it. */
    NDManager manager() {
        return manager;
    }

    @Override
    public DjlParameterStore parameters() {
        return parameters;
    }

    void enter() {
        if (closed) {
            throw new BackendException("the djl backend has been closed");
        }
        // PyTorch's OpenMP thread count is per calling thread (and the last set_num_threads wins globally),
        // so each call makes sure this thread uses this backend's count
        if (JniUtils.getNumThreads() != threads) {
            JniUtils.setNumThreads(threads);
        }
    }

    Map<String, Tensor> inputs(DjlOps ops, Map<String, HostTensor> inputs) {
        Map<String, Tensor> in = new LinkedHashMap<>();
        for (Map.Entry<String, HostTensor> e : inputs.entrySet()) {
            if (e.getValue() == null) {
                throw new IllegalArgumentException("input '" + e.getKey() + "' is null");
            }
            in.put(e.getKey(), ops.constant(e.getValue()));
        }
        return in;
    }

    static Map<String, Tensor> checkOutputs(Map<String, Tensor> out) {
        if (out == null) {
            throw new IllegalArgumentException("the tensor function returned null instead of its outputs");
        }
        for (Map.Entry<String, Tensor> e : out.entrySet()) {
            if (e.getValue() == null) {
                throw new IllegalArgumentException("output '" + e.getKey() + "' is null");
            }
        }
        return out;
    }

    @Override
    public CompiledFunction compile(TensorFunction fn) {
        return inputs -> {
            enter();
            boolean grad = JniUtils.isGradMode();
            JniUtils.setGradMode(false);
            try (NDManager scope = manager.newSubManager()) {
                DjlOps ops = new DjlOps(this, scope, false);
                Map<String, Tensor> out = checkOutputs(fn.apply(ops, inputs(ops, inputs)));
                Map<String, HostTensor> host = new LinkedHashMap<>();
                for (Map.Entry<String, Tensor> e : out.entrySet()) {
                    host.put(e.getKey(), ops.toHost(e.getValue()));
                }
                return host;
            } finally {
                JniUtils.setGradMode(grad);
            }
        };
    }

    @Override
    public CompiledFunction gradient(TensorFunction fn, Collection<String> wrt) {
        Set<String> names = new LinkedHashSet<>(wrt);
        return inputs -> {
            enter();
            for (String n : names) {
                if (!inputs.containsKey(n)) {
                    throw new IllegalArgumentException("gradient: '" + n + "' is not an input (inputs: "
                            + inputs.keySet() + ")");
                }
            }
            synchronized (AUTOGRAD_LOCK) {
                boolean grad = JniUtils.isGradMode();
                try (NDManager scope = manager.newSubManager()) {
                    DjlOps ops = new DjlOps(this, scope, false);
                    Map<String, Tensor> in = inputs(ops, inputs);
                    Map<String, DjlTensor> leaves = new LinkedHashMap<>();
                    for (String n : names) {
                        DjlTensor t = (DjlTensor) in.get(n);
                        if (t.dtype().isFloating()) {
                            t.pt().setRequiresGradient(true);
                            leaves.put(n, t);
                        }
                    }
                    Map<String, HostTensor> host = new LinkedHashMap<>();
                    try (GradientCollector gc = Engine.getEngine(DjlBackendProvider.ENGINE).newGradientCollector()) {
                        Map<String, Tensor> out = checkOutputs(fn.apply(ops, in));
                        Tensor value = out.get("value");
                        if (value == null) {
                            throw new IllegalArgumentException("gradient: the function must return an output 'value', got "
                                    + out.keySet());
                        }
                        checkScalar("gradient", "value", value);
                        host.put("value", ops.toHost(value));
                        backward(gc, ops.nd(value));
                    }
                    JniUtils.setGradMode(false);
                    for (Map.Entry<String, DjlTensor> e : leaves.entrySet()) {
                        PtNDArray g = JniUtils.getGradient(e.getValue().pt());
                        if (g == null) {
                            g = (PtNDArray) scope.zeros(e.getValue().pt().getShape(), e.getValue().pt().getDataType());
                        }
                        host.put("grad/" + e.getKey(), ops.toHost(ops.wrap(g)));
                    }
                    return host;
                } finally {
                    JniUtils.setGradMode(grad);
                }
            }
        };
    }

    /** Runs backward; a value that depends on no differentiable input leaves every gradient undefined. */
    static void backward(GradientCollector gc, PtNDArray value) {
        try {
            gc.backward(value);
        } catch (ai.djl.engine.EngineException e) {
            String m = String.valueOf(e.getMessage());
            if (!m.contains("does not require grad")) {
                throw new IllegalArgumentException("backward: " + m.split("\n")[0], e);
            }
        }
    }

    static void checkScalar(String op, String name, Tensor t) {
        if (!t.shape().isKnown() || t.shape().size() != 1 || !t.dtype().isFloating()) {
            throw new IllegalArgumentException(op + ": output '" + name + "' must be a floating scalar, got "
                    + t.dtype() + " " + t.shape());
        }
    }

    @Override
    public TrainStep trainStep(TensorFunction lossFn, Optimizer optimizer) {
        return new DjlTrainStep(this, lossFn, optimizer);
    }

    /** Number of arrays held by the backend's long-lived manager (parameters, optimizer state, open call scopes). */
    int managedArrays() {
        return manager.getManagedArrays().size();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            ExecutorService p = pool;
            if (p != null) {
                p.shutdownNow();
            }
            manager.close();
        }
    }
}

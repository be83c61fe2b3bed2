package org.maskrcnn4j.backend.tf;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.maskrcnn4j.tensor.Backend;
import org.maskrcnn4j.tensor.BackendConfig;
import org.maskrcnn4j.tensor.BackendException;
import org.maskrcnn4j.tensor.CompiledFunction;
import org.maskrcnn4j.tensor.DType;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.Optimizer;
import org.maskrcnn4j.tensor.Shape;
import org.maskrcnn4j.tensor.Tensor;
import org.maskrcnn4j.tensor.TensorFunction;
import org.maskrcnn4j.tensor.TrainStep;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GPUOptions;

/**
 * The TensorFlow backend in graph mode. It owns one graph and one session: parameters are resource
 * variables of that graph, each {@link #compile compiled} function is traced once per input signature
 * (input names, dtypes and ranks; all dimensions unknown) into its own name scope, and every call is one
 * {@code Session.run}. Gradients use {@code Graph.addGradients}; a {@link #trainStep train step} also builds
 * the optimizer's update (SGD or AdamW) into the graph, so a step is a single run that feeds the inputs and
 * the learning rate and fetches the losses.
 *
 * <p>Options (in {@link BackendConfig#options()}): {@code interOpThreads} (default 1: ops run one at a time, each
 * on all intra-op threads; two at a time measured no faster on the bench and let two convolution gradients,
 * each with a 480 MB work buffer on the finest FPN level, overlap: train step peak 5303 vs 4514 MB).
 */
public final class TfBackend implements Backend {
    private static final Pattern GPU = Pattern.compile("(?:gpu|cuda)(?::(\\d+))?");

    private final String device;
    private final Graph graph;
    private final Session session;
    private final TfParameterStore parameters;
    private final Object traceLock = new Object();
    private final AtomicInteger scopes = new AtomicInteger();
    private final AtomicInteger traces = new AtomicInteger();
    private final AtomicInteger variableNames = new AtomicInteger();
    private volatile boolean closed;

    TfBackend(BackendConfig config) {
        String dev = config.device() == null ? "cpu" : config.device().trim().toLowerCase(java.util.Locale.ROOT);
        Matcher gpu = GPU.matcher(dev);
        int threads = config.threads();
        int interOp = 1;
        String inter = config.options().get("interOpThreads");
        if (inter != null) {
            try {
                interOp = Integer.parseInt(inter.trim());
            } catch (NumberFormatException e) {
                throw new BackendException("tensorflow backend: option interOpThreads must be an integer, got '"
                        + inter + "'");
            }
        }
        ConfigProto.Builder cp = ConfigProto.newBuilder()
                .setIntraOpParallelismThreads(threads)
                .setInterOpParallelismThreads(interOp)
                .setUsePerSessionThreads(true)
                .setAllowSoftPlacement(true);
        String rewrite = config.options().getOrDefault("graphOptimizer", "default").trim();
        org.tensorflow.proto.RewriterConfig.Toggle off = org.tensorflow.proto.RewriterConfig.Toggle.OFF;
        switch (rewrite) {
            case "default" -> {
            }
            case "off" -> cp.setGraphOptions(org.tensorflow.proto.GraphOptions.newBuilder().setRewriteOptions(
                    org.tensorflow.proto.RewriterConfig.newBuilder().setDisableMetaOptimizer(true)));
            case "light" -> cp.setGraphOptions(org.tensorflow.proto.GraphOptions.newBuilder().setRewriteOptions(
                    org.tensorflow.proto.RewriterConfig.newBuilder().setConstantFolding(off).setLayoutOptimizer(off)
                            .setArithmeticOptimization(off).setDependencyOptimization(off).setLoopOptimization(off)
                            .setShapeOptimization(off).setFunctionOptimization(off).setDebugStripper(off)
                            .setCommonSubgraphElimination(off)));
            default -> throw new BackendException("tensorflow backend: option graphOptimizer must be default, light "
                    + "or off, got '" + rewrite + "'");
        }
        if (dev.equals("cpu") || dev.equals("cpu:0")) {
            cp.putDeviceCount("GPU", 0);
            this.device = "cpu";
        } else if (gpu.matches()) {
            String index = gpu.group(1) == null ? "0" : gpu.group(1);
            cp.setGpuOptions(GPUOptions.newBuilder().setVisibleDeviceList(index).setAllowGrowth(true));
            probeGpu(cp.build(), "gpu:" + index);
            this.device = "gpu:" + index;
        } else {
            throw new BackendException("tensorflow backend: unknown device '" + config.device()
                    + "', expected cpu or gpu:<index>");
        }
        TfGradients.ensureRegistered();
        this.graph = new Graph();
        this.session = new Session(graph, false, cp.build());
        this.parameters = new TfParameterStore(this);
    }

    /** Fails clearly when the GPU is absent (e.g. the CPU-only native build is on the class path). */
    private static void probeGpu(ConfigProto config, String name) {
        if (!hasGpuKernels()) {
            throw new BackendException("tensorflow backend: device " + name + " is not available: the TensorFlow "
                    + "native library on the class path (" + org.tensorflow.TensorFlow.version() + ") has no GPU "
                    + "kernels; use the tensorflow-core-native GPU build and a CUDA machine");
        }
        ConfigProto strict = config.toBuilder().setAllowSoftPlacement(false).build();
        try (Graph g = new Graph(); Session s = new Session(g, false, strict)) {
            GraphOperation c;
            try (org.tensorflow.Tensor one = TfTypes.toTensor(HostTensor.ofFloats(new float[] {1f}))) {
                c = g.opBuilder("Const", "probe", g.baseScope()).setAttr("value", one)
                        .setAttr("dtype", TfTypes.dataType(DType.FLOAT32)).setDevice("/device:GPU:0").build();
            }
            s.runner().fetch(c.output(0)).run().close();
        } catch (RuntimeException e) {
            throw new BackendException("tensorflow backend: device " + name + " is not available: "
                    + e.getMessage(), e);
        }
    }

    /** Whether the loaded native build registers GPU kernels (the CPU build registers none). */
    private static boolean hasGpuKernels() {
        org.bytedeco.javacpp.PointerScope scope = new org.bytedeco.javacpp.PointerScope();
        try {
            org.tensorflow.internal.c_api.TF_Status status = org.tensorflow.internal.c_api.TF_Status.newStatus();
            org.tensorflow.internal.c_api.TF_Buffer buf = org.tensorflow.internal.c_api.global.tensorflow
                    .TF_GetRegisteredKernelsForOp(new org.bytedeco.javacpp.BytePointer("MatMul"), status);
            status.throwExceptionIfNotOK();
            try {
                byte[] bytes = new byte[Math.toIntExact(buf.length())];
                new org.bytedeco.javacpp.BytePointer(buf.data()).capacity(buf.length()).get(bytes);
                return org.tensorflow.proto.KernelList.parseFrom(bytes).getKernelList().stream()
                        .anyMatch(k -> k.getDeviceType().equals("GPU"));
            } finally {
                org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteBuffer(buf);
            }
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new BackendException("tensorflow backend: cannot read the registered kernels", e);
        } finally {
            scope.close();
        }
    }

    @Override
    public String name() {
        return TfBackendProvider.NAME;
    }

    @Override
    public String device() {
        return device;
    }

    @Override
    public TfParameterStore parameters() {
        return parameters;
    }

    @Override
    public CompiledFunction compile(TensorFunction fn) {
        checkOpen();
        return new TfFunction(this, fn, null);
    }

    @Override
    public CompiledFunction gradient(TensorFunction fn, Collection<String> wrt) {
        checkOpen();
        if (wrt.isEmpty()) {
            throw new IllegalArgumentException("gradient: no input named to differentiate with respect to");
        }
        return new TfFunction(this, fn, List.copyOf(wrt));
    }

    @Override
    public TrainStep trainStep(TensorFunction lossFn, Optimizer optimizer) {
        checkOpen();
        return new TfTrainStep(this, lossFn, optimizer);
    }

    /**
     * Writes {@code fn} as a TensorFlow SavedModel in {@code dir}: traced once into a fresh graph on
     * placeholders of the given specs, with every parameter it reads frozen to its current value, and a
     * {@value TfSavedModel#SIGNATURE} signature whose inputs and outputs carry {@code fn}'s names. See
     * {@link TfSavedModel} for the format and the atomic write.
     *
     * @param dir the SavedModel folder; it must not exist or be empty unless {@code replace}
     * @param fn pure tensor code, as for {@link #compile}
     * @param inputs the signature's inputs; give static dimensions where {@code fn} needs static sizes
     * @param replace whether an existing non-empty {@code dir} is replaced (atomically)
     * @return the signature written
     * @throws java.io.IOException when the folder cannot be written
     */
    public TfSavedModel.Signature exportSavedModel(java.nio.file.Path dir, TensorFunction fn, List<TfTensorSpec> inputs,
            boolean replace) throws java.io.IOException {
        synchronized (traceLock) {
            checkOpen();
            return TfSavedModel.export(this, dir, fn, inputs, replace);
        }
    }

    @Override
    public void close() {
        synchronized (traceLock) {
            if (closed) {
                return;
            }
            closed = true;
            session.close();
            graph.close();
        }
    }

    @Override
    public String toString() {
        return "TfBackend(" + device + ", TensorFlow " + org.tensorflow.TensorFlow.version() + ")";
    }

    // ================================================================== shared machinery

    Graph graph() {
        return graph;
    }

    Session session() {
        return session;
    }

    void checkOpen() {
        if (closed) {
            throw new IllegalStateException("tensorflow backend is closed");
        }
    }

    /**
     * How many traces this backend has built into its graph (traces that failed are not counted): for tests
     * and diagnostics, since each trace costs time and graph memory.
     */
    public int traceCount() {
        return traces.get();
    }

    /** An input's part of a signature; {@code shape} is null where the trace leaves every dimension unknown. */
    record InputSpec(String name, DType dtype, int rank, Shape shape) {
    }

    /** The signature of a call: inputs sorted by name, with dtype and rank (dimensions unknown). */
    static List<InputSpec> signature(Map<String, HostTensor> inputs) {
        return signature(inputs, false);
    }

    /** The signature of a call, with the static shapes of the inputs when {@code withShapes}. */
    static List<InputSpec> signature(Map<String, HostTensor> inputs, boolean withShapes) {
        List<InputSpec> out = new ArrayList<>();
        for (Map.Entry<String, HostTensor> e : new TreeMap<>(inputs).entrySet()) {
            if (e.getValue() == null) {
                throw new IllegalArgumentException("input '" + e.getKey() + "' is null");
            }
            Shape shape = e.getValue().shape();
            out.add(new InputSpec(e.getKey(), e.getValue().dtype(), shape.rank(), withShapes ? shape : null));
        }
        return out;
    }

    /**
     * The traces of a rank signature whose function needs static sizes: each under the shape pattern it was
     * traced for ({@link Shape#UNKNOWN} where a dimension was left dynamic), newest first, and the patterns
     * that failed to trace.
     */
    private static final class StaticTraces extends Traced {
        final List<Map.Entry<List<InputSpec>, Traced>> patterns = new java.util.concurrent.CopyOnWriteArrayList<>();
        final java.util.Set<List<InputSpec>> failed = java.util.concurrent.ConcurrentHashMap.newKeySet();

        Traced lookup(List<InputSpec> fixed) {
            for (Map.Entry<List<InputSpec>, Traced> e : patterns) {
                if (matches(e.getKey(), fixed)) {
                    return e.getValue();
                }
            }
            return null;
        }

        void add(List<InputSpec> pattern, Traced t) {
            patterns.add(0, Map.entry(pattern, t));
        }
    }

    /** How many generalised traces may fail per rank signature before only exact shapes are traced. */
    private static final int MAX_FAILED_GENERALISATIONS = 3;

    /** Whether the static shapes {@code fixed} fit {@code pattern} (equal, or unknown in the pattern). */
    private static boolean matches(List<InputSpec> pattern, List<InputSpec> fixed) {
        for (int i = 0; i < pattern.size(); i++) {
            long[] p = pattern.get(i).shape().dims();
            long[] f = fixed.get(i).shape().dims();
            for (int d = 0; d < p.length; d++) {
                if (p[d] != Shape.UNKNOWN && p[d] != f[d]) {
                    return false;
                }
            }
        }
        return true;
    }

    /** {@code pattern} with every dimension where {@code fixed} differs made unknown. */
    private static List<InputSpec> generalise(List<InputSpec> pattern, List<InputSpec> fixed) {
        List<InputSpec> out = new ArrayList<>(pattern.size());
        for (int i = 0; i < pattern.size(); i++) {
            InputSpec s = pattern.get(i);
            long[] p = s.shape().dims();
            long[] f = fixed.get(i).shape().dims();
            for (int d = 0; d < p.length; d++) {
                if (p[d] != f[d]) {
                    p[d] = Shape.UNKNOWN;
                }
            }
            out.add(new InputSpec(s.name(), s.dtype(), s.rank(), Shape.of(p)));
        }
        return out;
    }

    /**
     * The trace of a function for these inputs, built on first use. A function is first traced with every
     * dimension unknown, so one graph serves all input sizes. Model code that needs static sizes (the
     * transform computes resize targets from the image size) fails that trace; then the function is traced
     * with the call's static shapes, and when a later call differs only in some dimensions (the number of
     * ground-truth boxes of a training image, say) it is traced once more with just those dimensions
     * unknown, so that one graph serves every call that agrees on the rest. Only when that fails too is each
     * distinct set of shapes traced on its own.
     */
    Traced traced(Map<List<InputSpec>, Traced> cache, Map<String, HostTensor> inputs,
            java.util.function.Function<List<InputSpec>, Traced> build) {
        List<InputSpec> dynamic = signature(inputs, false);
        Traced t = cache.get(dynamic);
        if (t != null && !(t instanceof StaticTraces)) {
            return t;
        }
        List<InputSpec> fixed = signature(inputs, true);
        if (t instanceof StaticTraces st) {
            Traced hit = st.lookup(fixed);
            if (hit != null) {
                return hit;
            }
        }
        synchronized (traceLock) {
            t = cache.get(dynamic);
            if (t == null) {
                try {
                    t = build.apply(dynamic);
                    cache.put(dynamic, t);
                    return t;
                } catch (RuntimeException dynamicFailure) {
                    Traced exact;
                    try {
                        exact = build.apply(fixed);
                    } catch (RuntimeException staticFailure) {
                        if (staticFailure != dynamicFailure) {
                            staticFailure.addSuppressed(dynamicFailure);
                        }
                        throw staticFailure;
                    }
                    StaticTraces st = new StaticTraces();
                    st.add(fixed, exact);
                    cache.put(dynamic, st);
                    return exact;
                }
            }
            if (!(t instanceof StaticTraces st)) {
                return t;
            }
            Traced hit = st.lookup(fixed);
            if (hit != null) {
                return hit;
            }
            List<InputSpec> general = generalise(st.patterns.get(0).getKey(), fixed);
            if (st.failed.size() < MAX_FAILED_GENERALISATIONS && !st.failed.contains(general)) {
                try {
                    Traced g = build.apply(general);
                    st.add(general, g);
                    return g;
                } catch (RuntimeException e) {
                    st.failed.add(general);
                }
            }
            Traced exact = build.apply(fixed);
            st.add(fixed, exact);
            return exact;
        }
    }

    /** A function traced into the graph: its placeholders, fetches and targets. */
    static class Traced {
        final Map<String, Output<?>> placeholders = new LinkedHashMap<>();
        final List<String> outputNames = new ArrayList<>();
        final List<Output<?>> fetches = new ArrayList<>();
        /** For each output name, its index in {@link #fetches} (duplicate outputs are fetched once). */
        final List<Integer> fetchIndex = new ArrayList<>();
        final List<GraphOperation> targets = new ArrayList<>();
        Output<?> learningRate;
        /** For a train step's traces: the trainable parameters that get a gradient. */
        final List<String> trained = new ArrayList<>();

        void addOutput(String name, Output<?> value) {
            int i = fetches.indexOf(value);
            if (i < 0) {
                i = fetches.size();
                fetches.add(value);
            }
            outputNames.add(name);
            fetchIndex.add(i);
        }
    }

    /** The result of running a traced function's body: the trace, its ops, inputs and outputs. */
    record Body(TfTrace trace, TfOps ops, Map<String, Output<?>> placeholders, Map<String, TfTensor> outputs) {
    }

    /** A new trace in a fresh name scope {@code <kind><n>} of the graph, for ops built without a function. */
    TfTrace newTrace(String kind) {
        return newTrace(kind, false);
    }

    /** A new trace in a fresh name scope {@code <kind><n>} of the graph, differentiated or forward-only. */
    private TfTrace newTrace(String kind, boolean differentiated) {
        return new TfTrace(this, graph, kind + scopes.incrementAndGet(), false, differentiated, null);
    }

    /** {@code base} made unique in this backend's graph (variables of several train steps share it). */
    String uniqueName(String base) {
        return base + "_" + variableNames.incrementAndGet();
    }

    /**
     * Traces {@code fn} on placeholders of the signature, for gradients to be taken through it or not; the
     * caller adds to the trace, then finishes it.
     */
    Body traceBody(String kind, TensorFunction fn, List<InputSpec> signature, boolean differentiated) {
        checkOpen();
        TfTrace trace = newTrace(kind, differentiated);
        long t0 = System.nanoTime();
        Body body = traceInto(trace, fn, signature, null);
        if (PROFILE) {
            System.out.printf("tensorflow trace %s: %.0f ms%n", trace.scope, (System.nanoTime() - t0) / 1e6);
        }
        traces.incrementAndGet();
        return body;
    }

    private Body traceInto(TfTrace trace, TensorFunction fn, List<InputSpec> signature,
            Map<String, HostTensor> staticShapes) {
        TfOps ops = new TfOps(trace);
        Map<String, Output<?>> placeholders = new LinkedHashMap<>();
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        for (InputSpec s : signature) {
            org.tensorflow.ndarray.Shape shape = staticShapes != null ? TfTypes.tfShape(staticShapes.get(s.name()).shape())
                    : s.shape() != null ? TfTypes.tfShape(s.shape()) : TfTypes.unknownDims(s.rank());
            Output<?> ph = ops.placeholder(s.dtype(), shape);
            placeholders.put(s.name(), ph);
            inputs.put(s.name(), new TfTensor(trace, ph, false));
        }
        Map<String, Tensor> result = fn.apply(ops, Collections.unmodifiableMap(inputs));
        if (result == null || result.isEmpty()) {
            throw new IllegalArgumentException("the function returned no outputs");
        }
        Map<String, TfTensor> outputs = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : result.entrySet()) {
            if (!(e.getValue() instanceof TfTensor t) || t.trace != trace) {
                throw new IllegalArgumentException("output '" + e.getKey() + "' is not a tensor of this trace: "
                        + e.getValue());
            }
            outputs.put(e.getKey(), t);
        }
        return new Body(trace, ops, placeholders, outputs);
    }

    /**
     * Explains a run-time failure of a traced function. Traced with unknown dimensions, most shape errors
     * surface only when TensorFlow runs; this traces the function again, into a throwaway graph, with the
     * static shapes of the failing call, so that the ops' own checks report the op and shapes (as eager
     * backends do). Always throws.
     */
    RuntimeException diagnose(TensorFunction fn, Map<String, HostTensor> inputs, RuntimeException failure) {
        if (closed || !failure.getClass().getName().startsWith("org.tensorflow.")) {
            return failure;
        }
        try (Graph scratch = new Graph()) {
            traceInto(new TfTrace(this, scratch, "diagnose", true), fn, signature(inputs), inputs);
        } catch (RuntimeException e) {
            e.addSuppressed(failure);
            return e;
        }
        return new IllegalArgumentException("tensorflow backend: the traced function failed at run time: "
                + failure.getMessage(), failure);
    }

    /** The lock under which traces are built (the graph is append-only and shared). */
    Object traceLock() {
        return traceLock;
    }

    /**
     * {@code Graph.addGradients} of the sum of {@code ys} with respect to {@code xs}; an entry is null where
     * {@code xs[i]} does not influence the {@code ys}. A missing gradient function fails with a message
     * naming the op.
     */
    Output<?>[] gradients(TfTrace trace, Output<?>[] ys, Output<?>[] xs) {
        // addGradients fails as a whole when one x does not reach the ys, so leave those out
        java.util.Set<GraphOperation> upstream = upstream(ys);
        List<Integer> reachable = new ArrayList<>();
        for (int i = 0; i < xs.length; i++) {
            if (upstream.contains((GraphOperation) xs[i].op())) {
                reachable.add(i);
            }
        }
        Output<?>[] dy = new Output<?>[xs.length];
        if (reachable.isEmpty()) {
            return dy;
        }
        Output<?>[] xr = new Output<?>[reachable.size()];
        for (int i = 0; i < xr.length; i++) {
            xr[i] = xs[reachable.get(i)];
        }
        try {
            Output<?>[] dr = graph.addGradients(trace.scope + "/gradients", ys, xr, null);
            for (int i = 0; i < dr.length; i++) {
                dy[reachable.get(i)] = dr[i];
            }
        } catch (RuntimeException e) {
            throw new BackendException("tensorflow backend: cannot differentiate: " + e.getMessage(), e);
        }
        for (int i = 0; i < dy.length; i++) {
            if (isNull(dy[i])) {
                dy[i] = null;
            }
        }
        return dy;
    }

    /** Every op the ys depend on through data inputs. */
    private static java.util.Set<GraphOperation> upstream(Output<?>[] ys) {
        java.util.Set<GraphOperation> seen = new java.util.HashSet<>();
        java.util.ArrayDeque<GraphOperation> todo = new java.util.ArrayDeque<>();
        for (Output<?> y : ys) {
            todo.add((GraphOperation) y.op());
        }
        while (!todo.isEmpty()) {
            GraphOperation op = todo.pop();
            if (seen.add(op)) {
                for (int i = 0; i < op.numInputs(); i++) {
                    todo.add((GraphOperation) op.input(i).op());
                }
            }
        }
        return seen;
    }

    private static boolean isNull(Output<?> o) {
        if (o == null) {
            return true;
        }
        try {
            GraphOperation op = (GraphOperation) o.op();
            return op.getUnsafeNativeHandle() == null || op.getUnsafeNativeHandle().isNull();
        } catch (RuntimeException e) {
            return true;
        }
    }

    /**
     * {@code -Dmaskrcnn4j.tf.profile=true}: every run is traced and its most expensive op types and nodes
     * printed (op times overlap where ops run in parallel), its peak live memory ({@link TfPeakMemory}), and
     * each trace's build time.
     */
    private static final boolean PROFILE = Boolean.getBoolean("maskrcnn4j.tf.profile");

    private static void printProfile(org.tensorflow.proto.RunMetadata metadata) {
        Map<String, long[]> byType = new java.util.HashMap<>();
        Map<String, Long> byNode = new java.util.HashMap<>();
        long total = 0;
        for (org.tensorflow.proto.DeviceStepStats dev : metadata.getStepStats().getDevStatsList()) {
            for (org.tensorflow.proto.NodeExecStats n : dev.getNodeStatsList()) {
                long us = n.getAllEndRelMicros();
                String label = n.getTimelineLabel();
                int eq = label.indexOf('=');
                int paren = label.indexOf('(', Math.max(eq, 0));
                String type = eq >= 0 && paren > eq ? label.substring(eq + 1, paren).trim() : n.getNodeName();
                long[] v = byType.computeIfAbsent(type, k -> new long[2]);
                v[0] += us;
                v[1]++;
                String shape = n.getOutputCount() == 0 ? "" : " " + n.getOutput(0).getTensorDescription().getShape()
                        .getDimList().stream().map(d -> Long.toString(d.getSize())).toList();
                byNode.merge(n.getNodeName() + " (" + type + ")" + shape, us, Long::sum);
                total += us;
            }
        }
        StringBuilder b = new StringBuilder("tensorflow profile: " + total / 1000 + " ms of op time\n");
        byType.entrySet().stream().sorted((x, y) -> Long.compare(y.getValue()[0], x.getValue()[0])).limit(25)
                .forEach(e -> b.append(String.format("  %-32s %8.1f ms  %5d ops%n", e.getKey(), e.getValue()[0] / 1e3,
                        e.getValue()[1])));
        byNode.entrySet().stream().sorted((x, y) -> Long.compare(y.getValue(), x.getValue())).limit(25)
                .forEach(e -> b.append(String.format("    %8.1f ms  %s%n", e.getValue() / 1e3, e.getKey())));
        b.append(TfPeakMemory.report(metadata, 15));
        System.out.print(b);
    }

    /** Runs a traced function: feeds the inputs (and extra feeds), fetches the outputs, runs the targets. */
    Map<String, HostTensor> run(Traced t, Map<String, HostTensor> inputs,
            Map<Output<?>, org.tensorflow.Tensor> extraFeeds) {
        checkOpen();
        List<org.tensorflow.Tensor> fed = new ArrayList<>();
        try {
            Session.Runner runner = session.runner();
            for (Map.Entry<String, Output<?>> e : t.placeholders.entrySet()) {
                org.tensorflow.Tensor v = TfTypes.toTensor(inputs.get(e.getKey()));
                fed.add(v);
                runner.feed(e.getValue(), v);
            }
            for (Map.Entry<Output<?>, org.tensorflow.Tensor> e : extraFeeds.entrySet()) {
                runner.feed(e.getKey(), e.getValue());
            }
            for (Output<?> f : t.fetches) {
                runner.fetch(f);
            }
            for (GraphOperation op : t.targets) {
                runner.addTarget(op);
            }
            Map<String, HostTensor> out = new LinkedHashMap<>();
            boolean profile = PROFILE;
            if (profile) {
                runner.setOptions(org.tensorflow.proto.RunOptions.newBuilder()
                        .setTraceLevel(org.tensorflow.proto.RunOptions.TraceLevel.FULL_TRACE).build());
            }
            try (Result r = profile ? runner.runAndFetchMetadata() : runner.run()) {
                if (profile) {
                    r.getMetadata().ifPresent(TfBackend::printProfile);
                }
                HostTensor[] values = new HostTensor[t.fetches.size()];
                for (int i = 0; i < values.length; i++) {
                    values[i] = TfTypes.toHost(r.get(i));
                }
                for (int i = 0; i < t.outputNames.size(); i++) {
                    out.put(t.outputNames.get(i), values[t.fetchIndex.get(i)]);
                }
            }
            return out;
        } finally {
            for (org.tensorflow.Tensor v : fed) {
                v.close();
            }
        }
    }
}

package org.maskrcnn4j.backend.djl;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.maskrcnn4j.tensor.DType;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.Ops;
import org.maskrcnn4j.tensor.Shape;
import org.maskrcnn4j.tensor.Tensor;

/**
 * The op set on DJL's PyTorch engine, bound to one call's memory scope: every array an op creates is
 * attached to that scope and released when the call returns. Ops with no PyTorch counterpart in DJL are
 * composed from native ops (bilinear resize, transposed convolution, group norm, index_add) or computed on
 * host copies inside the op (NMS, stable sort and top-k, the RoIAlign weight matrix, seeded uniform noise).
 */
public final class DjlOps implements Ops {
    private final DjlBackend backend;
    /** The call's scope: parameters, caches and the call's results live here. */
    private final NDManager root;
    /** Where new arrays go: the root, or the innermost {@link #released} block. */
    private NDManager scope;
    /** The root and the open {@link #released} blocks: arrays of these may be used. */
    private final Set<NDManager> live = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    private final boolean trainParameters;
    private final Map<String, PtNDArray> parameterViews = new LinkedHashMap<>();
    /** Channels-last copies of feature maps already pooled in this call (box and mask heads share them). */
    private final Map<PtNDArray, PtNDArray> channelsLast = new java.util.IdentityHashMap<>();
    private final Map<PtNDArray, PtNDArray> channelsLastGrad = new java.util.IdentityHashMap<>();
    /** How many tensors handed out by ops wrap each array (an op may return its input), for {@link #discard}. */
    private final Map<PtNDArray, Integer> handles = new java.util.IdentityHashMap<>();

    DjlOps(DjlBackend backend, NDManager scope, boolean trainParameters) {
        this.backend = backend;
        this.root = scope;
        this.scope = scope;
        this.live.add(scope);
        this.trainParameters = trainParameters;
    }

    /**
     * Runs the block in a sub-scope of the current one and closes it when the block returns, after moving the
     * returned arrays out; the intermediates' native memory is freed then instead of at the end of the call
     * (autograd keeps what backward needs through its own references).
     */
    @Override
    public List<Tensor> released(Supplier<List<Tensor>> block) {
        NDManager outer = scope;
        NDManager inner = outer.newSubManager();
        live.add(inner);
        scope = inner;
        try {
            List<Tensor> out = block.get();
            for (Tensor t : out) {
                PtNDArray a = nd(t);
                if (a.getManager() == inner) {
                    a.attach(outer);
                }
            }
            return out;
        } finally {
            scope = outer;
            live.remove(inner);
            inner.close();
        }
    }

    /**
     * Closes the array once no tensor handed out for it is left undiscarded; parameters and arrays that ops did
     * not hand out (inputs of other calls, caches) are left alone.
     */
    @Override
    public void discard(Tensor t) {
        PtNDArray a = nd(t); // checks that t is a live tensor of this call
        ((DjlTensor) t).discarded = true;
        Integer n = handles.get(a);
        if (n == null) {
            return;
        }
        if (n > 1) {
            handles.put(a, n - 1);
        } else {
            handles.remove(a);
            for (PtNDArray copy : new PtNDArray[] {channelsLast.remove(a), channelsLastGrad.remove(a)}) {
                if (copy != null) {
                    copy.close();
                }
            }
            a.close();
        }
    }

    /**
     * Closes every array of the call except {@code keep} and the parameter views. Before backward: autograd
     * holds what backward needs from the forward pass by its own references and frees each as backward passes
     * it, so the call's handles would only keep activations alive through the whole backward pass.
     */
    void closeAllExcept(PtNDArray keep) {
        Set<Object> views = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        views.addAll(parameterViews.values());
        for (ai.djl.ndarray.NDArray a : new ArrayList<>(root.getManagedArrays())) {
            if (a != keep && !views.contains(a)) {
                a.close();
            }
        }
        channelsLast.clear();
        channelsLastGrad.clear();
        handles.clear();
    }

    /** Parameter views handed out in this call, by name (the leaves gradients flow into when training). */
    Map<String, PtNDArray> parameterViews() {
        return parameterViews;
    }

    // ------------------------------------------------------------------ plumbing

    PtNDArray nd(Tensor t) {
        if (t == null) {
            throw new IllegalArgumentException("tensor argument is null");
        }
        if (!(t instanceof DjlTensor d)) {
            throw new IllegalArgumentException("the djl backend cannot use a tensor of another backend: " + t);
        }
        PtNDArray a = d.pt();
        if (!live.contains(a.getManager())) {
            throw new IllegalStateException("tensor " + t + " belongs to another call of the djl backend, or to a"
                    + " released block that has ended");
        }
        return a;
    }

    /** Wraps a result, making sure it is owned by this call's scope. */
    DjlTensor wrap(PtNDArray a) {
        if (a.getManager() != scope) {
            a.attach(scope);
        }
        handles.merge(a, 1, Integer::sum);
        return new DjlTensor(a);
    }

    private DjlTensor op(String name, Supplier<PtNDArray> body) {
        long t0 = DjlProfiler.ENABLED ? System.nanoTime() : 0;
        try {
            return wrap(body.get());
        } catch (EngineException e) {
            throw new IllegalArgumentException(name + ": " + firstLine(e.getMessage()), e);
        } finally {
            if (DjlProfiler.ENABLED) {
                DjlProfiler.record(name, System.nanoTime() - t0);
            }
        }
    }

    private static String firstLine(String msg) {
        if (msg == null) {
            return "PyTorch error";
        }
        String[] lines = msg.split("\n");
        StringBuilder b = new StringBuilder(lines[0].trim());
        // PyTorch puts the useful sentence on the first non-frame lines
        for (int i = 1; i < Math.min(lines.length, 3); i++) {
            if (lines[i].startsWith("Exception raised from") || lines[i].startsWith("frame #")) {
                break;
            }
            b.append(' ').append(lines[i].trim());
        }
        return b.toString();
    }

    /** NumPy broadcasting of two static shapes, or an error naming the op and both shapes. */
    private static void checkBroadcast(String op, Tensor a, Tensor b) {
        long[] x = dims(a);
        long[] y = dims(b);
        for (int i = 1; i <= Math.min(x.length, y.length); i++) {
            long p = x[x.length - i];
            long q = y[y.length - i];
            if (p != q && p != 1 && q != 1) {
                throw new IllegalArgumentException(op + ": shapes " + a.shape() + " and " + b.shape()
                        + " do not broadcast (axis -" + i + ": " + p + " vs " + q + ")");
            }
        }
    }

    private static int axis(Tensor t, int axis) {
        return t.shape().normalizeAxis(axis);
    }

    private static long[] dims(Tensor t) {
        return t.shape().dims();
    }

    private PtNDArray scalarLike(double v, DataType type) {
        return JniUtils.full((ai.djl.pytorch.engine.PtNDManager) scope, DjlTypes.djlShape(), v, type,
                ai.djl.Device.cpu(), ai.djl.ndarray.types.SparseFormat.DENSE);
    }

    /** A contiguous copy of a strided view (a view itself when already contiguous); keeps autograd. */
    static PtNDArray contiguous(PtNDArray a) {
        long[] shape = a.getShape().getShape();
        return JniUtils.reshape(JniUtils.reshape(a, new long[] {-1}), shape);
    }

    /** Host copy of an int64 shape-like tensor. */
    private long[] readLongs(Tensor t) {
        return DjlTypes.readLongs(nd(t));
    }

    // ------------------------------------------------------------------ parameters

    @Override
    public Tensor parameter(String name) {
        PtNDArray view = parameterViews.get(name);
        if (view == null) {
            DjlParameterStore.Entry e = backend.parameters().entry(name);
            // a new handle on the same storage, owned by this call; a fresh autograd leaf when training
            view = JniUtils.detachGradient(e.value());
            view.attach(root);
            if (trainParameters && e.trainable() && e.dtype().isFloating()) {
                view.setRequiresGradient(true);
            }
            parameterViews.put(name, view);
        }
        return new DjlTensor(view);
    }

    // ------------------------------------------------------------------ creation

    @Override
    public Tensor constant(HostTensor value) {
        return wrap(DjlTypes.fromHost(scope, value));
    }

    @Override
    public Tensor full(Shape shape, double value, DType dtype) {
        if (!shape.isKnown()) {
            throw new IllegalArgumentException("full: shape must be known, got " + shape);
        }
        return op("full", () -> JniUtils.full((ai.djl.pytorch.engine.PtNDManager) scope,
                DjlTypes.djlShape(shape.dims()), value, DjlTypes.toDjl(dtype), ai.djl.Device.cpu(),
                ai.djl.ndarray.types.SparseFormat.DENSE));
    }

    @Override
    public Tensor fill(Tensor shape, double value, DType dtype) {
        checkShapeTensor("fill", shape);
        return full(Shape.of(readLongs(shape)), value, dtype);
    }

    private void checkShapeTensor(String op, Tensor shape) {
        if (shape.rank() != 1 || shape.dtype().isFloating()) {
            throw new IllegalArgumentException(op + ": shape must be an integer [rank] tensor, got " + shape);
        }
    }

    @Override
    public Tensor arange(long start, long end, long step, DType dtype) {
        if (step == 0) {
            throw new IllegalArgumentException("arange: step must not be 0");
        }
        long n = Math.max(0, step > 0 ? Math.floorDiv(end - start + step - 1, step)
                : Math.floorDiv(start - end + (-step) - 1, -step));
        int count = Math.toIntExact(n);
        if (dtype == DType.INT64) {
            long[] v = new long[count];
            for (int i = 0; i < count; i++) {
                v[i] = start + i * step;
            }
            return wrap(DjlTypes.fromLongs(scope, v, count, count));
        }
        double[] v = new double[count];
        for (int i = 0; i < count; i++) {
            v[i] = start + (double) i * step;
        }
        PtNDArray d = DjlTypes.fromDoubles(scope, v, count);
        return dtype == DType.FLOAT64 ? wrap(d) : cast(wrap(d), dtype);
    }

    @Override
    public Tensor range(Tensor limit, DType dtype) {
        if (limit.shape().isKnown() && limit.shape().size() != 1) {
            throw new IllegalArgumentException("range: limit must be a scalar, got " + limit);
        }
        return arange(0, readLongs(limit)[0], 1, dtype);
    }

    @Override
    public Tensor scalar(double value, DType dtype) {
        return wrap(scalarLike(value, DjlTypes.toDjl(dtype)));
    }

    // ------------------------------------------------------------------ shapes and layout

    @Override
    public Tensor shapeOf(Tensor t) {
        long[] d = dims(t);
        return wrap(DjlTypes.fromLongs(scope, d, d.length, d.length));
    }

    @Override
    public Tensor size(Tensor t, int axis) {
        long d = t.shape().get(axis);
        return wrap(DjlTypes.fromLongs(scope, new long[] {d}, 1));
    }

    @Override
    public Tensor reshape(Tensor t, long... shape) {
        PtNDArray a = nd(t);
        long known = 1;
        int unknown = 0;
        for (long d : shape) {
            if (d == -1) {
                unknown++;
            } else if (d < 0) {
                throw new IllegalArgumentException("reshape: invalid dimension " + d + " in " + Arrays.toString(shape));
            } else {
                known *= d;
            }
        }
        long size = t.shape().size();
        if (unknown > 1 || (unknown == 0 && known != size) || (unknown == 1 && (known == 0 || size % known != 0))) {
            throw new IllegalArgumentException("reshape: cannot reshape " + t.shape() + " (" + size
                    + " elements) to " + Arrays.toString(shape));
        }
        return op("reshape", () -> JniUtils.reshape(a, shape.clone()));
    }

    @Override
    public Tensor reshape(Tensor t, Tensor shape) {
        checkShapeTensor("reshape", shape);
        return reshape(t, readLongs(shape));
    }

    @Override
    public Tensor permute(Tensor t, int... axes) {
        int rank = t.rank();
        if (axes.length != rank) {
            throw new IllegalArgumentException("permute: " + axes.length + " axes for a tensor of rank " + rank);
        }
        long[] p = new long[rank];
        boolean[] seen = new boolean[rank];
        for (int i = 0; i < rank; i++) {
            int a = axis(t, axes[i]);
            if (seen[a]) {
                throw new IllegalArgumentException("permute: axis " + axes[i] + " repeated in " + Arrays.toString(axes));
            }
            seen[a] = true;
            p[i] = a;
        }
        PtNDArray a = nd(t);
        return op("permute", () -> JniUtils.permute(a, p));
    }

    @Override
    public Tensor unsqueeze(Tensor t, int axis) {
        int rank = t.rank();
        int a = axis < 0 ? axis + rank + 1 : axis;
        if (a < 0 || a > rank) {
            throw new IllegalArgumentException("unsqueeze: axis " + axis + " out of range for rank " + rank);
        }
        PtNDArray x = nd(t);
        return op("unsqueeze", () -> JniUtils.unsqueeze(x, a));
    }

    @Override
    public Tensor squeeze(Tensor t, int axis) {
        int a = axis(t, axis);
        if (t.shape().get(a) != 1) {
            throw new IllegalArgumentException("squeeze: axis " + axis + " of " + t.shape() + " has size "
                    + t.shape().get(a) + ", not 1");
        }
        PtNDArray x = nd(t);
        return op("squeeze", () -> JniUtils.squeeze(x, a));
    }

    @Override
    public Tensor broadcastTo(Tensor t, Tensor shape) {
        checkShapeTensor("broadcastTo", shape);
        long[] target = readLongs(shape);
        long[] src = dims(t);
        if (src.length > target.length) {
            throw new IllegalArgumentException("broadcastTo: cannot broadcast " + t.shape() + " to "
                    + Arrays.toString(target));
        }
        for (int i = 0; i < src.length; i++) {
            long s = src[src.length - 1 - i];
            long d = target[target.length - 1 - i];
            if (s != 1 && s != d) {
                throw new IllegalArgumentException("broadcastTo: cannot broadcast " + t.shape() + " to "
                        + Arrays.toString(target));
            }
        }
        PtNDArray x = nd(t);
        return op("broadcastTo", () -> JniUtils.broadcast(x, DjlTypes.djlShape(target)));
    }

    @Override
    public Tensor concat(List<Tensor> tensors, int axis) {
        if (tensors.isEmpty()) {
            throw new IllegalArgumentException("concat: no tensors");
        }
        int a = axis(tensors.get(0), axis);
        PtNDArray[] arrays = new PtNDArray[tensors.size()];
        for (int i = 0; i < arrays.length; i++) {
            Tensor t = tensors.get(i);
            if (t.rank() != tensors.get(0).rank()) {
                throw new IllegalArgumentException("concat: ranks differ: " + tensors.get(0).shape() + " and " + t.shape());
            }
            for (int d = 0; d < t.rank(); d++) {
                if (d != a && t.shape().get(d) != tensors.get(0).shape().get(d)) {
                    throw new IllegalArgumentException("concat: shapes " + tensors.get(0).shape() + " and "
                            + t.shape() + " differ outside axis " + axis);
                }
            }
            arrays[i] = nd(t);
        }
        return op("concat", () -> JniUtils.cat(arrays, a));
    }

    @Override
    public Tensor stack(List<Tensor> tensors, int axis) {
        if (tensors.isEmpty()) {
            throw new IllegalArgumentException("stack: no tensors");
        }
        int rank = tensors.get(0).rank();
        int a = axis < 0 ? axis + rank + 1 : axis;
        if (a < 0 || a > rank) {
            throw new IllegalArgumentException("stack: axis " + axis + " out of range for rank " + rank);
        }
        PtNDArray[] arrays = new PtNDArray[tensors.size()];
        for (int i = 0; i < arrays.length; i++) {
            if (!tensors.get(i).shape().equals(tensors.get(0).shape())) {
                throw new IllegalArgumentException("stack: shapes differ: " + tensors.get(0).shape() + " and "
                        + tensors.get(i).shape());
            }
            arrays[i] = nd(tensors.get(i));
        }
        return op("stack", () -> JniUtils.stack(arrays, a));
    }

    @Override
    public Tensor slice(Tensor t, int axis, long start, long end, long step) {
        if (step <= 0) {
            throw new IllegalArgumentException("slice: step must be positive, got " + step);
        }
        int a = axis(t, axis);
        long n = t.shape().get(a);
        long s = start < 0 ? Math.max(0, start + n) : Math.min(start, n);
        long e = end < 0 ? Math.max(0, end + n) : Math.min(end, n);
        long stop = Math.max(s, e);
        PtNDArray x = nd(t);
        return op("slice", () -> JniUtils.slice(x, a, s, stop, step));
    }

    @Override
    public List<Tensor> split(Tensor t, long[] sizes, int axis) {
        int a = axis(t, axis);
        long total = 0;
        for (long s : sizes) {
            if (s < 0) {
                throw new IllegalArgumentException("split: negative size in " + Arrays.toString(sizes));
            }
            total += s;
        }
        if (total != t.shape().get(a)) {
            throw new IllegalArgumentException("split: sizes " + Arrays.toString(sizes) + " do not add up to "
                    + t.shape().get(a) + " (axis " + axis + " of " + t.shape() + ")");
        }
        // split_with_sizes: one autograd node whose backward concatenates (no full-size zero per piece)
        NDList parts;
        try {
            parts = JniUtils.split(nd(t), sizes.clone(), a);
        } catch (EngineException e) {
            throw new IllegalArgumentException("split: " + firstLine(e.getMessage()), e);
        }
        List<Tensor> out = new ArrayList<>(parts.size());
        for (int i = 0; i < parts.size(); i++) {
            out.add(wrap((PtNDArray) parts.get(i)));
        }
        return List.copyOf(out);
    }

    @Override
    public Tensor pad(Tensor t, long[] before, long[] after, double value) {
        int rank = t.rank();
        if (before.length != rank || after.length != rank) {
            throw new IllegalArgumentException("pad: need one (before, after) pair per axis of " + t.shape()
                    + ", got " + before.length + " and " + after.length);
        }
        // PyTorch order: last axis first
        long[] p = new long[2 * rank];
        for (int i = 0; i < rank; i++) {
            p[2 * i] = before[rank - 1 - i];
            p[2 * i + 1] = after[rank - 1 - i];
        }
        if (t.shape().size() == 0) {
            // torch refuses to pad a tensor with a zero-size axis; the result is just the padded shape filled
            long[] dims = t.shape().dims();
            for (int i = 0; i < rank; i++) {
                dims[i] += before[i] + after[i];
            }
            return full(Shape.of(dims), value, t.dtype());
        }
        PtNDArray x = nd(t);
        return op("pad", () -> JniUtils.pad(x, p, value));
    }

    @Override
    public Tensor pad(Tensor t, Tensor paddings, double value) {
        if (paddings.rank() != 2 || paddings.shape().get(1) != 2 || paddings.shape().get(0) != t.rank()) {
            throw new IllegalArgumentException("pad: paddings must be int64 [rank, 2] = [" + t.rank()
                    + ", 2], got " + paddings.shape());
        }
        long[] p = readLongs(paddings);
        long[] before = new long[t.rank()];
        long[] after = new long[t.rank()];
        for (int i = 0; i < t.rank(); i++) {
            before[i] = p[2 * i];
            after[i] = p[2 * i + 1];
        }
        return pad(t, before, after, value);
    }

    @Override
    public Tensor cast(Tensor t, DType dtype) {
        if (t.dtype() == dtype) {
            return t;
        }
        PtNDArray x = nd(t);
        DataType to = DjlTypes.toDjl(dtype);
        if (t.dtype().isFloating() && dtype.isFloating() && JniUtils.isGradMode()) {
            // DJL's cast runs without autograd; while recording gradients a cumulative product over a new unit
            // axis with an output dtype is an exact, differentiable conversion
            return op("cast", () -> JniUtils.squeeze(JniUtils.cumProd(JniUtils.unsqueeze(x, -1), -1, to), -1));
        }
        return op("cast", () -> JniUtils.to(x, to, ai.djl.Device.cpu()));
    }

    // ------------------------------------------------------------------ elementwise

    @Override
    public Tensor add(Tensor a, Tensor b) {
        checkBroadcast("add", a, b);
        PtNDArray x = nd(a);
        PtNDArray y = nd(b);
        return op("add", () -> JniUtils.add(x, y));
    }

    @Override
    public Tensor sub(Tensor a, Tensor b) {
        checkBroadcast("sub", a, b);
        PtNDArray x = nd(a);
        PtNDArray y = nd(b);
        return op("sub", () -> JniUtils.sub(x, y));
    }

    @Override
    public Tensor mul(Tensor a, Tensor b) {
        checkBroadcast("mul", a, b);
        PtNDArray x = nd(a);
        PtNDArray y = nd(b);
        return op("mul", () -> JniUtils.mul(x, y));
    }

    @Override
    public Tensor div(Tensor a, Tensor b) {
        checkBroadcast("div", a, b);
        PtNDArray x = nd(a);
        PtNDArray y = nd(b);
        return op("div", () -> JniUtils.div(x, y));
    }

    @Override
    public Tensor floorDiv(Tensor a, Tensor b) {
        checkBroadcast("floorDiv", a, b);
        if (a.dtype().isFloating() || b.dtype().isFloating()) {
            return floor(div(a, b));
        }
        // exact for |a| < 2^53: the float64 quotient of two integers rounds to the floor's side
        PtNDArray x = nd(cast(a, DType.FLOAT64));
        PtNDArray y = nd(cast(b, DType.FLOAT64));
        DataType out = a.dtype() == DType.INT64 || b.dtype() == DType.INT64 ? DataType.INT64
                : DjlTypes.toDjl(a.dtype());
        return op("floorDiv", () -> JniUtils.to(JniUtils.floor(JniUtils.div(x, y)), out, ai.djl.Device.cpu()));
    }

    @Override
    public Tensor maximum(Tensor a, Tensor b) {
        checkBroadcast("maximum", a, b);
        PtNDArray x = nd(a);
        PtNDArray y = nd(b);
        return op("maximum", () -> JniUtils.max(x, y));
    }

    @Override
    public Tensor minimum(Tensor a, Tensor b) {
        checkBroadcast("minimum", a, b);
        PtNDArray x = nd(a);
        PtNDArray y = nd(b);
        return op("minimum", () -> JniUtils.min(x, y));
    }

    @Override
    public Tensor neg(Tensor t) {
        PtNDArray x = nd(t);
        return op("neg", () -> JniUtils.neg(x));
    }

    @Override
    public Tensor abs(Tensor t) {
        PtNDArray x = nd(t);
        return op("abs", () -> JniUtils.abs(x));
    }

    @Override
    public Tensor exp(Tensor t) {
        PtNDArray x = nd(t);
        return op("exp", () -> JniUtils.exp(x));
    }

    @Override
    public Tensor log(Tensor t) {
        PtNDArray x = nd(t);
        return op("log", () -> JniUtils.log(x));
    }

    @Override
    public Tensor log2(Tensor t) {
        PtNDArray x = nd(t);
        return op("log2", () -> JniUtils.log2(x));
    }

    @Override
    public Tensor log1p(Tensor t) {
        // DJL has no log1p. Forward: Goldberg's accurate form u = 1 + x, log(u) * x / (u - 1) (x where u == 1);
        // gradient: that of log(u), i.e. 1 / (1 + x), added as (log(u) - detach(log(u))) which is exactly 0.
        PtNDArray x = nd(t);
        return op("log1p", () -> {
            PtNDArray one = scalarLike(1, x.getDataType());
            PtNDArray u = JniUtils.add(x, one);
            PtNDArray logU = JniUtils.log(u);
            PtNDArray accurate;
            boolean grad = JniUtils.isGradMode();
            JniUtils.setGradMode(false);
            try {
                PtNDArray ratio = JniUtils.mul(logU, JniUtils.div(x, JniUtils.sub(u, one)));
                PtNDArray exact = JniUtils.where(JniUtils.eq(u, one), x, ratio);
                // u = inf: log(u) * x / (u - 1) is inf * inf / inf = NaN, the answer is inf
                accurate = JniUtils.where(JniUtils.isInf(u), u, exact);
            } finally {
                JniUtils.setGradMode(grad);
            }
            if (!grad) {
                return accurate;
            }
            return JniUtils.add(accurate, JniUtils.sub(logU, JniUtils.detachGradient(logU)));
        });
    }

    @Override
    public Tensor sqrt(Tensor t) {
        PtNDArray x = nd(t);
        return op("sqrt", () -> JniUtils.sqrt(x));
    }

    @Override
    public Tensor floor(Tensor t) {
        PtNDArray x = nd(t);
        return op("floor", () -> JniUtils.floor(x));
    }

    @Override
    public Tensor ceil(Tensor t) {
        PtNDArray x = nd(t);
        return op("ceil", () -> JniUtils.ceil(x));
    }

    @Override
    public Tensor round(Tensor t) {
        PtNDArray x = nd(t);
        return op("round", () -> JniUtils.round(x));
    }

    @Override
    public Tensor sigmoid(Tensor t) {
        PtNDArray x = nd(t);
        return op("sigmoid", () -> JniUtils.sigmoid(x));
    }

    @Override
    public Tensor relu(Tensor t) {
        PtNDArray x = nd(t);
        return op("relu", () -> JniUtils.relu(x));
    }

    @Override
    public Tensor clamp(Tensor t, double min, double max) {
        if (min > max) {
            throw new IllegalArgumentException("clamp: min " + min + " > max " + max);
        }
        PtNDArray x = nd(t);
        if (t.dtype().isFloating()) {
            return op("clamp", () -> JniUtils.clip(x, min, max));
        }
        // integer tensors: finite bounds as integers, open sides skipped
        long lo = Double.isInfinite(min) ? Long.MIN_VALUE : (long) Math.ceil(min);
        long hi = Double.isInfinite(max) ? Long.MAX_VALUE : (long) Math.floor(max);
        return op("clamp", () -> JniUtils.clip(x, lo, hi));
    }

    @Override
    public Tensor add(Tensor a, double b) {
        PtNDArray x = nd(a);
        return op("add", () -> JniUtils.add(x, scalarLike(b, x.getDataType())));
    }

    @Override
    public Tensor sub(Tensor a, double b) {
        PtNDArray x = nd(a);
        return op("sub", () -> JniUtils.sub(x, scalarLike(b, x.getDataType())));
    }

    @Override
    public Tensor mul(Tensor a, double b) {
        PtNDArray x = nd(a);
        return op("mul", () -> JniUtils.mul(x, scalarLike(b, x.getDataType())));
    }

    @Override
    public Tensor div(Tensor a, double b) {
        PtNDArray x = nd(a);
        return op("div", () -> JniUtils.div(x, scalarLike(b, x.getDataType())));
    }

    // ------------------------------------------------------------------ comparisons and selection

    @Override
    public Tensor eq(Tensor a, Tensor b) {
        checkBroadcast("eq", a, b);
        PtNDArray x = nd(a);
        PtNDArray y = nd(b);
        return op("eq", () -> JniUtils.eq(x, y));
    }

    @Override
    public Tensor ne(Tensor a, Tensor b) {
        checkBroadcast("ne", a, b);
        PtNDArray x = nd(a);
        PtNDArray y = nd(b);
        return op("ne", () -> JniUtils.neq(x, y));
    }

    @Override
    public Tensor lt(Tensor a, Tensor b) {
        checkBroadcast("lt", a, b);
        PtNDArray x = nd(a);
        PtNDArray y = nd(b);
        return op("lt", () -> JniUtils.lt(x, y));
    }

    @Override
    public Tensor le(Tensor a, Tensor b) {
        checkBroadcast("le", a, b);
        PtNDArray x = nd(a);
        PtNDArray y = nd(b);
        return op("le", () -> JniUtils.lte(x, y));
    }

    @Override
    public Tensor gt(Tensor a, Tensor b) {
        checkBroadcast("gt", a, b);
        PtNDArray x = nd(a);
        PtNDArray y = nd(b);
        return op("gt", () -> JniUtils.gt(x, y));
    }

    @Override
    public Tensor ge(Tensor a, Tensor b) {
        checkBroadcast("ge", a, b);
        PtNDArray x = nd(a);
        PtNDArray y = nd(b);
        return op("ge", () -> JniUtils.gte(x, y));
    }

    @Override
    public Tensor logicalAnd(Tensor a, Tensor b) {
        checkBroadcast("logicalAnd", a, b);
        PtNDArray x = nd(a);
        PtNDArray y = nd(b);
        return op("logicalAnd", () -> JniUtils.logicalAnd(x, y));
    }

    @Override
    public Tensor logicalOr(Tensor a, Tensor b) {
        checkBroadcast("logicalOr", a, b);
        PtNDArray x = nd(a);
        PtNDArray y = nd(b);
        return op("logicalOr", () -> JniUtils.logicalOr(x, y));
    }

    @Override
    public Tensor logicalNot(Tensor t) {
        PtNDArray x = nd(t);
        return op("logicalNot", () -> JniUtils.logicalNot(x));
    }

    @Override
    public Tensor where(Tensor cond, Tensor a, Tensor b) {
        checkBroadcast("where", cond, a);
        checkBroadcast("where", cond, b);
        checkBroadcast("where", a, b);
        PtNDArray c = nd(cond);
        PtNDArray x = nd(a);
        PtNDArray y = nd(b);
        return op("where", () -> JniUtils.where(c.getDataType() == DataType.BOOLEAN ? c
                : JniUtils.to(c, DataType.BOOLEAN, ai.djl.Device.cpu()), x, y));
    }

    @Override
    public Tensor gt(Tensor a, double b) {
        PtNDArray x = nd(a);
        return op("gt", () -> JniUtils.gt(x, scalarLike(b, x.getDataType())));
    }

    @Override
    public Tensor ge(Tensor a, double b) {
        PtNDArray x = nd(a);
        return op("ge", () -> JniUtils.gte(x, scalarLike(b, x.getDataType())));
    }

    @Override
    public Tensor lt(Tensor a, double b) {
        PtNDArray x = nd(a);
        return op("lt", () -> JniUtils.lt(x, scalarLike(b, x.getDataType())));
    }

    @Override
    public Tensor eq(Tensor a, double b) {
        PtNDArray x = nd(a);
        return op("eq", () -> JniUtils.eq(x, scalarLike(b, x.getDataType())));
    }

    // ------------------------------------------------------------------ reductions

    private long[] reduceAxes(Tensor t, int[] axes) {
        int rank = t.rank();
        if (axes.length == 0) {
            long[] all = new long[rank];
            for (int i = 0; i < rank; i++) {
                all[i] = i;
            }
            return all;
        }
        long[] out = new long[axes.length];
        boolean[] seen = new boolean[rank];
        for (int i = 0; i < axes.length; i++) {
            int a = axis(t, axes[i]);
            if (seen[a]) {
                throw new IllegalArgumentException("reduction: axis " + axes[i] + " repeated in " + Arrays.toString(axes));
            }
            seen[a] = true;
            out[i] = a;
        }
        Arrays.sort(out);
        return out;
    }

    @Override
    public Tensor sum(Tensor t, int[] axes, boolean keepDims) {
        long[] ax = reduceAxes(t, axes);
        PtNDArray x = nd(t);
        if (ax.length == 0) {
            return op("sum", () -> JniUtils.add(x, scalarLike(0, x.getDataType())));
        }
        return op("sum", () -> JniUtils.sum(x, ax, keepDims));
    }

    @Override
    public Tensor mean(Tensor t, int[] axes, boolean keepDims) {
        long[] ax = reduceAxes(t, axes);
        long count = 1;
        for (long a : ax) {
            count *= t.shape().get((int) a);
        }
        if (!t.dtype().isFloating()) {
            throw new IllegalArgumentException("mean: needs a floating tensor, got " + t.dtype());
        }
        Tensor s = sum(t, axes, keepDims);
        return div(s, count == 0 ? Double.NaN : count);
    }

    private Tensor reduceExtreme(String name, Tensor t, int[] axes, boolean keepDims, boolean max) {
        long[] ax = reduceAxes(t, axes);
        PtNDArray x = nd(t);
        if (t.shape().size() == 0) {
            throw new IllegalArgumentException(name + ": reduction of an empty tensor " + t.shape());
        }
        if (ax.length == t.rank()) {
            return op(name, () -> {
                PtNDArray r = max ? JniUtils.max(x) : JniUtils.min(x);
                if (keepDims) {
                    long[] ones = new long[t.rank()];
                    Arrays.fill(ones, 1);
                    r = JniUtils.reshape(r, ones);
                }
                return r;
            });
        }
        return op(name, () -> {
            PtNDArray r = x;
            // reduce the highest axis first so that lower axis numbers stay valid
            for (int i = ax.length - 1; i >= 0; i--) {
                r = max ? JniUtils.max(r, ax[i], keepDims) : JniUtils.min(r, ax[i], keepDims);
            }
            return r;
        });
    }

    @Override
    public Tensor max(Tensor t, int[] axes, boolean keepDims) {
        return reduceExtreme("max", t, axes, keepDims, true);
    }

    @Override
    public Tensor min(Tensor t, int[] axes, boolean keepDims) {
        return reduceExtreme("min", t, axes, keepDims, false);
    }

    @Override
    public Tensor argmax(Tensor t, int axis, boolean keepDims) {
        int a = axis(t, axis);
        if (t.shape().get(a) == 0) {
            throw new IllegalArgumentException("argmax: axis " + axis + " of " + t.shape() + " is empty");
        }
        PtNDArray x = nd(t);
        return op("argmax", () -> JniUtils.argMax(x, a, keepDims));
    }

    // ------------------------------------------------------------------ linear algebra and layers

    @Override
    public Tensor matmul(Tensor a, Tensor b) {
        if (a.rank() == 0 || b.rank() == 0) {
            throw new IllegalArgumentException("matmul: scalars are not matrices: " + a.shape() + " @ " + b.shape());
        }
        long ka = a.shape().get(-1);
        long kb = b.rank() == 1 ? b.shape().get(0) : b.shape().get(-2);
        if (ka != kb) {
            throw new IllegalArgumentException("matmul: inner dimensions differ: " + a.shape() + " @ " + b.shape());
        }
        PtNDArray x = nd(a);
        PtNDArray y = nd(b);
        return op("matmul", () -> JniUtils.matmul(x, y));
    }

    @Override
    public Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        if (weight.rank() != 2 || x.rank() == 0 || x.shape().get(-1) != weight.shape().get(1)) {
            throw new IllegalArgumentException("linear: input " + x.shape() + " does not fit weight " + weight.shape());
        }
        PtNDArray in = nd(x);
        PtNDArray w = nd(weight);
        PtNDArray b = bias == null ? null : nd(bias);
        if (x.rank() == 2 && weight.shape().get(1) >= WIDE_LINEAR && !JniUtils.isGradMode()) {
            return op("linear", () -> wideLinear(in, w, b));
        }
        return op("linear", () -> JniUtils.linear(in, w, b));
    }

    /** In-features from which {@link #wideLinear} runs a linear layer without autograd. */
    static final long WIDE_LINEAR = 4096;

    /**
     * {@code x W^T + b} for {@code x [N, K]} as a 1x1 convolution of the {@code [1, K, N, 1]} transposed input:
     * libtorch's bundled sgemm runs at about half the AVX-512 peak (82 GFLOP/s per core here) while its oneDNN
     * 1x1 convolutions run near it, so the box head's 12544 -> 1024 layer on 1000 rows takes 100 instead of 160
     * ms, transposes included. Measured slower for 1024 in-features and for the backward pass, hence only for
     * wide layers outside autograd.
     */
    private static PtNDArray wideLinear(PtNDArray x, PtNDArray w, PtNDArray b) {
        long n = x.getShape().get(0);
        long k = x.getShape().get(1);
        long o = w.getShape().get(0);
        List<PtNDArray> temps = new ArrayList<>();
        try {
            PtNDArray xt = keep(temps, JniUtils.transpose(x, 0, 1));
            PtNDArray columns = keep(temps, JniUtils.reshape(xt, new long[] {1, k, n, 1})); // copies
            PtNDArray filters = keep(temps, JniUtils.reshape(w, new long[] {o, k, 1, 1}));
            PtNDArray y = keep(temps, JniUtils.convolution(columns, filters, b, new ai.djl.ndarray.types.Shape(1, 1),
                    new ai.djl.ndarray.types.Shape(0, 0), new ai.djl.ndarray.types.Shape(1, 1), 1));
            PtNDArray rows = keep(temps, JniUtils.transpose(keep(temps, JniUtils.reshape(y, new long[] {o, n})), 0, 1));
            return contiguous(rows);
        } finally {
            temps.forEach(PtNDArray::close);
        }
    }

    private static PtNDArray keep(List<PtNDArray> temps, PtNDArray a) {
        temps.add(a);
        return a;
    }

    @Override
    public Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups) {
        if (x.rank() != 4 || weight.rank() != 4) {
            throw new IllegalArgumentException("conv2d: input and weight must be rank 4, got " + x.shape() + " and "
                    + weight.shape());
        }
        if (groups <= 0 || x.shape().get(1) != weight.shape().get(1) * groups || weight.shape().get(0) % groups != 0) {
            throw new IllegalArgumentException("conv2d: input " + x.shape() + " does not fit weight " + weight.shape()
                    + " with groups=" + groups);
        }
        PtNDArray in = nd(x);
        PtNDArray w = nd(weight);
        PtNDArray b = bias == null ? null : nd(bias);
        return op("conv2d", () -> convolution(in, w, b, pair(stride), pair(padding), pair(dilation), groups));
    }

    /**
     * Output channels are padded to this multiple while recording gradients, see {@link #convolution}.
     */
    private static final long CONV_CHANNEL_BLOCK = 16;

    /**
     * {@code torch.conv2d}, working around a defect of the oneDNN kernels in this libtorch build (2.7.1,
     * oneDNN 3.7.1, seen on AVX-512 and AVX2): the backward-data pass of a convolution whose kernel is larger
     * than 1x1 and whose output channel count is not a multiple of the kernels' channel block (8 or 16)
     * returns wrong, run-to-run different values and sometimes NaN for the input gradient (weight and bias
     * gradients and the forward pass are right). While gradients are recorded such convolutions get zero
     * filters up to a multiple of 16 output channels and the extra channels are sliced off, which gives
     * exactly the same values and a correct backward.
     */
    static PtNDArray convolution(PtNDArray in, PtNDArray w, PtNDArray b, ai.djl.ndarray.types.Shape stride,
            ai.djl.ndarray.types.Shape padding, ai.djl.ndarray.types.Shape dilation, int groups) {
        long[] ws = w.getShape().getShape();
        long oc = ws[0];
        boolean pointwise = ws[2] == 1 && ws[3] == 1 && stride.get(0) == 1 && stride.get(1) == 1
                && dilation.get(0) == 1 && dilation.get(1) == 1;
        boolean strided1x1 = ws[2] == 1 && ws[3] == 1 && (stride.get(0) > 1 || stride.get(1) > 1)
                && padding.get(0) == 0 && padding.get(1) == 0 && dilation.get(0) == 1 && dilation.get(1) == 1;
        if (strided1x1 && JniUtils.isGradMode()) {
            // the same oneDNN build divides by zero (SIGFPE, the JVM dies) while planning the backward-data pass of
            // some strided 1x1 convolutions (ResNet-50's downsample at 800x1088: 512->1024 on 100x136, stride 2);
            // a 1x1 convolution only reads every stride-th pixel, so take those pixels and convolve with stride 1
            long h = in.getShape().get(2);
            long wd = in.getShape().get(3);
            PtNDArray picked = JniUtils.slice(JniUtils.slice(in, 2, 0, h, stride.get(0)), 3, 0, wd, stride.get(1));
            return convolution(picked, w, b, DjlTypes.djlShape(1, 1), padding, dilation, groups);
        }
        if (groups != 1 || pointwise || oc % CONV_CHANNEL_BLOCK == 0 || !JniUtils.isGradMode()) {
            return JniUtils.convolution(in, w, b, stride, padding, dilation, groups);
        }
        long extra = CONV_CHANNEL_BLOCK - oc % CONV_CHANNEL_BLOCK;
        PtNDArray wp = JniUtils.pad(w, new long[] {0, 0, 0, 0, 0, 0, 0, extra}, 0);
        PtNDArray bp = b == null ? null : JniUtils.pad(b, new long[] {0, extra}, 0);
        return JniUtils.slice(JniUtils.convolution(in, wp, bp, stride, padding, dilation, groups), 1, 0, oc, 1);
    }

    private static ai.djl.ndarray.types.Shape pair(int[] v) {
        if (v.length != 2) {
            throw new IllegalArgumentException("expected {h, w}, got " + Arrays.toString(v));
        }
        return DjlTypes.djlShape(v[0], v[1]);
    }

    @Override
    public Tensor convTranspose2d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding) {
        if (x.rank() != 4 || weight.rank() != 4 || x.shape().get(1) != weight.shape().get(0)) {
            throw new IllegalArgumentException("convTranspose2d: input " + x.shape() + " does not fit weight "
                    + weight.shape() + " ([in, out, kh, kw])");
        }
        pair(stride);
        pair(padding);
        long n = x.shape().get(0);
        long cin = x.shape().get(1);
        long h = x.shape().get(2);
        long w = x.shape().get(3);
        long cout = weight.shape().get(1);
        long kh = weight.shape().get(2);
        long kw = weight.shape().get(3);
        int sh = stride[0];
        int sw = stride[1];
        int ph = padding[0];
        int pw = padding[1];
        long outH = (h - 1) * sh - 2L * ph + kh;
        long outW = (w - 1) * sw - 2L * pw + kw;
        if (outH <= 0 || outW <= 0) {
            throw new IllegalArgumentException("convTranspose2d: output size " + outH + "x" + outW + " is not positive");
        }
        PtNDArray in = nd(x);
        PtNDArray wt = nd(weight);
        PtNDArray b = bias == null ? null : nd(bias);
        return op("convTranspose2d", () -> {
            PtNDArray y;
            boolean biasDone = false;
            if (kh == sh && kw == sw) {
                // non-overlapping kernels: one matmul [N*H*W, in] x [in, out*kh*kw] and a pixel-shuffle reshape
                PtNDArray cols = JniUtils.matmul(
                        JniUtils.reshape(JniUtils.permute(in, new long[] {0, 2, 3, 1}), new long[] {n * h * w, cin}),
                        JniUtils.reshape(wt, new long[] {cin, cout * kh * kw}));
                if (b != null && ph == 0 && pw == 0) {
                    // the bias goes on before the shuffle, so the shuffle's copy is the result (one tensor fewer)
                    PtNDArray grouped = JniUtils.reshape(cols, new long[] {n * h * w, cout, kh * kw});
                    PtNDArray biased = JniUtils.add(grouped, JniUtils.reshape(b, new long[] {1, cout, 1}));
                    grouped.close(); // frees the product now rather than at the end of the call
                    cols.close();
                    cols = biased;
                    biasDone = true;
                }
                y = JniUtils.reshape(
                        JniUtils.permute(JniUtils.reshape(cols, new long[] {n, h, w, cout, kh, kw}),
                                new long[] {0, 3, 1, 4, 2, 5}),
                        new long[] {n, cout, h * kh, w * kw});
                if (ph > 0 || pw > 0) {
                    y = JniUtils.slice(JniUtils.slice(y, 2, ph, h * kh - ph, 1), 3, pw, w * kw - pw, 1);
                    y = contiguous(y);
                }
            } else {
                // general case: zero-insertion by the stride, then a stride-1 convolution with the flipped,
                // transposed kernel and padding k - 1 - p
                PtNDArray up = in;
                if (sh > 1 || sw > 1) {
                    PtNDArray z = JniUtils.unsqueeze(JniUtils.unsqueeze(in, 3), 5); // [n,c,h,1,w,1]
                    z = JniUtils.pad(z, new long[] {0, sw - 1, 0, 0, 0, sh - 1}, 0);
                    up = JniUtils.reshape(z, new long[] {n, cin, h * sh, w * sw});
                    up = JniUtils.slice(JniUtils.slice(up, 2, 0, (h - 1) * sh + 1, 1), 3, 0, (w - 1) * sw + 1, 1);
                }
                PtNDArray k = JniUtils.flip(JniUtils.transpose(wt, 0, 1), new long[] {2, 3});
                long padH = kh - 1 - ph;
                long padW = kw - 1 - pw;
                if (padH < 0 || padW < 0) {
                    // padding beyond the kernel crops: convolve without padding, then crop
                    PtNDArray full = convolution(up, contiguous(k), null, DjlTypes.djlShape(1, 1),
                            DjlTypes.djlShape(Math.max(padH, 0), Math.max(padW, 0)), DjlTypes.djlShape(1, 1), 1);
                    long cropH = Math.max(-padH, 0);
                    long cropW = Math.max(-padW, 0);
                    long fh = full.getShape().get(2);
                    long fw = full.getShape().get(3);
                    y = contiguous(JniUtils.slice(JniUtils.slice(full, 2, cropH, fh - cropH, 1), 3, cropW, fw - cropW, 1));
                } else {
                    y = convolution(up, contiguous(k), null, DjlTypes.djlShape(1, 1),
                            DjlTypes.djlShape(padH, padW), DjlTypes.djlShape(1, 1), 1);
                }
            }
            if (b != null && !biasDone) {
                y = JniUtils.add(y, JniUtils.reshape(b, new long[] {1, cout, 1, 1}));
            }
            return y;
        });
    }

    @Override
    public Tensor batchNorm(Tensor x, Tensor mean, Tensor var, Tensor weight, Tensor bias, double eps) {
        if (x.rank() < 2) {
            throw new IllegalArgumentException("batchNorm: input must have a channel axis, got " + x.shape());
        }
        long c = x.shape().get(1);
        for (Tensor p : new Tensor[] {mean, var, weight, bias}) {
            if (p != null && (p.rank() != 1 || p.shape().get(0) != c)) {
                throw new IllegalArgumentException("batchNorm: statistics and affine parameters must be [" + c
                        + "], got " + p.shape());
            }
        }
        PtNDArray in = nd(x);
        PtNDArray m = nd(mean);
        PtNDArray v = nd(var);
        PtNDArray w = weight == null ? JniUtils.full((ai.djl.pytorch.engine.PtNDManager) scope, DjlTypes.djlShape(c), 1,
                in.getDataType(), ai.djl.Device.cpu(), ai.djl.ndarray.types.SparseFormat.DENSE) : nd(weight);
        PtNDArray b = bias == null ? JniUtils.full((ai.djl.pytorch.engine.PtNDManager) scope, DjlTypes.djlShape(c), 0,
                in.getDataType(), ai.djl.Device.cpu(), ai.djl.ndarray.types.SparseFormat.DENSE) : nd(bias);
        // DJL's JNI order is (input, running mean, running var, weight, bias)
        return op("batchNorm", () -> JniUtils.batchNorm(in, m, v, w, b, false, 0.1, eps));
    }

    @Override
    public Tensor groupNorm(Tensor x, int groups, Tensor weight, Tensor bias, double eps) {
        if (x.rank() < 2 || groups <= 0 || x.shape().get(1) % groups != 0) {
            throw new IllegalArgumentException("groupNorm: " + groups + " groups do not divide the channels of "
                    + x.shape());
        }
        long n = x.shape().get(0);
        long c = x.shape().get(1);
        long[] shape = dims(x);
        long[] affine = new long[x.rank()];
        Arrays.fill(affine, 1);
        affine[1] = c;
        PtNDArray in = nd(x);
        PtNDArray w = weight == null ? null : nd(weight);
        PtNDArray b = bias == null ? null : nd(bias);
        return op("groupNorm", () -> {
            PtNDArray g = JniUtils.reshape(in, new long[] {n, groups, -1});
            PtNDArray mu = JniUtils.mean(g, 2, true);
            PtNDArray d = JniUtils.sub(g, mu);
            PtNDArray var = JniUtils.mean(JniUtils.mul(d, d), 2, true);
            PtNDArray y = JniUtils.div(d, JniUtils.sqrt(JniUtils.add(var, scalarLike(eps, in.getDataType()))));
            y = JniUtils.reshape(y, shape);
            if (w != null) {
                y = JniUtils.mul(y, JniUtils.reshape(w, affine));
            }
            if (b != null) {
                y = JniUtils.add(y, JniUtils.reshape(b, affine));
            }
            return y;
        });
    }

    @Override
    public Tensor maxPool2d(Tensor x, int[] kernel, int[] stride, int[] padding) {
        if (x.rank() != 4) {
            throw new IllegalArgumentException("maxPool2d: input must be NCHW, got " + x.shape());
        }
        PtNDArray in = nd(x);
        return op("maxPool2d", () -> JniUtils.maxPool(in, pair(kernel), pair(stride), pair(padding), false));
    }

    @Override
    public Tensor resizeNearestLike(Tensor x, Tensor like) {
        if (x.rank() != 4 || like.rank() < 2) {
            throw new IllegalArgumentException("resizeNearestLike: need NCHW input and a [.., h, w] reference, got "
                    + x.shape() + " and " + like.shape());
        }
        long h = like.shape().get(-2);
        long w = like.shape().get(-1);
        PtNDArray in = nd(x);
        return op("resizeNearestLike", () -> JniUtils.interpolate(in, new long[] {h, w}, 0, false));
    }

    @Override
    public Tensor resizeBilinear(Tensor x, long outH, long outW) {
        checkResize(x, outH, outW);
        long h = x.shape().get(2);
        long w = x.shape().get(3);
        return bilinear(x, outH, outW, (float) h / outH, (float) w / outW);
    }

    @Override
    public Tensor resizeBilinearByScale(Tensor x, double scaleH, double scaleW) {
        if (!(scaleH > 0) || !(scaleW > 0)) {
            throw new IllegalArgumentException("resizeBilinearByScale: scales must be positive, got " + scaleH + ", "
                    + scaleW);
        }
        if (x.rank() != 4) {
            throw new IllegalArgumentException("resizeBilinearByScale: input must be NCHW, got " + x.shape());
        }
        long outH = (long) Math.floor(x.shape().get(2) * scaleH);
        long outW = (long) Math.floor(x.shape().get(3) * scaleW);
        checkResize(x, outH, outW);
        return bilinear(x, outH, outW, (float) (1.0 / scaleH), (float) (1.0 / scaleW));
    }

    private static void checkResize(Tensor x, long outH, long outW) {
        if (x.rank() != 4) {
            throw new IllegalArgumentException("resize: input must be NCHW, got " + x.shape());
        }
        if (outH <= 0 || outW <= 0) {
            throw new IllegalArgumentException("resize: output size must be positive, got " + outH + "x" + outW);
        }
    }

    /**
     * PyTorch's {@code upsample_bilinear2d} (align_corners=False) with source ratio {@code ratio} per axis,
     * indices and weights computed in float32 as its CPU kernel does: width pass first, then height.
     */
    private Tensor bilinear(Tensor x, long outH, long outW, float ratioH, float ratioW) {
        long h = x.shape().get(2);
        long w = x.shape().get(3);
        if (outH == h && outW == w && ratioH == 1f && ratioW == 1f) {
            return add(x, 0.0);
        }
        PtNDArray in = nd(x);
        DataType dt = in.getDataType();
        return op("resizeBilinear", () -> {
            PtNDArray cur = in;
            if (outW != w || ratioW != 1f) {
                cur = lerp(cur, 3, w, outW, ratioW, dt);
            }
            if (outH != h || ratioH != 1f) {
                cur = lerp(cur, 2, h, outH, ratioH, dt);
            }
            return cur;
        });
    }

    private PtNDArray lerp(PtNDArray x, int axis, long in, long out, float ratio, DataType dt) {
        int n = Math.toIntExact(out);
        long[] i0 = new long[n];
        long[] i1 = new long[n];
        float[] l0 = new float[n];
        float[] l1 = new float[n];
        for (int d = 0; d < n; d++) {
            float src = ratio * (d + 0.5f) - 0.5f;
            if (src < 0) {
                src = 0;
            }
            long lo = Math.min((long) Math.floor(src), in - 1);
            float lambda = Math.min(Math.max(src - lo, 0f), 1f);
            i0[d] = lo;
            i1[d] = lo + (lo < in - 1 ? 1 : 0);
            l1[d] = lambda;
            l0[d] = 1f - lambda;
        }
        long[] wshape = axis == 3 ? new long[] {n} : new long[] {n, 1};
        PtNDArray idx0 = DjlTypes.fromLongs(scope, i0, n, n);
        PtNDArray idx1 = DjlTypes.fromLongs(scope, i1, n, n);
        PtNDArray w0 = JniUtils.reshape(DjlTypes.fromFloats(scope, l0, n), wshape);
        PtNDArray w1 = JniUtils.reshape(DjlTypes.fromFloats(scope, l1, n), wshape);
        if (dt != DataType.FLOAT32) {
            w0 = JniUtils.to(w0, dt, ai.djl.Device.cpu());
            w1 = JniUtils.to(w1, dt, ai.djl.Device.cpu());
        }
        PtNDArray a = take(x, idx0, axis);
        PtNDArray b = take(x, idx1, axis);
        return JniUtils.add(JniUtils.mul(a, w0), JniUtils.mul(b, w1));
    }

    /** numpy.take along {@code axis} by advanced indexing (differentiable: index_put accumulate backward). */
    private PtNDArray take(PtNDArray x, PtNDArray indices, int axis) {
        StringBuilder spec = new StringBuilder();
        for (int i = 0; i < axis; i++) {
            spec.append(":, ");
        }
        spec.append("{}");
        return (PtNDArray) x.get(scope, new NDIndex(spec.toString(), indices));
    }

    // ------------------------------------------------------------------ activations and losses

    @Override
    public Tensor softmax(Tensor t, int axis) {
        int a = axis(t, axis);
        PtNDArray x = nd(t);
        return op("softmax", () -> JniUtils.softmax(x, a, x.getDataType()));
    }

    @Override
    public Tensor logSoftmax(Tensor t, int axis) {
        int a = axis(t, axis);
        PtNDArray x = nd(t);
        return op("logSoftmax", () -> JniUtils.logSoftmax(x, a, x.getDataType()));
    }

    @Override
    public Tensor stopGradient(Tensor t) {
        PtNDArray x = nd(t);
        return op("stopGradient", () -> (PtNDArray) x.stopGradient());
    }

    @Override
    public Tensor binaryCrossEntropyWithLogits(Tensor logits, Tensor targets) {
        // max(x, 0) - x z + log1p(exp(-|x|)) with the last term as PyTorch's softplus (exact log1p inside)
        PtNDArray x = nd(logits);
        PtNDArray z = nd(targets);
        return op("binaryCrossEntropyWithLogits", () -> JniUtils.add(
                JniUtils.sub(JniUtils.relu(x), JniUtils.mul(x, z)),
                JniUtils.softPlus(JniUtils.neg(JniUtils.abs(x)))));
    }

    // ------------------------------------------------------------------ indexing

    private static void checkIndices(String op, Tensor indices) {
        if (indices.dtype() != DType.INT64 && indices.dtype() != DType.INT32) {
            throw new IllegalArgumentException(op + ": indices must be int64, got " + indices.dtype());
        }
    }

    @Override
    public Tensor gather(Tensor t, Tensor indices, int axis) {
        checkIndices("gather", indices);
        int a = axis(t, axis);
        PtNDArray x = nd(t);
        PtNDArray idx = nd(indices);
        return op("gather", () -> take(x, idx.getDataType() == DataType.INT64 ? idx
                : JniUtils.to(idx, DataType.INT64, ai.djl.Device.cpu()), a));
    }

    @Override
    public Tensor takeAlongAxis(Tensor t, Tensor indices, int axis) {
        checkIndices("takeAlongAxis", indices);
        int a = axis(t, axis);
        if (indices.rank() != t.rank()) {
            throw new IllegalArgumentException("takeAlongAxis: indices " + indices.shape() + " must have the rank of "
                    + t.shape());
        }
        PtNDArray x = nd(t);
        PtNDArray idx = nd(indices);
        return op("takeAlongAxis", () -> JniUtils.gather(x, idx, a));
    }

    @Override
    public Tensor scatterAdd(Tensor base, Tensor indices, Tensor updates) {
        checkIndices("scatterAdd", indices);
        if (indices.rank() != 1 || base.rank() < 1 || updates.rank() != base.rank()
                || updates.shape().get(0) != indices.shape().get(0)) {
            throw new IllegalArgumentException("scatterAdd: base " + base.shape() + ", indices " + indices.shape()
                    + " and updates " + updates.shape() + " do not fit index_add along axis 0");
        }
        for (int d = 1; d < base.rank(); d++) {
            if (base.shape().get(d) != updates.shape().get(d)) {
                throw new IllegalArgumentException("scatterAdd: updates " + updates.shape() + " do not match base "
                        + base.shape() + " outside axis 0");
            }
        }
        long rows = base.shape().get(0);
        long[] idx = readLongs(indices);
        for (long i : idx) {
            if (i < -rows || i >= rows) {
                throw new IllegalArgumentException("scatterAdd: index " + i + " out of range for " + rows + " rows");
            }
        }
        long m = idx.length;
        long rest = rows == 0 ? 0 : base.shape().size() / rows;
        PtNDArray b = nd(base);
        PtNDArray u = nd(updates);
        return op("scatterAdd", () -> {
            // index_add as a one-hot sparse [rows, m] matrix times the updates [m, rest]
            PtNDArray coo = DjlTypes.empty(scope, DataType.INT64, 2, m);
            PtNDArray ones = JniUtils.full((ai.djl.pytorch.engine.PtNDManager) scope, DjlTypes.djlShape(m), 1,
                    u.getDataType(), ai.djl.Device.cpu(), ai.djl.ndarray.types.SparseFormat.DENSE);
            if (m > 0) {
                java.nio.LongBuffer lb = DjlTypes.view(coo).asLongBuffer();
                for (int i = 0; i < m; i++) {
                    lb.put(i, idx[i] < 0 ? idx[i] + rows : idx[i]);
                    lb.put((int) m + i, i);
                }
            }
            PtNDArray a = JniUtils.createSparseCoo(coo, ones, DjlTypes.djlShape(rows, m));
            PtNDArray added = JniUtils.matmul(a, JniUtils.reshape(u, new long[] {m, rest}));
            return JniUtils.add(b, JniUtils.reshape(added, dims(base)));
        });
    }

    @Override
    public Tensor nonzero(Tensor t) {
        PtNDArray x = nd(t);
        if (t.rank() == 0) {
            boolean nz = DjlTypes.readDoubles(x)[0] != 0;
            return wrap(DjlTypes.empty(scope, DataType.INT64, nz ? 1 : 0, 0));
        }
        return op("nonzero", () -> JniUtils.nonZeros(x));
    }

    @Override
    public Tensor booleanMask(Tensor t, Tensor mask) {
        if (mask.rank() != 1 || t.rank() < 1 || mask.shape().get(0) != t.shape().get(0)) {
            throw new IllegalArgumentException("booleanMask: mask must be rank 1 with the length of axis 0 of "
                    + t.shape() + ", got " + mask.shape());
        }
        if (mask.dtype() != DType.BOOL) {
            throw new IllegalArgumentException("booleanMask: mask must be bool, got " + mask.dtype());
        }
        PtNDArray x = nd(t);
        PtNDArray m = nd(mask);
        return op("booleanMask", () -> (PtNDArray) x.get(scope, new NDIndex().addBooleanIndex(m)));
    }

    @Override
    public Tensor indicesWhere(Tensor mask) {
        if (mask.rank() != 1) {
            throw new IllegalArgumentException("indicesWhere: mask must be rank 1, got " + mask.shape());
        }
        PtNDArray m = nd(mask);
        return op("indicesWhere", () -> JniUtils.reshape(JniUtils.nonZeros(m), new long[] {-1}));
    }

    // ------------------------------------------------------------------ sorting and randomness

    @Override
    public Sorted topK(Tensor t, long k, int axis, boolean largest) {
        if (k < 0) {
            throw new IllegalArgumentException("topK: k must be >= 0, got " + k);
        }
        if (t.rank() == 0) {
            throw new IllegalArgumentException("topK: needs a tensor of rank >= 1, got a scalar");
        }
        int a = axis(t, axis);
        long n = t.shape().get(a);
        return sortTop(t, a, (int) Math.min(k, n), largest);
    }

    @Override
    public Sorted sort(Tensor t, int axis, boolean descending) {
        if (t.rank() == 0) {
            throw new IllegalArgumentException("sort: needs a tensor of rank >= 1, got a scalar");
        }
        int a = axis(t, axis);
        return sortTop(t, a, Math.toIntExact(t.shape().get(a)), descending);
    }

    /**
     * The first {@code k} of the stable order along {@code axis}, computed on a host copy; the values are
     * gathered on the device so that they stay differentiable.
     */
    private Sorted sortTop(Tensor t, int axis, int k, boolean descending) {
        PtNDArray x = nd(t);
        int rank = t.rank();
        long[] shape = dims(t);
        int n = Math.toIntExact(shape[axis]);
        long[] perm = new long[rank];
        long[] inverse = new long[rank];
        for (int i = 0, j = 0; i < rank; i++) {
            if (i != axis) {
                perm[j++] = i;
            }
        }
        perm[rank - 1] = axis;
        for (int i = 0; i < rank; i++) {
            inverse[(int) perm[i]] = i;
        }
        boolean moved = axis != rank - 1;
        PtNDArray last = moved ? JniUtils.permute(x, perm) : x;
        long[] movedShape = new long[rank];
        for (int i = 0; i < rank; i++) {
            movedShape[i] = shape[(int) perm[i]];
        }
        int rows = n == 0 ? 0 : Math.toIntExact(t.shape().size() / n);
        long[] order;
        if (k == 0 || rows == 0) {
            order = new long[0];
        } else {
            switch (x.getDataType()) {
                case INT64, FLOAT64 -> {
                    long[] keys;
                    if (x.getDataType() == DataType.INT64) {
                        keys = DjlTypes.readLongs(last);
                    } else {
                        double[] v = DjlTypes.readDoubles(last);
                        keys = new long[v.length];
                        for (int i = 0; i < v.length; i++) {
                            keys[i] = DjlHostAlgorithms.sortableDouble(v[i]);
                        }
                    }
                    order = DjlHostAlgorithms.order64(keys, rows, n, k, descending);
                }
                case FLOAT32, FLOAT16, BFLOAT16 -> {
                    float[] v = DjlTypes.readFloats(last);
                    int[] keys = new int[v.length];
                    for (int i = 0; i < v.length; i++) {
                        keys[i] = DjlHostAlgorithms.sortableFloat(v[i]);
                    }
                    order = DjlHostAlgorithms.order32(keys, rows, n, k, descending);
                }
                default -> {
                    double[] v = DjlTypes.readDoubles(last);
                    int[] keys = new int[v.length];
                    for (int i = 0; i < v.length; i++) {
                        keys[i] = (int) v[i];
                    }
                    order = DjlHostAlgorithms.order32(keys, rows, n, k, descending);
                }
            }
        }
        long[] outMoved = movedShape.clone();
        outMoved[rank - 1] = k;
        PtNDArray idx = DjlTypes.fromLongs(scope, order, order.length, outMoved);
        PtNDArray indices = moved ? JniUtils.permute(idx, inverse) : idx;
        DjlTensor ind = wrap(moved ? contiguous(indices) : indices);
        DjlTensor values = op("sort", () -> JniUtils.gather(x, ind.pt(), axis));
        return new Sorted(values, ind);
    }

    @Override
    public Tensor randomUniform(Tensor shape, Tensor seed) {
        checkShapeTensor("randomUniform", shape);
        long[] dims = readLongs(shape);
        long s = readLongs(seed)[0];
        long size = Shape.of(dims).size();
        float[] v = new float[Math.toIntExact(size)];
        SplittableRandom rnd = new SplittableRandom(s);
        for (int i = 0; i < v.length; i++) {
            v[i] = (rnd.nextInt() >>> 8) * 0x1.0p-24f;
        }
        return wrap(DjlTypes.fromFloats(scope, v, dims));
    }

    // ------------------------------------------------------------------ detection primitives

    /**
     * The {@code [N*H*W, C]} matrix of NCHW features, computed once per feature tensor, call and autograd
     * mode (a copy made without autograd must not serve a pass that records gradients).
     */
    private PtNDArray channelsLast(PtNDArray features) {
        Map<PtNDArray, PtNDArray> cache = JniUtils.isGradMode() ? channelsLastGrad : channelsLast;
        synchronized (cache) {
            return cache.computeIfAbsent(features, f -> {
                PtNDArray copy = DjlRoiAlign.channelsLast(f);
                copy.attach(root); // cached for the whole call, so it must outlive released blocks
                return copy;
            });
        }
    }

    @Override
    public Tensor roiAlign(Tensor features, Tensor rois, int outH, int outW, double spatialScale, int samplingRatio,
            boolean aligned) {
        PtNDArray f = nd(features);
        PtNDArray r = nd(rois);
        return op("roiAlign", () -> DjlRoiAlign.apply(scope, f, r, outH, outW, spatialScale, samplingRatio, aligned,
                backend.pool(), backend.threads(), this::channelsLast));
    }

    private static void checkBoxes(String op, Tensor boxes, Tensor scores) {
        if (boxes.rank() != 2 || boxes.shape().get(1) != 4) {
            throw new IllegalArgumentException(op + ": boxes must be [N, 4], got " + boxes.shape());
        }
        if (scores.rank() != 1 || scores.shape().get(0) != boxes.shape().get(0)) {
            throw new IllegalArgumentException(op + ": scores must be [N] for boxes [N, 4], got boxes " + boxes.shape()
                    + " and scores " + scores.shape());
        }
    }

    @Override
    public Tensor nms(Tensor boxes, Tensor scores, double iouThreshold) {
        checkBoxes("nms", boxes, scores);
        return keepIndices(boxes, scores, null, iouThreshold);
    }

    @Override
    public Tensor batchedNms(Tensor boxes, Tensor scores, Tensor idxs, double iouThreshold) {
        checkBoxes("batchedNms", boxes, scores);
        if (idxs.rank() != 1 || idxs.shape().get(0) != boxes.shape().get(0) || idxs.dtype().isFloating()) {
            throw new IllegalArgumentException("batchedNms: idxs must be integer [N] with N = " + boxes.shape().get(0)
                    + ", got " + idxs.shape() + " " + idxs.dtype());
        }
        return keepIndices(boxes, scores, idxs, iouThreshold);
    }

    private Tensor keepIndices(Tensor boxes, Tensor scores, Tensor idxs, double threshold) {
        int n = Math.toIntExact(boxes.shape().get(0));
        if (n == 0) {
            return wrap(DjlTypes.empty(scope, DataType.INT64, 0));
        }
        boolean f64 = boxes.dtype() == DType.FLOAT64 || scores.dtype() == DType.FLOAT64;
        float[] bf = null;
        float[] sf = null;
        double[] bd = null;
        double[] sd = null;
        if (f64) {
            bd = DjlTypes.readDoubles(nd(boxes));
            sd = DjlTypes.readDoubles(nd(scores));
        } else {
            bf = DjlTypes.readFloats(nd(boxes));
            sf = DjlTypes.readFloats(nd(scores));
        }
        int[] keep;
        if (idxs == null) {
            keep = f64 ? DjlHostAlgorithms.nmsDouble(bd, sd, null, threshold)
                    : DjlHostAlgorithms.nmsFloat(bf, sf, null, threshold);
        } else {
            long[] cls = readLongs(idxs);
            Map<Long, List<Integer>> byClass = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                byClass.computeIfAbsent(cls[i], c -> new ArrayList<>()).add(i);
            }
            int[] all = new int[n];
            int count = 0;
            for (List<Integer> members : byClass.values()) {
                int[] subset = members.stream().mapToInt(Integer::intValue).toArray();
                int[] kept = f64 ? DjlHostAlgorithms.nmsDouble(bd, sd, subset, threshold)
                        : DjlHostAlgorithms.nmsFloat(bf, sf, subset, threshold);
                System.arraycopy(kept, 0, all, count, kept.length);
                count += kept.length;
            }
            // merge by descending score, ties by ascending index
            Arrays.sort(all, 0, count);
            keep = new int[count];
            if (f64) {
                long[] keys = new long[count];
                for (int i = 0; i < count; i++) {
                    keys[i] = DjlHostAlgorithms.sortableDouble(sd[all[i]]);
                }
                long[] ord = DjlHostAlgorithms.order64(keys, 1, count, count, true);
                for (int i = 0; i < count; i++) {
                    keep[i] = all[(int) ord[i]];
                }
            } else {
                int[] keys = new int[count];
                for (int i = 0; i < count; i++) {
                    keys[i] = DjlHostAlgorithms.sortableFloat(sf[all[i]]);
                }
                long[] ord = DjlHostAlgorithms.order32(keys, 1, count, count, true);
                for (int i = 0; i < count; i++) {
                    keep[i] = all[(int) ord[i]];
                }
            }
        }
        long[] out = new long[keep.length];
        for (int i = 0; i < keep.length; i++) {
            out[i] = keep[i];
        }
        return wrap(DjlTypes.fromLongs(scope, out, out.length, out.length));
    }

    // ------------------------------------------------------------------ host transfer for the backend

    /** A host copy of a tensor of this call. */
    HostTensor toHost(Tensor t) {
        return DjlTypes.toHost(nd(t));
    }
}

package org.maskrcnn4j.backend.tf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.maskrcnn4j.tensor.DType;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.Ops;
import org.maskrcnn4j.tensor.Shape;
import org.maskrcnn4j.tensor.Tensor;
import org.tensorflow.GraphOperation;
import org.tensorflow.GraphOperationBuilder;
import org.tensorflow.Output;

/**
 * {@link Ops} that trace into a TensorFlow graph. Each instance belongs to one trace; its tensors are
 * {@link TfTensor}s of that trace. Convolutions and pooling run NHWC (TensorFlow's fast CPU layout): their
 * results stay NHWC inside, elementwise ops, reductions, softmax and batch norm work on that layout directly,
 * and every other op sees the logical NCHW value (one transpose, built at most once per tensor).
 *
 * <p>Routes worth knowing: grouped convolutions run per group (or as {@code DepthwiseConv2dNative}), dilated
 * ones on a zero-dilated kernel, because TensorFlow's C++ Conv2D gradient ignores {@code dilations};
 * {@code convTranspose2d} is {@code Conv2DBackpropInput}; {@code topK}/{@code sort} are {@code TopKV2} on a
 * StopGradient of the keys with the values gathered (so gradients reach them); {@code randomUniform} is
 * {@code StatelessRandomUniform} keyed by the seed; {@code slice(nms(..), 0, 0, k)} becomes one NMS that stops
 * after k selections (the same indices, without visiting the rest).
 */
public final class TfOps implements Ops {
    private static final long[] TO_NHWC = {0, 2, 3, 1};
    private static final long[] TO_NCHW = {0, 3, 1, 2};

    private final TfTrace trace;

    TfOps(TfTrace trace) {
        this.trace = trace;
    }

    // ================================================================== plumbing

    private TfTensor unwrap(Tensor t) {
        if (t == null) {
            throw new NullPointerException("tensorflow backend: null tensor");
        }
        if (!(t instanceof TfTensor tt)) {
            throw new IllegalArgumentException("tensorflow backend: " + t + " is not a tensor of this backend");
        }
        if (tt.trace != trace) {
            throw new IllegalArgumentException("tensorflow backend: " + t + " belongs to another trace (a tensor "
                    + "kept from an earlier call cannot be used again)");
        }
        trace.checkOpen();
        return tt;
    }

    private TfTensor wrap(Output<?> out) {
        return new TfTensor(trace, out, false);
    }

    private TfTensor wrapNhwc(Output<?> out) {
        return new TfTensor(trace, out, true);
    }

    private GraphOperationBuilder b(String type) {
        return trace.op(type);
    }

    private static Output<?> out(GraphOperationBuilder b, String type) {
        return TfTrace.build(b, type).output(0);
    }

    /** A one-output op of {@code type} over the inputs, with no attributes beyond inferred types. */
    private Output<?> op(String type, Output<?>... inputs) {
        GraphOperationBuilder b = b(type);
        for (Output<?> in : inputs) {
            b.addInput(in);
        }
        return out(b, type);
    }

    /** The value in logical (NCHW) layout. */
    Output<?> logical(TfTensor t) {
        if (!t.nhwc) {
            return t.out;
        }
        if (t.logicalView == null) {
            t.logicalView = transpose(t.out, TO_NCHW);
        }
        return t.logicalView;
    }

    /** The value of a rank-4 tensor in NHWC layout. */
    private Output<?> nhwc(TfTensor t) {
        if (t.nhwc) {
            return t.out;
        }
        if (t.rank() != 4) {
            throw new IllegalArgumentException("expected a rank-4 NCHW tensor, got " + t.shape());
        }
        if (t.nhwcView == null) {
            t.nhwcView = transpose(t.out, TO_NHWC);
        }
        return t.nhwcView;
    }

    /**
     * A {@code [rank, 2]} int32 paddings constant. Int32 because the C++ Pad gradient slices with an int32
     * size, and a Slice with int64 begin and int32 size does not build.
     */
    private Output<?> paddings(int... beforeAfter) {
        return op("Reshape", constInts(beforeAfter), constInts(beforeAfter.length / 2, 2));
    }

    /**
     * StridedSlice bounds as int32 (clamped to its range, which Python-style bounds allow): the C++
     * StridedSlice gradient builds its shape as int32, and int64 bounds make that gradient fail to build.
     */
    private Output<?> sliceIndex(long... values) {
        int[] v = new int[values.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, values[i]));
        }
        return constInts(v);
    }

    private Output<?> transpose(Output<?> x, long[] perm) {
        return op("Transpose", x, constLongs(perm));
    }

    private Output<?> constantOut(HostTensor value) {
        GraphOperationBuilder b = b("Const");
        try (org.tensorflow.Tensor t = TfTypes.toTensor(value)) {
            b.setAttr("value", t).setAttr("dtype", TfTypes.dataType(value.dtype()));
            return out(b, "Const");
        }
    }

    private Output<?> constLongs(long... values) {
        String key = "i64:" + Arrays.toString(values);
        Output<?> c = trace.cache.get(key);
        if (c == null) {
            c = constantOut(HostTensor.ofLongs(values, values.length));
            trace.cache.put(key, c);
        }
        return c;
    }

    private Output<?> constInts(int... values) {
        String key = "i32:" + Arrays.toString(values);
        Output<?> c = trace.cache.get(key);
        if (c == null) {
            c = constantOut(HostTensor.ofInts(values, values.length));
            trace.cache.put(key, c);
        }
        return c;
    }

    /** A cached scalar constant of any dtype. */
    Output<?> scalarOut(double value, DType dtype) {
        String key = "s:" + dtype + ":" + Double.doubleToRawLongBits(value);
        Output<?> c = trace.cache.get(key);
        if (c == null) {
            if (dtype == DType.FLOAT16 || dtype == DType.BFLOAT16) {
                c = castOut(scalarOut(value, DType.FLOAT32), dtype);
            } else {
                c = constantOut(TfTypes.scalar(value, dtype));
            }
            trace.cache.put(key, c);
        }
        return c;
    }

    private Output<?> scalarInt(int value) {
        return scalarOut(value, DType.INT32);
    }

    private Output<?> castOut(Output<?> x, DType dtype) {
        if (TfTypes.dtype(x.dataType()) == dtype) {
            return x;
        }
        return out(b("Cast").addInput(x).setAttr("DstT", TfTypes.dataType(dtype)), "Cast");
    }

    private static void checkSameDtype(String op, TfTensor... ts) {
        for (TfTensor t : ts) {
            if (t.dtype() != ts[0].dtype()) {
                StringBuilder s = new StringBuilder();
                for (TfTensor u : ts) {
                    s.append(s.length() == 0 ? "" : ", ").append(u.dtype());
                }
                throw new IllegalArgumentException(op + ": operands must have one dtype, got " + s);
            }
        }
    }

    private static int[] normalizeAxes(Shape shape, int[] axes) {
        int r = shape.rank();
        if (axes.length == 0) {
            int[] all = new int[r];
            for (int i = 0; i < r; i++) {
                all[i] = i;
            }
            return all;
        }
        int[] out = new int[axes.length];
        for (int i = 0; i < axes.length; i++) {
            out[i] = shape.normalizeAxis(axes[i]);
        }
        out = Arrays.stream(out).distinct().sorted().toArray();
        return out;
    }

    /**
     * Elementwise op over operands that broadcast. If any operand is NHWC inside and none has rank above 4,
     * the op runs NHWC (lower-rank operands are expanded to rank 4 and permuted) and so does its result.
     */
    private TfTensor elementwise(String type, TfTensor... ts) {
        boolean anyNhwc = false;
        boolean allFit = true;
        for (TfTensor t : ts) {
            anyNhwc |= t.nhwc;
            allFit &= t.rank() <= 4;
        }
        Output<?>[] ins = new Output<?>[ts.length];
        if (anyNhwc && allFit) {
            for (int i = 0; i < ts.length; i++) {
                ins[i] = broadcastableNhwc(ts[i]);
            }
            return wrapNhwc(op(type, ins));
        }
        for (int i = 0; i < ts.length; i++) {
            ins[i] = logical(ts[i]);
        }
        return wrap(op(type, ins));
    }

    /** An operand of an NHWC elementwise op: scalars as they are, others expanded to rank 4 and permuted. */
    private Output<?> broadcastableNhwc(TfTensor t) {
        if (t.nhwc) {
            return t.out;
        }
        if (t.rank() == 0) {
            return t.out;
        }
        if (t.rank() == 4) {
            return nhwc(t);
        }
        Output<?> x = t.out;
        long[] dims = t.shape().dims();
        boolean known = t.shape().isKnown();
        if (known) {
            long[] four = new long[4];
            Arrays.fill(four, 1);
            System.arraycopy(dims, 0, four, 4 - dims.length, dims.length);
            return op("Reshape", x, constLongs(four[0], four[2], four[3], four[1]));
        }
        for (int i = t.rank(); i < 4; i++) {
            x = op("ExpandDims", x, scalarInt(0));
        }
        return transpose(x, TO_NHWC);
    }

    private TfTensor unary(String type, Tensor t) {
        TfTensor x = unwrap(t);
        return new TfTensor(trace, op(type, x.out), x.nhwc);
    }

    private void requireFloating(String op, TfTensor t) {
        if (!t.dtype().isFloating()) {
            throw new IllegalArgumentException(op + ": expected a floating tensor, got " + t.dtype());
        }
    }

    // ================================================================== parameters

    @Override
    public Tensor parameter(String name) {
        trace.checkOpen();
        Output<?> read = trace.parameterReads.get(name);
        if (read == null) {
            TfParameterStore.Entry e = trace.backend.parameters().entry(name);
            read = trace.diagnostic ? placeholder(e.dtype(), TfTypes.tfShape(e.shape()))
                    : trace.frozenParameters != null ? constantOut(trace.frozenParameters.apply(name))
                    : out(b("ReadVariableOp").addInput(e.handle()).setAttr("dtype", TfTypes.dataType(e.dtype())),
                            "ReadVariableOp");
            trace.parameterReads.put(name, read);
        }
        return wrap(read);
    }

    // ================================================================== creation

    @Override
    public Tensor constant(HostTensor value) {
        trace.checkOpen();
        return wrap(constantOut(value));
    }

    @Override
    public Tensor full(Shape shape, double value, DType dtype) {
        trace.checkOpen();
        if (!shape.isKnown()) {
            throw new IllegalArgumentException("full: shape must be fully known, got " + shape + " (use fill)");
        }
        if (shape.rank() == 0) {
            return wrap(scalarOut(value, dtype));
        }
        return wrap(op("Fill", constLongs(shape.dims()), scalarOut(value, dtype)));
    }

    @Override
    public Tensor scalar(double value, DType dtype) {
        trace.checkOpen();
        return wrap(scalarOut(value, dtype));
    }

    @Override
    public Tensor fill(Tensor shape, double value, DType dtype) {
        TfTensor s = unwrap(shape);
        if (s.rank() != 1 || s.dtype().isFloating()) {
            throw new IllegalArgumentException("fill: shape must be an integer [rank] tensor, got " + s.dtype() + " "
                    + s.shape());
        }
        return wrap(op("Fill", castOut(s.out, DType.INT64), scalarOut(value, dtype)));
    }

    @Override
    public Tensor arange(long start, long end, long step, DType dtype) {
        trace.checkOpen();
        if (step == 0) {
            throw new IllegalArgumentException("arange: step must not be zero");
        }
        DType rangeType = dtype.isFloating() && dtype != DType.FLOAT16 && dtype != DType.BFLOAT16 ? dtype : DType.INT64;
        Output<?> r = op("Range", scalarOut(start, rangeType), scalarOut(end, rangeType), scalarOut(step, rangeType));
        return wrap(castOut(r, dtype));
    }

    @Override
    public Tensor range(Tensor limit, DType dtype) {
        TfTensor l = unwrap(limit);
        if (l.rank() != 0) {
            throw new IllegalArgumentException("range: limit must be a scalar, got " + l.shape());
        }
        Output<?> r = op("Range", scalarOut(0, DType.INT64), castOut(l.out, DType.INT64), scalarOut(1, DType.INT64));
        return wrap(castOut(r, dtype));
    }

    // ================================================================== shapes and layout

    @Override
    public Tensor shapeOf(Tensor t) {
        TfTensor x = unwrap(t);
        Output<?> s = out(b("Shape").addInput(x.out).setAttr("out_type", TfTypes.dataType(DType.INT64)), "Shape");
        if (x.nhwc) {
            s = gatherOut(s, constLongs(TO_NCHW), 0);
        }
        return wrap(s);
    }

    @Override
    public Tensor size(Tensor t, int axis) {
        TfTensor x = unwrap(t);
        int a = x.shape().normalizeAxis(axis);
        int physical = x.nhwc ? TfTensor.PHYSICAL_AXIS[a] : a;
        Output<?> s = out(b("Shape").addInput(x.out).setAttr("out_type", TfTypes.dataType(DType.INT64)), "Shape");
        return wrap(gatherOut(s, scalarOut(physical, DType.INT64), 0));
    }

    private Output<?> gatherOut(Output<?> params, Output<?> indices, int axis) {
        return op("GatherV2", params, indices, scalarInt(axis));
    }

    @Override
    public Tensor reshape(Tensor t, long... shape) {
        TfTensor x = unwrap(t);
        int unknown = 0;
        for (long d : shape) {
            if (d < -1) {
                throw new IllegalArgumentException("reshape: invalid dimension " + d + " in " + Arrays.toString(shape));
            }
            unknown += d == -1 ? 1 : 0;
        }
        if (unknown > 1) {
            throw new IllegalArgumentException("reshape: at most one -1, got " + Arrays.toString(shape));
        }
        if (x.shape().isKnown()) {
            long n = x.shape().size();
            long known = 1;
            for (long d : shape) {
                known *= d == -1 ? 1 : d;
            }
            if (unknown == 0 ? known != n : known == 0 ? n != 0 : n % known != 0) {
                throw new IllegalArgumentException("reshape: cannot reshape " + x.shape() + " (" + n
                        + " elements) to " + Arrays.toString(shape));
            }
        }
        return wrap(op("Reshape", logical(x), constLongs(shape)));
    }

    @Override
    public Tensor reshape(Tensor t, Tensor shape) {
        TfTensor x = unwrap(t);
        TfTensor s = unwrap(shape);
        if (s.rank() != 1 || s.dtype().isFloating()) {
            throw new IllegalArgumentException("reshape: shape must be an integer [rank] tensor, got " + s.dtype()
                    + " " + s.shape());
        }
        return wrap(op("Reshape", logical(x), castOut(logical(s), DType.INT64)));
    }

    @Override
    public Tensor permute(Tensor t, int... axes) {
        TfTensor x = unwrap(t);
        int r = x.rank();
        if (axes.length != r) {
            throw new IllegalArgumentException("permute: " + axes.length + " axes for a rank-" + r + " tensor");
        }
        boolean[] seen = new boolean[r];
        long[] perm = new long[r];
        for (int i = 0; i < r; i++) {
            int a = x.shape().normalizeAxis(axes[i]);
            if (seen[a]) {
                throw new IllegalArgumentException("permute: repeated axis in " + Arrays.toString(axes));
            }
            seen[a] = true;
            perm[i] = x.nhwc ? TfTensor.PHYSICAL_AXIS[a] : a;
        }
        boolean identity = true;
        for (int i = 0; i < r; i++) {
            identity &= perm[i] == i;
        }
        return wrap(identity ? x.out : transpose(x.out, perm));
    }

    @Override
    public Tensor unsqueeze(Tensor t, int axis) {
        TfTensor x = unwrap(t);
        int r = x.rank();
        int a = axis < 0 ? axis + r + 1 : axis;
        if (a < 0 || a > r) {
            throw new IllegalArgumentException("unsqueeze: axis " + axis + " out of range for rank " + r);
        }
        return wrap(op("ExpandDims", logical(x), scalarInt(a)));
    }

    @Override
    public Tensor squeeze(Tensor t, int axis) {
        TfTensor x = unwrap(t);
        int a = x.shape().normalizeAxis(axis);
        long d = x.shape().get(a);
        if (d != 1 && d != Shape.UNKNOWN) {
            throw new IllegalArgumentException("squeeze: axis " + axis + " of " + x.shape() + " is not of size 1");
        }
        return wrap(out(b("Squeeze").addInput(logical(x)).setAttr("squeeze_dims", new long[] {a}), "Squeeze"));
    }

    @Override
    public Tensor broadcastTo(Tensor t, Tensor shape) {
        TfTensor x = unwrap(t);
        TfTensor s = unwrap(shape);
        return wrap(op("BroadcastTo", logical(x), castOut(logical(s), DType.INT64)));
    }

    @Override
    public Tensor concat(List<Tensor> tensors, int axis) {
        if (tensors.isEmpty()) {
            throw new IllegalArgumentException("concat: no tensors");
        }
        List<TfTensor> ts = new ArrayList<>();
        boolean allNhwc = true;
        for (Tensor t : tensors) {
            TfTensor u = unwrap(t);
            ts.add(u);
            allNhwc &= u.nhwc;
        }
        checkSameDtype("concat", ts.toArray(new TfTensor[0]));
        int a = ts.get(0).shape().normalizeAxis(axis);
        for (TfTensor u : ts) {
            boolean ok = u.rank() == ts.get(0).rank();
            for (int d = 0; ok && d < u.rank(); d++) {
                long p = u.shape().get(d);
                long q = ts.get(0).shape().get(d);
                ok = d == a || p == Shape.UNKNOWN || q == Shape.UNKNOWN || p == q;
            }
            if (!ok) {
                throw new IllegalArgumentException("concat: cannot concatenate " + ts.get(0).shape() + " and "
                        + u.shape() + " along axis " + axis);
            }
        }
        if (ts.size() == 1) {
            return ts.get(0); // ConcatV2 needs two inputs at least
        }
        Output<?>[] ins = new Output<?>[ts.size()];
        for (int i = 0; i < ins.length; i++) {
            ins[i] = allNhwc ? ts.get(i).out : logical(ts.get(i));
        }
        int physical = allNhwc ? TfTensor.PHYSICAL_AXIS[a] : a;
        Output<?> r = out(b("ConcatV2").addInputList(ins).addInput(scalarInt(physical)), "ConcatV2");
        return allNhwc ? wrapNhwc(r) : wrap(r);
    }

    @Override
    public Tensor stack(List<Tensor> tensors, int axis) {
        if (tensors.isEmpty()) {
            throw new IllegalArgumentException("stack: no tensors");
        }
        Output<?>[] ins = new Output<?>[tensors.size()];
        TfTensor[] ts = new TfTensor[tensors.size()];
        for (int i = 0; i < ins.length; i++) {
            ts[i] = unwrap(tensors.get(i));
            ins[i] = logical(ts[i]);
        }
        checkSameDtype("stack", ts);
        int r = ts[0].rank() + 1;
        int a = axis < 0 ? axis + r : axis;
        if (a < 0 || a >= r) {
            throw new IllegalArgumentException("stack: axis " + axis + " out of range for rank " + r);
        }
        return wrap(out(b("Pack").addInputList(ins).setAttr("axis", a), "Pack"));
    }

    @Override
    public Tensor slice(Tensor t, int axis, long start, long end, long step) {
        TfTensor x = unwrap(t);
        if (step <= 0) {
            throw new IllegalArgumentException("slice: step must be positive, got " + step);
        }
        int a = x.shape().normalizeAxis(axis);
        NmsSpec nms = trace.nmsResults.get(x.out);
        if (nms != null && start == 0 && step == 1 && end >= 0) {
            // the first k kept boxes: one NMS that stops after k selections (it selects in output order)
            return wrap(nmsOut(nms.boxes(), nms.scores(), nms.threshold(), end));
        }
        int r = x.rank();
        int physical = x.nhwc ? TfTensor.PHYSICAL_AXIS[a] : a;
        long[] begin = new long[r];
        long[] stop = new long[r];
        long[] strides = new long[r];
        Arrays.fill(strides, 1);
        begin[physical] = start;
        stop[physical] = end;
        strides[physical] = step;
        long mask = ((1L << r) - 1) & ~(1L << physical);
        GraphOperationBuilder b = b("StridedSlice").addInput(x.out).addInput(sliceIndex(begin))
                .addInput(sliceIndex(stop)).addInput(sliceIndex(strides))
                .setAttr("begin_mask", mask).setAttr("end_mask", mask);
        return new TfTensor(trace, out(b, "StridedSlice"), x.nhwc);
    }

    @Override
    public Tensor pad(Tensor t, long[] before, long[] after, double value) {
        TfTensor x = unwrap(t);
        int r = x.rank();
        if (before.length != r || after.length != r) {
            throw new IllegalArgumentException("pad: one before/after entry per axis needed for rank " + r);
        }
        int[] p = new int[2 * r];
        for (int i = 0; i < r; i++) {
            int physical = x.nhwc ? TfTensor.PHYSICAL_AXIS[i] : i;
            p[2 * physical] = Math.toIntExact(before[i]);
            p[2 * physical + 1] = Math.toIntExact(after[i]);
        }
        Output<?> pads = paddings(p);
        Output<?> y = op("PadV2", x.out, pads, scalarOut(value, x.dtype()));
        return new TfTensor(trace, y, x.nhwc);
    }

    @Override
    public Tensor pad(Tensor t, Tensor paddings, double value) {
        TfTensor x = unwrap(t);
        TfTensor p = unwrap(paddings);
        return wrap(op("PadV2", logical(x), castOut(logical(p), DType.INT32), scalarOut(value, x.dtype())));
    }

    @Override
    public Tensor cast(Tensor t, DType dtype) {
        TfTensor x = unwrap(t);
        return new TfTensor(trace, castOut(x.out, dtype), x.nhwc);
    }

    // ================================================================== elementwise

    private TfTensor binary(String name, String type, Tensor a, Tensor b) {
        TfTensor x = unwrap(a);
        TfTensor y = unwrap(b);
        checkSameDtype(name, x, y);
        checkBroadcast(name, x, y);
        return elementwise(type, x, y);
    }

    /** NumPy broadcasting of the static shapes; unknown dimensions are checked at run time. */
    private static void checkBroadcast(String op, TfTensor... ts) {
        int rank = 0;
        for (TfTensor t : ts) {
            rank = Math.max(rank, t.rank());
        }
        for (int i = 1; i <= rank; i++) {
            long seen = 1;
            for (TfTensor t : ts) {
                long d = t.rank() >= i ? t.shape().get(t.rank() - i) : 1;
                if (d == Shape.UNKNOWN || d == 1) {
                    continue;
                }
                if (seen != 1 && seen != d) {
                    StringBuilder b = new StringBuilder();
                    for (TfTensor u : ts) {
                        b.append(b.length() == 0 ? "" : " and ").append(u.shape());
                    }
                    throw new IllegalArgumentException(op + ": shapes " + b + " do not broadcast");
                }
                seen = d;
            }
        }
    }

    @Override
    public Tensor add(Tensor a, Tensor b) {
        return binary("add", "AddV2", a, b);
    }

    @Override
    public Tensor sub(Tensor a, Tensor b) {
        return binary("sub", "Sub", a, b);
    }

    @Override
    public Tensor mul(Tensor a, Tensor b) {
        return binary("mul", "Mul", a, b);
    }

    @Override
    public Tensor div(Tensor a, Tensor b) {
        return binary("div", unwrap(a).dtype().isFloating() ? "RealDiv" : "Div", a, b);
    }

    @Override
    public Tensor floorDiv(Tensor a, Tensor b) {
        return binary("floorDiv", "FloorDiv", a, b);
    }

    @Override
    public Tensor maximum(Tensor a, Tensor b) {
        return binary("maximum", "Maximum", a, b);
    }

    @Override
    public Tensor minimum(Tensor a, Tensor b) {
        return binary("minimum", "Minimum", a, b);
    }

    @Override
    public Tensor neg(Tensor t) {
        return unary("Neg", t);
    }

    @Override
    public Tensor abs(Tensor t) {
        return unary("Abs", t);
    }

    @Override
    public Tensor exp(Tensor t) {
        return unary("Exp", t);
    }

    @Override
    public Tensor log(Tensor t) {
        return unary("Log", t);
    }

    /**
     * {@code log(x) / log(2)} evaluated in float64 and corrected to the exact integer where {@code x} is a power
     * of two (so {@code log2(8) == 3}); the correction sits behind a StopGradient, so the gradient is
     * {@code 1 / (x ln 2)}.
     */
    @Override
    public Tensor log2(Tensor t) {
        TfTensor x = unwrap(t);
        requireFloating("log2", x);
        Output<?> xd = castOut(x.out, DType.FLOAT64);
        Output<?> r = op("RealDiv", op("Log", xd), scalarOut(Math.log(2), DType.FLOAT64));
        Output<?> rs = op("StopGradient", r);
        Output<?> k = op("Round", rs);
        Output<?> exact = op("LogicalAnd", op("Equal", op("Pow", scalarOut(2, DType.FLOAT64), k),
                op("StopGradient", xd)), op("IsFinite", rs));
        Output<?> fix = op("SelectV2", exact, op("Sub", k, rs), scalarOut(0, DType.FLOAT64));
        Output<?> y = op("AddV2", r, op("StopGradient", fix));
        return new TfTensor(trace, castOut(y, x.dtype()), x.nhwc);
    }

    @Override
    public Tensor log1p(Tensor t) {
        return unary("Log1p", t);
    }

    @Override
    public Tensor sqrt(Tensor t) {
        return unary("Sqrt", t);
    }

    @Override
    public Tensor floor(Tensor t) {
        return unary("Floor", t);
    }

    @Override
    public Tensor ceil(Tensor t) {
        return unary("Ceil", t);
    }

    @Override
    public Tensor round(Tensor t) {
        return unary("Round", t); // TensorFlow's Round is half to even, like torch.round
    }

    @Override
    public Tensor sigmoid(Tensor t) {
        return unary("Sigmoid", t);
    }

    @Override
    public Tensor relu(Tensor t) {
        TfTensor x = unwrap(t);
        if (!trace.differentiated) {
            return new TfTensor(trace, op("Relu", x.out), x.nhwc);
        }
        // ReluGrad(StopGradient(Relu(x)), x) = relu(x) * (x > 0) = relu(x); its gradient is relu's read from the
        // output (see TfGradients), so training does not keep x alive as TensorFlow's own Relu gradient does
        Output<?> relu = op("StopGradient", op("Relu", x.out));
        return new TfTensor(trace, op("ReluGrad", relu, x.out), x.nhwc);
    }

    @Override
    public Tensor clamp(Tensor t, double min, double max) {
        TfTensor x = unwrap(t);
        if (min > max) {
            throw new IllegalArgumentException("clamp: min " + min + " > max " + max);
        }
        Output<?> y = x.out;
        if (min != Double.NEGATIVE_INFINITY) {
            y = op("Maximum", y, scalarOut(min, x.dtype()));
        }
        if (max != Double.POSITIVE_INFINITY) {
            y = op("Minimum", y, scalarOut(max, x.dtype()));
        }
        return new TfTensor(trace, y, x.nhwc);
    }

    // ================================================================== comparisons and selection

    @Override
    public Tensor eq(Tensor a, Tensor b) {
        return binary("eq", "Equal", a, b);
    }

    @Override
    public Tensor ne(Tensor a, Tensor b) {
        return binary("ne", "NotEqual", a, b);
    }

    @Override
    public Tensor lt(Tensor a, Tensor b) {
        return binary("lt", "Less", a, b);
    }

    @Override
    public Tensor le(Tensor a, Tensor b) {
        return binary("le", "LessEqual", a, b);
    }

    @Override
    public Tensor gt(Tensor a, Tensor b) {
        return binary("gt", "Greater", a, b);
    }

    @Override
    public Tensor ge(Tensor a, Tensor b) {
        return binary("ge", "GreaterEqual", a, b);
    }

    @Override
    public Tensor logicalAnd(Tensor a, Tensor b) {
        return binary("logicalAnd", "LogicalAnd", a, b);
    }

    @Override
    public Tensor logicalOr(Tensor a, Tensor b) {
        return binary("logicalOr", "LogicalOr", a, b);
    }

    @Override
    public Tensor logicalNot(Tensor t) {
        return unary("LogicalNot", t);
    }

    @Override
    public Tensor where(Tensor cond, Tensor a, Tensor b) {
        TfTensor c = unwrap(cond);
        TfTensor x = unwrap(a);
        TfTensor y = unwrap(b);
        if (c.dtype() != DType.BOOL) {
            throw new IllegalArgumentException("where: condition must be BOOL, got " + c.dtype());
        }
        checkSameDtype("where", x, y);
        checkBroadcast("where", c, x, y);
        return elementwise("SelectV2", c, x, y);
    }

    // ================================================================== reductions

    private TfTensor reduce(String type, Tensor t, int[] axes, boolean keepDims) {
        TfTensor x = unwrap(t);
        int[] ax = normalizeAxes(x.shape(), axes);
        if (!x.nhwc) {
            return wrap(out(b(type).addInput(x.out).addInput(constInts(ax)).setAttr("keep_dims", keepDims), type));
        }
        int[] physical = new int[ax.length];
        for (int i = 0; i < ax.length; i++) {
            physical[i] = TfTensor.PHYSICAL_AXIS[ax[i]];
        }
        Arrays.sort(physical);
        Output<?> y = out(b(type).addInput(x.out).addInput(constInts(physical)).setAttr("keep_dims", keepDims), type);
        if (keepDims) {
            return wrapNhwc(y);
        }
        // the kept logical axes, in the order they sit in the NHWC value
        List<Integer> kept = new ArrayList<>();
        for (int p = 0; p < 4; p++) {
            int logicalAxis = TO_NCHW_INVERSE[p];
            if (Arrays.binarySearch(ax, logicalAxis) < 0) {
                kept.add(logicalAxis);
            }
        }
        long[] perm = new long[kept.size()];
        boolean identity = true;
        List<Integer> sorted = new ArrayList<>(kept);
        sorted.sort(null);
        for (int i = 0; i < perm.length; i++) {
            perm[i] = kept.indexOf(sorted.get(i));
            identity &= perm[i] == i;
        }
        return wrap(identity ? y : transpose(y, perm));
    }

    /** Position in the NHWC value to logical axis: N, H, W, C. */
    private static final int[] TO_NCHW_INVERSE = {0, 2, 3, 1};

    @Override
    public Tensor sum(Tensor t, int[] axes, boolean keepDims) {
        return reduce("Sum", t, axes, keepDims);
    }

    @Override
    public Tensor mean(Tensor t, int[] axes, boolean keepDims) {
        return reduce("Mean", t, axes, keepDims);
    }

    @Override
    public Tensor max(Tensor t, int[] axes, boolean keepDims) {
        return reduce("Max", t, axes, keepDims);
    }

    @Override
    public Tensor min(Tensor t, int[] axes, boolean keepDims) {
        return reduce("Min", t, axes, keepDims);
    }

    @Override
    public Tensor argmax(Tensor t, int axis, boolean keepDims) {
        TfTensor x = unwrap(t);
        int a = x.shape().normalizeAxis(axis);
        Output<?> y = out(b("ArgMax").addInput(logical(x)).addInput(scalarInt(a))
                .setAttr("output_type", TfTypes.dataType(DType.INT64)), "ArgMax");
        return wrap(keepDims ? op("ExpandDims", y, scalarInt(a)) : y);
    }

    // ================================================================== linear algebra and layers

    @Override
    public Tensor matmul(Tensor a, Tensor b) {
        TfTensor x = unwrap(a);
        TfTensor y = unwrap(b);
        checkSameDtype("matmul", x, y);
        if (x.rank() == 0 || y.rank() == 0) {
            throw new IllegalArgumentException("matmul: scalar operand " + x.shape() + " @ " + y.shape());
        }
        long inner = x.shape().get(-1);
        long innerR = y.shape().get(y.rank() == 1 ? 0 : -2);
        if (inner != Shape.UNKNOWN && innerR != Shape.UNKNOWN && inner != innerR) {
            throw new IllegalArgumentException("matmul: inner dimensions differ: " + x.shape() + " @ " + y.shape());
        }
        Output<?> l = logical(x);
        Output<?> r = logical(y);
        boolean vecL = x.rank() == 1;
        boolean vecR = y.rank() == 1;
        if (vecL) {
            l = op("ExpandDims", l, scalarInt(0));
        }
        if (vecR) {
            r = op("ExpandDims", r, scalarInt(1));
        }
        boolean plain = (vecL || x.rank() == 2) && (vecR || y.rank() == 2);
        Output<?> p = plain ? op("MatMul", l, r) : op("BatchMatMulV2", l, r);
        if (vecR) {
            p = out(b("Squeeze").addInput(p).setAttr("squeeze_dims", new long[] {-1}), "Squeeze");
        }
        if (vecL) {
            p = out(b("Squeeze").addInput(p).setAttr("squeeze_dims", new long[] {vecR ? -1 : -2}), "Squeeze");
        }
        return wrap(p);
    }

    @Override
    public Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        TfTensor in = unwrap(x);
        TfTensor w = unwrap(weight);
        if (in.rank() != 2 || w.rank() != 2) {
            return Ops.super.linear(x, weight, bias);
        }
        checkSameDtype("linear", in, w);
        long k = in.shape().get(1);
        long wk = w.shape().get(1);
        if (k != Shape.UNKNOWN && wk != Shape.UNKNOWN && k != wk) {
            throw new IllegalArgumentException("linear: input " + in.shape() + " does not fit weight " + w.shape());
        }
        Output<?> y = out(b("MatMul").addInput(logical(in)).addInput(w.out).setAttr("transpose_b", true), "MatMul");
        if (bias == null) {
            return wrap(y);
        }
        TfTensor bb = unwrap(bias);
        checkSameDtype("linear", in, bb);
        return wrap(bb.rank() == 1 ? op("BiasAdd", y, bb.out) : op("AddV2", y, logical(bb)));
    }

    /**
     * NHWC {@code Conv2D}. Groups run as one convolution per group on channel splits (or one
     * {@code DepthwiseConv2dNative} when every group has one input channel and there is no dilation); a
     * dilation is applied to the kernel (zeros inserted between its taps) because TensorFlow's C++ Conv2D
     * gradient ignores the {@code dilations} attribute; padding other than TensorFlow's SAME is an explicit
     * {@code Pad} because the gradient also ignores {@code explicit_paddings}.
     */
    @Override
    public Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation,
            int groups) {
        TfTensor in = unwrap(x);
        TfTensor w = unwrap(weight);
        checkSameDtype("conv2d", in, w);
        if (in.rank() != 4 || w.rank() != 4) {
            throw new IllegalArgumentException("conv2d: expected NCHW input and [out, in, kh, kw] weight, got "
                    + in.shape() + " and " + w.shape());
        }
        checkPairs("conv2d", stride, padding, dilation);
        if (groups < 1) {
            throw new IllegalArgumentException("conv2d: groups must be >= 1, got " + groups);
        }
        if (stride[0] < 1 || stride[1] < 1 || dilation[0] < 1 || dilation[1] < 1 || padding[0] < 0 || padding[1] < 0) {
            throw new IllegalArgumentException("conv2d: stride and dilation must be >= 1 and padding >= 0, got stride "
                    + Arrays.toString(stride) + ", padding " + Arrays.toString(padding) + ", dilation "
                    + Arrays.toString(dilation));
        }
        long inC = in.shape().get(1);
        long wC = w.shape().get(1);
        long outC = w.shape().get(0);
        if (inC != Shape.UNKNOWN && (inC % groups != 0 || wC != Shape.UNKNOWN && inC / groups != wC)) {
            throw new IllegalArgumentException("conv2d: input " + in.shape() + " has " + inC
                    + " channels but weight " + w.shape() + " expects " + wC + " per group (groups " + groups + ")");
        }
        if (outC != Shape.UNKNOWN && outC % groups != 0) {
            throw new IllegalArgumentException("conv2d: weight " + w.shape() + " has " + outC
                    + " output channels, not divisible by groups " + groups);
        }
        boolean dilated = dilation[0] != 1 || dilation[1] != 1;
        long kh = w.shape().get(2);
        long kw = w.shape().get(3);
        long ekh = kh == Shape.UNKNOWN ? Shape.UNKNOWN : (kh - 1) * dilation[0] + 1;
        long ekw = kw == Shape.UNKNOWN ? Shape.UNKNOWN : (kw - 1) * dilation[1] + 1;
        // oneDNN's Conv2DBackpropInput (the input gradient) is wrong for one input and one output channel at
        // stride > 1: such convolutions get a spare zero output channel, dropped again
        long outG = outC == Shape.UNKNOWN ? Shape.UNKNOWN : outC / groups;
        boolean spare = (stride[0] > 1 || stride[1] > 1) && (wC == Shape.UNKNOWN || wC == 1)
                && (outG == Shape.UNKNOWN || outG == 1) && in.dtype() != DType.FLOAT64;
        Output<?> v = nhwc(in);
        if (groups == 1 && trace.differentiated && (kh > 1 || kw > 1) && !spare) {
            // a Conv op, whose gradient (TfGradients) bounds the filter gradient's im2col buffer
            Output<?> filter = hwioFilter(w);
            if (dilated) {
                filter = dilateKernel(filter, dilation);
            }
            GraphOperationBuilder conv = b("Conv").addInput(v).addInput(filter)
                    .setAttr("strides", new long[] {1, stride[0], stride[1], 1})
                    .setAttr("padding", "EXPLICIT")
                    .setAttr("explicit_paddings", new long[] {0, 0, padding[0], padding[0], padding[1], padding[1], 0, 0});
            if (in.shape().isKnown() && w.shape().isKnown()) {
                long[] x4 = in.shape().dims();
                conv.setAttr(TfGradients.INPUT_SHAPE, new long[] {x4[0], x4[2], x4[3], x4[1]});
                conv.setAttr(TfGradients.FILTER_SHAPE, new long[] {(kh - 1) * dilation[0] + 1,
                        (kw - 1) * dilation[1] + 1, wC, outC});
            }
            Output<?> y = out(conv, "Conv");
            return wrapNhwc(withBias(y, in, bias));
        }
        String pad = "VALID";
        if (padding[0] != 0 || padding[1] != 0) {
            // TensorFlow's SAME equals PyTorch's symmetric padding only at stride 1 with p = (k - 1) / 2
            boolean same = stride[0] == 1 && stride[1] == 1 && ekh != Shape.UNKNOWN && ekw != Shape.UNKNOWN
                    && 2L * padding[0] == ekh - 1 && 2L * padding[1] == ekw - 1;
            if (same) {
                pad = "SAME";
            } else {
                // Conv2D's C++ gradient drops explicit_paddings, so pad explicitly and run VALID.
                v = op("Pad", v, paddings(0, 0, padding[0], padding[0], padding[1], padding[1], 0, 0));
            }
        }
        Output<?> y;
        if (groups > 1 && wC == 1 && !dilated) {
            // depthwise: torch weight [in * m, 1, kh, kw] -> [kh, kw, in, m]; output channel i * m + j as in torch
            Output<?> f = kh != Shape.UNKNOWN && kw != Shape.UNKNOWN ? op("Reshape", w.out, constLongs(groups, -1, kh, kw))
                    : op("Reshape", w.out, concatLongs(constLongs(groups, -1), sliceOut(shapeOut(w.out), 0, 2, 4)));
            f = transpose(f, new long[] {2, 3, 0, 1});
            y = out(b("DepthwiseConv2dNative").addInput(v).addInput(f)
                    .setAttr("strides", new long[] {1, stride[0], stride[1], 1})
                    .setAttr("padding", pad)
                    .setAttr("data_format", "NHWC"), "DepthwiseConv2dNative");
        } else {
            Output<?> filter = hwioFilter(w);
            if (dilated) {
                filter = dilateKernel(filter, dilation);
            }
            if (groups == 1) {
                y = conv2dNhwc(v, filter, stride, pad, spare);
            } else {
                Output<?>[] xs = split(v, 3, groups);
                Output<?>[] fs = split(filter, 3, groups);
                Output<?>[] ys = new Output<?>[groups];
                for (int g = 0; g < groups; g++) {
                    ys[g] = conv2dNhwc(xs[g], fs[g], stride, pad, spare);
                }
                y = out(b("ConcatV2").addInputList(ys).addInput(scalarInt(3)), "ConcatV2");
            }
        }
        return wrapNhwc(withBias(y, in, bias));
    }

    private Output<?> withBias(Output<?> y, TfTensor in, Tensor bias) {
        if (bias == null) {
            return y;
        }
        TfTensor bb = unwrap(bias);
        checkSameDtype("conv2d", in, bb);
        return op("BiasAdd", y, bb.out);
    }

    /** A torch {@code [out, in, kh, kw]} weight as TensorFlow's HWIO filter, transposed once per trace. */
    private Output<?> hwioFilter(TfTensor w) {
        Output<?> filter = trace.cache.get(w.out);
        if (filter == null) {
            filter = transpose(w.out, new long[] {2, 3, 1, 0}); // OIHW -> HWIO
            trace.cache.put(w.out, filter);
        }
        return filter;
    }

    private Output<?> conv2dNhwc(Output<?> v, Output<?> filterHwio, int[] stride, String pad, boolean spare) {
        // the spare channel is concatenated, not padded on: a Pad feeding a Conv2D's filter while another Pad
        // feeds its input can make oneDNN's graph pass (MergePadWithConv2D) take the wrong Pad, which aborts
        // the process ("Could not find input edge 1" in mkl_layout_pass.cc), depending on node order
        Output<?> f = spare ? out(b("ConcatV2").addInputList(new Output<?>[] {filterHwio,
                op("ZerosLike", sliceOut(filterHwio, 3, 0, 1))}).addInput(scalarInt(3)), "ConcatV2") : filterHwio;
        Output<?> y = out(b("Conv2D").addInput(v).addInput(f)
                .setAttr("strides", new long[] {1, stride[0], stride[1], 1})
                .setAttr("padding", pad)
                .setAttr("data_format", "NHWC"), "Conv2D");
        return spare ? dropLastChannel(y) : y;
    }

    /** {@code y[..., :-1]} of an NHWC value (the spare channel of the oneDNN workarounds). */
    private Output<?> dropLastChannel(Output<?> y) {
        return out(b("StridedSlice").addInput(y).addInput(sliceIndex(0, 0, 0, 0)).addInput(sliceIndex(0, 0, 0, -1))
                .addInput(sliceIndex(1, 1, 1, 1)).setAttr("begin_mask", 0b0111).setAttr("end_mask", 0b0111),
                "StridedSlice");
    }

    /** {@code n} equal pieces of {@code x} along {@code axis} (Split; sizes may be unknown while tracing). */
    private Output<?>[] split(Output<?> x, int axis, int n) {
        GraphOperation s = TfTrace.build(b("Split").addInput(scalarInt(axis)).addInput(x).setAttr("num_split", n),
                "Split");
        Output<?>[] out = new Output<?>[n];
        for (int i = 0; i < n; i++) {
            out[i] = s.output(i);
        }
        return out;
    }

    /**
     * An HWIO kernel with {@code d - 1} zeros between its taps along H and W, i.e. the dense kernel of the
     * dilated convolution; built from shape ops so the kernel size may be unknown while tracing.
     */
    private Output<?> dilateKernel(Output<?> f, int[] dilation) {
        for (int axis = 0; axis < 2; axis++) {
            int d = dilation[axis];
            if (d == 1) {
                continue;
            }
            Output<?> shape = shapeOut(f);
            Output<?> e = op("ExpandDims", f, scalarInt(axis + 1)); // [.., k, 1, ..]
            int[] pads = new int[10];
            pads[2 * (axis + 1) + 1] = d - 1;
            e = op("Pad", e, paddings(pads)); // [.., k, d, ..]
            Output<?> newShape = axis == 0 ? concatLongs(constLongs(-1), sliceOut(shape, 0, 1, 4))
                    : concatLongs(sliceOut(shape, 0, 0, 1), constLongs(-1), sliceOut(shape, 0, 2, 4));
            e = op("Reshape", e, newShape); // k * d taps
            long[] begin = new long[4];
            long[] end = new long[4];
            long[] strides = {1, 1, 1, 1};
            end[axis] = -(d - 1);
            long mask = 0b1111 & ~(1L << axis);
            f = out(b("StridedSlice").addInput(e).addInput(sliceIndex(begin)).addInput(sliceIndex(end))
                    .addInput(sliceIndex(strides)).setAttr("begin_mask", mask).setAttr("end_mask", mask),
                    "StridedSlice"); // (k - 1) * d + 1 taps
        }
        return f;
    }

    private static void checkPairs(String op, int[]... pairs) {
        for (int[] p : pairs) {
            if (p == null || p.length != 2) {
                throw new IllegalArgumentException(op + ": stride, padding and dilation take {h, w}, got "
                        + Arrays.toString(p));
            }
        }
    }

    /** The int64 shape of a graph value. */
    private Output<?> shapeOut(Output<?> x) {
        return out(b("Shape").addInput(x).setAttr("out_type", TfTypes.dataType(DType.INT64)), "Shape");
    }

    /** The int32 shape of a graph value. */
    private Output<?> shapeOut32(Output<?> x) {
        return out(b("Shape").addInput(x).setAttr("out_type", TfTypes.dataType(DType.INT32)), "Shape");
    }

    /** {@code x[begin:end]} along {@code axis} of a value of rank {@code rank} (static bounds). */
    private Output<?> sliceOut(Output<?> x, int axis, long begin, long end) {
        int rank = x.shape().numDimensions();
        long[] b0 = new long[rank];
        long[] e0 = new long[rank];
        long[] st = new long[rank];
        Arrays.fill(st, 1);
        b0[axis] = begin;
        e0[axis] = end;
        long mask = ((1L << rank) - 1) & ~(1L << axis);
        return out(b("StridedSlice").addInput(x).addInput(sliceIndex(b0)).addInput(sliceIndex(e0))
                .addInput(sliceIndex(st)).setAttr("begin_mask", mask).setAttr("end_mask", mask), "StridedSlice");
    }

    /** Rank-1 values concatenated. */
    private Output<?> concatLongs(Output<?>... parts) {
        return out(b("ConcatV2").addInputList(parts).addInput(scalarInt(0)), "ConcatV2");
    }

    /** Element {@code i} of a rank-1 value, as a scalar. */
    private Output<?> element(Output<?> v, long i) {
        return gatherOut(v, scalarOut(i, DType.INT64), 0);
    }

    /**
     * A transposed convolution whose kernel equals its stride (the mask predictor's 2x2 stride-2 deconv): each
     * input pixel stamps its own {@code kh x kw} block, so it is one MatMul ({@code [NHW, in] x [in, kh*kw*out]})
     * and a reshuffle of the blocks into place.
     */
    private Output<?> stampedConvTranspose(Output<?> v, Output<?> weight, long inH, long inW, long kh, long kw,
            long outC) {
        Output<?> ws = shapeOut(weight);
        Output<?> vs = shapeOut(v);
        // [in, out, kh, kw] -> [in, kh, kw, out] -> [in, kh * kw * out]
        Output<?> wm = op("Reshape", transpose(weight, new long[] {0, 2, 3, 1}),
                concatLongs(sliceOut(ws, 0, 0, 1), constLongs(-1)));
        Output<?> x2 = op("Reshape", v, concatLongs(constLongs(-1), sliceOut(vs, 0, 3, 4)));
        Output<?> y = op("MatMul", x2, wm);
        y = op("Reshape", y, concatLongs(sliceOut(vs, 0, 0, 3), constLongs(kh, kw, -1))); // [N, H, W, kh, kw, out]
        y = transpose(y, new long[] {0, 1, 3, 2, 4, 5}); // [N, H, kh, W, kw, out]
        Output<?> h = inH != Shape.UNKNOWN ? constLongs(inH * kh)
                : op("Reshape", op("Mul", element(vs, 1), scalarOut(kh, DType.INT64)), constLongs(1));
        Output<?> wd = inW != Shape.UNKNOWN ? constLongs(inW * kw)
                : op("Reshape", op("Mul", element(vs, 2), scalarOut(kw, DType.INT64)), constLongs(1));
        Output<?> c = outC != Shape.UNKNOWN ? constLongs(outC) : sliceOut(ws, 0, 1, 2);
        return op("Reshape", y, concatLongs(sliceOut(vs, 0, 0, 1), h, wd, c));
    }

    /**
     * Transposed convolution to the full {@code (H - 1) * s + k} output, cropped by {@code padding} on each side
     * like PyTorch: a MatMul when the kernel equals the stride (see {@code stampedConvTranspose}), else
     * {@code Conv2DBackpropInput} (the gradient of a VALID convolution).
     */
    @Override
    public Tensor convTranspose2d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding) {
        TfTensor in = unwrap(x);
        TfTensor w = unwrap(weight);
        checkSameDtype("convTranspose2d", in, w);
        if (in.rank() != 4 || w.rank() != 4) {
            throw new IllegalArgumentException("convTranspose2d: expected NCHW input and [in, out, kh, kw] weight, "
                    + "got " + in.shape() + " and " + w.shape());
        }
        checkPairs("convTranspose2d", stride, padding);
        if (stride[0] < 1 || stride[1] < 1 || padding[0] < 0 || padding[1] < 0) {
            throw new IllegalArgumentException("convTranspose2d: stride must be >= 1 and padding >= 0, got stride "
                    + Arrays.toString(stride) + ", padding " + Arrays.toString(padding));
        }
        long inC = in.shape().get(1);
        long wC = w.shape().get(0);
        if (inC != Shape.UNKNOWN && wC != Shape.UNKNOWN && inC != wC) {
            throw new IllegalArgumentException("convTranspose2d: input " + in.shape() + " has " + inC
                    + " channels but weight " + w.shape() + " expects " + wC);
        }
        Output<?> v = nhwc(in);
        long inH = in.shape().get(2);
        long inW = in.shape().get(3);
        long kh = w.shape().get(2);
        long kw = w.shape().get(3);
        long outC = w.shape().get(1);
        Output<?> y;
        if (kh == stride[0] && kw == stride[1]) {
            y = stampedConvTranspose(v, w.out, inH, inW, kh, kw, outC);
        } else {
            // oneDNN's Conv2DBackpropInput is wrong for one input and one output channel at stride > 1: give
            // the filter a zero output channel where that can happen, and drop it again
            long inC2 = w.shape().get(0);
            boolean spare = (stride[0] > 1 || stride[1] > 1) && (outC == Shape.UNKNOWN || outC == 1)
                    && (inC2 == Shape.UNKNOWN || inC2 == 1) && in.dtype() != DType.FLOAT64;
            Output<?> weights = spare ? op("Pad", w.out, paddings(0, 0, 0, 1, 0, 0, 0, 0)) : w.out;
            Output<?> filter = transpose(weights, new long[] {2, 3, 1, 0}); // [in, out, kh, kw] -> [kh, kw, out, in]
            Output<?> xs = shapeOut32(v);
            Output<?> fs = shapeOut32(filter);
            // constants where the sizes are static, so that shape inference keeps them
            Output<?> h = inH != Shape.UNKNOWN && kh != Shape.UNKNOWN
                    ? scalarInt(Math.toIntExact((inH - 1) * stride[0] + kh))
                    : op("AddV2", op("Mul", op("Sub", element(xs, 1), scalarInt(1)), scalarInt(stride[0])),
                            element(fs, 0));
            Output<?> wd = inW != Shape.UNKNOWN && kw != Shape.UNKNOWN
                    ? scalarInt(Math.toIntExact((inW - 1) * stride[1] + kw))
                    : op("AddV2", op("Mul", op("Sub", element(xs, 2), scalarInt(1)), scalarInt(stride[1])),
                            element(fs, 1));
            Output<?> c = outC != Shape.UNKNOWN ? scalarInt(Math.toIntExact(outC + (spare ? 1 : 0))) : element(fs, 2);
            Output<?> sizes = out(b("Pack").addInputList(new Output<?>[] {element(xs, 0), h, wd, c})
                    .setAttr("axis", 0), "Pack");
            y = out(b("Conv2DBackpropInput").addInput(sizes).addInput(filter).addInput(v)
                    .setAttr("strides", new long[] {1, stride[0], stride[1], 1})
                    .setAttr("padding", "VALID")
                    .setAttr("data_format", "NHWC"), "Conv2DBackpropInput");
            if (spare) {
                y = dropLastChannel(y);
            }
        }
        if (padding[0] != 0 || padding[1] != 0) {
            long mask = 0b1001 | (padding[0] == 0 ? 0b0010 : 0) | (padding[1] == 0 ? 0b0100 : 0);
            y = out(b("StridedSlice").addInput(y).addInput(sliceIndex(0, padding[0], padding[1], 0))
                    .addInput(sliceIndex(0, -padding[0], -padding[1], 0)).addInput(sliceIndex(1, 1, 1, 1))
                    .setAttr("begin_mask", mask).setAttr("end_mask", mask), "StridedSlice");
        }
        if (bias != null) {
            TfTensor bb = unwrap(bias);
            checkSameDtype("convTranspose2d", in, bb);
            y = op("BiasAdd", y, bb.out);
        }
        return wrapNhwc(y);
    }

    @Override
    public Tensor batchNorm(Tensor x, Tensor mean, Tensor var, Tensor weight, Tensor bias, double eps) {
        TfTensor in = unwrap(x);
        TfTensor m = unwrap(mean);
        TfTensor v = unwrap(var);
        if (in.rank() < 2) {
            throw new IllegalArgumentException("batchNorm: input must have a channel axis, got " + in.shape());
        }
        // torchvision's FrozenBatchNorm2d form: scale = w * rsqrt(var + eps), shift = b - mean * scale
        Output<?> scale = op("Rsqrt", op("AddV2", v.out, scalarOut(eps, v.dtype())));
        if (weight != null) {
            scale = op("Mul", unwrap(weight).out, scale);
        }
        Output<?> shift = op("Neg", op("Mul", m.out, scale));
        if (bias != null) {
            shift = op("AddV2", unwrap(bias).out, shift);
        }
        if (in.nhwc || in.rank() == 2) {
            // the channel is the last axis of the value: [C] broadcasts directly
            Output<?> y = op("AddV2", op("Mul", in.out, scale), shift);
            return new TfTensor(trace, y, in.nhwc);
        }
        long[] bshape = new long[in.rank() - 1];
        Arrays.fill(bshape, 1);
        bshape[0] = -1;
        Output<?> s = op("Reshape", scale, constLongs(bshape));
        Output<?> t = op("Reshape", shift, constLongs(bshape));
        return wrap(op("AddV2", op("Mul", in.out, s), t));
    }

    /** Group norm on the NHWC value: statistics over {@code (H, W, C / G)} per sample and group. */
    @Override
    public Tensor groupNorm(Tensor x, int groups, Tensor weight, Tensor bias, double eps) {
        TfTensor in = unwrap(x);
        if (in.rank() != 4) {
            throw new IllegalArgumentException("groupNorm: expected NCHW input, got " + in.shape());
        }
        requireFloating("groupNorm", in);
        long c = in.shape().get(1);
        if (groups < 1 || c != Shape.UNKNOWN && c % groups != 0) {
            throw new IllegalArgumentException("groupNorm: " + c + " channels of " + in.shape()
                    + " do not split into " + groups + " groups");
        }
        Output<?> v = nhwc(in);
        Output<?> s = shapeOut(v);
        Output<?> g = op("Reshape", v, concatLongs(sliceOut(s, 0, 0, 3), constLongs(groups, -1)));
        Output<?> axes = constInts(1, 2, 4);
        Output<?> mean = out(b("Mean").addInput(g).addInput(axes).setAttr("keep_dims", true), "Mean");
        Output<?> d = op("Sub", g, mean);
        Output<?> var = out(b("Mean").addInput(op("Square", d)).addInput(axes).setAttr("keep_dims", true), "Mean");
        Output<?> y = op("Reshape", op("Mul", d, op("Rsqrt", op("AddV2", var, scalarOut(eps, in.dtype())))), s);
        if (weight != null) {
            TfTensor w = unwrap(weight);
            checkSameDtype("groupNorm", in, w);
            y = op("Mul", y, w.out);
        }
        if (bias != null) {
            TfTensor bb = unwrap(bias);
            checkSameDtype("groupNorm", in, bb);
            y = op("AddV2", y, bb.out);
        }
        return wrapNhwc(y);
    }

    @Override
    public Tensor maxPool2d(Tensor x, int[] kernel, int[] stride, int[] padding) {
        TfTensor in = unwrap(x);
        if (in.rank() != 4) {
            throw new IllegalArgumentException("maxPool2d: expected NCHW input, got " + in.shape());
        }
        if (2 * padding[0] > kernel[0] || 2 * padding[1] > kernel[1]) {
            throw new IllegalArgumentException("maxPool2d: padding " + Arrays.toString(padding)
                    + " must be at most half of kernel " + Arrays.toString(kernel));
        }
        Output<?> v = nhwc(in);
        if (padding[0] != 0 || padding[1] != 0) {
            Output<?> pads = paddings(0, 0, padding[0], padding[0], padding[1], padding[1], 0, 0);
            v = op("PadV2", v, pads, scalarOut(Double.NEGATIVE_INFINITY, in.dtype()));
        }
        Output<?> y = out(b("MaxPool").addInput(v)
                .setAttr("ksize", new long[] {1, kernel[0], kernel[1], 1})
                .setAttr("strides", new long[] {1, stride[0], stride[1], 1})
                .setAttr("padding", "VALID")
                .setAttr("data_format", "NHWC"), "MaxPool");
        return wrapNhwc(y);
    }

    /**
     * {@code ResizeNearestNeighbor} on the NHWC value (legacy scaler, no half-pixel centres): source index
     * {@code min(floor(dst * (float) in / out), in - 1)}, PyTorch's {@code interpolate(mode="nearest")}.
     */
    @Override
    public Tensor resizeNearestLike(Tensor x, Tensor like) {
        TfTensor in = unwrap(x);
        TfTensor l = unwrap(like);
        if (in.rank() != 4 || l.rank() < 2) {
            throw new IllegalArgumentException("resizeNearestLike: need NCHW input and a [.., h, w] reference, got "
                    + in.shape() + " and " + l.shape());
        }
        Output<?> ls = shapeOut32(l.out);
        Output<?> size = l.nhwc ? sliceOut(ls, 0, 1, 3) : sliceOut(ls, 0, l.rank() - 2, l.rank());
        Output<?> v = nhwc(in);
        boolean bool = in.dtype() == DType.BOOL;
        if (bool) {
            v = castOut(v, DType.UINT8);
        }
        Output<?> y = out(b("ResizeNearestNeighbor").addInput(v).addInput(size).setAttr("align_corners", false)
                .setAttr("half_pixel_centers", false), "ResizeNearestNeighbor");
        return wrapNhwc(bool ? castOut(y, DType.BOOL) : y);
    }

    @Override
    public Tensor resizeBilinear(Tensor x, long outH, long outW) {
        TfTensor in = unwrap(x);
        checkResize("resizeBilinear", in, outH, outW);
        return bilinear(in, outH, outW, Double.NaN, Double.NaN);
    }

    @Override
    public Tensor resizeBilinearByScale(Tensor x, double scaleH, double scaleW) {
        TfTensor in = unwrap(x);
        if (!(scaleH > 0) || !(scaleW > 0) || Double.isInfinite(scaleH) || Double.isInfinite(scaleW)) {
            throw new IllegalArgumentException("resizeBilinearByScale: scales must be positive and finite, got "
                    + scaleH + ", " + scaleW);
        }
        if (in.rank() != 4) {
            throw new IllegalArgumentException("resizeBilinearByScale: input must be NCHW, got " + in.shape());
        }
        long h = in.shape().get(2);
        long w = in.shape().get(3);
        long outH = h == Shape.UNKNOWN ? -1 : (long) Math.floor(h * scaleH);
        long outW = w == Shape.UNKNOWN ? -1 : (long) Math.floor(w * scaleW);
        if (outH == 0 || outW == 0) {
            throw new IllegalArgumentException("resizeBilinearByScale: " + in.shape() + " scaled by " + scaleH + " x "
                    + scaleW + " is empty");
        }
        return bilinear(in, outH, outW, scaleH, scaleW);
    }

    private static void checkResize(String op, TfTensor x, long outH, long outW) {
        if (x.rank() != 4) {
            throw new IllegalArgumentException(op + ": input must be NCHW, got " + x.shape());
        }
        if (outH <= 0 || outW <= 0) {
            throw new IllegalArgumentException(op + ": output size must be positive, got " + outH + "x" + outW);
        }
    }

    /**
     * PyTorch's {@code upsample_bilinear2d} with {@code align_corners=False}, as two gathers and a lerp per
     * axis (width, then height, as its kernel nests them). Without a scale ({@code NaN}) the source ratio is
     * {@code (opmath) in / out}, otherwise {@code (opmath) (1 / scale)} and the output size is
     * {@code floor(in * scale)} ({@code -1} when unknown while tracing). The source index is
     * {@code max(ratio * (dst + 0.5) - 0.5, 0)} evaluated in double and rounded to the op-math type (float for
     * float32 input), neighbours {@code floor} and {@code min(floor + 1, in - 1)}; an axis whose size does not
     * change is copied, as in PyTorch.
     */
    private TfTensor bilinear(TfTensor x, long outH, long outW, double scaleH, double scaleW) {
        requireFloating("resizeBilinear", x);
        Output<?> v = x.out;
        int hAxis = x.nhwc ? 1 : 2;
        int wAxis = x.nhwc ? 2 : 3;
        Output<?> shape = shapeOut(v);
        v = lerpAxis(v, wAxis, element(shape, wAxis), outW, scaleW, x.dtype());
        v = lerpAxis(v, hAxis, element(shape, hAxis), outH, scaleH, x.dtype());
        return new TfTensor(trace, v, x.nhwc);
    }

    private Output<?> lerpAxis(Output<?> v, int axis, Output<?> inSize, long outStatic, double scale, DType dt) {
        DType math = dt == DType.FLOAT64 ? DType.FLOAT64 : DType.FLOAT32;
        Output<?> outSize = outStatic >= 0 ? scalarOut(outStatic, DType.INT64)
                : castOut(op("Floor", op("Mul", castOut(inSize, DType.FLOAT64), scalarOut(scale, DType.FLOAT64))),
                        DType.INT64);
        Output<?> ratio = Double.isNaN(scale)
                ? op("RealDiv", castOut(inSize, math), castOut(outSize, math))
                : scalarOut(math == DType.FLOAT32 ? (double) (float) (1.0 / scale) : 1.0 / scale, math);
        Output<?> dstI = op("Range", scalarOut(0, DType.INT64), outSize, scalarOut(1, DType.INT64));
        Output<?> dst = castOut(dstI, DType.FLOAT64);
        Output<?> src = op("Sub", op("Mul", castOut(ratio, DType.FLOAT64), op("AddV2", dst, scalarOut(0.5, DType.FLOAT64))),
                scalarOut(0.5, DType.FLOAT64));
        src = op("Maximum", castOut(src, math), scalarOut(0, math));
        Output<?> last = op("Sub", inSize, scalarOut(1, DType.INT64));
        Output<?> i0 = op("Minimum", castOut(src, DType.INT64), last);
        Output<?> i1 = op("Minimum", op("AddV2", i0, scalarOut(1, DType.INT64)), last);
        Output<?> l1 = op("Minimum", op("Maximum", op("Sub", src, castOut(i0, math)), scalarOut(0, math)),
                scalarOut(1, math));
        // an axis whose size does not change is copied
        Output<?> same = op("Equal", inSize, outSize);
        i0 = op("SelectV2", same, dstI, i0);
        i1 = op("SelectV2", same, dstI, i1);
        l1 = op("SelectV2", same, scalarOut(0, math), l1);
        Output<?> l0 = op("Sub", scalarOut(1, math), l1);
        int rank = v.shape().numDimensions();
        long[] wshape = new long[rank - axis];
        Arrays.fill(wshape, 1);
        wshape[0] = -1;
        // the weights are constants of the sizes: no gradient flows into their (partly non-differentiable) graph
        l0 = op("StopGradient", op("Reshape", castOut(l0, dt), constLongs(wshape)));
        l1 = op("StopGradient", op("Reshape", castOut(l1, dt), constLongs(wshape)));
        Output<?> a = gatherOut(v, i0, axis);
        Output<?> b = gatherOut(v, i1, axis);
        return op("AddV2", op("Mul", a, l0), op("Mul", b, l1));
    }



    // ================================================================== activations and losses

    /** The axes {@code 0..r-1} with {@code a} moved to the end, the others in order. */
    private static long[] axisLastPermutation(int r, int a) {
        long[] perm = new long[r];
        for (int i = 0, j = 0; i < r; i++) {
            if (i != a) {
                perm[j++] = i;
            }
        }
        perm[r - 1] = a;
        return perm;
    }

    /** The permutation that undoes {@code perm}. */
    private static long[] inverse(long[] perm) {
        long[] inverse = new long[perm.length];
        for (int i = 0; i < perm.length; i++) {
            inverse[(int) perm[i]] = i;
        }
        return inverse;
    }

    /** The value with {@code axis} last, and the permutation that undoes it (null if none was needed). */
    private Object[] axisLast(TfTensor x, int axis) {
        int a = x.shape().normalizeAxis(axis);
        int r = x.rank();
        if (x.nhwc && a == 1) {
            return new Object[] {x.out, null, Boolean.TRUE};
        }
        Output<?> v = logical(x);
        if (a == r - 1) {
            return new Object[] {v, null, Boolean.FALSE};
        }
        long[] perm = axisLastPermutation(r, a);
        return new Object[] {transpose(v, perm), inverse(perm), Boolean.FALSE};
    }

    private TfTensor lastAxisOp(String type, Tensor t, int axis) {
        TfTensor x = unwrap(t);
        requireFloating(type, x);
        Object[] v = axisLast(x, axis);
        Output<?> in = (Output<?>) v[0];
        Output<?> y;
        if ("LogSoftmax".equals(type) && x.rank() != 2) {
            // The C++ LogSoftmax gradient sums over axis 1, which is the class axis only for rank 2 input:
            // run it on a [rows, classes] view.
            Output<?> shape = out(b("Shape").addInput(in).setAttr("out_type", TfTypes.dataType(DType.INT64)), "Shape");
            Output<?> classes = gatherOut(shape, constLongs(x.rank() - 1), 0);
            Output<?> rows = out(b("ConcatV2").addInputList(new Output<?>[] {constLongs(-1), classes})
                    .addInput(scalarInt(0)), "ConcatV2");
            Output<?> flat = op("Reshape", in, rows);
            y = op("Reshape", op(type, flat), shape);
        } else {
            y = op(type, in);
        }
        if (v[1] != null) {
            y = transpose(y, (long[]) v[1]);
        }
        return (Boolean) v[2] ? wrapNhwc(y) : wrap(y);
    }

    @Override
    public Tensor softmax(Tensor t, int axis) {
        return lastAxisOp("Softmax", t, axis);
    }

    @Override
    public Tensor logSoftmax(Tensor t, int axis) {
        return lastAxisOp("LogSoftmax", t, axis);
    }

    @Override
    public Tensor stopGradient(Tensor t) {
        return unary("StopGradient", t);
    }

    // ================================================================== indexing

    @Override
    public Tensor gather(Tensor t, Tensor indices, int axis) {
        TfTensor x = unwrap(t);
        TfTensor i = unwrap(indices);
        if (i.dtype().isFloating() || i.dtype() == DType.BOOL) {
            throw new IllegalArgumentException("gather: indices must be integers, got " + i.dtype());
        }
        int a = x.shape().normalizeAxis(axis);
        return wrap(gatherOut(logical(x), logical(i), a));
    }

    @Override
    public Tensor takeAlongAxis(Tensor t, Tensor indices, int axis) {
        TfTensor x = unwrap(t);
        TfTensor idx = unwrap(indices);
        if (idx.dtype().isFloating() || idx.dtype() == DType.BOOL) {
            throw new IllegalArgumentException("takeAlongAxis: indices must be integers, got " + idx.dtype());
        }
        int r = x.rank();
        if (idx.rank() != r) {
            throw new IllegalArgumentException("takeAlongAxis: indices " + idx.shape() + " must have the rank of "
                    + x.shape());
        }
        int a = x.shape().normalizeAxis(axis);
        return wrap(takeAlongOut(logical(x), castOut(logical(idx), DType.INT64), a, r));
    }

    /**
     * {@code torch.gather} as one flat {@code GatherV2}: the flat index of {@code out[p]} is
     * {@code sum_d coord_d * stride_d} where {@code coord_axis = indices[p]} and the other coordinates are
     * {@code p}'s own, so the index tensor may be smaller than {@code t} off the axis, as in PyTorch.
     */
    private Output<?> takeAlongOut(Output<?> values, Output<?> index, int a, int r) {
        if (r == 1) {
            return gatherOut(values, index, 0);
        }
        Output<?> valueShape = shapeOut(values);
        Output<?> indexShape = shapeOut(index);
        Output<?> flat = null;
        Output<?> stride = null;
        for (int d = r - 1; d >= 0; d--) {
            Output<?> coord;
            if (d == a) {
                coord = index;
            } else {
                Output<?> n = gatherOut(indexShape, scalarOut(d, DType.INT64), 0);
                coord = op("Range", scalarOut(0, DType.INT64), n, scalarOut(1, DType.INT64));
                long[] shape = new long[r];
                Arrays.fill(shape, 1);
                shape[d] = -1;
                coord = op("Reshape", coord, constLongs(shape));
            }
            Output<?> term = stride == null ? coord : op("Mul", coord, stride);
            flat = flat == null ? term : op("AddV2", flat, term);
            Output<?> size = gatherOut(valueShape, scalarOut(d, DType.INT64), 0);
            stride = stride == null ? size : op("Mul", stride, size);
        }
        Output<?> flatValues = op("Reshape", values, constLongs(-1));
        return gatherOut(flatValues, flat, 0);
    }

    /** {@code base + ScatterNd(indices, updates)}: duplicates add up, as in {@code index_add}. */
    @Override
    public Tensor scatterAdd(Tensor base, Tensor indices, Tensor updates) {
        TfTensor b0 = unwrap(base);
        TfTensor i = unwrap(indices);
        TfTensor u = unwrap(updates);
        requireIndices("scatterAdd", i);
        checkSameDtype("scatterAdd", b0, u);
        if (i.rank() != 1 || u.rank() != b0.rank() || b0.rank() == 0) {
            throw new IllegalArgumentException("scatterAdd: need indices [K] and updates [K, ...] like base, got base "
                    + b0.shape() + ", indices " + i.shape() + ", updates " + u.shape());
        }
        for (int d = 0; d < b0.rank(); d++) {
            long p = d == 0 ? i.shape().get(0) : b0.shape().get(d);
            long q = u.shape().get(d);
            if (p != Shape.UNKNOWN && q != Shape.UNKNOWN && p != q) {
                throw new IllegalArgumentException("scatterAdd: updates " + u.shape() + " do not fit base "
                        + b0.shape() + " and indices " + i.shape());
            }
        }
        // NHWC updates (RoIAlign results) keep their layout: a logical base becomes NHWC (a Fill directly so)
        boolean physical = u.nhwc && b0.rank() == 4;
        Output<?> bv = !physical ? logical(b0) : b0.nhwc ? b0.out : nhwcFill(b0);
        Output<?> uv = physical ? u.out : logical(u);
        Output<?> idx = op("ExpandDims", castOut(i.out, DType.INT64), scalarInt(-1));
        Output<?> y = op("AddV2", bv, op("ScatterNd", idx, uv, shapeOut(bv)));
        return physical ? wrapNhwc(y) : wrap(y);
    }

    /** The NHWC value of a rank-4 logical tensor; a {@code Fill} is rebuilt with the permuted shape. */
    private Output<?> nhwcFill(TfTensor t) {
        GraphOperation op = (GraphOperation) t.out.op();
        if ("Fill".equals(op.type())) {
            // slices and a concat, which shape inference evaluates (it keeps the static dims, a gather would not)
            Output<?> s = op.input(0);
            return op("Fill", concatLongs(sliceOut(s, 0, 0, 1), sliceOut(s, 0, 2, 3), sliceOut(s, 0, 3, 4),
                    sliceOut(s, 0, 1, 2)), op.input(1));
        }
        return nhwc(t);
    }

    private static void requireIndices(String op, TfTensor i) {
        if (i.dtype().isFloating() || i.dtype() == DType.BOOL) {
            throw new IllegalArgumentException(op + ": indices must be integers, got " + i.dtype() + " " + i.shape());
        }
    }

    @Override
    public Tensor nonzero(Tensor t) {
        TfTensor x = unwrap(t);
        if (x.rank() == 0) {
            throw new IllegalArgumentException("nonzero: needs rank >= 1, got a scalar");
        }
        return wrap(op("Where", logical(x)));
    }

    @Override
    public Tensor booleanMask(Tensor t, Tensor mask) {
        TfTensor x = unwrap(t);
        TfTensor m = unwrap(mask);
        if (m.dtype() != DType.BOOL || m.rank() != 1 || x.rank() == 0) {
            throw new IllegalArgumentException("booleanMask: mask must be a rank-1 BOOL tensor over axis 0 of t, got "
                    + m.dtype() + " " + m.shape() + " for " + x.shape());
        }
        long n = x.shape().get(0);
        long k = m.shape().get(0);
        if (n != Shape.UNKNOWN && k != Shape.UNKNOWN && n != k) {
            throw new IllegalArgumentException("booleanMask: mask " + m.shape() + " does not match axis 0 of "
                    + x.shape());
        }
        Output<?> idx = op("Reshape", op("Where", m.out), constLongs(-1));
        return x.nhwc ? wrapNhwc(gatherOut(x.out, idx, 0)) : wrap(gatherOut(logical(x), idx, 0));
    }

    @Override
    public Tensor indicesWhere(Tensor mask) {
        TfTensor m = unwrap(mask);
        if (m.rank() != 1) {
            throw new IllegalArgumentException("indicesWhere: mask must have rank 1, got " + m.shape());
        }
        return wrap(op("Reshape", op("Where", m.out), constLongs(-1)));
    }

    // ================================================================== sorting and randomness

    /**
     * {@code TopKV2} (sorted; equal values in ascending index order) on a StopGradient of the input, with
     * {@code k = min(k, n)} at run time; the smallest are the largest of the negated keys, which keeps the
     * index order of ties. The values are gathered from the input so that gradients flow through them.
     */
    @Override
    public Sorted topK(Tensor t, long k, int axis, boolean largest) {
        TfTensor x = unwrap(t);
        if (k < 0) {
            throw new IllegalArgumentException("topK: k must be >= 0, got " + k);
        }
        return topKImpl("topK", x, Math.min(k, Integer.MAX_VALUE), axis, largest);
    }

    @Override
    public Sorted sort(Tensor t, int axis, boolean descending) {
        return topKImpl("sort", unwrap(t), Integer.MAX_VALUE, axis, descending);
    }

    private Sorted topKImpl(String name, TfTensor x, long k, int axis, boolean largest) {
        if (x.rank() == 0) {
            throw new IllegalArgumentException(name + ": needs rank >= 1, got a scalar");
        }
        int r = x.rank();
        int a = x.shape().normalizeAxis(axis);
        Output<?> v = logical(x);
        long[] perm = null;
        long[] inverse = null;
        if (a != r - 1) {
            perm = axisLastPermutation(r, a);
            inverse = inverse(perm);
            v = transpose(v, perm);
        }
        Output<?> key = op("StopGradient", v);
        DType dt = x.dtype();
        if (dt == DType.BOOL || dt == DType.UINT8) {
            key = castOut(key, DType.INT32);
        }
        if (!largest) {
            key = op("Neg", key);
        }
        Output<?> n = element(shapeOut32(key), r - 1);
        Output<?> kk = op("Minimum", scalarInt((int) k), n);
        GraphOperation top = TfTrace.build(b("TopKV2").addInput(key).addInput(kk).setAttr("sorted", true), "TopKV2");
        Output<?> idx = castOut(top.output(1), DType.INT64);
        Output<?> values = takeAlongOut(v, idx, r - 1, r);
        if (perm != null) {
            idx = transpose(idx, inverse);
            values = transpose(values, inverse);
        }
        return new Sorted(wrap(values), wrap(idx));
    }

    /**
     * {@code StatelessRandomUniform} (Philox) keyed by the seed and a fixed second word: float32 in
     * {@code [0, 1)}, a pure function of the seed and the shape.
     */
    @Override
    public Tensor randomUniform(Tensor shape, Tensor seed) {
        TfTensor s = unwrap(shape);
        TfTensor sd = unwrap(seed);
        if (s.rank() != 1 || s.dtype().isFloating() || s.dtype() == DType.BOOL) {
            throw new IllegalArgumentException("randomUniform: shape must be an integer [rank] tensor, got "
                    + s.dtype() + " " + s.shape());
        }
        if (sd.dtype().isFloating() || sd.dtype() == DType.BOOL || sd.rank() > 1) {
            throw new IllegalArgumentException("randomUniform: seed must be an integer scalar, got " + sd.dtype() + " "
                    + sd.shape());
        }
        Output<?> first = sliceOut(op("Reshape", castOut(sd.out, DType.INT64), constLongs(-1)), 0, 0, 1);
        Output<?> key = concatLongs(first, constLongs(0x6d61736b72636e6eL)); // "maskrcnn"
        return wrap(out(b("StatelessRandomUniform").addInput(castOut(s.out, DType.INT64)).addInput(key)
                .setAttr("dtype", TfTypes.dataType(DType.FLOAT32)), "StatelessRandomUniform"));
    }



    // ================================================================== detection primitives

    /**
     * RoIAlign as one sparse-dense product: the sampling matrix {@code A [K*P*Q, N*H*W]} (the four bilinear
     * weights of every sample point, computed in the features' dtype with torchvision's formulas, order of
     * operations and border rules) is built in the graph from the boxes, then
     * {@code SparseTensorDenseMatMul(A, F[N*H*W, C])} pools every box at once and the sums are divided by
     * the sample count. Adaptive sampling ({@code samplingRatio <= 0}) uses a grid of the largest per-box
     * size with the samples beyond each box's own grid dropped, and because such grids can be large (mask
     * targets sample full-resolution masks) it runs the separable form: rows, then columns, each a sparse
     * product with two weights per sample (see {@code separablePool}). The result is NHWC inside
     * ({@code [K, P, Q, C]}); the gradient with respect to the features is {@code A^T g} (a custom gradient,
     * see {@link TfGradients}); the boxes get none, as in torchvision.
     */
    @Override
    public Tensor roiAlign(Tensor features, Tensor rois, int outH, int outW, double spatialScale, int samplingRatio,
            boolean aligned) {
        TfTensor f = unwrap(features);
        TfTensor r = unwrap(rois);
        if (f.rank() != 4) {
            throw new IllegalArgumentException("roiAlign: features must be NCHW, got " + f.shape());
        }
        requireFloating("roiAlign", f);
        if (r.rank() != 2 || r.shape().get(1) != Shape.UNKNOWN && r.shape().get(1) != 5) {
            throw new IllegalArgumentException("roiAlign: rois must be [K, 5] (batch index, x1, y1, x2, y2), got "
                    + r.shape());
        }
        if (outH <= 0 || outW <= 0) {
            throw new IllegalArgumentException("roiAlign: output size must be positive, got " + outH + " x " + outW);
        }
        if (!(spatialScale > 0) || Double.isInfinite(spatialScale)) {
            throw new IllegalArgumentException("roiAlign: spatial scale must be positive, got " + spatialScale);
        }
        DType dt = f.dtype();
        DType idx = DType.INT64;
        Output<?> fv = nhwc(f); // [N, H, W, C]
        Output<?> fs = shapeOut(fv);
        Output<?> n = element(fs, 0);
        Output<?> h = element(fs, 1);
        Output<?> w = element(fs, 2);
        Output<?> hf = castOut(h, dt);
        Output<?> wf = castOut(w, dt);
        Output<?> rv = op("StopGradient", castOut(logical(r), dt));
        Output<?>[] col = split(rv, 1, 5);
        for (int i = 0; i < 5; i++) {
            col[i] = op("Reshape", col[i], constLongs(-1)); // [K]
        }
        Output<?> batch = op("Minimum", op("Maximum", castOut(col[0], idx), scalarOut(0, idx)),
                op("Sub", n, scalarOut(1, idx)));
        // torchvision evaluates in the features' type with spatial_scale cast to it
        double scale = dt == DType.FLOAT32 ? (float) spatialScale : spatialScale;
        Output<?> s = scalarOut(scale, dt);
        Output<?> offset = scalarOut(aligned ? 0.5 : 0, dt);
        Output<?> x1 = op("Sub", op("Mul", col[1], s), offset);
        Output<?> y1 = op("Sub", op("Mul", col[2], s), offset);
        Output<?> x2 = op("Sub", op("Mul", col[3], s), offset);
        Output<?> y2 = op("Sub", op("Mul", col[4], s), offset);
        Output<?> roiW = op("Sub", x2, x1);
        Output<?> roiH = op("Sub", y2, y1);
        if (!aligned) {
            roiW = op("Maximum", roiW, scalarOut(1, dt));
            roiH = op("Maximum", roiH, scalarOut(1, dt));
        }
        Output<?> binW = op("RealDiv", roiW, scalarOut(outW, dt));
        Output<?> binH = op("RealDiv", roiH, scalarOut(outH, dt));
        Output<?> gridH;
        Output<?> gridW;
        Output<?> maxGridH;
        Output<?> maxGridW;
        boolean adaptive = samplingRatio <= 0;
        if (!adaptive) {
            gridH = gridW = scalarOut(samplingRatio, dt);
            maxGridH = maxGridW = scalarOut(samplingRatio, idx);
        } else {
            // ceil(roi / pooled) per box (a negative size gets no samples)
            gridH = op("Maximum", op("Ceil", binH), scalarOut(0, dt));
            gridW = op("Maximum", op("Ceil", binW), scalarOut(0, dt));
            maxGridH = castOut(op("Maximum", out(b("Max").addInput(gridH).addInput(constInts(0))
                    .setAttr("keep_dims", false), "Max"), scalarOut(0, dt)), idx);
            maxGridW = castOut(op("Maximum", out(b("Max").addInput(gridW).addInput(constInts(0))
                    .setAttr("keep_dims", false), "Max"), scalarOut(0, dt)), idx);
        }
        Output<?> count = op("Maximum", op("Mul", gridH, gridW), scalarOut(1, dt));
        Axis ya = sampleAxis(y1, binH, gridH, maxGridH, outH, h, hf, dt, adaptive); // [K, P, G]
        Axis xa = sampleAxis(x1, binW, gridW, maxGridW, outW, w, wf, dt, adaptive); // [K, Q, G]
        Output<?> k = element(shapeOut(rv), 0);
        Output<?> channels = sliceOut(fs, 0, 3, 4);
        Output<?> pooled = adaptive ? separablePool(fv, channels, batch, k, n, h, w, ya, xa, outH, outW, dt)
                : densePool(fv, channels, batch, k, n, h, w, ya, xa, outH, outW, dt);
        pooled = op("RealDiv", pooled, op("StopGradient", op("Reshape", count, constLongs(-1, 1, 1, 1))));
        return wrapNhwc(pooled);
    }

    /**
     * Fixed sampling grids: one sparse matrix {@code [K*P*Q, N*H*W]} with the four bilinear weights of every
     * sample (zeros dropped) times the features {@code [N*H*W, C]}; returns {@code [K, P, Q, C]} sums.
     */
    private Output<?> densePool(Output<?> fv, Output<?> channels, Output<?> batch, Output<?> k, Output<?> n,
            Output<?> h, Output<?> w, Axis ya, Axis xa, int outH, int outW, DType dt) {
        DType idx = DType.INT64;
        // y parts to [K, P, 1, Gy, 1], x parts to [K, 1, Q, 1, Gx]
        java.util.function.UnaryOperator<Output<?>> yb = v -> op("ExpandDims", op("ExpandDims", v, scalarInt(2)),
                scalarInt(4));
        java.util.function.UnaryOperator<Output<?>> xb = v -> op("ExpandDims", op("ExpandDims", v, scalarInt(1)),
                scalarInt(3));
        Output<?> hy = yb.apply(ya.high);
        Output<?> ly = yb.apply(ya.low);
        Output<?> hx = xb.apply(xa.high);
        Output<?> lx = xb.apply(xa.low);
        Output<?> valid = castOut(op("LogicalAnd", yb.apply(ya.valid), xb.apply(xa.valid)), dt);
        Output<?>[] weights = {op("Mul", op("Mul", hy, hx), valid), op("Mul", op("Mul", hy, lx), valid),
            op("Mul", op("Mul", ly, hx), valid), op("Mul", op("Mul", ly, lx), valid)};
        Output<?> values = out(b("Pack").addInputList(weights).setAttr("axis", 5), "Pack"); // [K, P, Q, Gy, Gx, 4]
        Output<?> base = op("Reshape", op("Mul", batch, h), constLongs(-1, 1, 1, 1, 1));
        Output<?> rowLow = op("Mul", op("AddV2", base, yb.apply(ya.lowIndex)), w);
        Output<?> rowHigh = op("Mul", op("AddV2", base, yb.apply(ya.highIndex)), w);
        Output<?> xl = xb.apply(xa.lowIndex);
        Output<?> xh = xb.apply(xa.highIndex);
        Output<?>[] cols = {op("AddV2", rowLow, xl), op("AddV2", rowLow, xh), op("AddV2", rowHigh, xl),
            op("AddV2", rowHigh, xh)};
        Output<?> column = out(b("Pack").addInputList(cols).setAttr("axis", 5), "Pack");
        long bins = (long) outH * outW;
        Output<?> rows = op("Reshape", op("Range", scalarOut(0, idx), op("Mul", k, scalarOut(bins, idx)),
                scalarOut(1, idx)), constLongs(-1, outH, outW, 1, 1, 1));
        Output<?> flat = op("Reshape", fv, concatLongs(constLongs(-1), channels));
        Output<?> pooled = sparseTimesDense(rows, column, values, shapeOut(values),
                op("Mul", k, scalarOut(bins, idx)), op("Mul", op("Mul", n, h), w), flat, dt);
        return op("Reshape", pooled, concatLongs(constLongs(-1, outH, outW), channels));
    }

    /**
     * Adaptive grids, which can be large (mask targets sample full-resolution masks): the sampling is
     * separable, so it runs as two sparse products, rows first ({@code [K*P, N*H]} times the features as
     * {@code [N*H, W*C]}) and then columns (block-diagonal {@code [K*Q, K*W]} times the result as
     * {@code [K*W, P*C]}); the matrices hold two weights per sample, the intermediate is {@code K*P*W*C}.
     */
    private Output<?> separablePool(Output<?> fv, Output<?> channels, Output<?> batch, Output<?> k, Output<?> n,
            Output<?> h, Output<?> w, Axis ya, Axis xa, int outH, int outW, DType dt) {
        DType idx = DType.INT64;
        // rows: entry (k*P + p, b_k*H + y) for each sample and neighbour, [K, P, Gy, 2]
        Output<?> vy = castOut(ya.valid, dt);
        Output<?> yValues = out(b("Pack").addInputList(new Output<?>[] {op("Mul", ya.high, vy), op("Mul", ya.low, vy)})
                .setAttr("axis", 3), "Pack");
        Output<?> base = op("Reshape", op("Mul", batch, h), constLongs(-1, 1, 1));
        Output<?> yCols = out(b("Pack").addInputList(new Output<?>[] {op("AddV2", base, ya.lowIndex),
            op("AddV2", base, ya.highIndex)}).setAttr("axis", 3), "Pack");
        Output<?> yRows = op("Reshape", op("Range", scalarOut(0, idx), op("Mul", k, scalarOut(outH, idx)),
                scalarOut(1, idx)), constLongs(-1, outH, 1, 1));
        Output<?> wc = op("Mul", w, element(shapeOut(fv), 3));
        Output<?> byRows = sparseTimesDense(yRows, yCols, yValues, shapeOut(yValues),
                op("Mul", k, scalarOut(outH, idx)), op("Mul", n, h), op("Reshape", fv, packScalars(op("Mul", n, h), wc)), dt);
        // [K*P, W*C] -> [K, P, W, C] -> [K, W, P, C] -> [K*W, P*C]
        Output<?> t = op("Reshape", byRows, concatLongs(constLongs(-1, outH), element1(w), channels));
        t = transpose(t, new long[] {0, 2, 1, 3});
        t = op("Reshape", t, concatLongs(constLongs(-1), op("Reshape", op("Mul", channels, scalarOut(outH, idx)),
                constLongs(1))));
        // columns: entry (k*Q + q, k*W + x), [K, Q, Gx, 2]
        Output<?> vx = castOut(xa.valid, dt);
        Output<?> xValues = out(b("Pack").addInputList(new Output<?>[] {op("Mul", xa.high, vx), op("Mul", xa.low, vx)})
                .setAttr("axis", 3), "Pack");
        Output<?> boxBase = op("Reshape", op("Mul", op("Range", scalarOut(0, idx), k, scalarOut(1, idx)), w),
                constLongs(-1, 1, 1));
        Output<?> xCols = out(b("Pack").addInputList(new Output<?>[] {op("AddV2", boxBase, xa.lowIndex),
            op("AddV2", boxBase, xa.highIndex)}).setAttr("axis", 3), "Pack");
        Output<?> xRows = op("Reshape", op("Range", scalarOut(0, idx), op("Mul", k, scalarOut(outW, idx)),
                scalarOut(1, idx)), constLongs(-1, outW, 1, 1));
        Output<?> byCols = sparseTimesDense(xRows, xCols, xValues, shapeOut(xValues),
                op("Mul", k, scalarOut(outW, idx)), op("Mul", k, w), t, dt);
        // [K*Q, P*C] -> [K, Q, P, C] -> [K, P, Q, C]
        Output<?> r = op("Reshape", byCols, concatLongs(constLongs(-1, outW, outH), channels));
        return transpose(r, new long[] {0, 2, 1, 3});
    }

    private Output<?> packScalars(Output<?>... scalars) {
        return out(b("Pack").addInputList(scalars).setAttr("axis", 0), "Pack");
    }

    private Output<?> element1(Output<?> scalar) {
        return op("Reshape", scalar, constLongs(1));
    }

    /**
     * {@code A x dense} for the sparse {@code A [rowCount, colCount]} given as broadcastable row indices, column
     * indices and values (zeros dropped); {@code A} is a constant of the boxes, behind StopGradient (the
     * features' shape feeds it, so it is reachable from them), and the dense side gets {@code A^T g}
     * ({@link TfGradients}).
     */
    private Output<?> sparseTimesDense(Output<?> rows, Output<?> cols, Output<?> values, Output<?> fullShape,
            Output<?> rowCount, Output<?> colCount, Output<?> dense, DType dt) {
        rows = op("Reshape", op("BroadcastTo", rows, fullShape), constLongs(-1));
        cols = op("Reshape", op("BroadcastTo", cols, fullShape), constLongs(-1));
        values = op("Reshape", values, constLongs(-1));
        Output<?> keep = op("Reshape", op("Where", op("NotEqual", values, scalarOut(0, dt))), constLongs(-1));
        rows = gatherOut(rows, keep, 0);
        cols = gatherOut(cols, keep, 0);
        values = gatherOut(values, keep, 0);
        Output<?> indices = out(b("Pack").addInputList(new Output<?>[] {rows, cols}).setAttr("axis", 1), "Pack");
        Output<?> shape = out(b("Pack").addInputList(new Output<?>[] {rowCount, colCount}).setAttr("axis", 0), "Pack");
        return out(b("SparseTensorDenseMatMul").addInput(op("StopGradient", indices))
                .addInput(op("StopGradient", values)).addInput(op("StopGradient", shape)).addInput(dense),
                "SparseTensorDenseMatMul");
    }

    /** Per-axis sampling of RoIAlign: weights, neighbour indices and validity, each {@code [K, bins, G]}. */
    private record Axis(Output<?> low, Output<?> high, Output<?> lowIndex, Output<?> highIndex, Output<?> valid) {
        // low: weight of the upper neighbour (torchvision's ly); high: weight of the lower one (hy)
    }

    private Axis sampleAxis(Output<?> start, Output<?> bin, Output<?> grid, Output<?> maxGrid, int bins,
            Output<?> size, Output<?> sizeF, DType dt, boolean adaptive) {
        DType idx = DType.INT64;
        Output<?> startK = op("Reshape", start, constLongs(-1, 1, 1));
        Output<?> binK = op("Reshape", bin, constLongs(-1, 1, 1));
        Output<?> p = op("Reshape", castOut(op("Range", scalarOut(0, idx), scalarOut(bins, idx), scalarOut(1, idx)),
                dt), constLongs(1, -1, 1));
        Output<?> i = castOut(op("Range", scalarOut(0, idx), maxGrid, scalarOut(1, idx)), dt);
        Output<?> half = op("Reshape", op("AddV2", i, scalarOut(0.5, dt)), constLongs(1, 1, -1));
        Output<?> gridK = adaptive ? op("Reshape", op("Maximum", grid, scalarOut(1, dt)), constLongs(-1, 1, 1)) : grid;
        // start + p * bin + ((i + 0.5) * bin) / grid, in torchvision's order
        Output<?> c = op("AddV2", op("AddV2", startK, op("Mul", p, binK)), op("RealDiv", op("Mul", half, binK), gridK));
        // zero outside [-1, size]; clamp to [0, size - 1]
        Output<?> valid = op("LogicalAnd", op("GreaterEqual", c, scalarOut(-1, dt)), op("LessEqual", c, sizeF));
        if (adaptive) {
            valid = op("LogicalAnd", valid, op("Less", half, op("Reshape", grid, constLongs(-1, 1, 1))));
        }
        Output<?> last = op("Sub", size, scalarOut(1, idx));
        Output<?> clamped = op("Minimum", op("Maximum", c, scalarOut(0, dt)), op("Sub", sizeF, scalarOut(1, dt)));
        Output<?> lowIndex = op("Minimum", op("Maximum", castOut(clamped, idx), scalarOut(0, idx)), last);
        Output<?> highIndex = op("Minimum", op("AddV2", lowIndex, scalarOut(1, idx)), last);
        Output<?> l = op("Sub", clamped, castOut(lowIndex, dt));
        Output<?> hl = op("Sub", scalarOut(1, dt), l);
        return new Axis(l, hl, lowIndex, highIndex, valid);
    }

    /**
     * {@code NonMaxSuppressionV5}, which matches torchvision exactly: it suppresses iff the float32 IoU is
     * greater than the threshold, visits equal scores in ascending index order and gives zero-area boxes IoU 0.
     * The threshold is the largest float32 not above the double, so {@code iou > t} in float32 equals
     * torchvision's float-versus-double comparison. Boxes and scores are evaluated in float32.
     */
    @Override
    public Tensor nms(Tensor boxes, Tensor scores, double iouThreshold) {
        TfTensor b = unwrap(boxes);
        TfTensor s = unwrap(scores);
        checkBoxes("nms", b, s);
        Output<?> keep = nmsOut(logical(b), logical(s), iouThreshold, Long.MAX_VALUE);
        trace.nmsResults.put(keep, new NmsSpec(logical(b), logical(s), iouThreshold));
        return wrap(keep);
    }

    /** The inputs of an NMS result, so that {@code slice(keep, 0, 0, k)} can become an NMS that stops at k. */
    record NmsSpec(Output<?> boxes, Output<?> scores, double threshold) {
    }

    private static void checkBoxes(String op, TfTensor boxes, TfTensor scores) {
        if (boxes.rank() != 2 || boxes.shape().get(1) != Shape.UNKNOWN && boxes.shape().get(1) != 4) {
            throw new IllegalArgumentException(op + ": boxes must be [N, 4], got " + boxes.shape());
        }
        long n = boxes.shape().get(0);
        long m = scores.rank() == 1 ? scores.shape().get(0) : Shape.UNKNOWN;
        if (scores.rank() != 1 || n != Shape.UNKNOWN && m != Shape.UNKNOWN && n != m) {
            throw new IllegalArgumentException(op + ": scores must be [N] for boxes [N, 4], got boxes "
                    + boxes.shape() + " and scores " + scores.shape());
        }
        if (!boxes.dtype().isFloating() || !scores.dtype().isFloating()) {
            throw new IllegalArgumentException(op + ": boxes and scores must be floating, got " + boxes.dtype()
                    + " and " + scores.dtype());
        }
    }

    private Output<?> nmsOut(Output<?> boxes, Output<?> scores, double iouThreshold, long limit) {
        if (Double.isNaN(iouThreshold)) {
            throw new IllegalArgumentException("nms: iou threshold is NaN");
        }
        float t = (float) iouThreshold;
        if (t > iouThreshold) {
            t = Math.nextDown(t);
        }
        t = Math.max(0f, Math.min(1f, t));
        Output<?> b = castOut(op("StopGradient", boxes), DType.FLOAT32);
        Output<?> s = castOut(op("StopGradient", scores), DType.FLOAT32);
        Output<?> n = element(shapeOut32(s), 0);
        if (limit < Integer.MAX_VALUE) {
            n = op("Minimum", n, scalarInt((int) limit));
        }
        GraphOperation nms = TfTrace.build(b("NonMaxSuppressionV5").addInput(b).addInput(s).addInput(n)
                .addInput(scalarOut(t, DType.FLOAT32)).addInput(scalarOut(Double.NEGATIVE_INFINITY, DType.FLOAT32))
                .addInput(scalarOut(0, DType.FLOAT32)).setAttr("pad_to_max_output_size", false), "NonMaxSuppressionV5");
        return castOut(nms.output(0), DType.INT64);
    }

    @Override
    public Tensor batchedNms(Tensor boxes, Tensor scores, Tensor idxs, double iouThreshold) {
        TfTensor b = unwrap(boxes);
        TfTensor s = unwrap(scores);
        TfTensor i = unwrap(idxs);
        checkBoxes("batchedNms", b, s);
        requireIndices("batchedNms", i);
        long n = b.shape().get(0);
        long m = i.rank() == 1 ? i.shape().get(0) : Shape.UNKNOWN;
        if (i.rank() != 1 || n != Shape.UNKNOWN && m != Shape.UNKNOWN && n != m) {
            throw new IllegalArgumentException("batchedNms: idxs must be [N] for boxes [N, 4], got boxes " + b.shape()
                    + " and idxs " + i.shape());
        }
        return Ops.super.batchedNms(boxes, scores, idxs, iouThreshold);
    }

    // ================================================================== for the backend

    /** The graph value of an output tensor in logical layout. */
    Output<?> output(Tensor t) {
        Output<?> v = logical(unwrap(t));
        // TensorFlow refuses to fetch a tensor that is also fed: pass inputs through an Identity
        return "Placeholder".equals(v.op().type()) ? op("Identity", v) : v;
    }

    /** A {@code ZerosLike} of a graph value. */
    Output<?> zerosLike(Output<?> x) {
        return op("ZerosLike", x);
    }

    GraphOperation noOp(List<GraphOperation> controls) {
        GraphOperationBuilder b = b("NoOp");
        for (GraphOperation c : controls) {
            b.addControlInput(c);
        }
        return TfTrace.build(b, "NoOp");
    }

    /** Builds an op with explicit inputs, control inputs and a dtype attribute (variable updates). */
    GraphOperation update(String type, Output<?> handle, Output<?> value, GraphOperation after) {
        GraphOperationBuilder b = b(type).addInput(handle).addInput(value)
                .setAttr("dtype", value.dataType());
        if (after != null) {
            b.addControlInput(after);
        }
        return TfTrace.build(b, type);
    }

    /** {@code x} passed on by an Identity that runs only after {@code after}; {@code x} itself if that is null. */
    Output<?> after(Output<?> x, GraphOperation after) {
        if (after == null) {
            return x;
        }
        return out(b("Identity").addInput(x).addControlInput(after), "Identity");
    }

    Output<?> raw(String type, Output<?>... inputs) {
        return op(type, inputs);
    }

    Output<?> readVariable(Output<?> handle, DType dtype) {
        return out(b("ReadVariableOp").addInput(handle).setAttr("dtype", TfTypes.dataType(dtype)), "ReadVariableOp");
    }

    Output<?> cast(Output<?> x, DType dtype) {
        return castOut(x, dtype);
    }

    Output<?> placeholder(DType dtype, org.tensorflow.ndarray.Shape shape) {
        return out(b("Placeholder").setAttr("dtype", TfTypes.dataType(dtype)).setAttr("shape", shape), "Placeholder");
    }
}

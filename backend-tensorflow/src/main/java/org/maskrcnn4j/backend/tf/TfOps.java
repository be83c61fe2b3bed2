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
 */
public final class TfOps implements Ops {
    private static final long[] TO_NHWC = {0, 2, 3, 1};
    private static final long[] TO_NCHW = {0, 3, 1, 2};

    private final TfTrace trace;

    TfOps(TfTrace trace) {
        this.trace = trace;
    }

    // ================================================================== plumbing

    private static UnsupportedOperationException notYet(String op) {
        return new UnsupportedOperationException("tensorflow backend: " + op + " is not implemented yet");
    }

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
        GraphOperationBuilder b = b("StridedSlice").addInput(x.out).addInput(constLongs(begin))
                .addInput(constLongs(stop)).addInput(constLongs(strides))
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

    @Override
    public Tensor log2(Tensor t) {
        throw notYet("log2");
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
        return unary("Relu", t);
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
        if (groups != 1) {
            throw notYet("conv2d with groups > 1");
        }
        if (dilation[0] != 1 || dilation[1] != 1) {
            // Conv2D's registered C++ gradient ignores the dilations attribute, so a dilated Conv2D would
            // train with wrong gradients; this needs SpaceToBatchND or a custom gradient.
            throw notYet("conv2d with dilation > 1");
        }
        long inC = in.shape().get(1);
        long wC = w.shape().get(1);
        if (inC != Shape.UNKNOWN && wC != Shape.UNKNOWN && inC != wC) {
            throw new IllegalArgumentException("conv2d: input " + in.shape() + " has " + inC
                    + " channels but weight " + w.shape() + " expects " + wC + " (groups " + groups + ")");
        }
        long kh = w.shape().get(2);
        long kw = w.shape().get(3);
        Output<?> v = nhwc(in);
        String pad = "VALID";
        if (padding[0] != 0 || padding[1] != 0) {
            // TensorFlow's SAME equals PyTorch's symmetric padding only at stride 1 with p = (k - 1) / 2
            boolean same = stride[0] == 1 && stride[1] == 1 && kh != Shape.UNKNOWN && kw != Shape.UNKNOWN
                    && 2L * padding[0] == kh - 1 && 2L * padding[1] == kw - 1;
            if (same) {
                pad = "SAME";
            } else {
                // Conv2D's C++ gradient drops explicit_paddings, so pad explicitly and run VALID.
                Output<?> pads = paddings(0, 0, padding[0], padding[0], padding[1], padding[1], 0, 0);
                v = op("Pad", v, pads);
            }
        }
        Output<?> filter = trace.cache.get(w.out);
        if (filter == null) {
            filter = transpose(w.out, new long[] {2, 3, 1, 0}); // OIHW -> HWIO
            trace.cache.put(w.out, filter);
        }
        Output<?> y = out(b("Conv2D").addInput(v).addInput(filter)
                .setAttr("strides", new long[] {1, stride[0], stride[1], 1})
                .setAttr("padding", pad)
                .setAttr("data_format", "NHWC"), "Conv2D");
        if (bias != null) {
            TfTensor bb = unwrap(bias);
            checkSameDtype("conv2d", in, bb);
            y = op("BiasAdd", y, bb.out);
        }
        return wrapNhwc(y);
    }

    @Override
    public Tensor convTranspose2d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding) {
        throw notYet("convTranspose2d");
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

    @Override
    public Tensor groupNorm(Tensor x, int groups, Tensor weight, Tensor bias, double eps) {
        throw notYet("groupNorm");
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

    @Override
    public Tensor resizeNearestLike(Tensor x, Tensor like) {
        throw notYet("resizeNearestLike");
    }

    @Override
    public Tensor resizeBilinear(Tensor x, long outH, long outW) {
        throw notYet("resizeBilinear");
    }

    @Override
    public Tensor resizeBilinearByScale(Tensor x, double scaleH, double scaleW) {
        throw notYet("resizeBilinearByScale");
    }

    // ================================================================== activations and losses

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
        long[] perm = new long[r];
        long[] inverse = new long[r];
        for (int i = 0, j = 0; i < r; i++) {
            if (i != a) {
                perm[j++] = i;
            }
        }
        perm[r - 1] = a;
        for (int i = 0; i < r; i++) {
            inverse[(int) perm[i]] = i;
        }
        return new Object[] {transpose(v, perm), inverse, Boolean.FALSE};
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

    /**
     * {@code torch.gather} as one flat {@code GatherV2}: the flat index of {@code out[p]} is
     * {@code sum_d coord_d * stride_d} where {@code coord_axis = indices[p]} and the other coordinates are
     * {@code p}'s own, so the index tensor may be smaller than {@code t} off the axis, as in PyTorch.
     */
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
        Output<?> values = logical(x);
        Output<?> index = castOut(logical(idx), DType.INT64);
        Output<?> valueShape = out(b("Shape").addInput(values).setAttr("out_type", TfTypes.dataType(DType.INT64)),
                "Shape");
        Output<?> indexShape = out(b("Shape").addInput(index).setAttr("out_type", TfTypes.dataType(DType.INT64)),
                "Shape");
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
        return wrap(gatherOut(flatValues, flat, 0));
    }

    @Override
    public Tensor scatterAdd(Tensor base, Tensor indices, Tensor updates) {
        throw notYet("scatterAdd");
    }

    @Override
    public Tensor nonzero(Tensor t) {
        throw notYet("nonzero");
    }

    @Override
    public Tensor booleanMask(Tensor t, Tensor mask) {
        throw notYet("booleanMask");
    }

    // ================================================================== sorting and randomness

    @Override
    public Sorted topK(Tensor t, long k, int axis, boolean largest) {
        throw notYet("topK");
    }

    @Override
    public Sorted sort(Tensor t, int axis, boolean descending) {
        throw notYet("sort");
    }

    @Override
    public Tensor randomUniform(Tensor shape, Tensor seed) {
        throw notYet("randomUniform");
    }

    // ================================================================== detection primitives

    @Override
    public Tensor roiAlign(Tensor features, Tensor rois, int outH, int outW, double spatialScale, int samplingRatio,
            boolean aligned) {
        throw notYet("roiAlign");
    }

    @Override
    public Tensor nms(Tensor boxes, Tensor scores, double iouThreshold) {
        throw notYet("nms");
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

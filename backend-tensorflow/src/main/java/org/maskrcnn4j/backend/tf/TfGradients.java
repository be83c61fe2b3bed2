package org.maskrcnn4j.backend.tf;

import java.util.List;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.TensorFlow;
import org.tensorflow.op.Ops;
import org.tensorflow.op.Scope;

/**
 * Gradients this backend registers with TensorFlow for op types that have no C++ gradient, once per JVM,
 * before the first graph is built: {@code SparseTensorDenseMatMul} (RoIAlign's pooling product),
 * {@code ReluGrad} (the relu of {@link TfOps#relu}, whose gradient reads its output) and {@code Conv} (the
 * convolutions of differentiated traces, whose gradients bound their work buffers).
 */
final class TfGradients {
    private static volatile boolean registered;

    private TfGradients() {
    }

    static void ensureRegistered() {
        if (registered) {
            return;
        }
        synchronized (TfGradients.class) {
            if (!registered) {
                TensorFlow.registerCustomGradient("SparseTensorDenseMatMul", TfGradients::sparseDenseMatMul);
                for (String type : new String[] {"ReluGrad", "Conv"}) {
                    boolean added = TensorFlow.registerCustomGradient(type, type.equals("Conv")
                            ? TfGradients::conv : TfGradients::reluGrad);
                    if (!added) {
                        throw new IllegalStateException("TensorFlow has a gradient for " + type + " already");
                    }
                }
                registered = true;
            }
        }
    }

    /**
     * {@code y = A b} with {@code A} sparse ({@code indices [nnz, 2], values [nnz], shape [2]}): the gradient
     * of {@code b} is {@code A^T g} (with the adjoint attributes honoured), that of the values is
     * {@code sum_c g[row, c] * b[col, c]}; indices and shape get zeros (they are integers).
     */
    private static List<Operand<?>> sparseDenseMatMul(Ops tf, GraphOperation op, List<Output<?>> grads) {
        Scope scope = tf.scope();
        Output<?> indices = op.input(0);
        Output<?> values = op.input(1);
        Output<?> shape = op.input(2);
        Output<?> b = op.input(3);
        Output<?> g = grads.get(0);
        boolean adjointA = op.attributes().getAttrBool("adjoint_a");
        boolean adjointB = op.attributes().getAttrBool("adjoint_b");
        // d b = op(A)^T g, transposed back when b enters adjoint
        Output<?> db = scope.opBuilder("SparseTensorDenseMatMul", "SpMMGradB").addInput(indices).addInput(values)
                .addInput(shape).addInput(g).setAttr("adjoint_a", !adjointA).build().output(0);
        if (adjointB) {
            db = scope.opBuilder("Transpose", "SpMMGradT").addInput(db)
                    .addInput(tf.constant(new int[] {1, 0}).asOutput()).build().output(0);
        }
        Operand<?> dValues;
        if (!adjointA && !adjointB) {
            Output<?> rows = gather(tf, indices, tf.constant(0).asOutput(), 1);
            Output<?> cols = gather(tf, indices, tf.constant(1).asOutput(), 1);
            Output<?> gr = gather(tf, g, rows, 0);
            Output<?> bc = gather(tf, b, cols, 0);
            Output<?> prod = scope.opBuilder("Mul", "SpMMGradProd").addInput(gr).addInput(bc).build().output(0);
            Output<?> one = tf.constant(1).asOutput();
            dValues = scope.opBuilder("Sum", "SpMMGradValues").addInput(prod).addInput(one)
                    .setAttr("keep_dims", false).build().output(0);
        } else {
            dValues = tf.zerosLike(values);
        }
        return List.of(tf.zerosLike(indices), dValues, tf.zerosLike(shape), db);
    }

    /**
     * {@code ReluGrad(g, f) = g * (f > 0)}: the gradient of {@code g} is {@code ReluGrad(dy, f)}, that of
     * {@code f} zero (almost everywhere). {@link TfOps#relu} writes a relu as {@code ReluGrad(StopGradient(
     * Relu(x)), x)}, whose value is {@code relu(x)} (zeros positive, NaN kept, as in torch); for that form the
     * gradient of {@code x} is relu's, {@code ReluGrad(dy, y)} read from the output ({@code y > 0} exactly where
     * {@code x > 0}). Training then keeps the relu's output, which the next layer keeps anyway, and not its
     * input as well, as TensorFlow's own Relu gradient does.
     */
    private static List<Operand<?>> reluGrad(Ops tf, GraphOperation op, List<Output<?>> grads) {
        Output<?> g = op.input(0);
        Output<?> f = op.input(1);
        Output<?> dy = grads.get(0);
        if (isStopGradientOfReluOf(g, f)) {
            return List.of(tf.zerosLike(g), reluGradOp(tf, dy, op.output(0)));
        }
        return List.of(reluGradOp(tf, dy, f), tf.zerosLike(f));
    }

    private static Output<?> reluGradOp(Ops tf, Output<?> dy, Output<?> mask) {
        return tf.scope().opBuilder("ReluGrad", "ReluGradGrad").addInput(dy).addInput(mask).build().output(0);
    }

    private static boolean isStopGradientOfReluOf(Output<?> g, Output<?> x) {
        if (!"StopGradient".equals(g.op().type())) {
            return false;
        }
        Output<?> relu = ((GraphOperation) g.op()).input(0);
        if (!"Relu".equals(relu.op().type())) {
            return false;
        }
        Output<?> in = ((GraphOperation) relu.op()).input(0);
        return in.op().name().equals(x.op().name()) && in.index() == x.index();
    }

    /**
     * The most bytes the filter gradient of one {@code Conv} may give TensorFlow's Conv2DBackpropFilter at
     * once: that kernel builds the whole im2col matrix of its input (501 MB for a 3x3 256-channel convolution
     * on the 200x272 FPN level), so larger ones run in strips of output rows whose filter gradients are summed.
     * Not final so that tests can make strips of small convolutions.
     */
    static long filterGradientBytes = 64L << 20;

    /**
     * {@code Conv} (NHWC, one group, explicit padding, as {@link TfOps#conv2d} builds it in traces that are
     * differentiated): the input gradient, at stride 1 a convolution of {@code dy} with the flipped,
     * transposed filter (whose kernel needs no im2col buffer), else Conv2DBackpropInput; the filter gradient
     * from Conv2DBackpropFilter, in strips of output rows when the whole would pass
     * {@link #filterGradientBytes}.
     */
    private static List<Operand<?>> conv(Ops tf, GraphOperation op, List<Output<?>> grads) {
        Output<?> x = op.input(0);
        Output<?> f = op.input(1);
        Output<?> dy = grads.get(0);
        long[] strides = op.attributes().getAttrIntList("strides");
        long[] pads = op.attributes().getAttrIntList("explicit_paddings");
        long[] dilations = op.attributes().getAttrIntList("dilations");
        for (long d : dilations) {
            if (d != 1) {
                throw new IllegalArgumentException("Conv gradient: dilations " + java.util.Arrays.toString(dilations)
                        + " not supported (TfOps dilates the kernel instead)");
            }
        }
        Scope scope = tf.scope();
        // static shapes come from attributes TfOps sets: Output.shape() would wait for the graph's lock, which
        // the gradient builder holds while it calls this
        long[] xs = staticShape(op, INPUT_SHAPE);
        long[] fs = staticShape(op, FILTER_SHAPE);
        boolean known = xs != null && fs != null;
        long kh = known ? fs[0] : 0;
        long kw = known ? fs[1] : 0;
        Output<?> dx;
        long ph = kh - 1 - pads[2];
        long pw = kw - 1 - pads[4];
        if (known && strides[1] == 1 && strides[2] == 1 && ph >= 0 && kh - 1 - pads[3] >= 0
                && pw >= 0 && kw - 1 - pads[5] >= 0) {
            Output<?> flipped = scope.opBuilder("ReverseV2", "ConvGradFlip").addInput(f)
                    .addInput(tf.constant(new int[] {0, 1}).asOutput()).build().output(0);
            Output<?> swapped = scope.opBuilder("Transpose", "ConvGradSwap").addInput(flipped)
                    .addInput(tf.constant(new int[] {0, 1, 3, 2}).asOutput()).build().output(0);
            dx = scope.opBuilder("Conv2D", "ConvGradInput").addInput(dy).addInput(swapped)
                    .setAttr("strides", new long[] {1, 1, 1, 1}).setAttr("padding", "EXPLICIT")
                    .setAttr("explicit_paddings", new long[] {0, 0, ph, kh - 1 - pads[3], pw, kw - 1 - pads[5], 0, 0})
                    .build().output(0);
        } else {
            Output<?> inputSizes = scope.opBuilder("Shape", "ConvGradInputSizes").addInput(x)
                    .setAttr("out_type", org.tensorflow.proto.DataType.DT_INT32).build().output(0);
            dx = scope.opBuilder("Conv2DBackpropInput", "ConvGradInput").addInput(inputSizes).addInput(f).addInput(dy)
                    .setAttr("strides", strides).setAttr("padding", "EXPLICIT").setAttr("explicit_paddings", pads)
                    .build().output(0);
        }
        Output<?> filterSizes = scope.opBuilder("Shape", "ConvGradFilterSizes").addInput(f)
                .setAttr("out_type", org.tensorflow.proto.DataType.DT_INT32).build().output(0);
        long rows = known ? (xs[1] + pads[2] + pads[3] - kh) / strides[1] + 1 : 0;
        long cols = known ? (xs[2] + pads[4] + pads[5] - kw) / strides[2] + 1 : 0;
        long elementBytes = op.attributes().getAttrType("T") == org.tensorflow.proto.DataType.DT_DOUBLE ? 8 : 4;
        long rowBytes = known ? xs[0] * cols * kh * kw * xs[3] * elementBytes : 0;
        long stripRows = known ? Math.max(1, filterGradientBytes / Math.max(1, rowBytes)) : 0;
        if (!known || stripRows >= rows) {
            Output<?> df = scope.opBuilder("Conv2DBackpropFilter", "ConvGradFilter").addInput(x).addInput(filterSizes)
                    .addInput(dy).setAttr("strides", strides).setAttr("padding", "EXPLICIT")
                    .setAttr("explicit_paddings", pads).build().output(0);
            return List.of(dx, df);
        }
        long h = xs[1];
        long sh = strides[1];
        List<Output<?>> parts = new java.util.ArrayList<>();
        org.tensorflow.Operation previous = null;
        for (long r0 = 0; r0 < rows; r0 += stripRows) {
            long r1 = Math.min(rows, r0 + stripRows);
            long a = r0 * sh - pads[2]; // the strip's first input row, in unpadded coordinates
            long b = (r1 - 1) * sh + kh - pads[2]; // one past its last
            long top = Math.max(0, -a);
            long bottom = Math.max(0, b - h);
            // each strip's slices wait for the previous strip's product, so that the executor does not copy
            // out every strip at once
            Output<?> xStrip = rowSlice(tf, x, Math.max(a, 0), Math.min(b, h), previous);
            Output<?> dyStrip = rowSlice(tf, dy, r0, r1, previous);
            Output<?> part = scope.opBuilder("Conv2DBackpropFilter", "ConvGradFilterStrip").addInput(xStrip)
                    .addInput(filterSizes).addInput(dyStrip).setAttr("strides", strides).setAttr("padding", "EXPLICIT")
                    .setAttr("explicit_paddings", new long[] {0, 0, top, bottom, pads[4], pads[5], 0, 0})
                    .build().output(0);
            parts.add(part);
            previous = part.op();
        }
        Output<?> df = scope.opBuilder("AddN", "ConvGradFilter").addInputList(parts.toArray(new Output<?>[0]))
                .build().output(0);
        return List.of(dx, df);
    }

    /** Attribute of a {@code Conv} op built by TfOps: its input's static NHWC shape, where known. */
    static final String INPUT_SHAPE = "_maskrcnn4j_input_shape";
    /** Attribute of a {@code Conv} op built by TfOps: its filter's static HWIO shape, where known. */
    static final String FILTER_SHAPE = "_maskrcnn4j_filter_shape";

    private static long[] staticShape(GraphOperation op, String attr) {
        try {
            return op.attributes().getAttrIntList(attr);
        } catch (RuntimeException absent) {
            return null;
        }
    }

    /** Rows {@code [from, to)} (axis 1) of an NHWC value, taken after {@code after} has run (if not null). */
    private static Output<?> rowSlice(Ops tf, Output<?> v, long from, long to, org.tensorflow.Operation after) {
        org.tensorflow.OperationBuilder b = tf.scope().opBuilder("StridedSlice", "ConvGradRows");
        if (after != null) {
            b.addControlInput(after);
        }
        return b.addInput(v)
                .addInput(tf.constant(new long[] {0, from, 0, 0}).asOutput())
                .addInput(tf.constant(new long[] {0, to, 0, 0}).asOutput())
                .addInput(tf.constant(new long[] {1, 1, 1, 1}).asOutput())
                .setAttr("begin_mask", 0b1101).setAttr("end_mask", 0b1101).build().output(0);
    }

    private static Output<?> gather(Ops tf, Output<?> params, Output<?> idx, int axis) {
        return tf.scope().opBuilder("GatherV2", "SpMMGradGather").addInput(params).addInput(idx)
                .addInput(tf.constant(axis).asOutput()).build().output(0);
    }
}

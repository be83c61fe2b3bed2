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
 * before the first graph is built: {@code SparseTensorDenseMatMul} (RoIAlign's pooling product) and {@code ReluGrad} (the
 * relu of {@link TfOps#relu}, whose gradient reads its output).
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
                if (!TensorFlow.registerCustomGradient("ReluGrad", TfGradients::reluGrad)) {
                    throw new IllegalStateException("ReluGrad has a gradient already");
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

    private static Output<?> gather(Ops tf, Output<?> params, Output<?> idx, int axis) {
        return tf.scope().opBuilder("GatherV2", "SpMMGradGather").addInput(params).addInput(idx)
                .addInput(tf.constant(axis).asOutput()).build().output(0);
    }
}

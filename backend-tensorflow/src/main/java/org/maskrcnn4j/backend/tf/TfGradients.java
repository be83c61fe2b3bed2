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
 * before the first graph is built: {@code SparseTensorDenseMatMul} (RoIAlign's pooling product).
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

    private static Output<?> gather(Ops tf, Output<?> params, Output<?> idx, int axis) {
        return tf.scope().opBuilder("GatherV2", "SpMMGradGather").addInput(params).addInput(idx)
                .addInput(tf.constant(axis).asOutput()).build().output(0);
    }
}

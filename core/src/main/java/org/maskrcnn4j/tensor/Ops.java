package org.maskrcnn4j.tensor;

import java.util.List;

/**
 * The complete op set the model needs, inference and training. Model code is written against this
 * interface only: it never reads a tensor's values and never branches on them, so one implementation can
 * run eagerly (DJL) and another can trace the same calls into a graph (TensorFlow).
 *
 * <p>Conventions: tensors are NCHW float32 in model code; binary elementwise ops broadcast like NumPy;
 * negative axes count from the end; boxes are {@code [N, 4]} (x1, y1, x2, y2) in absolute pixels.
 * Abstract methods are the primitives a backend must implement; default methods are composites built
 * from primitives that a backend may override with a native op. Semantics follow PyTorch / torchvision
 * where both exist, and the javadoc says so where it matters for exact numbers.
 */
public interface Ops {

    // ------------------------------------------------------------------ parameters

    /**
     * The current value of a declared parameter (see {@link ParameterStore}) as a tensor of this
     * execution. Gradients of training steps flow into it when it is trainable.
     */
    Tensor parameter(String name);

    // ------------------------------------------------------------------ memory

    /**
     * Runs {@code block} and lets the backend release every tensor the block created except the ones it
     * returns, as soon as it returns. A memory hint, not a semantic: eager backends (DJL) would otherwise hold
     * every intermediate until the whole call ends, graph backends (TensorFlow) free them anyway and run the
     * block as is. Tensors made before the block may be used in it; tensors made in it must not be used after
     * it, except the returned ones. Gradients still flow through a released block.
     */
    default List<Tensor> released(java.util.function.Supplier<List<Tensor>> block) {
        return block.get();
    }

    /** {@link #released(java.util.function.Supplier)} for a block with one result. */
    default Tensor released1(java.util.function.Supplier<Tensor> block) {
        return released(() -> List.of(block.get())).get(0);
    }

    /**
     * Says that the caller will not use {@code t} again, so that an eager backend may free it now rather than
     * when the enclosing released block or the call ends (as Python frees a tensor when its last reference
     * goes). A memory hint for values that die inside a block, such as each residual block's input in a chain:
     * graph backends ignore it. Using {@code t} afterwards is an error; views of it made before stay valid.
     * An op may return its input itself (a cast to the same dtype), so discard only a tensor that no later
     * code reads under any name. Parameters are never freed.
     */
    default void discard(Tensor t) {
    }

    // ------------------------------------------------------------------ creation

    /** A tensor holding a copy of the host values. */
    Tensor constant(HostTensor value);

    /** A tensor of the given static shape filled with {@code value}. */
    Tensor full(Shape shape, double value, DType dtype);

    /** A tensor of the run-time shape {@code shape} (int64 {@code [rank]}) filled with {@code value}. */
    Tensor fill(Tensor shape, double value, DType dtype);

    /** {@code [start, start+step, ...)} below {@code end}, like {@code torch.arange}. */
    Tensor arange(long start, long end, long step, DType dtype);

    /** {@code [0, 1, ..., limit-1]} for a run-time int64 scalar {@code limit}. */
    Tensor range(Tensor limit, DType dtype);

    default Tensor scalar(double value, DType dtype) {
        return full(Shape.scalar(), value, dtype);
    }

    default Tensor zeros(Shape shape, DType dtype) {
        return full(shape, 0, dtype);
    }

    default Tensor fullLike(Tensor like, double value) {
        return like.shape().isKnown() ? full(like.shape(), value, like.dtype())
                : fill(shapeOf(like), value, like.dtype());
    }

    default Tensor zerosLike(Tensor like) {
        return fullLike(like, 0);
    }

    default Tensor onesLike(Tensor like) {
        return fullLike(like, 1);
    }

    default Tensor constant(float[] values, long... shape) {
        return constant(HostTensor.ofFloats(values, shape));
    }

    default Tensor constant(long[] values, long... shape) {
        return constant(HostTensor.ofLongs(values, shape));
    }

    // ------------------------------------------------------------------ shapes and layout

    /** The run-time shape as an int64 {@code [rank]} tensor. */
    Tensor shapeOf(Tensor t);

    /** Dimension {@code axis} of the run-time shape as an int64 scalar. */
    default Tensor size(Tensor t, int axis) {
        return reshape(slice(shapeOf(t), 0, t.shape().normalizeAxis(axis), t.shape().normalizeAxis(axis) + 1));
    }

    /** Reshape to a static shape; one dimension may be -1. */
    Tensor reshape(Tensor t, long... shape);

    /** Reshape to a run-time int64 {@code [rank]} shape; one entry may be -1. */
    Tensor reshape(Tensor t, Tensor shape);

    /** Permute axes, like {@code torch.permute}. */
    Tensor permute(Tensor t, int... axes);

    /** Insert a dimension of size 1 at {@code axis}. */
    Tensor unsqueeze(Tensor t, int axis);

    /** Remove the dimension {@code axis}, which must have size 1. */
    Tensor squeeze(Tensor t, int axis);

    /** Broadcast to a run-time int64 shape (NumPy rules). */
    Tensor broadcastTo(Tensor t, Tensor shape);

    /** Concatenate along an existing axis. */
    Tensor concat(List<Tensor> tensors, int axis);

    /** Stack along a new axis. */
    Tensor stack(List<Tensor> tensors, int axis);

    /**
     * Elements {@code start, start+step, ...} below {@code end} along {@code axis}, with Python slice
     * clamping: negative bounds count from the end, bounds past the size are clamped, so
     * {@code slice(t, 0, 0, 1000)} of a 600-row tensor returns all 600 rows.
     */
    Tensor slice(Tensor t, int axis, long start, long end, long step);

    default Tensor slice(Tensor t, int axis, long start, long end) {
        return slice(t, axis, start, end, 1);
    }

    /** Split into pieces of the given static sizes along {@code axis}. */
    default List<Tensor> split(Tensor t, long[] sizes, int axis) {
        Tensor[] out = new Tensor[sizes.length];
        long at = 0;
        for (int i = 0; i < sizes.length; i++) {
            out[i] = slice(t, axis, at, at + sizes[i]);
            at += sizes[i];
        }
        return List.of(out);
    }

    /**
     * Constant padding: {@code before[i]} and {@code after[i]} elements on axis {@code i} (one entry per
     * axis, zero for axes left alone).
     */
    Tensor pad(Tensor t, long[] before, long[] after, double value);

    /** Constant padding by run-time amounts, {@code paddings} int64 {@code [rank, 2]} (before, after). */
    Tensor pad(Tensor t, Tensor paddings, double value);

    /** Convert to another dtype; float to integer truncates toward zero, like {@code tensor.to(int64)}. */
    Tensor cast(Tensor t, DType dtype);

    // ------------------------------------------------------------------ elementwise

    Tensor add(Tensor a, Tensor b);

    Tensor sub(Tensor a, Tensor b);

    Tensor mul(Tensor a, Tensor b);

    /** True division for floating types. */
    Tensor div(Tensor a, Tensor b);

    /** Floor division of integer tensors, like Python's {@code //} on non-negative values. */
    Tensor floorDiv(Tensor a, Tensor b);

    Tensor maximum(Tensor a, Tensor b);

    Tensor minimum(Tensor a, Tensor b);

    Tensor neg(Tensor t);

    Tensor abs(Tensor t);

    Tensor exp(Tensor t);

    /** Natural logarithm. */
    Tensor log(Tensor t);

    /** Base-2 logarithm, exact at powers of two. */
    Tensor log2(Tensor t);

    /** {@code log(1 + t)}, accurate for small t. */
    Tensor log1p(Tensor t);

    Tensor sqrt(Tensor t);

    Tensor floor(Tensor t);

    Tensor ceil(Tensor t);

    /** Round half to even, like {@code torch.round}. */
    Tensor round(Tensor t);

    Tensor sigmoid(Tensor t);

    Tensor relu(Tensor t);

    /** Clamp to {@code [min, max]}; use infinities for an open side. */
    Tensor clamp(Tensor t, double min, double max);

    default Tensor add(Tensor a, double b) {
        return add(a, scalar(b, a.dtype()));
    }

    default Tensor sub(Tensor a, double b) {
        return sub(a, scalar(b, a.dtype()));
    }

    default Tensor mul(Tensor a, double b) {
        return mul(a, scalar(b, a.dtype()));
    }

    default Tensor div(Tensor a, double b) {
        return div(a, scalar(b, a.dtype()));
    }

    default Tensor square(Tensor t) {
        return mul(t, t);
    }

    // ------------------------------------------------------------------ comparisons and selection

    /** Elementwise comparisons; results are {@link DType#BOOL}. */
    Tensor eq(Tensor a, Tensor b);

    Tensor ne(Tensor a, Tensor b);

    Tensor lt(Tensor a, Tensor b);

    Tensor le(Tensor a, Tensor b);

    Tensor gt(Tensor a, Tensor b);

    Tensor ge(Tensor a, Tensor b);

    Tensor logicalAnd(Tensor a, Tensor b);

    Tensor logicalOr(Tensor a, Tensor b);

    Tensor logicalNot(Tensor t);

    /** {@code cond ? a : b} elementwise, broadcasting all three. */
    Tensor where(Tensor cond, Tensor a, Tensor b);

    default Tensor gt(Tensor a, double b) {
        return gt(a, scalar(b, a.dtype()));
    }

    default Tensor ge(Tensor a, double b) {
        return ge(a, scalar(b, a.dtype()));
    }

    default Tensor lt(Tensor a, double b) {
        return lt(a, scalar(b, a.dtype()));
    }

    default Tensor eq(Tensor a, double b) {
        return eq(a, scalar(b, a.dtype()));
    }

    // ------------------------------------------------------------------ reductions

    /** Sum over {@code axes} (all axes when empty). */
    Tensor sum(Tensor t, int[] axes, boolean keepDims);

    /** Mean over {@code axes} (all axes when empty); the mean of zero elements is NaN. */
    Tensor mean(Tensor t, int[] axes, boolean keepDims);

    /** Maximum over {@code axes} (all axes when empty). */
    Tensor max(Tensor t, int[] axes, boolean keepDims);

    /** Minimum over {@code axes} (all axes when empty). */
    Tensor min(Tensor t, int[] axes, boolean keepDims);

    /** Index (int64) of the first maximum along {@code axis}. */
    Tensor argmax(Tensor t, int axis, boolean keepDims);

    default Tensor sum(Tensor t) {
        return sum(t, new int[0], false);
    }

    default Tensor mean(Tensor t) {
        return mean(t, new int[0], false);
    }

    // ------------------------------------------------------------------ linear algebra and layers

    /** Matrix product with batch broadcasting, like {@code torch.matmul}. */
    Tensor matmul(Tensor a, Tensor b);

    /**
     * 2-D convolution, NCHW input, weight {@code [out, in/groups, kh, kw]}, optional bias {@code [out]}
     * (null for none); stride, padding and dilation as {@code {h, w}}.
     */
    Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups);

    /**
     * Transposed 2-D convolution, weight {@code [in, out, kh, kw]} (PyTorch layout), optional bias,
     * stride and padding as {@code {h, w}}.
     */
    Tensor convTranspose2d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding);

    /** Inference-form batch norm over axis 1: {@code (x - mean) / sqrt(var + eps) * weight + bias}. */
    Tensor batchNorm(Tensor x, Tensor mean, Tensor var, Tensor weight, Tensor bias, double eps);

    /** Group norm over NCHW input with per-channel affine weight and bias. */
    Tensor groupNorm(Tensor x, int groups, Tensor weight, Tensor bias, double eps);

    /** Max pooling over NCHW, floor mode, implicit -inf padding. */
    Tensor maxPool2d(Tensor x, int[] kernel, int[] stride, int[] padding);

    /** {@code x @ weight^T + bias}, like {@code torch.nn.functional.linear}; bias may be null. */
    default Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        Tensor y = matmul(x, permute(weight, 1, 0));
        return bias == null ? y : add(y, bias);
    }

    /**
     * Nearest resize of NCHW to the spatial size of {@code like} ({@code [.., .., h, w]}), PyTorch's
     * {@code interpolate(mode="nearest")}: source index {@code floor(dst * in / out)}.
     */
    Tensor resizeNearestLike(Tensor x, Tensor like);

    /**
     * Bilinear resize of NCHW to {@code (outH, outW)} with {@code align_corners=False}, using the ratio
     * {@code in / out} (PyTorch with an explicit size or {@code recompute_scale_factor=True}):
     * {@code src = max((dst + 0.5) * in / out - 0.5, 0)}, no antialiasing.
     */
    Tensor resizeBilinear(Tensor x, long outH, long outW);

    /**
     * Bilinear resize of NCHW by scale factors with {@code align_corners=False} and
     * {@code recompute_scale_factor=False}: output {@code floor(in * scale)}, source ratio {@code 1/scale}.
     */
    Tensor resizeBilinearByScale(Tensor x, double scaleH, double scaleW);

    // ------------------------------------------------------------------ activations and losses

    Tensor softmax(Tensor t, int axis);

    Tensor logSoftmax(Tensor t, int axis);

    /** Identity forward, no gradient backward. */
    Tensor stopGradient(Tensor t);

    /** Elementwise stable {@code BCEWithLogits}: {@code max(x,0) - x*z + log1p(exp(-|x|))}. */
    default Tensor binaryCrossEntropyWithLogits(Tensor logits, Tensor targets) {
        return add(sub(relu(logits), mul(logits, targets)), log1p(exp(neg(abs(logits)))));
    }

    /** Elementwise smooth L1 of a difference, torchvision's form with {@code beta}. */
    default Tensor smoothL1(Tensor diff, double beta) {
        Tensor a = abs(diff);
        if (beta == 0) {
            return a;
        }
        return where(lt(a, beta), div(mul(square(a), 0.5), beta), sub(a, 0.5 * beta));
    }

    /** Per-row cross entropy of {@code logits [N, C]} and int64 {@code labels [N]}, result {@code [N]}. */
    default Tensor crossEntropy(Tensor logits, Tensor labels) {
        Tensor picked = takeAlongAxis(logSoftmax(logits, 1), unsqueeze(labels, 1), 1);
        return neg(squeeze(picked, 1));
    }

    // ------------------------------------------------------------------ indexing

    /**
     * Select along {@code axis} by int64 indices of any rank, like {@code numpy.take}: the result shape
     * is {@code t.shape[:axis] + indices.shape + t.shape[axis+1:]}.
     */
    Tensor gather(Tensor t, Tensor indices, int axis);

    /** {@code torch.gather}: {@code out[i][j] = t[i][indices[i][j]]} along {@code axis}. */
    Tensor takeAlongAxis(Tensor t, Tensor indices, int axis);

    /** {@code base.index_add(0, indices, updates)}: adds rows of {@code updates} at int64 {@code indices}. */
    Tensor scatterAdd(Tensor base, Tensor indices, Tensor updates);

    /** Indices (int64 {@code [N, rank]}) of the non-zero / true elements in row-major order. */
    Tensor nonzero(Tensor t);

    /** Rows of {@code t} (along axis 0) where the rank-1 bool {@code mask} is true. */
    Tensor booleanMask(Tensor t, Tensor mask);

    /** Positions (int64 {@code [N]}) where a rank-1 bool tensor is true, like {@code torch.where(m)[0]}. */
    default Tensor indicesWhere(Tensor mask) {
        return reshape(nonzero(mask), -1);
    }

    // ------------------------------------------------------------------ sorting and randomness

    /** Values and int64 indices of a top-k or sort. */
    record Sorted(Tensor values, Tensor indices) {
    }

    /**
     * The {@code k} largest (or smallest) along {@code axis}, sorted, ties by ascending index. If the
     * axis is shorter than {@code k}, all of it (so {@code k = min(k, n)} needs no host read).
     */
    Sorted topK(Tensor t, long k, int axis, boolean largest);

    /** Stable sort along {@code axis}: ties keep ascending index order. */
    Sorted sort(Tensor t, int axis, boolean descending);

    default Tensor argsort(Tensor t, int axis, boolean descending) {
        return sort(t, axis, descending).indices();
    }

    /**
     * Uniform float32 values in {@code [0, 1)} of the run-time shape {@code shape} (int64 {@code [rank]}),
     * a pure function of the int64 scalar {@code seed}, so a traced graph can be fed a new seed per step.
     */
    Tensor randomUniform(Tensor shape, Tensor seed);

    /** A random permutation of {@code [0, n)} for an int64 scalar {@code n}, a function of {@code seed}. */
    default Tensor randomPermutation(Tensor n, Tensor seed) {
        return argsort(randomUniform(reshape(n, 1), seed), 0, false);
    }

    // ------------------------------------------------------------------ detection primitives

    /**
     * RoIAlign exactly as {@code torchvision.ops.roi_align}: features NCHW, rois {@code [K, 5]} rows
     * (batch index, x1, y1, x2, y2) in input coordinates, result {@code [K, C, outH, outW]};
     * {@code samplingRatio <= 0} is adaptive ({@code ceil(roi / out)}), {@code aligned} shifts by half a
     * pixel. Differentiable with respect to the features.
     */
    Tensor roiAlign(Tensor features, Tensor rois, int outH, int outW, double spatialScale, int samplingRatio,
            boolean aligned);

    /**
     * Non-maximum suppression as {@code torchvision.ops.nms}: int64 indices of the kept boxes in
     * descending score order (ties by ascending index); a box is suppressed iff its IoU with a kept box
     * is greater than {@code iouThreshold}.
     */
    Tensor nms(Tensor boxes, Tensor scores, double iouThreshold);

    /**
     * NMS independently per category {@code idxs} (int64 {@code [N]}), result merged in descending score
     * order like {@code torchvision.ops.batched_nms}. The default offsets each category's boxes so that
     * categories never overlap (torchvision's coordinate trick).
     */
    default Tensor batchedNms(Tensor boxes, Tensor scores, Tensor idxs, double iouThreshold) {
        Tensor maxCoordinate = max(boxes, new int[0], false);
        Tensor offsets = mul(cast(idxs, boxes.dtype()), add(maxCoordinate, 1.0));
        return nms(add(boxes, unsqueeze(offsets, 1)), scores, iouThreshold);
    }
}

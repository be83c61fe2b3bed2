package org.maskrcnn4j.tensor;

import java.util.List;

/**
 * Wraps a backend's {@link Ops} with the shape and dtype checks every backend shares, done before the
 * backend is called, so that bad input fails the same way everywhere: with the op's name and the
 * offending shapes. Backends hand this wrapper, not their raw ops, to model code.
 */
public final class CheckedOps implements Ops {
    private final Ops delegate;

    public CheckedOps(Ops delegate) {
        this.delegate = delegate;
    }

    /** The wrapped backend ops. */
    public Ops delegate() {
        return delegate;
    }

    @Override
    public Tensor parameter(String name) {
        return delegate.parameter(name);
    }

    @Override
    public List<Tensor> released(java.util.function.Supplier<List<Tensor>> block) {
        return delegate.released(block);
    }

    @Override
    public void discard(Tensor t) {
        delegate.discard(t);
    }

    @Override
    public Tensor constant(HostTensor value) {
        return delegate.constant(value);
    }

    @Override
    public Tensor full(Shape shape, double value, DType dtype) {
        return delegate.full(shape, value, dtype);
    }

    @Override
    public Tensor fill(Tensor shape, double value, DType dtype) {
        return delegate.fill(shape, value, dtype);
    }

    @Override
    public Tensor arange(long start, long end, long step, DType dtype) {
        return delegate.arange(start, end, step, dtype);
    }

    @Override
    public Tensor range(Tensor limit, DType dtype) {
        return delegate.range(limit, dtype);
    }

    @Override
    public Tensor shapeOf(Tensor t) {
        return delegate.shapeOf(t);
    }

    @Override
    public Tensor reshape(Tensor t, long... shape) {
        OpChecks.reshape(t, shape);
        return delegate.reshape(t, shape);
    }

    @Override
    public Tensor reshape(Tensor t, Tensor shape) {
        return delegate.reshape(t, shape);
    }

    @Override
    public Tensor permute(Tensor t, int... axes) {
        OpChecks.permutation("permute", t, axes);
        return delegate.permute(t, axes);
    }

    @Override
    public Tensor unsqueeze(Tensor t, int axis) {
        return delegate.unsqueeze(t, axis);
    }

    @Override
    public Tensor squeeze(Tensor t, int axis) {
        return delegate.squeeze(t, axis);
    }

    @Override
    public Tensor broadcastTo(Tensor t, Tensor shape) {
        return delegate.broadcastTo(t, shape);
    }

    @Override
    public Tensor concat(List<Tensor> tensors, int axis) {
        OpChecks.sameRank("concat", tensors);
        return delegate.concat(tensors, axis);
    }

    @Override
    public Tensor stack(List<Tensor> tensors, int axis) {
        OpChecks.sameRank("stack", tensors);
        return delegate.stack(tensors, axis);
    }

    @Override
    public Tensor slice(Tensor t, int axis, long start, long end, long step) {
        return delegate.slice(t, axis, start, end, step);
    }

    @Override
    public Tensor pad(Tensor t, long[] before, long[] after, double value) {
        OpChecks.padding(t, before, after);
        return delegate.pad(t, before, after, value);
    }

    @Override
    public Tensor pad(Tensor t, Tensor paddings, double value) {
        return delegate.pad(t, paddings, value);
    }

    @Override
    public Tensor cast(Tensor t, DType dtype) {
        return delegate.cast(t, dtype);
    }

    @Override
    public Tensor add(Tensor a, Tensor b) {
        OpChecks.broadcast("add", a, b);
        return delegate.add(a, b);
    }

    @Override
    public Tensor sub(Tensor a, Tensor b) {
        OpChecks.broadcast("sub", a, b);
        return delegate.sub(a, b);
    }

    @Override
    public Tensor mul(Tensor a, Tensor b) {
        OpChecks.broadcast("mul", a, b);
        return delegate.mul(a, b);
    }

    @Override
    public Tensor div(Tensor a, Tensor b) {
        OpChecks.broadcast("div", a, b);
        return delegate.div(a, b);
    }

    @Override
    public Tensor floorDiv(Tensor a, Tensor b) {
        OpChecks.broadcast("floorDiv", a, b);
        return delegate.floorDiv(a, b);
    }

    @Override
    public Tensor maximum(Tensor a, Tensor b) {
        OpChecks.broadcast("maximum", a, b);
        return delegate.maximum(a, b);
    }

    @Override
    public Tensor minimum(Tensor a, Tensor b) {
        OpChecks.broadcast("minimum", a, b);
        return delegate.minimum(a, b);
    }

    @Override
    public Tensor neg(Tensor t) {
        return delegate.neg(t);
    }

    @Override
    public Tensor abs(Tensor t) {
        return delegate.abs(t);
    }

    @Override
    public Tensor exp(Tensor t) {
        return delegate.exp(t);
    }

    @Override
    public Tensor log(Tensor t) {
        return delegate.log(t);
    }

    @Override
    public Tensor log2(Tensor t) {
        return delegate.log2(t);
    }

    @Override
    public Tensor log1p(Tensor t) {
        return delegate.log1p(t);
    }

    @Override
    public Tensor sqrt(Tensor t) {
        return delegate.sqrt(t);
    }

    @Override
    public Tensor floor(Tensor t) {
        return delegate.floor(t);
    }

    @Override
    public Tensor ceil(Tensor t) {
        return delegate.ceil(t);
    }

    @Override
    public Tensor round(Tensor t) {
        return delegate.round(t);
    }

    @Override
    public Tensor sigmoid(Tensor t) {
        return delegate.sigmoid(t);
    }

    @Override
    public Tensor relu(Tensor t) {
        return delegate.relu(t);
    }

    @Override
    public Tensor clamp(Tensor t, double min, double max) {
        return delegate.clamp(t, min, max);
    }

    @Override
    public Tensor eq(Tensor a, Tensor b) {
        OpChecks.broadcast("eq", a, b);
        return delegate.eq(a, b);
    }

    @Override
    public Tensor ne(Tensor a, Tensor b) {
        OpChecks.broadcast("ne", a, b);
        return delegate.ne(a, b);
    }

    @Override
    public Tensor lt(Tensor a, Tensor b) {
        OpChecks.broadcast("lt", a, b);
        return delegate.lt(a, b);
    }

    @Override
    public Tensor le(Tensor a, Tensor b) {
        OpChecks.broadcast("le", a, b);
        return delegate.le(a, b);
    }

    @Override
    public Tensor gt(Tensor a, Tensor b) {
        OpChecks.broadcast("gt", a, b);
        return delegate.gt(a, b);
    }

    @Override
    public Tensor ge(Tensor a, Tensor b) {
        OpChecks.broadcast("ge", a, b);
        return delegate.ge(a, b);
    }

    @Override
    public Tensor logicalAnd(Tensor a, Tensor b) {
        OpChecks.broadcast("logicalAnd", a, b);
        return delegate.logicalAnd(a, b);
    }

    @Override
    public Tensor logicalOr(Tensor a, Tensor b) {
        OpChecks.broadcast("logicalOr", a, b);
        return delegate.logicalOr(a, b);
    }

    @Override
    public Tensor logicalNot(Tensor t) {
        return delegate.logicalNot(t);
    }

    @Override
    public Tensor where(Tensor cond, Tensor a, Tensor b) {
        OpChecks.bool("where", "cond", cond);
        return delegate.where(cond, a, b);
    }

    @Override
    public Tensor sum(Tensor t, int[] axes, boolean keepDims) {
        return delegate.sum(t, axes, keepDims);
    }

    @Override
    public Tensor mean(Tensor t, int[] axes, boolean keepDims) {
        return delegate.mean(t, axes, keepDims);
    }

    @Override
    public Tensor max(Tensor t, int[] axes, boolean keepDims) {
        return delegate.max(t, axes, keepDims);
    }

    @Override
    public Tensor min(Tensor t, int[] axes, boolean keepDims) {
        return delegate.min(t, axes, keepDims);
    }

    @Override
    public Tensor argmax(Tensor t, int axis, boolean keepDims) {
        return delegate.argmax(t, axis, keepDims);
    }

    @Override
    public Tensor matmul(Tensor a, Tensor b) {
        OpChecks.matmul(a, b);
        return delegate.matmul(a, b);
    }

    @Override
    public Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups) {
        OpChecks.rank("conv2d", "x", x, 4);
        OpChecks.rank("conv2d", "weight", weight, 4);
        OpChecks.sameDim("conv2d", "x channels / groups", x.shape().get(1) < 0 ? -1 : x.shape().get(1) / Math.max(groups, 1), "weight in-channels", weight.shape().get(1), x, weight);
        OpChecks.pairs("conv2d", stride, padding, dilation);
        return delegate.conv2d(x, weight, bias, stride, padding, dilation, groups);
    }

    @Override
    public Tensor convTranspose2d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding) {
        OpChecks.rank("convTranspose2d", "x", x, 4);
        OpChecks.rank("convTranspose2d", "weight", weight, 4);
        OpChecks.sameDim("convTranspose2d", "x channels", x.shape().get(1), "weight in-channels", weight.shape().get(0), x, weight);
        return delegate.convTranspose2d(x, weight, bias, stride, padding);
    }

    @Override
    public Tensor batchNorm(Tensor x, Tensor mean, Tensor var, Tensor weight, Tensor bias, double eps) {
        OpChecks.rank("batchNorm", "x", x, 4);
        return delegate.batchNorm(x, mean, var, weight, bias, eps);
    }

    @Override
    public Tensor groupNorm(Tensor x, int groups, Tensor weight, Tensor bias, double eps) {
        OpChecks.rank("groupNorm", "x", x, 4);
        return delegate.groupNorm(x, groups, weight, bias, eps);
    }

    @Override
    public Tensor maxPool2d(Tensor x, int[] kernel, int[] stride, int[] padding) {
        OpChecks.rank("maxPool2d", "x", x, 4);
        return delegate.maxPool2d(x, kernel, stride, padding);
    }

    @Override
    public Tensor resizeNearestLike(Tensor x, Tensor like) {
        OpChecks.rank("resizeNearestLike", "x", x, 4);
        return delegate.resizeNearestLike(x, like);
    }

    @Override
    public Tensor resizeBilinear(Tensor x, long outH, long outW) {
        OpChecks.rank("resizeBilinear", "x", x, 4);
        return delegate.resizeBilinear(x, outH, outW);
    }

    @Override
    public Tensor resizeBilinearByScale(Tensor x, double scaleH, double scaleW) {
        OpChecks.rank("resizeBilinearByScale", "x", x, 4);
        return delegate.resizeBilinearByScale(x, scaleH, scaleW);
    }

    @Override
    public Tensor softmax(Tensor t, int axis) {
        return delegate.softmax(t, axis);
    }

    @Override
    public Tensor logSoftmax(Tensor t, int axis) {
        return delegate.logSoftmax(t, axis);
    }

    @Override
    public Tensor stopGradient(Tensor t) {
        return delegate.stopGradient(t);
    }

    @Override
    public Tensor gather(Tensor t, Tensor indices, int axis) {
        OpChecks.integer("gather", "indices", indices);
        return delegate.gather(t, indices, axis);
    }

    @Override
    public Tensor takeAlongAxis(Tensor t, Tensor indices, int axis) {
        OpChecks.integer("takeAlongAxis", "indices", indices);
        return delegate.takeAlongAxis(t, indices, axis);
    }

    @Override
    public Tensor scatterAdd(Tensor base, Tensor indices, Tensor updates) {
        OpChecks.integer("scatterAdd", "indices", indices);
        return delegate.scatterAdd(base, indices, updates);
    }

    @Override
    public Tensor nonzero(Tensor t) {
        return delegate.nonzero(t);
    }

    @Override
    public Tensor booleanMask(Tensor t, Tensor mask) {
        OpChecks.bool("booleanMask", "mask", mask);
        return delegate.booleanMask(t, mask);
    }

    @Override
    public Sorted topK(Tensor t, long k, int axis, boolean largest) {
        return delegate.topK(t, k, axis, largest);
    }

    @Override
    public Sorted sort(Tensor t, int axis, boolean descending) {
        return delegate.sort(t, axis, descending);
    }

    @Override
    public Tensor randomUniform(Tensor shape, Tensor seed) {
        return delegate.randomUniform(shape, seed);
    }

    @Override
    public Tensor roiAlign(Tensor features, Tensor rois, int outH, int outW, double spatialScale, int samplingRatio, boolean aligned) {
        OpChecks.rank("roiAlign", "features", features, 4);
        OpChecks.rank("roiAlign", "rois", rois, 2);
        OpChecks.lastDim("roiAlign", "rois", rois, 5);
        OpChecks.floating("roiAlign", "features", features);
        OpChecks.positive("roiAlign", "output size", outH, outW);
        return delegate.roiAlign(features, rois, outH, outW, spatialScale, samplingRatio, aligned);
    }

    @Override
    public Tensor nms(Tensor boxes, Tensor scores, double iouThreshold) {
        OpChecks.boxes("nms", boxes);
        OpChecks.scores("nms", boxes, scores);
        return delegate.nms(boxes, scores, iouThreshold);
    }

    // composites a backend commonly overrides natively: forward them so the native version runs

    @Override
    public Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        OpChecks.rank("linear", "weight", weight, 2);
        OpChecks.sameDim("linear", "x last dim", x.shape().get(-1), "weight in-features", weight.shape().get(1), x, weight);
        return delegate.linear(x, weight, bias);
    }

    @Override
    public Tensor binaryCrossEntropyWithLogits(Tensor logits, Tensor targets) {
        OpChecks.broadcast("binaryCrossEntropyWithLogits", logits, targets);
        return delegate.binaryCrossEntropyWithLogits(logits, targets);
    }

    @Override
    public Tensor smoothL1(Tensor diff, double beta) {
        return delegate.smoothL1(diff, beta);
    }

    @Override
    public Tensor crossEntropy(Tensor logits, Tensor labels) {
        OpChecks.rank("crossEntropy", "logits", logits, 2);
        OpChecks.integer("crossEntropy", "labels", labels);
        return delegate.crossEntropy(logits, labels);
    }

    @Override
    public Tensor batchedNms(Tensor boxes, Tensor scores, Tensor idxs, double iouThreshold) {
        OpChecks.boxes("batchedNms", boxes);
        OpChecks.scores("batchedNms", boxes, scores);
        OpChecks.scores("batchedNms", boxes, idxs);
        return delegate.batchedNms(boxes, scores, idxs, iouThreshold);
    }

    @Override
    public Tensor randomPermutation(Tensor n, Tensor seed) {
        return delegate.randomPermutation(n, seed);
    }

    @Override
    public Tensor indicesWhere(Tensor mask) {
        return delegate.indicesWhere(mask);
    }

    @Override
    public Tensor size(Tensor t, int axis) {
        return delegate.size(t, axis);
    }
}

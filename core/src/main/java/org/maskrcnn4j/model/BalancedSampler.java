package org.maskrcnn4j.model;

import java.util.List;
import org.maskrcnn4j.tensor.DType;
import org.maskrcnn4j.tensor.Ops;
import org.maskrcnn4j.tensor.Tensor;

/**
 * Samples a fixed budget of positives and negatives per image, as torchvision's
 * {@code BalancedPositiveNegativeSampler}: at most {@code batchSize * positiveFraction} random positives,
 * then negatives up to {@code batchSize} in total. Written without host reads: random keys rank the
 * candidates and top-k picks the smallest.
 */
public final class BalancedSampler {
    private final int batchSize;
    private final double positiveFraction;

    public BalancedSampler(int batchSize, double positiveFraction) {
        this.batchSize = batchSize;
        this.positiveFraction = positiveFraction;
    }

    /** Bool masks {@code [N]} of the sampled positives and negatives. */
    public record Sample(Tensor positive, Tensor negative) {
        /** The sampled entries' positions, positives first, int64. */
        public Tensor indices(Ops ops) {
            return ops.concat(List.of(ops.indicesWhere(positive), ops.indicesWhere(negative)), 0);
        }
    }

    /**
     * Samples among {@code labels [N]} (>= 1 positive, 0 negative, < 0 ignored; any numeric dtype) with
     * random numbers drawn from the int64 scalar {@code seed}.
     */
    public Sample sample(Ops ops, Tensor labels, Tensor seed) {
        Tensor l = ops.cast(labels, DType.FLOAT32);
        Tensor isPos = ops.ge(l, 1);
        Tensor isNeg = ops.eq(l, 0);
        Tensor keys = ops.randomUniform(ops.shapeOf(l), seed);
        long maxPos = (long) (batchSize * positiveFraction);
        Tensor pos = pick(ops, isPos, keys, maxPos, null);
        Tensor numPos = ops.sum(ops.cast(pos, DType.INT64));
        Tensor neg = pick(ops, isNeg, keys, batchSize, ops.sub(ops.scalar(batchSize, DType.INT64), numPos));
        return new Sample(pos, neg);
    }

    /** Up to {@code k} candidates with the smallest keys (and at most {@code limit} of them, if given). */
    private static Tensor pick(Ops ops, Tensor candidate, Tensor keys, long k, Tensor limit) {
        Tensor masked = ops.where(candidate, keys, ops.scalar(2, DType.FLOAT32));
        Ops.Sorted smallest = ops.topK(masked, k, 0, false);
        Tensor valid = ops.lt(smallest.values(), 1.5);
        if (limit != null) {
            Tensor rank = ops.range(ops.size(smallest.values(), 0), DType.INT64);
            valid = ops.logicalAnd(valid, ops.lt(rank, limit));
        }
        Tensor ones = ops.cast(valid, DType.FLOAT32);
        Tensor chosen = ops.scatterAdd(ops.zerosLike(keys), smallest.indices(), ones);
        return ops.gt(chosen, 0.5);
    }
}

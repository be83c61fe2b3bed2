package org.maskrcnn4j.nn;

import org.maskrcnn4j.tensor.Ops;
import org.maskrcnn4j.tensor.Shape;
import org.maskrcnn4j.tensor.Tensor;

/**
 * {@code torch.nn.GroupNorm} over NCHW input: channels split into {@code groups} groups, each normalised
 * with its own mean and variance per sample, then scaled by {@code weight} (1) and shifted by {@code bias}
 * (0) per channel. It needs no batch statistics, so it trains from scratch with batches of one or two
 * images and behaves the same in training and inference.
 */
public final class GroupNorm extends Layer {
    private final int groups;
    private final int channels;
    private final double eps;
    private final Parameter weight;
    private final Parameter bias;

    public GroupNorm(String name, int groups, int channels, double eps) {
        super(name);
        if (groups <= 0 || channels <= 0 || channels % groups != 0 || !(eps >= 0)) {
            throw new IllegalArgumentException("GroupNorm " + name + ": channels (" + channels
                    + ") must be a positive multiple of groups (" + groups + ") and eps >= 0, got eps " + eps);
        }
        this.groups = groups;
        this.channels = channels;
        this.eps = eps;
        this.weight = parameter("weight", Shape.of(channels), Init.ones());
        this.bias = parameter("bias", Shape.of(channels), Init.zeros());
    }

    public GroupNorm(String name, int groups, int channels) {
        this(name, groups, channels, BatchNorm2d.DEFAULT_EPS);
    }

    @Override
    public Tensor forward(Ops ops, Tensor x) {
        return ops.groupNorm(x, groups, weight.value(ops), bias.value(ops), eps);
    }

    public int groups() {
        return groups;
    }

    public int channels() {
        return channels;
    }
}

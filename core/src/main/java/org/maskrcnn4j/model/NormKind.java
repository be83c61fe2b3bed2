package org.maskrcnn4j.model;

import java.util.function.Function;
import org.maskrcnn4j.nn.BatchNorm2d;
import org.maskrcnn4j.nn.FrozenBatchNorm2d;
import org.maskrcnn4j.nn.GroupNorm;
import org.maskrcnn4j.nn.Layer;

/**
 * The normalisation layer of the ResNet body. torchvision uses {@code nn.BatchNorm2d} (in eval form)
 * when no pretrained weights are given and {@code FrozenBatchNorm2d} otherwise; the state-dict keys
 * differ only by BatchNorm's {@code num_batches_tracked}. Both normalise with fixed statistics, so for
 * training from scratch there are {@code BATCH_NORM_TRAINING} (torch's training mode: batch statistics in
 * training steps, running statistics calibrated after training) and {@code GROUP_NORM}.
 */
public enum NormKind {
    /** {@code nn.BatchNorm2d} that always normalises with its running statistics (torchvision's eval mode). */
    BATCH_NORM,
    FROZEN_BATCH_NORM,
    /**
     * {@code nn.BatchNorm2d} normalising with batch statistics in training steps; its running statistics
     * are set from the batch statistics of calibration passes ({@code MaskRcnnModel.calibrateBatchNorm}).
     */
    BATCH_NORM_TRAINING,
    /** {@code nn.GroupNorm} with {@link #groupsFor(int)} groups. */
    GROUP_NORM;

    /** A factory for a norm layer of {@code channels} channels, given its full name. */
    public Function<String, Layer> of(int channels) {
        return switch (this) {
            case BATCH_NORM -> n -> new BatchNorm2d(n, channels);
            case FROZEN_BATCH_NORM -> n -> new FrozenBatchNorm2d(n, channels);
            case BATCH_NORM_TRAINING -> n -> new BatchNorm2d(n, channels, BatchNorm2d.DEFAULT_EPS, true);
            case GROUP_NORM -> n -> new GroupNorm(n, groupsFor(channels), channels);
        };
    }

    /**
     * Group count of {@code GROUP_NORM}: 32 (detectron2's default) when {@code channels} is a multiple of
     * 128, else groups of 4 channels (narrow layers), else one group.
     */
    public static int groupsFor(int channels) {
        if (channels % 128 == 0) {
            return 32;
        }
        return channels % 4 == 0 ? channels / 4 : 1;
    }
}

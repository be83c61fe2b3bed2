package org.maskrcnn4j.model;

import java.util.function.Function;
import org.maskrcnn4j.nn.BatchNorm2d;
import org.maskrcnn4j.nn.FrozenBatchNorm2d;
import org.maskrcnn4j.nn.Layer;

/**
 * The normalisation layer of the ResNet body. torchvision uses {@code nn.BatchNorm2d} (in eval form)
 * when no pretrained weights are given and {@code FrozenBatchNorm2d} otherwise; the state-dict keys
 * differ only by BatchNorm's {@code num_batches_tracked}.
 */
public enum NormKind {
    BATCH_NORM,
    FROZEN_BATCH_NORM;

    /** A factory for a norm layer of {@code channels} channels, given its full name. */
    public Function<String, Layer> of(int channels) {
        return this == BATCH_NORM ? n -> new BatchNorm2d(n, channels) : n -> new FrozenBatchNorm2d(n, channels);
    }
}

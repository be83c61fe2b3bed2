package org.maskrcnn4j.model;

import java.util.List;
import org.maskrcnn4j.tensor.Ops;
import org.maskrcnn4j.tensor.Tensor;

/**
 * Pools a fixed-size feature {@code [K, C, S, S]} for each box of each image (boxes of image 0 first),
 * e.g. multi-scale RoIAlign over an FPN.
 */
public interface RoIPooler {
    Tensor pool(Ops ops, FeatureMaps features, List<Tensor> boxesPerImage, long[][] imageSizes);

    /** The side {@code S} of the pooled features. */
    int outputSize();
}

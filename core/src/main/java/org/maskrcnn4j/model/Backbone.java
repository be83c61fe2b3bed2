package org.maskrcnn4j.model;

import java.util.List;
import org.maskrcnn4j.tensor.Ops;
import org.maskrcnn4j.tensor.Tensor;

/**
 * Images to feature maps: the normalised, padded batch {@code [B, 3, H, W]} in, named NCHW maps out,
 * finest first, all with {@link #outChannels()} channels (e.g. ResNet-FPN's {@code "0".."3", "pool"}).
 */
public interface Backbone extends HasParameters {
    /** The feature maps; {@code mode} tells batch norms whether to use batch statistics. */
    FeatureMaps forward(Ops ops, Tensor images, Mode mode);

    /** The feature maps in inference. */
    default FeatureMaps forward(Ops ops, Tensor images) {
        return forward(ops, images, Mode.inference());
    }

    /** Channels of every output map. */
    int outChannels();

    /** Names of the output maps, finest first. */
    List<String> featureNames();
}

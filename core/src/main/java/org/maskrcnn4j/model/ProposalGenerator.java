package org.maskrcnn4j.model;

import java.util.List;
import org.maskrcnn4j.tensor.Ops;
import org.maskrcnn4j.tensor.Tensor;

/**
 * Stage one: proposes object boxes from the feature maps (the Region Proposal Network). In training it
 * also returns its losses against {@code targets}; in inference {@code targets} is null.
 */
public interface ProposalGenerator extends HasParameters {
    Proposals forward(Ops ops, ImageList images, FeatureMaps features, List<Target> targets, Mode mode);

    /** The proposals' boxes without the losses, e.g. for inference callers. */
    default List<Tensor> propose(Ops ops, ImageList images, FeatureMaps features) {
        return forward(ops, images, features, null, Mode.inference()).boxes();
    }
}

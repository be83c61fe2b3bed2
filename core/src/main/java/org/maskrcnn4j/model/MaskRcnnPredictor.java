package org.maskrcnn4j.model;

import org.maskrcnn4j.nn.Conv2d;
import org.maskrcnn4j.nn.Init;
import org.maskrcnn4j.nn.ConvTranspose2d;
import org.maskrcnn4j.nn.Module;
import org.maskrcnn4j.tensor.Ops;
import org.maskrcnn4j.tensor.Tensor;

/**
 * torchvision's {@code MaskRCNNPredictor}: a 2x2 stride-2 transposed conv ({@code conv5_mask}) + ReLU
 * doubling the RoI size (14 to 28), then a 1x1 conv to one mask logit map per class
 * ({@code mask_fcn_logits}).
 */
public final class MaskRcnnPredictor extends Module implements MaskPredictor {
    private final ConvTranspose2d conv5;
    private final Conv2d logits;
    private final int numClasses;

    public MaskRcnnPredictor(String name, int inChannels, int hiddenChannels, int numClasses) {
        super(name);
        this.numClasses = numClasses;
        conv5 = register(new ConvTranspose2d(childName("conv5_mask"), inChannels, hiddenChannels, 2, 2, 0, true,
                Init.kaimingNormalFanOut(), Init.zeros()));
        logits = register(Conv2d.builder(childName("mask_fcn_logits"), hiddenChannels, numClasses, 1)
                .init(Init.kaimingNormalFanOut(), Init.zeros()).build());
    }

    @Override
    public Tensor forward(Ops ops, Tensor features) {
        Tensor hidden = ops.released1(() -> ops.relu(conv5.forward(ops, features)));
        Tensor out = logits.forward(ops, hidden);
        ops.discard(hidden);
        return out;
    }

    @Override
    public int numClasses() {
        return numClasses;
    }
}

package org.maskrcnn4j.model;

import java.util.List;
import java.util.function.Predicate;
import org.maskrcnn4j.nn.Module;
import org.maskrcnn4j.nn.Parameter;
import org.maskrcnn4j.tensor.Ops;
import org.maskrcnn4j.tensor.Tensor;

/**
 * torchvision's {@code resnet_fpn_backbone}: a {@link ResNet} body ({@code backbone.body}) whose four
 * stage outputs feed a {@link FeaturePyramidNetwork} ({@code backbone.fpn}) with 256 channels; output
 * maps {@code "0".."3"} (strides 4..32) and {@code "pool"} (stride 64).
 */
public final class ResNetFpnBackbone extends Module implements Backbone {
    private static final List<String> NAMES = List.of("0", "1", "2", "3", "pool");
    private final ResNet body;
    private final FeaturePyramidNetwork fpn;

    public ResNetFpnBackbone(String name, ResNet.Spec spec, NormKind norm, int outChannels) {
        super(name);
        body = register(new ResNet(childName("body"), spec, norm));
        fpn = register(new FeaturePyramidNetwork(childName("fpn"), body.stageChannels(), outChannels));
    }

    /** torchvision's Mask R-CNN backbone: named {@code backbone}, 256 FPN channels. */
    public ResNetFpnBackbone(ResNet.Spec spec, NormKind norm) {
        this("backbone", spec, norm, 256);
    }

    @Override
    public FeatureMaps forward(Ops ops, Tensor images, Mode mode) {
        List<Tensor> stages = body.forward(ops, images, mode);
        List<Tensor> levels = fpn.forward(ops, stages);
        stages.forEach(ops::discard);
        return new FeatureMaps(NAMES, levels);
    }

    @Override
    public int outChannels() {
        return fpn.outChannels();
    }

    @Override
    public List<String> featureNames() {
        return NAMES;
    }

    /** Parameters frozen by torchvision's {@code trainable_backbone_layers} (0..5). */
    public Predicate<Parameter> frozen(int trainableLayers) {
        return body.frozen(trainableLayers);
    }
}

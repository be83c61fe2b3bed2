package org.maskrcnn4j.model;

import java.util.function.Predicate;
import org.maskrcnn4j.nn.Parameter;

/**
 * Builds the default {@link MaskRcnn} from a {@link MaskRcnnConfig}, with torchvision's module names.
 * Each part is made by its own method, so a variant replaces one part and keeps the rest.
 */
public final class MaskRcnnFactory {
    private final MaskRcnnConfig config;

    public MaskRcnnFactory(MaskRcnnConfig config) {
        this.config = config;
    }

    public MaskRcnnConfig config() {
        return config;
    }

    public MaskRcnn build() {
        return new MaskRcnn(transform(), backbone(), proposalGenerator(), roiHeads(), DetectionLoss.sum());
    }

    public RcnnTransform transform() {
        return new RcnnTransform(config.minSize(), config.maxSize(), config.imageMean(), config.imageStd());
    }

    public ResNetFpnBackbone backbone() {
        return new ResNetFpnBackbone("backbone", config.body(), config.norm(), config.fpnChannels());
    }

    /** Parameters frozen by {@code trainableBackboneLayers}. */
    public Predicate<Parameter> frozen() {
        return ResNet.frozen("backbone.body", config.trainableBackboneLayers());
    }

    public AnchorGenerator anchorGenerator() {
        return new AnchorGenerator(config.anchorSizes(), config.aspectRatios());
    }

    public RegionProposalNetwork proposalGenerator() {
        return new RegionProposalNetwork("rpn", config.fpnChannels(), anchorGenerator(), config.rpn());
    }

    public BoxHead boxHead() {
        int pool = config.boxPoolSize();
        return new TwoMlpHead("roi_heads.box_head", config.fpnChannels() * pool * pool, config.representationSize());
    }

    public BoxPredictor boxPredictor() {
        return new FastRcnnPredictor("roi_heads.box_predictor", config.representationSize(), config.numClasses());
    }

    public MaskHead maskHead() {
        return new MaskRcnnHeads("roi_heads.mask_head", config.fpnChannels(), config.maskLayers(), 1);
    }

    public MaskPredictor maskPredictor() {
        int[] layers = config.maskLayers();
        int in = layers.length == 0 ? config.fpnChannels() : layers[layers.length - 1];
        return new MaskRcnnPredictor("roi_heads.mask_predictor", in, 256, config.numClasses());
    }

    public StandardRoIHeads roiHeads() {
        RoIPooler boxPooler = new MultiScaleRoIAlign(config.boxPoolSize(), config.samplingRatio());
        if (!config.masks()) {
            return new StandardRoIHeads(boxPooler, boxHead(), boxPredictor(), null, null, null, config.roiHeads());
        }
        return new StandardRoIHeads(boxPooler, boxHead(), boxPredictor(),
                new MultiScaleRoIAlign(config.maskPoolSize(), config.samplingRatio()), maskHead(), maskPredictor(),
                config.roiHeads());
    }
}

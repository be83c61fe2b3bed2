package org.maskrcnn4j.examples.guice;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import org.maskrcnn4j.model.Backbone;
import org.maskrcnn4j.model.BoxHead;
import org.maskrcnn4j.model.BoxPredictor;
import org.maskrcnn4j.model.DetectionLoss;
import org.maskrcnn4j.model.MaskHead;
import org.maskrcnn4j.model.MaskPredictor;
import org.maskrcnn4j.model.MaskRcnn;
import org.maskrcnn4j.model.MaskRcnnConfig;
import org.maskrcnn4j.model.MaskRcnnFactory;
import org.maskrcnn4j.model.MultiScaleRoIAlign;
import org.maskrcnn4j.model.ProposalGenerator;
import org.maskrcnn4j.model.RcnnTransform;
import org.maskrcnn4j.model.RoIHeads;
import org.maskrcnn4j.model.StandardRoIHeads;
import org.maskrcnn4j.tensor.Backend;
import org.maskrcnn4j.tensor.BackendConfig;
import org.maskrcnn4j.tensor.Backends;

/**
 * Binds every part of the default Mask R-CNN to its {@link MaskRcnnFactory} default. Swap one part with
 * {@code Modules.override(new MaskRcnnModule(config)).with(...)}: the rest stays as it is. The backend is
 * the one {@link Backends} selects (property, environment, priority) unless overridden.
 */
public class MaskRcnnModule extends AbstractModule {
    private final MaskRcnnConfig config;

    public MaskRcnnModule(MaskRcnnConfig config) {
        this.config = config;
    }

    @Provides
    @Singleton
    MaskRcnnConfig config() {
        return config;
    }

    @Provides
    @Singleton
    MaskRcnnFactory factory(MaskRcnnConfig c) {
        return new MaskRcnnFactory(c);
    }

    @Provides
    RcnnTransform transform(MaskRcnnFactory f) {
        return f.transform();
    }

    @Provides
    Backbone backbone(MaskRcnnFactory f) {
        return f.backbone();
    }

    @Provides
    ProposalGenerator proposalGenerator(MaskRcnnFactory f) {
        return f.proposalGenerator();
    }

    @Provides
    BoxHead boxHead(MaskRcnnFactory f) {
        return f.boxHead();
    }

    @Provides
    BoxPredictor boxPredictor(MaskRcnnFactory f) {
        return f.boxPredictor();
    }

    @Provides
    MaskHead maskHead(MaskRcnnFactory f) {
        return f.maskHead();
    }

    @Provides
    MaskPredictor maskPredictor(MaskRcnnFactory f) {
        return f.maskPredictor();
    }

    @Provides
    DetectionLoss detectionLoss() {
        return DetectionLoss.sum();
    }

    @Provides
    RoIHeads roiHeads(MaskRcnnConfig c, BoxHead boxHead, BoxPredictor boxPredictor, MaskHead maskHead,
            MaskPredictor maskPredictor) {
        return new StandardRoIHeads(new MultiScaleRoIAlign(c.boxPoolSize(), c.samplingRatio()), boxHead, boxPredictor,
                new MultiScaleRoIAlign(c.maskPoolSize(), c.samplingRatio()), maskHead, maskPredictor, c.roiHeads());
    }

    @Provides
    MaskRcnn maskRcnn(RcnnTransform transform, Backbone backbone, ProposalGenerator rpn, RoIHeads heads,
            DetectionLoss loss) {
        return new MaskRcnn(transform, backbone, rpn, heads, loss);
    }

    @Provides
    @Singleton
    BackendConfig backendConfig() {
        return BackendConfig.defaults();
    }

    @Provides
    @Singleton
    Backend backend(BackendConfig c) {
        return Backends.create(c);
    }
}

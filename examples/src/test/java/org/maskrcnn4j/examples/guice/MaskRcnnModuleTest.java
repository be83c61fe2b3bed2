package org.maskrcnn4j.examples.guice;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Provides;
import com.google.inject.util.Modules;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.maskrcnn4j.model.BoxPredictor;
import org.maskrcnn4j.model.FastRcnnPredictor;
import org.maskrcnn4j.model.MaskRcnn;
import org.maskrcnn4j.model.MaskRcnnConfig;
import org.maskrcnn4j.nn.Parameter;
import org.maskrcnn4j.tensor.Shape;

/** Overriding one binding changes that part of the model and nothing else. */
class MaskRcnnModuleTest {
    private static final MaskRcnnConfig SMALL = MaskRcnnConfig.builder().depth(18).numClasses(5).minSize(128).maxSize(160).build();

    private static Map<String, Shape> shapes(MaskRcnn model) {
        Map<String, Shape> m = new java.util.LinkedHashMap<>();
        for (Parameter p : model.parameters()) {
            m.put(p.name(), p.shape());
        }
        return m;
    }

    @Test
    void overridingTheBoxPredictorSwapsOnlyThePredictor() {
        MaskRcnn base = Guice.createInjector(new MaskRcnnModule(SMALL)).getInstance(MaskRcnn.class);
        MaskRcnn swapped = Guice.createInjector(Modules.override(new MaskRcnnModule(SMALL)).with(new AbstractModule() {
            @Provides
            BoxPredictor predictor() {
                return new FastRcnnPredictor("roi_heads.box_predictor", 1024, 11);
            }
        })).getInstance(MaskRcnn.class);
        Map<String, Shape> a = shapes(base);
        Map<String, Shape> b = shapes(swapped);
        assertThat(b.keySet()).containsExactlyElementsOf(a.keySet());
        List<String> changed = a.keySet().stream().filter(k -> !a.get(k).equals(b.get(k))).toList();
        assertThat(changed).containsExactlyInAnyOrder("roi_heads.box_predictor.cls_score.weight",
                "roi_heads.box_predictor.cls_score.bias", "roi_heads.box_predictor.bbox_pred.weight",
                "roi_heads.box_predictor.bbox_pred.bias");
        assertThat(b.get("roi_heads.box_predictor.cls_score.weight")).isEqualTo(Shape.of(11, 1024));
    }

    @Test
    void overridingTheConfigChangesTheBackboneDepth() {
        MaskRcnnConfig deeper = SMALL.toBuilder().depth(50).build();
        MaskRcnn model = Guice.createInjector(Modules.override(new MaskRcnnModule(SMALL)).with(new AbstractModule() {
            @Provides
            MaskRcnnConfig config() {
                return deeper;
            }
        })).getInstance(MaskRcnn.class);
        assertThat(shapes(model)).containsKey("backbone.body.layer1.0.conv3.weight");
        assertThat(shapes(Guice.createInjector(new MaskRcnnModule(SMALL)).getInstance(MaskRcnn.class)))
                .doesNotContainKey("backbone.body.layer1.0.conv3.weight");
    }
}

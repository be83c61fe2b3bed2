package org.maskrcnn4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import java.io.IOException;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.maskrcnn4j.model.MaskRcnnConfig;
import org.maskrcnn4j.model.NormKind;
import org.maskrcnn4j.model.RegionProposalNetwork;
import org.maskrcnn4j.model.ResNet;
import org.maskrcnn4j.model.StandardRoIHeads;

/** Records as JSON: a model configuration survives the round trip field by field; bad JSON names the field. */
class RecordJsonTest {
    /** A configuration that differs from the defaults almost everywhere. */
    static MaskRcnnConfig custom() {
        return MaskRcnnConfig.builder().body(ResNet.Spec.narrow(32, 1, 2, 2, 1)).norm(NormKind.GROUP_NORM).numClasses(5)
                .trainableBackboneLayers(3).fpnChannels(64).minSize(192).maxSize(256)
                .imageMean(0.1f, 0.2f, 0.30000001f).imageStd(0.7f, 0.8f, 1e-7f).anchorSizes(16, 32, 64, 128, 192.5)
                .aspectRatios(0.25, 1, 4).rpn(new RegionProposalNetwork.Settings(600, 300, 300, 100, 0.7, 0.7, 0.3, 128, 0.5, 0.01))
                .roiHeads(new StandardRoIHeads.Settings(0.6, 0.4, 128, 0.25, 0.05, 0.5, 30)).boxPoolSize(5)
                .maskPoolSize(7).samplingRatio(0).representationSize(256).maskLayers(64, 64).masks(false).build();
    }

    static String json(Object value) throws IOException {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(w)) {
            RecordJson.write(g, value);
        }
        return w.toString();
    }

    static <T> T parse(String json, Class<T> type) throws IOException {
        try (JsonParser p = new JsonFactory().createParser(json)) {
            p.nextToken();
            return RecordJson.read(p, type, "sidecar.json", "model_config");
        }
    }

    @Test
    void aConfigRoundTripsFieldByField() throws IOException {
        for (MaskRcnnConfig c : new MaskRcnnConfig[] {custom(), MaskRcnnConfig.torchvision()}) {
            MaskRcnnConfig back = parse(json(c), MaskRcnnConfig.class);
            assertThat(back).usingRecursiveComparison().isEqualTo(c);
            assertThat(back.imageStd()).containsExactly(c.imageStd());
            assertThat(back.body().blocks()).containsExactly(c.body().blocks());
            assertThat(RecordJson.flatten(back)).isEqualTo(RecordJson.flatten(c));
        }
        assertThat(RecordJson.flatten(custom())).isNotEqualTo(RecordJson.flatten(MaskRcnnConfig.torchvision()));
    }

    @Test
    void theJsonNamesEveryField() throws IOException {
        String json = json(custom());
        assertThat(json).contains("\"body\":{\"stem\":\"TWO_CONV3\",\"width\":32,\"blocks\":[1,2,2,1],\"bottleneck\":false}")
                .contains("\"norm\":\"GROUP_NORM\"").contains("\"nmsThreshold\":0.5");
        assertThat(RecordJson.flatten(custom())).containsEntry("body.blocks", "[1, 2, 2, 1]").containsEntry("fpnChannels", "64");
    }

    @Test
    void trainingSettingsAreWritten() throws IOException {
        Trainer.Settings s = new Trainer.Settings(10, 2, LearningRateSchedule.steps(0.02, 5, 0.001, new int[] {6, 8}, 0.1),
                0.9, 1e-4, 5, 7, Trainer.OptimizerKind.ADAMW, 1.5, 2);
        assertThat(json(Map.of("settings", s))).contains("\"milestones\":[6,8]").contains("\"optimizer\":\"ADAMW\"")
                .contains("\"accumulate\":2");
    }

    @Test
    void badValuesNameTheFieldAndWhatWasExpected() {
        assertThatThrownBy(() -> parse(json(custom()).replace("\"fpnChannels\":64", "\"fpnChannels\":\"wide\""), MaskRcnnConfig.class))
                .hasMessage("sidecar.json: model_config.fpnChannels: expected an integer, got 'wide'");
        assertThatThrownBy(() -> parse(json(custom()).replace("\"norm\":\"GROUP_NORM\"", "\"norm\":\"LAYER_NORM\""), MaskRcnnConfig.class))
                .hasMessage("sidecar.json: model_config.norm: expected one of [BATCH_NORM, FROZEN_BATCH_NORM, BATCH_NORM_TRAINING, GROUP_NORM], got 'LAYER_NORM'");
        assertThatThrownBy(() -> parse(json(custom()).replace("\"width\":32,", ""), MaskRcnnConfig.class))
                .hasMessage("sidecar.json: model_config.body: missing field 'width'");
        assertThatThrownBy(() -> parse(json(custom()).replace("\"masks\":false", "\"masks\":false,\"colour\":1"), MaskRcnnConfig.class))
                .hasMessageStartingWith("sidecar.json: model_config.colour: unknown field; expected one of [numClasses, body,");
        assertThatThrownBy(() -> parse(json(custom()).replace("\"numClasses\":5", "\"numClasses\":1"), MaskRcnnConfig.class))
                .hasMessageContaining("sidecar.json: model_config: numClasses counts the background too and must be >= 2, got 1");
        assertThatThrownBy(() -> parse(json(custom()).replace("\"blocks\":[1,2,2,1]", "\"blocks\":[1,2.5,2,1]"), MaskRcnnConfig.class))
                .hasMessage("sidecar.json: model_config.body.blocks[1]: expected an integer, got '2.5'");
    }
}

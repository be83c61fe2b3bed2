package org.maskrcnn4j.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.maskrcnn4j.io.SafetensorsFile;
import org.maskrcnn4j.tensor.DType;
import org.maskrcnn4j.tensor.Shape;
import org.maskrcnn4j.testing.Fixtures;

class ModuleNamingTest {

    private static List<String> names(Module m) {
        return m.parameters().stream().map(Parameter::name).toList();
    }

    @Test
    void bottleneckWithBatchNormHasTorchvisionKeysInOrder() {
        var block = new TestModules.Bottleneck("", 64, 64, 1, true, BatchNorm2d::new);
        assertThat(names(block)).containsExactly(
                "conv1.weight",
                "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked",
                "conv2.weight",
                "bn2.weight", "bn2.bias", "bn2.running_mean", "bn2.running_var", "bn2.num_batches_tracked",
                "conv3.weight",
                "bn3.weight", "bn3.bias", "bn3.running_mean", "bn3.running_var", "bn3.num_batches_tracked",
                "downsample.0.weight",
                "downsample.1.weight", "downsample.1.bias", "downsample.1.running_mean", "downsample.1.running_var",
                "downsample.1.num_batches_tracked");
        Map<String, Shape> shapes = block.shapes();
        assertThat(shapes.get("conv1.weight")).isEqualTo(Shape.of(64, 64, 1, 1));
        assertThat(shapes.get("conv2.weight")).isEqualTo(Shape.of(64, 64, 3, 3));
        assertThat(shapes.get("conv3.weight")).isEqualTo(Shape.of(256, 64, 1, 1));
        assertThat(shapes.get("downsample.0.weight")).isEqualTo(Shape.of(256, 64, 1, 1));
        assertThat(shapes.get("bn3.running_var")).isEqualTo(Shape.of(256));
        assertThat(shapes.get("bn1.num_batches_tracked")).isEqualTo(Shape.scalar());
    }

    @Test
    void bottleneckWithFrozenBatchNormUnderARootPrefix() {
        var block = new TestModules.Bottleneck("backbone.body.layer2.0", 256, 128, 2, true, FrozenBatchNorm2d::new);
        String p = "backbone.body.layer2.0.";
        assertThat(names(block)).containsExactly(
                p + "conv1.weight",
                p + "bn1.weight", p + "bn1.bias", p + "bn1.running_mean", p + "bn1.running_var",
                p + "conv2.weight",
                p + "bn2.weight", p + "bn2.bias", p + "bn2.running_mean", p + "bn2.running_var",
                p + "conv3.weight",
                p + "bn3.weight", p + "bn3.bias", p + "bn3.running_mean", p + "bn3.running_var",
                p + "downsample.0.weight",
                p + "downsample.1.weight", p + "downsample.1.bias", p + "downsample.1.running_mean",
                p + "downsample.1.running_var");
        for (Parameter param : block.parameters()) {
            assertThat(param.trainable()).as(param.name()).isEqualTo(param.name().endsWith("conv1.weight")
                    || param.name().endsWith("conv2.weight") || param.name().endsWith("conv3.weight")
                    || param.name().endsWith("downsample.0.weight"));
        }
        assertThat(block.children()).extracting(Module::name).containsExactly(p + "conv1", p + "bn1", p + "conv2",
                p + "bn2", p + "conv3", p + "bn3", p + "relu", p + "downsample");
    }

    @Test
    void resnetStemAndLayer1MatchTheTorchvisionStateDict() throws IOException {
        var body = new TestModules.ResNetStemAndLayer1("backbone.body", BatchNorm2d::new);
        List<String> expected = new ArrayList<>();
        for (String n : torchvisionStateDictNames()) {
            if (n.startsWith("backbone.body.conv1.") || n.startsWith("backbone.body.bn1.")
                    || n.startsWith("backbone.body.layer1.")) {
                expected.add(n);
            }
        }
        assertThat(expected).hasSize(6 + 3 * 18 + 6);
        assertThat(names(body)).containsExactlyElementsOf(expected);
    }

    @Test
    void maskBranchMatchesTorchvisionNamesAndShapes() throws IOException {
        var roiHeads = new TestModules.MaskBranch("roi_heads", 91);
        List<String> expected = new ArrayList<>();
        for (String n : torchvisionStateDictNames()) {
            if (n.startsWith("roi_heads.mask_")) {
                expected.add(n);
            }
        }
        assertThat(names(roiHeads)).containsExactlyElementsOf(expected);
        SafetensorsFile predictor = Fixtures.open("mask_predictor_state.safetensors");
        Map<String, Shape> fixtureShapes = new LinkedHashMap<>();
        for (String n : predictor.names()) {
            fixtureShapes.put(n, predictor.entry(n).shape());
        }
        Map<String, Shape> ours = new LinkedHashMap<>(roiHeads.shapes());
        ours.keySet().removeIf(k -> !k.startsWith("roi_heads.mask_predictor."));
        assertThat(ours).isEqualTo(fixtureShapes);
        assertThat(ours.get("roi_heads.mask_predictor.conv5_mask.weight")).isEqualTo(Shape.of(256, 256, 2, 2));
    }

    @Test
    void ownParametersComeBeforeBuffersThenChildren() {
        class Odd extends Module {
            Odd() {
                super("m");
                buffer("stat", Shape.of(2), DType.FLOAT32, Init.zeros());
                register(new Linear(childName("fc"), 2, 3));
                parameter("scale", Shape.of(2), Init.ones());
            }
        }
        assertThat(names(new Odd())).containsExactly("m.scale", "m.stat", "m.fc.weight", "m.fc.bias");
    }

    @Test
    void layersWithoutBiasOrParameters() {
        assertThat(names(Conv2d.builder("c", 4, 8, 3).bias(false).build())).containsExactly("c.weight");
        assertThat(names(new Linear("fc", 4, 8, false))).containsExactly("fc.weight");
        assertThat(names(new ConvTranspose2d("t", 4, 8, 2, 2, 0, false))).containsExactly("t.weight");
        assertThat(names(new ReLU("r"))).isEmpty();
        assertThat(names(new MaxPool2d("p", 3, 2, 1))).isEmpty();
        assertThat(Conv2d.builder("g", 8, 16, 3).groups(4).build().weight().shape()).isEqualTo(Shape.of(16, 2, 3, 3));
        assertThat(new ConvTranspose2d("t", 4, 8, 2, 2, 0, true).weight().shape()).isEqualTo(Shape.of(4, 8, 2, 2));
        assertThat(new Linear("fc", 4, 8).weight().shape()).isEqualTo(Shape.of(8, 4));
    }

    @Test
    void rejectsBadNamesAndDuplicates() {
        class Dup extends Module {
            Dup(boolean sameChild) {
                super("root");
                parameter("weight", Shape.of(1), Init.ones());
                if (sameChild) {
                    register(new ReLU(childName("weight")));
                } else {
                    parameter("weight", Shape.of(1), Init.ones());
                }
            }
        }
        assertThatThrownBy(() -> new Dup(true)).hasMessageContaining("already has a member named 'weight'");
        assertThatThrownBy(() -> new Dup(false)).hasMessageContaining("already has a member named 'weight'");
        class Stranger extends Module {
            Stranger() {
                super("a.b");
                register(new ReLU("a.relu"));
            }
        }
        assertThatThrownBy(Stranger::new).hasMessageContaining("'a.relu' is not named under module 'a.b'");
        assertThatThrownBy(() -> new Sequential("s", n -> new ReLU("other")))
                .hasMessageContaining("must be named 's.0', got 'other'");
        assertThatThrownBy(() -> new ReLU("a..b")).hasMessageContaining("invalid module name 'a..b'");
        assertThatThrownBy(() -> Conv2d.builder("c", 6, 8, 3).groups(4).build())
                .hasMessageContaining("groups must divide");
    }

    /** Keys of torchvision's maskrcnn_resnet50_fpn state_dict (plain BatchNorm2d backbone) in order. */
    private static List<String> torchvisionStateDictNames() throws IOException {
        String json = Fixtures.open("full_model.safetensors").metadata().get("state_dict_names");
        List<String> out = new ArrayList<>();
        try (JsonParser p = new JsonFactory().createParser(json)) {
            assertThat(p.nextToken()).isEqualTo(JsonToken.START_ARRAY);
            while (p.nextToken() == JsonToken.VALUE_STRING) {
                out.add(p.getText());
            }
        }
        return out;
    }
}

package org.maskrcnn4j.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.maskrcnn4j.nn.GroupNorm;
import org.maskrcnn4j.nn.Parameter;
import org.maskrcnn4j.tensor.Shape;

/** Custom ResNet bodies: names, shapes and frozen sets of the narrow two-conv-stem body with GroupNorm. */
class ResNetSpecTest {

    private static Map<String, Shape> shapes(ResNet body) {
        return body.parameters().stream().collect(Collectors.toMap(Parameter::name, Parameter::shape,
                (a, b) -> a, java.util.LinkedHashMap::new));
    }

    @Test
    void narrowBodyHasTheTwoConvStemAndTheGivenBlocksAndWidths() {
        ResNet body = new ResNet("body", ResNet.Spec.narrow(32, 1, 2, 2, 1), NormKind.GROUP_NORM);
        Map<String, Shape> s = shapes(body);
        assertThat(s).containsEntry("body.conv1.weight", Shape.of(16, 3, 3, 3))
                .containsEntry("body.bn1.weight", Shape.of(16))
                .containsEntry("body.conv2.weight", Shape.of(32, 16, 3, 3))
                .containsEntry("body.layer1.0.conv1.weight", Shape.of(32, 32, 3, 3))
                .containsEntry("body.layer2.1.conv2.weight", Shape.of(64, 64, 3, 3))
                .containsEntry("body.layer3.0.downsample.0.weight", Shape.of(128, 64, 1, 1))
                .containsEntry("body.layer4.0.conv1.weight", Shape.of(256, 128, 3, 3));
        assertThat(s).doesNotContainKeys("body.layer1.1.conv1.weight", "body.layer4.1.conv1.weight",
                "body.bn1.running_mean");
        assertThat(body.stageChannels()).containsExactly(32, 64, 128, 256);
    }

    @Test
    void groupNormLayersUseGroupsOfFourChannelsOrThirtyTwoGroups() {
        assertThat(NormKind.groupsFor(16)).isEqualTo(4);
        assertThat(NormKind.groupsFor(64)).isEqualTo(16);
        assertThat(NormKind.groupsFor(256)).isEqualTo(32);
        assertThat(NormKind.groupsFor(6)).isEqualTo(1);
        GroupNorm gn = (GroupNorm) NormKind.GROUP_NORM.of(128).apply("gn");
        assertThat(gn.groups()).isEqualTo(32);
        assertThat(gn.channels()).isEqualTo(128);
        assertThatThrownBy(() -> new GroupNorm("gn", 3, 16)).hasMessageContaining("gn").hasMessageContaining("multiple");
    }

    @Test
    void torchvisionDepthsKeepTheirStemAndBottlenecks() {
        ResNet r50 = new ResNet("body", ResNet.Spec.torchvision(50), NormKind.FROZEN_BATCH_NORM);
        assertThat(shapes(r50)).containsEntry("body.conv1.weight", Shape.of(64, 3, 7, 7))
                .containsEntry("body.layer1.0.conv3.weight", Shape.of(256, 64, 1, 1))
                .doesNotContainKey("body.conv2.weight");
        assertThat(r50.stageChannels()).containsExactly(256, 512, 1024, 2048);
        assertThatThrownBy(() -> ResNet.Spec.torchvision(20)).hasMessageContaining("20");
        assertThatThrownBy(() -> ResNet.Spec.narrow(32, 1, 0, 2, 1)).hasMessageContaining("[1, 0, 2, 1]");
    }

    @Test
    void freezingTheStemFreezesBothStemConvs() {
        ResNet body = new ResNet("body", ResNet.Spec.narrow(16, 1, 1, 1, 1), NormKind.GROUP_NORM);
        List<String> frozenAt4 = body.parameters().stream().filter(body.frozen(4)).map(Parameter::name).toList();
        assertThat(frozenAt4).containsExactlyInAnyOrder("body.conv1.weight", "body.bn1.weight", "body.bn1.bias",
                "body.conv2.weight", "body.bn2.weight", "body.bn2.bias");
        assertThat(body.parameters().stream().filter(body.frozen(5))).isEmpty();
        assertThat(ResNet.isNormParameter("backbone.body.bn2.weight")).isTrue();
        assertThat(ResNet.isNormParameter("backbone.body.conv2.weight")).isFalse();
    }

    @Test
    void configCarriesTheBody() {
        MaskRcnnConfig c = MaskRcnnConfig.builder().body(ResNet.Spec.narrow(32, 1, 2, 2, 1)).norm(NormKind.GROUP_NORM)
                .numClasses(5).build();
        assertThat(c.body()).isEqualTo(ResNet.Spec.narrow(32, 1, 2, 2, 1));
        assertThat(c.toBuilder().depth(18).build().body()).isEqualTo(ResNet.Spec.torchvision(18));
        MaskRcnn m = new MaskRcnnFactory(c).build();
        assertThat(m.parameters()).extracting(Parameter::name).contains("backbone.body.conv2.weight",
                "backbone.fpn.inner_blocks.3.0.weight");
    }
}

package org.maskrcnn4j.nn;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.maskrcnn4j.tensor.Ops;
import org.maskrcnn4j.tensor.Tensor;

/** torchvision-shaped modules built from the layers, used to check names and order. */
final class TestModules {
    private TestModules() {
    }

    /** Norm layer factory: (full name, channels) to layer. */
    interface Norm {
        Layer create(String name, int channels);
    }

    /** torchvision.models.resnet.Bottleneck (stride on the 3x3 conv, expansion 4). */
    static final class Bottleneck extends Layer {
        final Conv2d conv1;
        final Layer bn1;
        final Conv2d conv2;
        final Layer bn2;
        final Conv2d conv3;
        final Layer bn3;
        final ReLU relu;
        final Sequential downsample;

        Bottleneck(String name, int in, int width, int stride, boolean downsample, Norm norm) {
            super(name);
            int out = width * 4;
            conv1 = register(Conv2d.builder(childName("conv1"), in, width, 1).bias(false).build());
            bn1 = register(norm.create(childName("bn1"), width));
            conv2 = register(Conv2d.builder(childName("conv2"), width, width, 3).stride(stride).padding(1).bias(false)
                    .build());
            bn2 = register(norm.create(childName("bn2"), width));
            conv3 = register(Conv2d.builder(childName("conv3"), width, out, 1).bias(false).build());
            bn3 = register(norm.create(childName("bn3"), out));
            relu = register(new ReLU(childName("relu")));
            this.downsample = downsample ? register(new Sequential(childName("downsample"),
                    n -> Conv2d.builder(n, in, out, 1).stride(stride).bias(false).build(),
                    n -> norm.create(n, out))) : null;
        }

        @Override
        public Tensor forward(Ops ops, Tensor x) {
            Tensor y = relu.forward(ops, bn1.forward(ops, conv1.forward(ops, x)));
            y = relu.forward(ops, bn2.forward(ops, conv2.forward(ops, y)));
            y = bn3.forward(ops, conv3.forward(ops, y));
            Tensor identity = downsample == null ? x : downsample.forward(ops, x);
            return relu.forward(ops, ops.add(y, identity));
        }
    }

    /** The stem and layer1 of ResNet-50 under {@code name} (e.g. backbone.body). */
    static final class ResNetStemAndLayer1 extends Module {
        ResNetStemAndLayer1(String name, Norm norm) {
            super(name);
            register(Conv2d.builder(childName("conv1"), 3, 64, 7).stride(2).padding(3).bias(false).build());
            register(norm.create(childName("bn1"), 64));
            register(new ReLU(childName("relu")));
            register(new MaxPool2d(childName("maxpool"), 3, 2, 1));
            List<Function<String, Layer>> blocks = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                int in = i == 0 ? 64 : 256;
                boolean first = i == 0;
                blocks.add(n -> new Bottleneck(n, in, 64, 1, first, norm));
            }
            register(new Sequential(childName("layer1"), blocks));
        }
    }

    /** torchvision's MaskRCNNHeads (v1) and MaskRCNNPredictor under roi_heads. */
    static final class MaskBranch extends Module {
        MaskBranch(String name, int numClasses) {
            super(name);
            List<Function<String, Layer>> convs = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                convs.add(n -> new Sequential(n,
                        c -> Conv2d.builder(c, 256, 256, 3).padding(1).build(),
                        ReLU::new));
            }
            register(new Sequential(childName("mask_head"), convs));
            register(new Predictor(childName("mask_predictor"), numClasses));
        }
    }

    static final class Predictor extends Layer {
        final ConvTranspose2d conv5;
        final ReLU relu;
        final Conv2d logits;

        Predictor(String name, int numClasses) {
            super(name);
            conv5 = register(new ConvTranspose2d(childName("conv5_mask"), 256, 256, 2, 2, 0, true));
            relu = register(new ReLU(childName("relu")));
            logits = register(Conv2d.builder(childName("mask_fcn_logits"), 256, numClasses, 1).build());
        }

        @Override
        public Tensor forward(Ops ops, Tensor x) {
            return logits.forward(ops, relu.forward(ops, conv5.forward(ops, x)));
        }
    }
}

package org.maskrcnn4j.model;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.maskrcnn4j.nn.Conv2d;
import org.maskrcnn4j.nn.Layer;
import org.maskrcnn4j.nn.Module;
import org.maskrcnn4j.nn.Parameter;
import org.maskrcnn4j.nn.Sequential;
import org.maskrcnn4j.tensor.Ops;
import org.maskrcnn4j.tensor.Tensor;

/**
 * The ResNet body of torchvision ({@code resnet18/34/50/101}, v1.5: the stride sits on the 3x3 conv),
 * returning the outputs of {@code layer1..layer4} (strides 4, 8, 16, 32) with torchvision's names
 * ({@code conv1, bn1, layer1.0.conv1, ..., layer1.0.downsample.0/1}).
 */
public final class ResNet extends Module {
    /** Depth and block type of the supported variants. */
    public enum Depth {
        R18(false, 2, 2, 2, 2),
        R34(false, 3, 4, 6, 3),
        R50(true, 3, 4, 6, 3),
        R101(true, 3, 4, 23, 3);

        final boolean bottleneck;
        final int[] blocks;

        Depth(boolean bottleneck, int... blocks) {
            this.bottleneck = bottleneck;
            this.blocks = blocks;
        }

        /** The variant for 18, 34, 50 or 101 layers. */
        public static Depth of(int layers) {
            for (Depth d : values()) {
                if (d.name().equals("R" + layers)) {
                    return d;
                }
            }
            throw new IllegalArgumentException("unsupported ResNet depth " + layers + "; use 18, 34, 50 or 101");
        }

        int expansion() {
            return bottleneck ? 4 : 1;
        }
    }

    private final Conv2d conv1;
    private final Layer bn1;
    private final List<Sequential> stages = new ArrayList<>();
    private final int[] stageChannels = new int[4];

    public ResNet(String name, Depth depth, NormKind norm) {
        super(name);
        conv1 = register(Conv2d.builder(childName("conv1"), 3, 64, 7).stride(2).padding(3).bias(false).build());
        bn1 = register(norm.of(64).apply(childName("bn1")));
        int inplanes = 64;
        int[] planes = {64, 128, 256, 512};
        for (int s = 0; s < 4; s++) {
            int stride = s == 0 ? 1 : 2;
            int in = inplanes;
            int out = planes[s];
            List<java.util.function.Function<String, ? extends Layer>> blocks = new ArrayList<>();
            for (int b = 0; b < depth.blocks[s]; b++) {
                int blockIn = b == 0 ? in : out * depth.expansion();
                int blockStride = b == 0 ? stride : 1;
                blocks.add(n -> depth.bottleneck ? new Bottleneck(n, blockIn, out, blockStride, norm)
                        : new BasicBlock(n, blockIn, out, blockStride, norm));
            }
            stages.add(register(new Sequential(childName("layer" + (s + 1)), blocks)));
            inplanes = out * depth.expansion();
            stageChannels[s] = inplanes;
        }
    }

    /** Channels of the outputs of layer1..layer4. */
    public int[] stageChannels() {
        return stageChannels.clone();
    }

    /** Outputs of layer1..layer4 for an NCHW batch. */
    public List<Tensor> forward(Ops ops, Tensor x) {
        Tensor y = ops.relu(bn1.forward(ops, conv1.forward(ops, x)));
        y = ops.maxPool2d(y, new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1});
        List<Tensor> out = new ArrayList<>();
        for (Sequential stage : stages) {
            y = stage.forward(ops, y);
            out.add(y);
        }
        return out;
    }

    /**
     * torchvision's {@code trainable_layers}: parameters outside the last {@code trainable} of
     * (conv1+bn1, layer1, layer2, layer3, layer4) are frozen; 5 trains everything, 0 nothing.
     */
    public Predicate<Parameter> frozen(int trainable) {
        return frozen(name(), trainable);
    }

    /** {@link #frozen(int)} for a body named {@code bodyName}, without building one. */
    public static Predicate<Parameter> frozen(String bodyName, int trainable) {
        if (trainable < 0 || trainable > 5) {
            throw new IllegalArgumentException("trainable backbone layers must be in [0, 5], got " + trainable);
        }
        List<String> train = new ArrayList<>(List.of("layer4", "layer3", "layer2", "layer1", "conv1").subList(0, trainable));
        if (trainable == 5) {
            train.add("bn1");
        }
        String prefix = bodyName.isEmpty() ? "" : bodyName + ".";
        return p -> p.name().startsWith(prefix) && train.stream().noneMatch(t -> p.name().startsWith(prefix + t));
    }

    /**
     * Whether a state-dict name belongs to a normalisation layer of a ResNet body ({@code bn1},
     * {@code layerL.B.bnK}, {@code layerL.0.downsample.1}); detectron2 applies no weight decay to those.
     */
    public static boolean isNormParameter(String name) {
        return name.matches("(.*\\.)?(bn\\d|layer\\d+\\.\\d+\\.(bn\\d|downsample\\.1))\\.(weight|bias)");
    }

    /** The ResNet-50/101 block: 1x1 reduce, 3x3 (strided), 1x1 expand x4, residual. */
    static final class Bottleneck extends Layer {
        private final Conv2d conv1;
        private final Layer bn1;
        private final Conv2d conv2;
        private final Layer bn2;
        private final Conv2d conv3;
        private final Layer bn3;
        private final Sequential downsample;

        Bottleneck(String name, int in, int planes, int stride, NormKind norm) {
            super(name);
            int outC = planes * 4;
            conv1 = register(Conv2d.builder(childName("conv1"), in, planes, 1).bias(false).build());
            bn1 = register(norm.of(planes).apply(childName("bn1")));
            conv2 = register(Conv2d.builder(childName("conv2"), planes, planes, 3).stride(stride).padding(1).bias(false).build());
            bn2 = register(norm.of(planes).apply(childName("bn2")));
            conv3 = register(Conv2d.builder(childName("conv3"), planes, outC, 1).bias(false).build());
            bn3 = register(norm.of(outC).apply(childName("bn3")));
            downsample = stride != 1 || in != outC ? register(downsample(childName("downsample"), in, outC, stride, norm)) : null;
        }

        @Override
        public Tensor forward(Ops ops, Tensor x) {
            Tensor y = ops.relu(bn1.forward(ops, conv1.forward(ops, x)));
            y = ops.relu(bn2.forward(ops, conv2.forward(ops, y)));
            y = bn3.forward(ops, conv3.forward(ops, y));
            Tensor identity = downsample == null ? x : downsample.forward(ops, x);
            return ops.relu(ops.add(y, identity));
        }
    }

    /** The ResNet-18/34 block: two 3x3 convs, residual. */
    static final class BasicBlock extends Layer {
        private final Conv2d conv1;
        private final Layer bn1;
        private final Conv2d conv2;
        private final Layer bn2;
        private final Sequential downsample;

        BasicBlock(String name, int in, int planes, int stride, NormKind norm) {
            super(name);
            conv1 = register(Conv2d.builder(childName("conv1"), in, planes, 3).stride(stride).padding(1).bias(false).build());
            bn1 = register(norm.of(planes).apply(childName("bn1")));
            conv2 = register(Conv2d.builder(childName("conv2"), planes, planes, 3).padding(1).bias(false).build());
            bn2 = register(norm.of(planes).apply(childName("bn2")));
            downsample = stride != 1 || in != planes ? register(downsample(childName("downsample"), in, planes, stride, norm)) : null;
        }

        @Override
        public Tensor forward(Ops ops, Tensor x) {
            Tensor y = ops.relu(bn1.forward(ops, conv1.forward(ops, x)));
            y = bn2.forward(ops, conv2.forward(ops, y));
            Tensor identity = downsample == null ? x : downsample.forward(ops, x);
            return ops.relu(ops.add(y, identity));
        }
    }

    private static Sequential downsample(String name, int in, int out, int stride, NormKind norm) {
        return new Sequential(name, n -> Conv2d.builder(n, in, out, 1).stride(stride).bias(false).build(), norm.of(out));
    }
}

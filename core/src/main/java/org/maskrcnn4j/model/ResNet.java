package org.maskrcnn4j.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import org.maskrcnn4j.nn.BatchNorm2d;
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
 * ({@code conv1, bn1, layer1.0.conv1, ..., layer1.0.downsample.0/1}). A {@link Spec} also describes narrower
 * and shallower bodies for training from scratch on small data.
 */
public final class ResNet extends Module {
    /** How the body reduces the image by 4 before {@code layer1}. */
    public enum Stem {
        /** torchvision's: {@code conv1} 7x7 stride 2, {@code bn1}, ReLU, 3x3 max pool stride 2. */
        CONV7_MAXPOOL,
        /** Two 3x3 stride-2 convs ({@code conv1, bn1, conv2, bn2}, each followed by ReLU): cheaper at small widths. */
        TWO_CONV3
    }

    /**
     * The shape of a body: the stem, the width of {@code layer1} (doubled by each later stage), the number
     * of blocks in each of the four stages and the block type (bottleneck with expansion 4, or basic).
     */
    public record Spec(Stem stem, int width, int[] blocks, boolean bottleneck) {
        public Spec {
            if (stem == null || width < 1 || blocks == null || blocks.length != 4) {
                throw new IllegalArgumentException("a ResNet spec needs a stem, a width >= 1 and 4 block counts, got "
                        + stem + ", " + width + ", " + (blocks == null ? null : Arrays.toString(blocks)));
            }
            for (int n : blocks) {
                if (n < 1) {
                    throw new IllegalArgumentException("every ResNet stage needs at least one block, got "
                            + Arrays.toString(blocks));
                }
            }
            blocks = blocks.clone();
        }

        /** torchvision's {@code resnet18/34/50/101}. */
        public static Spec torchvision(int depth) {
            return switch (depth) {
                case 18 -> new Spec(Stem.CONV7_MAXPOOL, 64, new int[] {2, 2, 2, 2}, false);
                case 34 -> new Spec(Stem.CONV7_MAXPOOL, 64, new int[] {3, 4, 6, 3}, false);
                case 50 -> new Spec(Stem.CONV7_MAXPOOL, 64, new int[] {3, 4, 6, 3}, true);
                case 101 -> new Spec(Stem.CONV7_MAXPOOL, 64, new int[] {3, 4, 23, 3}, true);
                default -> throw new IllegalArgumentException("unsupported ResNet depth " + depth
                        + "; use 18, 34, 50 or 101, or a custom ResNet.Spec");
            };
        }

        /** A narrow body of basic blocks behind the two-conv stem, e.g. {@code narrow(32, 1, 2, 2, 1)}. */
        public static Spec narrow(int width, int... blocks) {
            return new Spec(Stem.TWO_CONV3, width, blocks, false);
        }

        @Override
        public int[] blocks() {
            return blocks.clone();
        }

        int expansion() {
            return bottleneck ? 4 : 1;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Spec s && s.stem == stem && s.width == width && Arrays.equals(s.blocks, blocks)
                    && s.bottleneck == bottleneck;
        }

        @Override
        public int hashCode() {
            return Objects.hash(stem, width, Arrays.hashCode(blocks), bottleneck);
        }

        @Override
        public String toString() {
            return (bottleneck ? "bottleneck" : "basic") + " ResNet, " + stem + " stem, width " + width + ", blocks "
                    + Arrays.toString(blocks);
        }
    }

    private final Spec spec;
    private final Conv2d conv1;
    private final Layer bn1;
    private final Conv2d conv2;
    private final Layer bn2;
    private final List<Sequential> stages = new ArrayList<>();
    private final int[] stageChannels = new int[4];

    public ResNet(String name, Spec spec, NormKind norm) {
        super(name);
        this.spec = spec;
        int w = spec.width();
        if (spec.stem() == Stem.CONV7_MAXPOOL) {
            conv1 = register(Conv2d.builder(childName("conv1"), 3, w, 7).stride(2).padding(3).bias(false).build());
            bn1 = register(norm.of(w).apply(childName("bn1")));
            conv2 = null;
            bn2 = null;
        } else {
            int half = Math.max(1, w / 2);
            conv1 = register(Conv2d.builder(childName("conv1"), 3, half, 3).stride(2).padding(1).bias(false).build());
            bn1 = register(norm.of(half).apply(childName("bn1")));
            conv2 = register(Conv2d.builder(childName("conv2"), half, w, 3).stride(2).padding(1).bias(false).build());
            bn2 = register(norm.of(w).apply(childName("bn2")));
        }
        int inplanes = w;
        for (int s = 0; s < 4; s++) {
            int stride = s == 0 ? 1 : 2;
            int in = inplanes;
            int out = w << s;
            List<java.util.function.Function<String, ? extends Layer>> blocks = new ArrayList<>();
            for (int b = 0; b < spec.blocks[s]; b++) {
                int blockIn = b == 0 ? in : out * spec.expansion();
                int blockStride = b == 0 ? stride : 1;
                blocks.add(n -> spec.bottleneck() ? new Bottleneck(n, blockIn, out, blockStride, norm)
                        : new BasicBlock(n, blockIn, out, blockStride, norm));
            }
            stages.add(register(new Sequential(childName("layer" + (s + 1)), blocks)));
            inplanes = out * spec.expansion();
            stageChannels[s] = inplanes;
        }
    }

    /** The body's shape. */
    public Spec spec() {
        return spec;
    }

    /** Channels of the outputs of layer1..layer4. */
    public int[] stageChannels() {
        return stageChannels.clone();
    }

    /**
     * Outputs of layer1..layer4 for an NCHW batch; {@code mode} decides whether batch norms that can use
     * batch statistics do ({@link Mode#batchStatistics()}).
     */
    public List<Tensor> forward(Ops ops, Tensor x, Mode mode) {
        Tensor y = released(ops, mode, () -> {
            Tensor s = ops.relu(convNorm(ops, conv1, bn1, x, mode));
            return conv2 == null ? ops.maxPool2d(s, new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1})
                    : ops.relu(convNorm(ops, conv2, bn2, s, mode));
        });
        List<Tensor> out = new ArrayList<>();
        for (Sequential stage : stages) {
            for (Layer block : stage.layers()) {
                Tensor next = ((Block) block).forward(ops, y, mode);
                if (!out.contains(y)) {
                    ops.discard(y); // the stem's or a previous block's output, used by this block only
                }
                y = next;
            }
            out.add(y);
        }
        return out;
    }

    /**
     * {@code norm(conv(x))}: with batch statistics when the mode asks for them and the norm is a batch norm
     * that uses them, else through {@link Conv2d#withNorm} (folded when the norm is a fixed affine map).
     */
    static Tensor convNorm(Ops ops, Conv2d conv, Layer norm, Tensor x, Mode mode) {
        if (mode.batchStatistics() && norm instanceof BatchNorm2d bn && bn.usesBatchStatistics()) {
            return bn.forwardWithBatchStatistics(ops, conv.forward(ops, x), mode.statistics());
        }
        return Conv2d.withNorm(ops, conv, norm, x);
    }

    /**
     * {@link Ops#released1}, except in calibration, whose recorded statistics are created inside the block
     * and must outlive it.
     */
    private static Tensor released(Ops ops, Mode mode, java.util.function.Supplier<Tensor> block) {
        return mode.statistics() == null ? ops.released1(block) : block.get();
    }

    /** A residual block: its forward in a given mode; {@link #forward(Ops, Tensor)} is inference. */
    abstract static class Block extends Layer {
        Block(String name) {
            super(name);
        }

        abstract Tensor forward(Ops ops, Tensor x, Mode mode);

        @Override
        public final Tensor forward(Ops ops, Tensor x) {
            return forward(ops, x, Mode.inference());
        }
    }

    /**
     * torchvision's {@code trainable_layers}: parameters outside the last {@code trainable} of
     * (the stem, layer1, layer2, layer3, layer4) are frozen; 5 trains everything, 0 nothing.
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
            train.addAll(List.of("bn1", "conv2", "bn2"));
        }
        String prefix = bodyName.isEmpty() ? "" : bodyName + ".";
        return p -> p.name().startsWith(prefix) && train.stream().noneMatch(t -> p.name().startsWith(prefix + t));
    }

    /**
     * Whether a state-dict name belongs to a normalisation layer of a ResNet body ({@code bn1}, {@code bn2},
     * {@code layerL.B.bnK}, {@code layerL.0.downsample.1}); detectron2 applies no weight decay to those.
     */
    public static boolean isNormParameter(String name) {
        return name.matches("(.*\\.)?(bn\\d|layer\\d+\\.\\d+\\.(bn\\d|downsample\\.1))\\.(weight|bias)");
    }

    /** The ResNet-50/101 block: 1x1 reduce, 3x3 (strided), 1x1 expand x4, residual. */
    static final class Bottleneck extends Block {
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
        Tensor forward(Ops ops, Tensor x, Mode mode) {
            return released(ops, mode, () -> {
                Tensor y = ops.relu(convNorm(ops, conv1, bn1, x, mode));
                y = ops.relu(convNorm(ops, conv2, bn2, y, mode));
                y = convNorm(ops, conv3, bn3, y, mode);
                Tensor identity = shortcut(ops, downsample, x, mode);
                return ops.relu(ops.add(y, identity));
            });
        }
    }

    /** The ResNet-18/34 block: two 3x3 convs, residual. */
    static final class BasicBlock extends Block {
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
        Tensor forward(Ops ops, Tensor x, Mode mode) {
            return released(ops, mode, () -> {
                Tensor y = ops.relu(convNorm(ops, conv1, bn1, x, mode));
                y = convNorm(ops, conv2, bn2, y, mode);
                Tensor identity = shortcut(ops, downsample, x, mode);
                return ops.relu(ops.add(y, identity));
            });
        }
    }

    /** The identity, or the downsample's 1x1 conv and its norm. */
    private static Tensor shortcut(Ops ops, Sequential downsample, Tensor x, Mode mode) {
        return downsample == null ? x : convNorm(ops, (Conv2d) downsample.get(0), downsample.get(1), x, mode);
    }

    private static Sequential downsample(String name, int in, int out, int stride, NormKind norm) {
        return new Sequential(name, n -> Conv2d.builder(n, in, out, 1).stride(stride).bias(false).build(), norm.of(out));
    }
}

package org.maskrcnn4j.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;
import org.maskrcnn4j.tensor.Ops;
import org.maskrcnn4j.tensor.Tensor;

/**
 * {@code torch.nn.Sequential}: layers named {@code 0, 1, ...} applied in order. Each layer is made by a
 * factory that receives its full name, e.g.
 * {@code new Sequential(childName("downsample"), n -> Conv2d.builder(n, 64, 256, 1).bias(false).build(),
 * n -> new BatchNorm2d(n, 256))} owns {@code downsample.0.weight}, {@code downsample.1.weight}, ...
 */
public final class Sequential extends Layer {
    private final List<Layer> layers;

    public Sequential(String name, List<? extends Function<String, ? extends Layer>> factories) {
        super(name);
        List<Layer> built = new ArrayList<>(factories.size());
        for (Function<String, ? extends Layer> factory : factories) {
            String expected = childName(Integer.toString(built.size()));
            Layer layer = factory.apply(expected);
            if (!layer.name().equals(expected)) {
                throw new IllegalArgumentException("layer " + built.size() + " of Sequential '" + name + "' must be named '"
                        + expected + "', got '" + layer.name() + "'");
            }
            built.add(register(layer));
        }
        this.layers = Collections.unmodifiableList(built);
    }

    @SafeVarargs
    public Sequential(String name, Function<String, ? extends Layer>... factories) {
        this(name, List.of(factories));
    }

    @Override
    public Tensor forward(Ops ops, Tensor x) {
        Tensor y = x;
        for (Layer layer : layers) {
            y = layer.forward(ops, y);
        }
        return y;
    }

    /** The layers in order. */
    public List<Layer> layers() {
        return layers;
    }

    public Layer get(int index) {
        return layers.get(index);
    }

    public int size() {
        return layers.size();
    }
}

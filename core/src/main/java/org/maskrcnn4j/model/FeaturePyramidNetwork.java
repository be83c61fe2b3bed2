package org.maskrcnn4j.model;

import java.util.ArrayList;
import java.util.List;
import org.maskrcnn4j.nn.Conv2d;
import org.maskrcnn4j.nn.Module;
import org.maskrcnn4j.nn.Sequential;
import org.maskrcnn4j.tensor.Ops;
import org.maskrcnn4j.tensor.Tensor;

/**
 * torchvision's {@code FeaturePyramidNetwork} with {@code LastLevelMaxPool}: 1x1 lateral convs
 * ({@code inner_blocks.i.0}), nearest top-down upsampling to each lateral's size, 3x3 output convs
 * ({@code layer_blocks.i.0}), and an extra level {@code pool} = 1x1 max pool with stride 2 of the last.
 */
public final class FeaturePyramidNetwork extends Module {
    private final List<Sequential> inner = new ArrayList<>();
    private final List<Sequential> layer = new ArrayList<>();
    private final int outChannels;

    public FeaturePyramidNetwork(String name, int[] inChannels, int outChannels) {
        super(name);
        this.outChannels = outChannels;
        Module innerBlocks = register(new Container(childName("inner_blocks")));
        Module layerBlocks = register(new Container(childName("layer_blocks")));
        for (int i = 0; i < inChannels.length; i++) {
            int in = inChannels[i];
            inner.add(((Container) innerBlocks).add(new Sequential(innerBlocks.name() + "." + i,
                    n -> Conv2d.builder(n, in, outChannels, 1).build())));
        }
        for (int i = 0; i < inChannels.length; i++) {
            layer.add(((Container) layerBlocks).add(new Sequential(layerBlocks.name() + "." + i,
                    n -> Conv2d.builder(n, outChannels, outChannels, 3).padding(1).build())));
        }
    }

    public int outChannels() {
        return outChannels;
    }

    /** Pyramid levels for the body's outputs (finest first), plus the extra {@code pool} level last. */
    public List<Tensor> forward(Ops ops, List<Tensor> x) {
        int last = x.size() - 1;
        Tensor lastInner = inner.get(last).forward(ops, x.get(last));
        Tensor[] results = new Tensor[x.size() + 1];
        results[last] = layer.get(last).forward(ops, lastInner);
        for (int i = last - 1; i >= 0; i--) {
            int level = i;
            Tensor above = lastInner;
            List<Tensor> innerAndResult = ops.released(() -> {
                Tensor lateral = inner.get(level).forward(ops, x.get(level));
                Tensor merged = ops.add(lateral, ops.resizeNearestLike(above, lateral));
                return List.of(merged, layer.get(level).forward(ops, merged));
            });
            ops.discard(above); // the merged map of the level above, used by this level only
            lastInner = innerAndResult.get(0);
            results[i] = innerAndResult.get(1);
        }
        ops.discard(lastInner);
        results[x.size()] = ops.maxPool2d(results[last], new int[] {1, 1}, new int[] {2, 2}, new int[] {0, 0});
        return List.of(results);
    }

    /** A named group of numbered children ({@code nn.ModuleList}). */
    private static final class Container extends Module {
        Container(String name) {
            super(name);
        }

        <M extends Module> M add(M child) {
            return register(child);
        }
    }
}

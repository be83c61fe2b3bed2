package org.maskrcnn4j.model;

import java.util.ArrayList;
import java.util.List;
import org.maskrcnn4j.nn.Conv2d;
import org.maskrcnn4j.nn.Init;
import org.maskrcnn4j.nn.Module;
import org.maskrcnn4j.nn.Sequential;
import org.maskrcnn4j.tensor.Ops;
import org.maskrcnn4j.tensor.Tensor;

/**
 * torchvision's {@code MaskRCNNHeads}: a stack of 3x3 conv + ReLU layers ({@code 0.0, 1.0, ...}; four of
 * 256 channels in the paper) keeping the RoI's spatial size.
 */
public final class MaskRcnnHeads extends Module implements MaskHead {
    private final List<Sequential> layers = new ArrayList<>();
    private final int outChannels;

    public MaskRcnnHeads(String name, int inChannels, int[] channels, int dilation) {
        super(name);
        int in = inChannels;
        for (int i = 0; i < channels.length; i++) {
            int from = in;
            int to = channels[i];
            layers.add(register(new Sequential(childName(Integer.toString(i)),
                    n -> Conv2d.builder(n, from, to, 3).padding(dilation).dilation(dilation)
                            .init(Init.kaimingNormalFanOut(), Init.zeros()).build())));
            in = to;
        }
        outChannels = in;
    }

    @Override
    public Tensor forward(Ops ops, Tensor pooled) {
        Tensor x = pooled;
        for (Sequential layer : layers) {
            Tensor in = x;
            x = ops.released1(() -> ops.relu(layer.forward(ops, in)));
            if (in != pooled) {
                ops.discard(in);
            }
        }
        return x;
    }

    @Override
    public int outChannels() {
        return outChannels;
    }
}

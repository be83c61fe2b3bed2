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
 * torchvision's {@code RPNHead}: a shared 3x3 conv + ReLU ({@code conv.0.0}) on every level, then 1x1
 * convs to {@code A} objectness logits ({@code cls_logits}) and {@code 4A} box deltas ({@code bbox_pred}).
 */
public final class RpnHead extends Module {
    private final Sequential conv;
    private final Conv2d clsLogits;
    private final Conv2d bboxPred;

    public RpnHead(String name, int channels, int anchorsPerLocation) {
        super(name);
        conv = register(new Sequential(childName("conv"), n -> new Sequential(n,
                m -> Conv2d.builder(m, channels, channels, 3).padding(1).init(Init.normal(0.01), Init.zeros()).build())));
        clsLogits = register(Conv2d.builder(childName("cls_logits"), channels, anchorsPerLocation, 1).init(Init.normal(0.01), Init.zeros()).build());
        bboxPred = register(Conv2d.builder(childName("bbox_pred"), channels, 4 * anchorsPerLocation, 1).init(Init.normal(0.01), Init.zeros()).build());
    }

    /** Per level: objectness logits {@code [N, A, H, W]} and deltas {@code [N, 4A, H, W]}. */
    public record Output(List<Tensor> objectness, List<Tensor> deltas) {
    }

    public Output forward(Ops ops, List<Tensor> features) {
        List<Tensor> logits = new ArrayList<>();
        List<Tensor> deltas = new ArrayList<>();
        for (Tensor f : features) {
            List<Tensor> out = ops.released(() -> {
                Tensor t = ops.relu(conv.forward(ops, f));
                return List.of(clsLogits.forward(ops, t), bboxPred.forward(ops, t));
            });
            logits.add(out.get(0));
            deltas.add(out.get(1));
        }
        return new Output(logits, deltas);
    }
}

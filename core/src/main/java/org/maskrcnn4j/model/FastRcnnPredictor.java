package org.maskrcnn4j.model;

import org.maskrcnn4j.nn.Linear;
import org.maskrcnn4j.nn.Module;
import org.maskrcnn4j.tensor.Ops;
import org.maskrcnn4j.tensor.Tensor;

/** torchvision's {@code FastRCNNPredictor}: linear {@code cls_score} and class-specific {@code bbox_pred}. */
public final class FastRcnnPredictor extends Module implements BoxPredictor {
    private final Linear clsScore;
    private final Linear bboxPred;
    private final int numClasses;

    public FastRcnnPredictor(String name, int inFeatures, int numClasses) {
        super(name);
        this.numClasses = numClasses;
        clsScore = register(new Linear(childName("cls_score"), inFeatures, numClasses));
        bboxPred = register(new Linear(childName("bbox_pred"), inFeatures, 4 * numClasses));
    }

    @Override
    public Output forward(Ops ops, Tensor representation) {
        return new Output(clsScore.forward(ops, representation), bboxPred.forward(ops, representation));
    }

    @Override
    public int numClasses() {
        return numClasses;
    }
}

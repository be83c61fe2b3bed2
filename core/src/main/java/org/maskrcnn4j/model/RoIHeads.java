package org.maskrcnn4j.model;

import java.util.List;
import java.util.Map;
import org.maskrcnn4j.tensor.Ops;
import org.maskrcnn4j.tensor.Tensor;

/**
 * Stage two: classifies and refines the proposals and predicts masks. In training it samples RoIs
 * against {@code targets} and returns its losses; in inference it returns post-processed detections
 * in the resized image's pixels ({@code targets} null).
 */
public interface RoIHeads extends HasParameters {
    /** Detections per image (inference) and named losses (training). */
    record Output(List<Detections> detections, Map<String, Tensor> losses) {
    }

    Output forward(Ops ops, FeatureMaps features, List<Tensor> proposals, long[][] imageSizes, List<Target> targets,
            Mode mode);
}

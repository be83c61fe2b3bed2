package org.maskrcnn4j.model;

import org.maskrcnn4j.tensor.Tensor;

/**
 * Detections of one image: boxes {@code [D, 4]}, scores {@code [D]}, int64 labels {@code [D]}, and the
 * mask probabilities of each detection's class {@code [D, M, M]} (null when the model has no mask branch).
 */
public record Detections(Tensor boxes, Tensor scores, Tensor labels, Tensor maskProbs) {
}

package org.maskrcnn4j.model;

/**
 * One detected object: class label (1..K-1), score, box {@code (x1, y1, x2, y2)} in the original image's
 * pixels, the {@code M x M} mask probabilities of its class (row-major) and the pasted binary mask.
 */
public record Instance(int label, float score, float[] box, int maskSize, float[] maskProbabilities, BinaryMask mask) {
    public Instance {
        box = box.clone();
        maskProbabilities = maskProbabilities == null ? null : maskProbabilities.clone();
    }
}

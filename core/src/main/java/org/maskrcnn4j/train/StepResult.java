package org.maskrcnn4j.train;

import java.util.Map;

/** What one training step reports: step number, learning rate, the named losses, their total, and timing. */
public record StepResult(int step, int totalSteps, double learningRate, Map<String, Double> losses, double loss,
        double seconds) {
}

package org.maskrcnn4j.train;

/** Receives every training step (metrics files, progress bars, curves). */
public interface TrainingListener {
    void onStep(StepResult result);

    /** Called once when training ends normally or by an error. */
    default void onEnd() {
    }
}

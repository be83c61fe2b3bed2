package org.maskrcnn4j.train;

/** Training stopped because a loss became NaN or infinite; the message names the step and the losses. */
public class TrainingDivergedException extends RuntimeException {
    public TrainingDivergedException(String message) {
        super(message);
    }
}

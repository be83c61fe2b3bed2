package org.maskrcnn4j.tensor;

/**
 * The update rule of a training step, applied by the backend to every trainable parameter. The learning
 * rate is given per step (schedules live in the trainer).
 */
public sealed interface Optimizer {

    /**
     * {@code torch.optim.SGD}: {@code g = grad + weightDecay * p; buf = momentum * buf + g} (buf = g on the
     * first step); {@code p -= lr * buf}. Parameters whose name {@code noDecay} accepts get no weight decay.
     */
    record Sgd(double momentum, double weightDecay, java.util.function.Predicate<String> noDecay)
            implements Optimizer {
        public Sgd {
            if (momentum < 0 || weightDecay < 0) {
                throw new IllegalArgumentException("momentum and weight decay must be >= 0, got " + momentum
                        + " and " + weightDecay);
            }
        }

        public Sgd(double momentum, double weightDecay) {
            this(momentum, weightDecay, name -> false);
        }
    }
}

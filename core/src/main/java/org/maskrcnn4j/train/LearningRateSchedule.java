package org.maskrcnn4j.train;

/**
 * The learning rate at each step: linear warm-up from {@code warmupFactor * base} over
 * {@code warmupSteps} (torchvision's reference recipe), then either steps (multiply by {@code gamma} at
 * each milestone, detectron2's default) or a cosine decay to zero at {@code totalSteps}. A value (it is
 * recorded in checkpoints); build it with {@link #steps} or {@link #cosine}.
 *
 * @param cosineSteps the length of the cosine decay, or 0 for the step schedule of {@code milestones}
 */
public record LearningRateSchedule(double base, int warmupSteps, double warmupFactor, int[] milestones, double gamma,
        int cosineSteps) {
    /** Checks the values; prefer the factories {@link #steps} and {@link #cosine}. */
    public LearningRateSchedule {
        if (!(base > 0) || warmupSteps < 0 || !(warmupFactor > 0 && warmupFactor <= 1)) {
            throw new IllegalArgumentException("need base lr > 0, warm-up steps >= 0 and warm-up factor in (0, 1], got "
                    + base + ", " + warmupSteps + ", " + warmupFactor);
        }
        if (milestones == null || cosineSteps < 0) {
            throw new IllegalArgumentException("need milestones (possibly none) and cosine steps >= 0, got "
                    + (milestones == null ? null : java.util.Arrays.toString(milestones)) + ", " + cosineSteps);
        }
        milestones = milestones.clone();
    }

    @Override
    public int[] milestones() {
        return milestones.clone();
    }

    /** Warm-up, then the rate times {@code gamma} at each milestone step. */
    public static LearningRateSchedule steps(double base, int warmupSteps, double warmupFactor, int[] milestones,
            double gamma) {
        return new LearningRateSchedule(base, warmupSteps, warmupFactor, milestones, gamma, 0);
    }

    /** Warm-up, then {@code base * (1 + cos(pi * t / T)) / 2} reaching 0 at {@code totalSteps}. */
    public static LearningRateSchedule cosine(double base, int warmupSteps, double warmupFactor, int totalSteps) {
        if (totalSteps <= 0) {
            throw new IllegalArgumentException("cosine schedule needs total steps > 0, got " + totalSteps);
        }
        return new LearningRateSchedule(base, warmupSteps, warmupFactor, new int[0], 1, totalSteps);
    }

    /** The rate of step {@code step} (0-based). */
    public double at(int step) {
        double lr = base;
        if (cosineSteps > 0) {
            lr = base * 0.5 * (1 + Math.cos(Math.PI * Math.min(step, cosineSteps) / cosineSteps));
        } else {
            for (int m : milestones) {
                if (step >= m) {
                    lr *= gamma;
                }
            }
        }
        if (step < warmupSteps) {
            double alpha = (double) step / warmupSteps;
            lr *= warmupFactor * (1 - alpha) + alpha;
        }
        return lr;
    }
}

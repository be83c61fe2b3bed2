package org.maskrcnn4j.tensor;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The update rule of a training step, applied by the backend to every trainable parameter that received a
 * gradient (like torch, a parameter without one is left alone). The learning rate is given per step
 * (schedules live in the trainer).
 *
 * <p>Every optimizer carries {@link #clipGradNorm()}: when it is positive the gradients are first clipped
 * by their global L2 norm with {@code torch.nn.utils.clip_grad_norm_}'s semantics ({@code total = sqrt(sum
 * of every gradient squared)}, {@code coef = clipGradNorm / (total + 1e-6)}, every gradient multiplied by
 * {@code min(coef, 1)}), then the update rule runs on the clipped gradients. 0 turns clipping off. It lives
 * here, not on the step, so that whoever builds a {@link TrainStep} from an optimizer gets it without another
 * argument.
 *
 * <p>The optimizer's state ({@link TrainStep#state()}) uses torch's names, one tensor per parameter:
 * {@value Sgd#MOMENTUM_BUFFER}{@code <parameter>} for SGD; {@value AdamW#EXP_AVG}{@code <parameter>},
 * {@value AdamW#EXP_AVG_SQ}{@code <parameter>} (shaped like the parameter) and {@value AdamW#STEP}{@code
 * <parameter>} (a float64 scalar holding the number of updates the parameter has had) for AdamW.
 */
public sealed interface Optimizer {

    /** The global L2 norm gradients are clipped to before the update; 0 when clipping is off. */
    double clipGradNorm();

    /** This optimizer with gradients clipped to a global L2 norm of {@code maxNorm} (0 = off). */
    Optimizer withClipGradNorm(double maxNorm);

    /** The key prefixes of this optimizer's state, e.g. {@code momentum_buffer/}. */
    List<String> statePrefixes();

    /**
     * Checks optimizer state before a backend loads it: every key must be one of {@link #statePrefixes()}
     * followed by the name of a parameter of {@code parameters}, buffers must have that parameter's shape and
     * dtype, and AdamW's three tensors of a parameter must come together with a whole, non-negative step.
     *
     * @throws IllegalArgumentException naming the first offending key and what was expected
     */
    default void checkState(Map<String, HostTensor> state, ParameterStore parameters) {
        Set<String> complete = new HashSet<>();
        for (Map.Entry<String, HostTensor> e : state.entrySet()) {
            String key = e.getKey();
            HostTensor v = e.getValue();
            String prefix = statePrefixes().stream().filter(key::startsWith).findFirst().orElseThrow(() ->
                    new IllegalArgumentException("optimizer state '" + key + "' is not state of " + getClass().getSimpleName()
                            + "; expected keys " + statePrefixes().stream().map(p -> p + "<parameter>").toList()));
            String name = key.substring(prefix.length());
            if (!parameters.contains(name)) {
                throw new IllegalArgumentException("optimizer state '" + key + "' names unknown parameter '" + name + "'");
            }
            if (v == null) {
                throw new IllegalArgumentException("optimizer state '" + key + "' is null");
            }
            if (prefix.equals(AdamW.STEP)) {
                double t = v.shape().rank() == 0 && v.dtype() == DType.FLOAT64 ? v.getDouble(0) : -1;
                if (!(t >= 0) || t != Math.rint(t)) {
                    throw new IllegalArgumentException("optimizer state '" + key + "' must be a float64 scalar "
                            + "holding a whole number >= 0, got " + v);
                }
            } else {
                Shape shape = parameters.shape(name);
                DType dtype = parameters.dtype(name);
                if (!v.shape().equals(shape) || v.dtype() != dtype) {
                    throw new IllegalArgumentException("optimizer state '" + key + "' is " + v.dtype() + " "
                            + v.shape() + ", expected " + dtype + " " + shape + " like its parameter");
                }
            }
            if (this instanceof AdamW) {
                complete.add(name);
            }
        }
        for (String name : complete) {
            for (String p : statePrefixes()) {
                if (!state.containsKey(p + name)) {
                    throw new IllegalArgumentException("optimizer state of '" + name + "' lacks '" + p + name
                            + "'; AdamW needs " + statePrefixes() + " together");
                }
            }
        }
    }

    private static void checkClip(double clipGradNorm) {
        if (!(clipGradNorm >= 0) || Double.isInfinite(clipGradNorm)) {
            throw new IllegalArgumentException("clipGradNorm must be finite and >= 0 (0 = off), got " + clipGradNorm);
        }
    }

    /**
     * {@code torch.optim.SGD}: {@code g = grad + weightDecay * p; buf = momentum * buf + g} (buf = g on the
     * first step); {@code p -= lr * buf}. Parameters whose name {@code noDecay} accepts get no weight decay.
     */
    record Sgd(double momentum, double weightDecay, Predicate<String> noDecay, double clipGradNorm)
            implements Optimizer {
        /** Key prefix of the momentum buffers in {@link TrainStep#state()}. */
        public static final String MOMENTUM_BUFFER = "momentum_buffer/";

        public Sgd {
            if (!(momentum >= 0) || !(weightDecay >= 0) || Double.isInfinite(momentum) || Double.isInfinite(weightDecay)) {
                throw new IllegalArgumentException("momentum and weight decay must be finite and >= 0, got " + momentum
                        + " and " + weightDecay);
            }
            if (noDecay == null) {
                throw new IllegalArgumentException("noDecay must not be null (use name -> false)");
            }
            checkClip(clipGradNorm);
        }

        /** Without gradient clipping. */
        public Sgd(double momentum, double weightDecay, Predicate<String> noDecay) {
            this(momentum, weightDecay, noDecay, 0);
        }

        /** Weight decay on every parameter, without gradient clipping. */
        public Sgd(double momentum, double weightDecay) {
            this(momentum, weightDecay, name -> false);
        }

        @Override
        public Sgd withClipGradNorm(double maxNorm) {
            return new Sgd(momentum, weightDecay, noDecay, maxNorm);
        }

        @Override
        public List<String> statePrefixes() {
            return List.of(MOMENTUM_BUFFER);
        }
    }

    /**
     * {@code torch.optim.AdamW} (not amsgrad): per parameter with a gradient, {@code t += 1};
     * {@code p *= 1 - lr * weightDecay} (decoupled decay, skipped for names {@code noDecay} accepts);
     * {@code m = beta1 * m + (1 - beta1) * g; v = beta2 * v + (1 - beta2) * g^2};
     * {@code p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)}, with m and v starting at 0.
     */
    record AdamW(double beta1, double beta2, double eps, double weightDecay, Predicate<String> noDecay,
            double clipGradNorm) implements Optimizer {
        /** Key prefix of the first moments ({@code m}) in {@link TrainStep#state()}. */
        public static final String EXP_AVG = "exp_avg/";
        /** Key prefix of the second moments ({@code v}). */
        public static final String EXP_AVG_SQ = "exp_avg_sq/";
        /** Key prefix of the per-parameter step counts ({@code t}, float64 scalars). */
        public static final String STEP = "step/";

        public AdamW {
            if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
                throw new IllegalArgumentException("AdamW beta1 and beta2 must be in [0, 1), got " + beta1 + " and " + beta2);
            }
            if (!(eps > 0) || Double.isInfinite(eps)) {
                throw new IllegalArgumentException("AdamW eps must be finite and > 0, got " + eps);
            }
            if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
                throw new IllegalArgumentException("AdamW weight decay must be finite and >= 0, got " + weightDecay);
            }
            if (noDecay == null) {
                throw new IllegalArgumentException("noDecay must not be null (use name -> false)");
            }
            checkClip(clipGradNorm);
        }

        /** Without gradient clipping. */
        public AdamW(double beta1, double beta2, double eps, double weightDecay, Predicate<String> noDecay) {
            this(beta1, beta2, eps, weightDecay, noDecay, 0);
        }

        /** torch's defaults {@code betas=(0.9, 0.999), eps=1e-8}, without gradient clipping. */
        public AdamW(double weightDecay, Predicate<String> noDecay) {
            this(0.9, 0.999, 1e-8, weightDecay, noDecay);
        }

        /** torch's defaults {@code betas=(0.9, 0.999), eps=1e-8}, weight decay on every parameter. */
        public AdamW(double weightDecay) {
            this(weightDecay, name -> false);
        }

        @Override
        public AdamW withClipGradNorm(double maxNorm) {
            return new AdamW(beta1, beta2, eps, weightDecay, noDecay, maxNorm);
        }

        @Override
        public List<String> statePrefixes() {
            return List.of(EXP_AVG, EXP_AVG_SQ, STEP);
        }
    }
}

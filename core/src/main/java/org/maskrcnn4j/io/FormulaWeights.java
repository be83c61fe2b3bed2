package org.maskrcnn4j.io;

import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.Shape;

/**
 * Deterministic, full-rank weights computed from each state-dict name alone: the formula the torchvision
 * reference fixtures were generated with (see the fixtures' README, "Weight formula"), so a model built
 * here and torchvision's get bit-identical weights without a weight file. Also the benchmark's weights.
 *
 * <p>Per entry: a SplitMix64-style hash of (name seed, element index) gives {@code r} in [-1, 1); batch
 * norm entries get {@code 1 + 0.1r} (weight), {@code 0.05r} (bias, running mean), {@code 1 + 0.25|r|}
 * (running var); other rank >= 2 tensors {@code sqrt(3 / fan) r} with {@code fan = numel / shape[0]};
 * other rank-1 tensors {@code 0.01 r}. {@code num_batches_tracked} stays 0.
 */
public final class FormulaWeights {
    private final long phase;

    public FormulaWeights(long phase) {
        this.phase = phase;
    }

    /** The phase the fixtures use. */
    public static FormulaWeights fixtures() {
        return new FormulaWeights(0);
    }

    /** The value of one state-dict entry. */
    public HostTensor value(String name, Shape shape) {
        long[] dims = shape.dims();
        if (name.endsWith(".num_batches_tracked")) {
            return HostTensor.ofLongs(new long[Math.toIntExact(shape.size())], dims);
        }
        int n = Math.toIntExact(shape.size());
        float[] v = new float[n];
        long seed = seed(name);
        boolean batchNorm = isBatchNorm(name);
        double gain = dims.length >= 2 ? Math.sqrt(3.0 / (n / dims[0])) : 0;
        for (int i = 0; i < n; i++) {
            double r = uniform(seed, i);
            if (batchNorm) {
                v[i] = batchNormValue(name, r);
            } else if (dims.length >= 2) {
                v[i] = (float) (gain * r);
            } else {
                v[i] = (float) (0.01 * r);
            }
        }
        return HostTensor.ofFloats(v, dims);
    }

    private long seed(String name) {
        long s = 0;
        for (int k = 0; k < name.length(); k++) {
            s += (long) (k + 1) * name.charAt(k);
        }
        return s + phase;
    }

    /** {@code r} in [-1, 1) for element {@code i} of the entry with seed {@code seed}. */
    static double uniform(long seed, long i) {
        long x = seed + (i + 1) * 0x9E3779B97F4A7C15L;
        x = (x ^ (x >>> 30)) * 0xBF58476D1CE4E5B9L;
        x = (x ^ (x >>> 27)) * 0x94D049BB133111EBL;
        x ^= x >>> 31;
        return (x >>> 40) * 0x1.0p-24 * 2.0 - 1.0;
    }

    /**
     * Batch-norm modules of torchvision's ResNet body: {@code bn1}, {@code layerL.B.bn1/2/3} and
     * {@code layerL.0.downsample.1}.
     */
    static boolean isBatchNorm(String name) {
        return name.matches("backbone\\.body\\.(bn1|layer\\d+\\.\\d+\\.(bn\\d|downsample\\.1))\\.[a-z_]+");
    }

    private static float batchNormValue(String name, double r) {
        String field = name.substring(name.lastIndexOf('.') + 1);
        return switch (field) {
            case "weight" -> (float) (1.0 + 0.1 * r);
            case "bias", "running_mean" -> (float) (0.05 * r);
            case "running_var" -> (float) (1.0 + 0.25 * Math.abs(r));
            default -> throw new IllegalArgumentException("unexpected batch norm entry " + name);
        };
    }
}

package org.maskrcnn4j.examples.bench;

/**
 * The fixtures' SplitMix64 formula ({@code generate.py}'s {@code formula_r}), which
 * {@code bench/torchvision_baseline.py} computes the same way, so both engines get bit-identical inputs
 * without a file.
 */
public final class Splitmix {
    private Splitmix() {
    }

    /** {@code r} in [-1, 1) for element {@code i} of the stream {@code seed} (top 24 bits of the hash). */
    public static double r(long seed, long i) {
        long x = seed + (i + 1) * 0x9E3779B97F4A7C15L;
        x = (x ^ (x >>> 30)) * 0xBF58476D1CE4E5B9L;
        x = (x ^ (x >>> 27)) * 0x94D049BB133111EBL;
        x ^= x >>> 31;
        return (x >>> 40) * 0x1.0p-24 * 2.0 - 1.0;
    }

    /** {@code (r + 1) / 2}, in [0, 1). */
    public static double u01(long seed, long i) {
        return (r(seed, i) + 1.0) / 2.0;
    }
}

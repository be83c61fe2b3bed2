package org.maskrcnn4j.train;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Which examples make up micro-batch {@code s}: a pure function of (seed, s) and the examples' aspect
 * ratios, so a resumed run draws the batches the interrupted one would have drawn. Epoch {@code e} visits
 * the examples in a permutation drawn from {@code seed + e}.
 *
 * <p>Without grouping, batch {@code s} holds positions {@code s*B .. s*B+B-1} of the concatenated epochs,
 * every example once per epoch. With aspect-ratio grouping (torchvision's {@code GroupedBatchSampler} with
 * {@code create_aspect_ratio_groups(k=0)}: group 0 holds width/height &lt; 1, group 1 width/height &gt;= 1)
 * every batch holds one group only: the permutation is walked and a batch is emitted as soon as a group has
 * {@code B} examples; at the end of the epoch each group's partial batch is completed with the first
 * examples of the same group in that epoch's order. An epoch is then {@code sum ceil(n_g / B)} batches, the
 * same every epoch, and visits every example once plus, per group, fewer than {@code B} repeats.
 * Not thread-safe (it caches the current epoch's plan).
 */
final class BatchSampler {
    private final int size;
    private final int batchSize;
    private final long seed;
    private final int[] groups;
    private final int batchesPerEpoch;
    private int orderEpoch = -1;
    private int[] order;
    private int planEpoch = -1;
    private List<int[]> plan;

    /** @param aspectRatios width / height of each of the {@code size} examples, or null for no grouping */
    BatchSampler(int size, int batchSize, long seed, double[] aspectRatios) {
        if (size <= 0 || batchSize <= 0) {
            throw new IllegalArgumentException("need examples and a batch size > 0, got " + size + ", " + batchSize);
        }
        this.size = size;
        this.batchSize = batchSize;
        this.seed = seed;
        if (aspectRatios == null) {
            groups = null;
            batchesPerEpoch = 0;
            return;
        }
        if (aspectRatios.length != size) {
            throw new IllegalArgumentException("need " + size + " aspect ratios, got " + aspectRatios.length);
        }
        groups = new int[size];
        int[] counts = new int[2];
        for (int i = 0; i < size; i++) {
            double r = aspectRatios[i];
            if (!(r > 0) || Double.isInfinite(r)) {
                throw new IllegalArgumentException("example " + i + " has aspect ratio (width / height) " + r
                        + "; expected a finite number > 0");
            }
            groups[i] = group(r);
            counts[groups[i]]++;
        }
        batchesPerEpoch = ceilDiv(counts[0], batchSize) + ceilDiv(counts[1], batchSize);
    }

    /** The group of an aspect ratio: 0 for portrait (width / height &lt; 1), 1 for landscape or square. */
    static int group(double aspectRatio) {
        return aspectRatio < 1 ? 0 : 1;
    }

    /** The example indices of micro-batch {@code s}, in slot order. */
    int[] batch(long s) {
        if (groups == null) {
            int[] out = new int[batchSize];
            for (int i = 0; i < batchSize; i++) {
                long position = s * batchSize + i;
                out[i] = order(Math.toIntExact(position / size))[(int) (position % size)];
            }
            return out;
        }
        int epoch = Math.toIntExact(s / batchesPerEpoch);
        if (epoch != planEpoch) {
            plan = plan(epoch);
            planEpoch = epoch;
        }
        return plan.get((int) (s % batchesPerEpoch)).clone();
    }

    /** Batches per epoch with grouping; 0 without (an epoch is then {@code size} consecutive slots). */
    int batchesPerEpoch() {
        return batchesPerEpoch;
    }

    /** The order in which epoch {@code epoch} visits the examples: a permutation drawn from {@code seed + epoch}. */
    private int[] order(int epoch) {
        if (epoch != orderEpoch) {
            order = permutation(seed + epoch, size);
            orderEpoch = epoch;
        }
        return order;
    }

    private List<int[]> plan(int epoch) {
        int[] order = order(epoch);
        List<int[]> batches = new ArrayList<>(batchesPerEpoch);
        int[][] buffers = {new int[batchSize], new int[batchSize]};
        int[] filled = new int[2];
        for (int index : order) {
            int g = groups[index];
            buffers[g][filled[g]++] = index;
            if (filled[g] == batchSize) {
                batches.add(buffers[g]);
                buffers[g] = new int[batchSize];
                filled[g] = 0;
            }
        }
        for (int g = 0; g < 2; g++) {
            if (filled[g] == 0) {
                continue;
            }
            List<Integer> members = new ArrayList<>();
            for (int index : order) {
                if (groups[index] == g) {
                    members.add(index);
                }
            }
            for (int k = 0; filled[g] < batchSize; k++) {
                buffers[g][filled[g]++] = members.get(k % members.size());
            }
            batches.add(buffers[g]);
        }
        return batches;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    private static int[] permutation(long seed, int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}

package org.maskrcnn4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Batch composition: without grouping every example once per epoch as before; with aspect-ratio grouping
 * every batch is one group, each epoch visits every example (plus fewer than a batch of repeats per group),
 * and the order is a function of the seed and the batch index alone.
 */
class BatchSamplerTest {
    /** 13 portrait and 8 landscape/square examples, shuffled. */
    private static double[] mixedRatios() {
        double[] r = new double[21];
        SplittableRandom rnd = new SplittableRandom(3);
        for (int i = 0; i < r.length; i++) {
            r[i] = i % 8 < 5 ? 0.5 + 0.49 * rnd.nextDouble() : 1 + rnd.nextDouble();
        }
        r[4] = 1.0; // a square counts as landscape
        return r;
    }

    @Test
    void everyGroupedBatchIsOneGroup() {
        double[] ratios = mixedRatios();
        BatchSampler sampler = new BatchSampler(ratios.length, 4, 11, ratios);
        for (long s = 0; s < 40; s++) {
            int[] batch = sampler.batch(s);
            assertThat(batch).hasSize(4);
            int group = BatchSampler.group(ratios[batch[0]]);
            for (int i : batch) {
                assertThat(BatchSampler.group(ratios[i])).as("batch %d holds example %d", s, i).isEqualTo(group);
            }
        }
    }

    @Test
    void aGroupedEpochVisitsEveryExampleWithFewerThanABatchOfRepeatsPerGroup() {
        double[] ratios = mixedRatios();
        int portrait = 0;
        for (double r : ratios) {
            portrait += r < 1 ? 1 : 0;
        }
        int landscape = ratios.length - portrait;
        BatchSampler sampler = new BatchSampler(ratios.length, 4, 11, ratios);
        int perEpoch = (portrait + 3) / 4 + (landscape + 3) / 4;
        assertThat(sampler.batchesPerEpoch()).isEqualTo(perEpoch);
        for (int epoch = 0; epoch < 3; epoch++) {
            int[] visits = new int[ratios.length];
            for (int k = 0; k < perEpoch; k++) {
                for (int i : sampler.batch((long) epoch * perEpoch + k)) {
                    visits[i]++;
                }
            }
            int repeats = 0;
            for (int v : visits) {
                assertThat(v).isPositive();
                repeats += v - 1;
            }
            assertThat(repeats).isEqualTo(perEpoch * 4 - ratios.length);
        }
    }

    @Test
    void aGroupSmallerThanABatchIsRepeatedToFillIt() {
        double[] ratios = {0.5, 2, 2, 2, 2, 2};
        BatchSampler sampler = new BatchSampler(ratios.length, 4, 1, ratios);
        assertThat(sampler.batchesPerEpoch()).isEqualTo(3);
        List<int[]> epoch = List.of(sampler.batch(0), sampler.batch(1), sampler.batch(2));
        assertThat(epoch).anySatisfy(b -> assertThat(b).containsExactly(0, 0, 0, 0));
    }

    @Test
    void sameSeedSameOrderOtherSeedOtherOrder() {
        double[] ratios = mixedRatios();
        assertThat(batches(new BatchSampler(ratios.length, 2, 5, ratios), 30))
                .isEqualTo(batches(new BatchSampler(ratios.length, 2, 5, ratios), 30))
                .isNotEqualTo(batches(new BatchSampler(ratios.length, 2, 6, ratios), 30));
        // a batch depends on its index only, not on which batches were asked for before (resume)
        List<List<Integer>> all = batches(new BatchSampler(ratios.length, 2, 5, ratios), 30);
        BatchSampler fresh = new BatchSampler(ratios.length, 2, 5, ratios);
        assertThat(Arrays.stream(fresh.batch(23)).boxed().toList()).isEqualTo(all.get(23));
        assertThat(Arrays.stream(fresh.batch(3)).boxed().toList()).isEqualTo(all.get(3));
    }

    @Test
    void withoutGroupingEachEpochIsOnePermutation() {
        BatchSampler sampler = new BatchSampler(5, 2, 9, null);
        List<Integer> firstTen = new ArrayList<>();
        for (long s = 0; s < 5; s++) {
            for (int i : sampler.batch(s)) {
                firstTen.add(i);
            }
        }
        assertThat(firstTen.subList(0, 5)).containsExactlyInAnyOrder(0, 1, 2, 3, 4);
        assertThat(firstTen.subList(5, 10)).containsExactlyInAnyOrder(0, 1, 2, 3, 4);
    }

    @Test
    void aBadAspectRatioNamesTheExample() {
        assertThatThrownBy(() -> new BatchSampler(2, 1, 0, new double[] {1, Double.NaN}))
                .hasMessageContaining("example 1 has aspect ratio (width / height) NaN; expected a finite number > 0");
    }

    private static List<List<Integer>> batches(BatchSampler sampler, int n) {
        List<List<Integer>> out = new ArrayList<>();
        for (long s = 0; s < n; s++) {
            List<Integer> b = new ArrayList<>();
            for (int i : sampler.batch(s)) {
                b.add(i);
            }
            out.add(b);
        }
        return out;
    }
}

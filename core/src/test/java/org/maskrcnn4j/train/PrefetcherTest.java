package org.maskrcnn4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The loader pool: the same micro-batches in the same order as loading on the training thread, whatever the
 * thread timing; bounded look-ahead; a task's error surfaces on the caller with its message; closed means
 * stopped.
 */
class PrefetcherTest {
    private static final int BATCHES = 12;
    private static final int PER_BATCH = 3;

    /** Item j of batch s is "s.j", loaded after a pseudo-random pause so that threads finish out of order. */
    private static List<Prefetcher.Task<String>> tasks(long s, AtomicInteger started) {
        List<Prefetcher.Task<String>> out = new ArrayList<>();
        for (int j = 0; j < PER_BATCH; j++) {
            String item = s + "." + j;
            long pause = new SplittableRandom(s * 7 + j).nextInt(8);
            out.add(() -> {
                started.incrementAndGet();
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return item;
            });
        }
        return out;
    }

    private static List<List<String>> takeAll(int workers, int from) throws IOException {
        List<List<String>> out = new ArrayList<>();
        AtomicInteger started = new AtomicInteger();
        try (Prefetcher<String> p = new Prefetcher<>(workers, 2, BATCHES, s -> tasks(s, started))) {
            for (long s = from; s < BATCHES; s++) {
                out.add(p.take(s));
                // bounded: never more than the taken batch and 2 ahead have started loading
                assertThat(started.get()).isLessThanOrEqualTo((int) (s - from + 1 + 2) * PER_BATCH);
            }
        }
        return out;
    }

    @Test
    void prefetchedBatchesEqualTheSequentialOnes() throws IOException {
        List<List<String>> sequential = takeAll(0, 0);
        assertThat(sequential.get(4)).containsExactly("4.0", "4.1", "4.2");
        assertThat(takeAll(3, 0)).isEqualTo(sequential);
        assertThat(takeAll(1, 0)).isEqualTo(sequential);
        assertThat(takeAll(3, 5)).isEqualTo(sequential.subList(5, BATCHES));
    }

    @Test
    void aTaskErrorSurfacesOnTheCallerWithItsMessage() throws IOException {
        try (Prefetcher<String> p = new Prefetcher<>(2, 2, BATCHES, s -> List.of(() -> {
            if (s == 3) {
                throw new IOException("images/broken.jpg: cannot decode JPEG image: premature end of file");
            }
            return "ok " + s;
        }))) {
            for (long s = 0; s < 3; s++) {
                assertThat(p.take(s)).containsExactly("ok " + s);
            }
            assertThatThrownBy(() -> p.take(3)).isInstanceOf(IOException.class)
                    .hasMessage("images/broken.jpg: cannot decode JPEG image: premature end of file");
        }
    }

    @Test
    void closeStopsTheLoaderThreads() throws IOException {
        Prefetcher<String> p = new Prefetcher<>(3, 2, BATCHES, s -> tasks(s, new AtomicInteger()));
        p.take(0);
        assertThat(p.isTerminated()).isFalse();
        p.close();
        assertThat(p.isTerminated()).isTrue();
    }

    @Test
    void badArgumentsSaySo() {
        assertThatThrownBy(() -> new Prefetcher<String>(-1, 2, 1, s -> List.of()))
                .hasMessageContaining("need workers >= 0 and ahead >= 1, got -1, 2");
        try (Prefetcher<String> p = new Prefetcher<>(0, 1, 4, s -> List.of())) {
            assertThatThrownBy(() -> p.take(4)).hasMessageContaining("micro-batch 4 is outside [0, 4)");
        }
    }
}

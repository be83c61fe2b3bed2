package org.maskrcnn4j.train;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongFunction;

/**
 * Loads the items of the next micro-batches on a small pool of daemon threads while the training thread
 * computes (PyTorch's {@code DataLoader} with {@code num_workers} and a bounded prefetch), and hands every
 * micro-batch back in order: item {@code j} of micro-batch {@code s} is the result of task {@code j} of
 * {@code s}, whichever thread ran it and whenever it finished. Besides the one being taken, at most
 * {@code ahead} micro-batches are loading or loaded, so memory stays bounded. With no workers the tasks run
 * on the calling thread. A task's exception is rethrown by {@link #take} on the calling thread, unchanged.
 */
final class Prefetcher<T> implements AutoCloseable {
    /** Loads one item. */
    interface Task<T> {
        T call() throws IOException;
    }

    private static final AtomicInteger POOLS = new AtomicInteger();
    private final ExecutorService pool;
    /** The loader threads, joined by {@link #close} (a terminated pool's last thread may still be exiting). */
    private final List<Thread> threads = new ArrayList<>();
    private final int ahead;
    private final long end;
    private final LongFunction<List<Task<T>>> tasks;
    private final ArrayDeque<List<Future<T>>> queue = new ArrayDeque<>();
    private long head = -1;
    private long next;

    /**
     * @param workers loader threads; 0 = load on the calling thread
     * @param ahead micro-batches to load beyond the one being taken (>= 1)
     * @param end the first micro-batch index not to load (the end of training)
     * @param tasks the tasks of micro-batch {@code s}, called on the thread that calls {@link #take}
     */
    Prefetcher(int workers, int ahead, long end, LongFunction<List<Task<T>>> tasks) {
        if (workers < 0 || ahead < 1) {
            throw new IllegalArgumentException("need workers >= 0 and ahead >= 1, got " + workers + ", " + ahead);
        }
        this.ahead = ahead;
        this.end = end;
        this.tasks = tasks;
        if (workers == 0) {
            pool = null;
            return;
        }
        String prefix = "maskrcnn4j-loader-" + POOLS.incrementAndGet() + "-";
        AtomicInteger n = new AtomicInteger();
        pool = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            synchronized (threads) {
                threads.add(t);
            }
            return t;
        });
    }

    /** The items of micro-batch {@code s}; successive calls normally ask for {@code s, s + 1, ...}. */
    List<T> take(long s) throws IOException {
        if (s < 0 || s >= end) {
            throw new IllegalArgumentException("micro-batch " + s + " is outside [0, " + end + ")");
        }
        if (pool == null) {
            List<T> out = new ArrayList<>();
            for (Task<T> t : tasks.apply(s)) {
                out.add(t.call());
            }
            return out;
        }
        if (s != head) {
            cancelQueued();
            next = s;
        }
        while (next < end && next <= s + ahead) {
            List<Future<T>> batch = new ArrayList<>();
            for (Task<T> t : tasks.apply(next)) {
                batch.add(pool.submit(t::call));
            }
            queue.add(batch);
            next++;
        }
        head = s + 1;
        List<T> out = new ArrayList<>();
        for (Future<T> f : queue.poll()) {
            out.add(await(f));
        }
        return out;
    }

    private static <T> T await(Future<T> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for training data");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw io;
            }
            if (c instanceof RuntimeException r) {
                throw r;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new IOException(c);
        }
    }

    private void cancelQueued() {
        for (List<Future<T>> batch : queue) {
            batch.forEach(f -> f.cancel(true));
        }
        queue.clear();
        head = -1;
    }

    /** Whether the loader threads are stopped (always true without workers). */
    boolean isTerminated() {
        return pool == null || pool.isTerminated();
    }

    /**
     * Cancels what is queued and stops the loader threads, waiting (at most 30 s) for a running task to end
     * and for the threads to exit.
     */
    @Override
    public void close() {
        cancelQueued();
        if (pool == null) {
            return;
        }
        pool.shutdownNow();
        try {
            // joining the threads, not just awaiting the pool: its last worker reports termination before it exits
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            List<Thread> started;
            synchronized (threads) {
                started = new ArrayList<>(threads);
            }
            for (Thread t : started) {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

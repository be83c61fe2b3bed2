package org.maskrcnn4j.jmh;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.maskrcnn4j.tensor.Backend;
import org.maskrcnn4j.tensor.BackendConfig;
import org.maskrcnn4j.tensor.Backends;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The skeleton of an op benchmark: one trial creates the backend named by {@link #backend} through
 * {@link Backends#provider(String)} on the CPU, lets the subclass compile its functions in {@link #prepare},
 * and closes the backend at the end. An unavailable backend fails the trial with the SPI's reason.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public abstract class AbstractBackendBenchmark {
    /** The backend's provider name; pick one with {@code -p backend=djl}. */
    @Param({"djl", "tensorflow"})
    public String backend;

    /** Intra-op threads, 0 for every available core (as {@link BackendConfig}). */
    @Param("0")
    public int threads;

    private Backend instance;

    /** Creates the backend and prepares the subclass's compiled functions. */
    @Setup(Level.Trial)
    public void openBackend() {
        instance = Backends.provider(backend).create(new BackendConfig("cpu", threads, Map.of()));
        prepare(instance);
    }

    /**
     * Declares the inputs the backend holds and compiles the timed functions, calling each once so that a
     * tracing backend has built its graph before the warm-up.
     */
    protected abstract void prepare(Backend b);

    /** Releases the backend's native memory. */
    @TearDown(Level.Trial)
    public void closeBackend() {
        if (instance != null) {
            instance.close();
            instance = null;
        }
    }
}

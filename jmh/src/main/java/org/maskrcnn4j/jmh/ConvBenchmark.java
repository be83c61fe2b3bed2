package org.maskrcnn4j.jmh;

import java.util.Map;
import org.maskrcnn4j.examples.bench.Splitmix;
import org.maskrcnn4j.tensor.Backend;
import org.maskrcnn4j.tensor.CompiledFunction;
import org.maskrcnn4j.tensor.HostTensor;
import org.openjdk.jmh.annotations.Benchmark;

/**
 * The convolution that dominates the heads and the FPN: 3x3, 256 to 256 channels, padding 1, with bias, on a
 * 1x256x100x100 input (11.8 GFLOP). Input, weight and bias are backend parameters filled from the fixtures'
 * SplitMix64 formula ({@link Splitmix}, streams 41 to 43); the output is summed, so one scalar comes back.
 */
public class ConvBenchmark extends AbstractBackendBenchmark {
    private static final int CHANNELS = 256;
    private static final int SIZE = 100;

    private CompiledFunction convFn;
    private final Map<String, HostTensor> none = Map.of();

    @Override
    protected void prepare(Backend b) {
        b.parameters().declare("bench.conv.x", formula(41, 1, CHANNELS, SIZE, SIZE), false);
        b.parameters().declare("bench.conv.weight", formula(42, CHANNELS, CHANNELS, 3, 3), false);
        b.parameters().declare("bench.conv.bias", formula(43, CHANNELS), false);
        int[] one = {1, 1};
        convFn = b.compile((ops, in) -> Map.of("sum", ops.sum(ops.conv2d(ops.parameter("bench.conv.x"),
                ops.parameter("bench.conv.weight"), ops.parameter("bench.conv.bias"), one, one, one, 1))));
        convFn.call(none);
    }

    /** The sum of the convolution's output. */
    @Benchmark
    public Map<String, HostTensor> conv3x3() {
        return convFn.call(none);
    }

    /** A float tensor of {@code shape} holding {@code r(seed, i)} in [-1, 1). */
    private static HostTensor formula(long seed, long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) Splitmix.r(seed, i);
        }
        return HostTensor.ofFloats(v, shape);
    }
}

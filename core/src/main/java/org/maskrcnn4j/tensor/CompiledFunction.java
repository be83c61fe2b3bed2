package org.maskrcnn4j.tensor;

import java.util.Map;

/**
 * A {@link TensorFunction} prepared by a backend: host values in, host values out. Every native
 * resource a call creates is released before it returns.
 */
@FunctionalInterface
public interface CompiledFunction {
    Map<String, HostTensor> call(Map<String, HostTensor> inputs);
}

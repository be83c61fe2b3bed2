package org.maskrcnn4j.tensor;

import java.util.Map;

/**
 * A computation written against {@link Ops}: named input tensors in, named output tensors out. A backend
 * runs it eagerly or traces it once; either way the function must not read tensor values.
 */
@FunctionalInterface
public interface TensorFunction {
    Map<String, Tensor> apply(Ops ops, Map<String, Tensor> inputs);
}

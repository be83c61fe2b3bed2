package org.maskrcnn4j.nn;

import java.util.random.RandomGenerator;
import org.maskrcnn4j.tensor.DType;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.Shape;

/**
 * Produces a parameter's initial value of the given shape and dtype, drawing any randomness from
 * {@code rng} only. Common initialisers are in {@link Init}.
 */
@FunctionalInterface
public interface Initializer {
    HostTensor initialize(Shape shape, DType dtype, RandomGenerator rng);
}

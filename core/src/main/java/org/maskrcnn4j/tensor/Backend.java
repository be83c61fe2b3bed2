package org.maskrcnn4j.tensor;

import java.util.Collection;

/**
 * A compute backend: it owns the parameter values and runs {@link TensorFunction}s, eagerly or traced.
 * Created by a {@link BackendProvider}; close it to release native memory.
 */
public interface Backend extends AutoCloseable {

    /** The provider's name, e.g. {@code djl}. */
    String name();

    /** The device computations run on, e.g. {@code cpu}. */
    String device();

    ParameterStore parameters();

    /**
     * Prepares {@code fn} for repeated calls (DJL: eager in a per-call memory scope; TF: traced graph).
     * Compile once and call many times: a traced backend keeps each compiled graph until it is closed.
     * A traced backend may only detect a shape error when the function is called.
     */
    CompiledFunction compile(TensorFunction fn);

    /**
     * Prepares a function whose single output {@code value} is a scalar, returning that value and, for
     * each floating input named in {@code wrt}, its gradient under the key {@code grad/<name>}.
     */
    CompiledFunction gradient(TensorFunction fn, Collection<String> wrt);

    /**
     * Prepares a training step over every trainable parameter the loss function reads (parameters that
     * get no gradient are left alone, as in torch).
     */
    TrainStep trainStep(TensorFunction lossFn, Optimizer optimizer);

    @Override
    void close();
}

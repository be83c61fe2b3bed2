package org.maskrcnn4j.nn;

import java.util.Objects;
import java.util.random.RandomGenerator;
import org.maskrcnn4j.tensor.DType;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.Ops;
import org.maskrcnn4j.tensor.Shape;
import org.maskrcnn4j.tensor.Tensor;

/**
 * A declared parameter or buffer: its full torchvision state_dict name (e.g.
 * {@code backbone.body.layer1.0.conv1.weight}), static shape, dtype, whether it is trainable, and how its
 * initial value is made. Buffers (running statistics, {@code num_batches_tracked}, every tensor of a
 * {@link FrozenBatchNorm2d}) are parameters with {@code trainable == false}. The value itself lives in a
 * backend's {@link org.maskrcnn4j.tensor.ParameterStore}; read it in a forward pass with {@link #value}.
 */
public final class Parameter {
    private final String name;
    private final Shape shape;
    private final DType dtype;
    private final boolean trainable;
    private final Initializer initializer;

    public Parameter(String name, Shape shape, DType dtype, boolean trainable, Initializer initializer) {
        this.name = Module.checkName(name, "parameter name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("parameter name must not be empty");
        }
        if (!shape.isKnown()) {
            throw new IllegalArgumentException("parameter " + name + " needs a fully known shape, got " + shape);
        }
        this.shape = shape;
        this.dtype = Objects.requireNonNull(dtype, "dtype");
        this.trainable = trainable;
        this.initializer = Objects.requireNonNull(initializer, "initializer");
    }

    /** The full state_dict key. */
    public String name() {
        return name;
    }

    public Shape shape() {
        return shape;
    }

    public DType dtype() {
        return dtype;
    }

    /** False for buffers. */
    public boolean trainable() {
        return trainable;
    }

    public Initializer initializer() {
        return initializer;
    }

    /** A fresh initial value drawn from {@code rng}; fails if the initialiser returns another shape or dtype. */
    public HostTensor initialValue(RandomGenerator rng) {
        HostTensor value = initializer.initialize(shape, dtype, rng);
        if (!value.shape().equals(shape) || value.dtype() != dtype) {
            throw new IllegalStateException("initialiser of " + name + " returned " + value.dtype().code() + " " + value.shape()
                    + ", expected " + dtype.code() + " " + shape);
        }
        return value;
    }

    /** The current value in this execution, {@code ops.parameter(name())}. */
    public Tensor value(Ops ops) {
        return ops.parameter(name);
    }

    @Override
    public String toString() {
        return (trainable ? "Parameter(" : "Buffer(") + name + " " + dtype.code() + " " + shape + ")";
    }
}

package org.maskrcnn4j.nn;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.DoubleSupplier;
import java.util.random.RandomGenerator;
import org.maskrcnn4j.tensor.DType;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.Shape;

/**
 * PyTorch's initialisers ({@code torch.nn.init}) as {@link Initializer}s, and its fan-in rule. The
 * defaults of {@code nn.Conv2d}, {@code nn.ConvTranspose2d} and {@code nn.Linear} are
 * {@code kaimingUniform(sqrt(5))} for the weight, i.e. {@code U(-1/sqrt(fanIn), 1/sqrt(fanIn))}, and
 * {@link #biasUniform} of the weight's shape for the bias.
 */
public final class Init {
    /** The {@code a} of PyTorch's default {@code kaiming_uniform_(weight, a=math.sqrt(5))}. */
    public static final double DEFAULT_KAIMING_A = Math.sqrt(5);

    private Init() {
    }

    /** Every element {@code value} (any float or integer dtype). */
    public static Initializer constant(double value) {
        return (shape, dtype, rng) -> fill(shape, dtype, () -> value);
    }

    public static Initializer zeros() {
        return constant(0);
    }

    public static Initializer ones() {
        return constant(1);
    }

    /** Independent draws from {@code U(-bound, bound)}; all zeros when {@code bound} is 0. */
    public static Initializer uniform(double bound) {
        if (!(bound >= 0) || Double.isInfinite(bound)) {
            throw new IllegalArgumentException("uniform bound must be finite and >= 0, got " + bound);
        }
        return (shape, dtype, rng) -> fill(shape, dtype, bound == 0 ? () -> 0 : () -> rng.nextDouble(-bound, bound));
    }

    /**
     * {@code torch.nn.init.kaiming_uniform_(w, a, mode="fan_in", nonlinearity="leaky_relu")}: bound
     * {@code sqrt(3) * sqrt(2 / (1 + a^2)) / sqrt(fanIn)} with the fan-in of the shape being initialised.
     */
    public static Initializer kaimingUniform(double a) {
        return (shape, dtype, rng) -> {
            long fan = fanIn(shape);
            double gain = Math.sqrt(2.0 / (1 + a * a));
            double bound = fan == 0 ? 0 : Math.sqrt(3.0) * (gain / Math.sqrt(fan));
            return uniform(bound).initialize(shape, dtype, rng);
        };
    }

    /** Independent draws from {@code N(0, std^2)}, as {@code torch.nn.init.normal_(w, std=std)}. */
    public static Initializer normal(double std) {
        if (!(std >= 0) || Double.isInfinite(std)) {
            throw new IllegalArgumentException("normal std must be finite and >= 0, got " + std);
        }
        return (shape, dtype, rng) -> fill(shape, dtype, () -> rng.nextGaussian() * std);
    }

    /**
     * {@code torch.nn.init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu")}: {@code N(0, 2 / fanOut)}
     * with {@code fanOut = size(0)} times the receptive field (torchvision's mask head and predictor).
     */
    public static Initializer kaimingNormalFanOut() {
        return (shape, dtype, rng) -> {
            long fanOut = Math.multiplyExact(shape.get(0), fanIn(shape) / Math.max(1, shape.get(1)));
            return normal(fanOut == 0 ? 0 : Math.sqrt(2.0 / fanOut)).initialize(shape, dtype, rng);
        };
    }

    /** PyTorch's default weight initialiser of conv and linear layers, {@code kaimingUniform(sqrt(5))}. */
    public static Initializer defaultWeight() {
        return kaimingUniform(DEFAULT_KAIMING_A);
    }

    /** PyTorch's default bias initialiser: {@code U(-1/sqrt(fanIn), 1/sqrt(fanIn))}, fan-in of the weight. */
    public static Initializer biasUniform(Shape weightShape) {
        long fan = fanIn(weightShape);
        return uniform(fan == 0 ? 0 : 1 / Math.sqrt(fan));
    }

    /**
     * {@code torch.nn.init._calculate_fan_in_and_fan_out(w)[0]}: {@code size(1)} times the product of
     * the dimensions after the second. For a conv weight {@code [out, in/groups, kh, kw]} that is
     * {@code in/groups * kh * kw}; for a transposed conv {@code [in, out, kh, kw]} it is {@code out * kh * kw};
     * for a linear weight {@code [out, in]} it is {@code in}.
     */
    public static long fanIn(Shape weightShape) {
        if (weightShape.rank() < 2) {
            throw new IllegalArgumentException("fan in can not be computed for a tensor with fewer than 2 dimensions, got "
                    + weightShape);
        }
        long fan = 1;
        for (int i = 1; i < weightShape.rank(); i++) {
            fan = Math.multiplyExact(fan, weightShape.get(i));
        }
        return fan;
    }

    /** A host tensor of {@code shape} and {@code dtype} whose row-major elements come from {@code values}. */
    static HostTensor fill(Shape shape, DType dtype, DoubleSupplier values) {
        if (dtype != DType.FLOAT32 && dtype != DType.FLOAT64 && dtype != DType.INT64) {
            throw new IllegalArgumentException("initialisers support F32, F64 and I64, not " + dtype);
        }
        long n = shape.size();
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(n * dtype.byteSize())).order(ByteOrder.LITTLE_ENDIAN);
        for (long i = 0; i < n; i++) {
            double v = values.getAsDouble();
            switch (dtype) {
                case FLOAT32 -> b.putFloat((float) v);
                case FLOAT64 -> b.putDouble(v);
                default -> b.putLong((long) v);
            }
        }
        return HostTensor.adopt(dtype, shape, b.flip());
    }
}

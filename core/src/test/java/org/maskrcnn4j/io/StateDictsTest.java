package org.maskrcnn4j.io;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.Shape;

/** {@link StateDicts#checkCompatible} reports every problem at once. */
class StateDictsTest {
    private static HostTensor zeros(long... shape) {
        return HostTensor.ofFloats(new float[Math.toIntExact(Shape.of(shape).size())], shape);
    }

    private final Map<String, Shape> expected = new LinkedHashMap<>();
    private final Map<String, HostTensor> loaded = new LinkedHashMap<>();

    StateDictsTest() {
        expected.put("a", Shape.of(2));
        expected.put("b", Shape.of(3));
        expected.put("d", Shape.of(3, 4));
        expected.put("e", Shape.of(5));
        loaded.put("c", zeros(1));
        loaded.put("d", zeros(4, 3));
        loaded.put("e", zeros(5));
    }

    @Test
    void reportsAllProblemsTogether() {
        assertThatThrownBy(() -> StateDicts.checkCompatible(expected, loaded, "weights.safetensors"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("state dict from weights.safetensors does not match the model: missing 2 [a, b]; "
                        + "unexpected 1 [c]; wrong shape 1 [d: expected [3, 4], found [4, 3]]");
    }

    @Test
    void nonStrictIgnoresUnexpectedKeys() {
        assertThatThrownBy(() -> StateDicts.checkCompatible(expected, loaded, "x", false))
                .hasMessage("state dict from x does not match the model: missing 2 [a, b]; "
                        + "wrong shape 1 [d: expected [3, 4], found [4, 3]]");
        loaded.put("a", zeros(2));
        loaded.put("b", zeros(3));
        loaded.put("d", zeros(3, 4));
        assertThatCode(() -> StateDicts.checkCompatible(expected, loaded, "x", false)).doesNotThrowAnyException();
        assertThatThrownBy(() -> StateDicts.checkCompatible(expected, loaded, "x"))
                .hasMessage("state dict from x does not match the model: unexpected 1 [c]");
    }

    @Test
    void unknownExpectedDimensionMatchesAnySize() {
        Map<String, Shape> flexible = Map.of("w", Shape.of(Shape.UNKNOWN, 4));
        assertThatCode(() -> StateDicts.checkCompatible(flexible, Map.of("w", zeros(7, 4)), "x"))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> StateDicts.checkCompatible(flexible, Map.of("w", zeros(7, 4, 1)), "x"))
                .hasMessageContaining("wrong shape 1 [w: expected [?, 4], found [7, 4, 1]]");
    }
}

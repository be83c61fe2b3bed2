package org.maskrcnn4j.tck;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.maskrcnn4j.tensor.HostTensor;

/**
 * Conformance: bad shapes and dtypes fail before any computation with a message naming the op and the
 * shapes involved, the same on every backend.
 */
public abstract class ErrorConformance extends BackendTestBase {

    @Test
    void convolutionWithMismatchedChannelsNamesOpAndShapes() {
        assertThatThrownBy(() -> run1(inputs("x", HostTensor.ofFloats(new float[2 * 3 * 4 * 4], 2, 3, 4, 4),
                "w", HostTensor.ofFloats(new float[8 * 5 * 9], 8, 5, 3, 3)), (ops, in) -> ops.conv2d(in.get("x"), in.get("w"),
                        null, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1)))
                .hasStackTraceContaining("conv2d").hasStackTraceContaining("[2, 3, 4, 4]").hasStackTraceContaining("[8, 5, 3, 3]");
    }

    @Test
    void matmulWithMismatchedInnerDimensions() {
        assertThatThrownBy(() -> run1(inputs("a", HostTensor.ofFloats(new float[6], 2, 3), "b", HostTensor.ofFloats(new float[8], 4, 2)),
                (ops, in) -> ops.matmul(in.get("a"), in.get("b"))))
                .hasStackTraceContaining("matmul").hasStackTraceContaining("[2, 3]").hasStackTraceContaining("[4, 2]");
    }

    @Test
    void roiAlignNeedsFiveColumnRois() {
        assertThatThrownBy(() -> run1(inputs("f", HostTensor.ofFloats(new float[16], 1, 1, 4, 4), "r", HostTensor.ofFloats(new float[8], 2, 4)),
                (ops, in) -> ops.roiAlign(in.get("f"), in.get("r"), 2, 2, 1.0, 2, false)))
                .hasStackTraceContaining("roiAlign").hasStackTraceContaining("rois").hasStackTraceContaining("[2, 4]");
    }

    @Test
    void nmsNeedsOneScorePerBox() {
        assertThatThrownBy(() -> run1(inputs("b", HostTensor.ofFloats(new float[12], 3, 4), "s", HostTensor.ofFloats(new float[2], 2)),
                (ops, in) -> ops.nms(in.get("b"), in.get("s"), 0.5)))
                .hasStackTraceContaining("nms").hasStackTraceContaining("[3, 4]").hasStackTraceContaining("[2]");
    }

    @Test
    void broadcastingMismatchAndBadReshape() {
        assertThatThrownBy(() -> run1(inputs("a", HostTensor.ofFloats(new float[6], 2, 3), "b", HostTensor.ofFloats(new float[4], 4)),
                (ops, in) -> ops.add(in.get("a"), in.get("b"))))
                .hasStackTraceContaining("add").hasStackTraceContaining("[2, 3]").hasStackTraceContaining("[4]");
        assertThatThrownBy(() -> run1(inputs("a", HostTensor.ofFloats(new float[6], 2, 3)), (ops, in) -> ops.reshape(in.get("a"), 4, -1)))
                .hasStackTraceContaining("reshape").hasStackTraceContaining("[2, 3]");
    }

    @Test
    void indicesMustBeIntegers() {
        assertThatThrownBy(() -> run1(inputs("x", HostTensor.ofFloats(new float[6], 3, 2), "i", HostTensor.ofFloats(new float[2], 2)),
                (ops, in) -> ops.gather(in.get("x"), in.get("i"), 0)))
                .hasStackTraceContaining("gather").hasStackTraceContaining("indices");
        assertThatThrownBy(() -> run1(inputs("a", HostTensor.ofFloats(new float[2], 2)),
                (ops, in) -> ops.concat(List.of(in.get("a"), ops.reshape(in.get("a"), 1, 2)), 0)))
                .hasStackTraceContaining("concat").hasStackTraceContaining("[1, 2]");
    }
}

package org.maskrcnn4j.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** Building host tensors from bytes: {@code of} copies them, {@code adopt} takes them; both check the size. */
class HostTensorTest {
    private static ByteBuffer floats(float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.flip();
    }

    @Test
    void ofCopiesTheBytesSoLaterWritesToTheSourceDoNotShow() {
        ByteBuffer source = floats(1, 2, 3);
        HostTensor t = HostTensor.of(DType.FLOAT32, Shape.of(3), source);
        source.putFloat(0, 9);
        assertThat(t.toFloatArray()).containsExactly(1, 2, 3);
    }

    @Test
    void adoptTakesTheRemainingBytesFromTheBufferPosition() {
        ByteBuffer source = floats(7, 1, 2, 3);
        source.position(4);
        HostTensor t = HostTensor.adopt(DType.FLOAT32, Shape.of(3), source);
        assertThat(t.toFloatArray()).containsExactly(1, 2, 3);
        assertThat(t.getDouble(2)).isEqualTo(3.0);
    }

    @Test
    void bothRefuseAByteCountThatDoesNotMatchTheShape() {
        assertThatThrownBy(() -> HostTensor.adopt(DType.FLOAT32, Shape.of(2, 2), floats(1, 2, 3)))
                .hasMessageContaining("FLOAT32").hasMessageContaining("needs 16 bytes, got 12");
        assertThatThrownBy(() -> HostTensor.of(DType.FLOAT32, Shape.of(2), floats(1, 2, 3)))
                .hasMessageContaining("needs 8 bytes, got 12");
    }
}

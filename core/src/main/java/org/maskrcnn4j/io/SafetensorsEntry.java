package org.maskrcnn4j.io;

import org.maskrcnn4j.tensor.DType;
import org.maskrcnn4j.tensor.Shape;

/**
 * One tensor's header entry in a safetensors file: its dtype, shape and byte range {@code [begin, end)}
 * relative to the start of the data section. Describes a tensor without reading its data.
 */
public record SafetensorsEntry(String name, DType dtype, Shape shape, long begin, long end) {
    /** Number of data bytes, {@code end - begin}. */
    public long byteCount() {
        return end - begin;
    }
}

package org.maskrcnn4j.tensor;

/** Element types a tensor may hold; names follow safetensors ({@code F32}, {@code I64}, ...). */
public enum DType {
    FLOAT32("F32", 4),
    FLOAT64("F64", 8),
    FLOAT16("F16", 2),
    BFLOAT16("BF16", 2),
    INT64("I64", 8),
    INT32("I32", 4),
    UINT8("U8", 1),
    BOOL("BOOL", 1);

    private final String code;
    private final int byteSize;

    DType(String code, int byteSize) {
        this.code = code;
        this.byteSize = byteSize;
    }

    /** The safetensors dtype code, e.g. {@code F32}. */
    public String code() {
        return code;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** Whether this is a floating point type. */
    public boolean isFloating() {
        return this == FLOAT32 || this == FLOAT64 || this == FLOAT16 || this == BFLOAT16;
    }

    /** Whether this is an integer type (bool excluded). */
    public boolean isInteger() {
        return this == INT64 || this == INT32 || this == UINT8;
    }

    /** The dtype with the given safetensors code, or an error listing the known codes. */
    public static DType fromCode(String code) {
        for (DType t : values()) {
            if (t.code.equals(code)) {
                return t;
            }
        }
        StringBuilder known = new StringBuilder();
        for (DType t : values()) {
            known.append(known.length() == 0 ? "" : ", ").append(t.code);
        }
        throw new IllegalArgumentException("unknown dtype '" + code + "', expected one of " + known);
    }
}

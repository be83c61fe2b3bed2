package org.maskrcnn4j.data;

import java.io.IOException;

/** A COCO json file that is not valid JSON or not the expected structure; the message names file and field. */
public class CocoFormatException extends IOException {
    private final String source;
    private final String field;

    public CocoFormatException(String source, String field, String message, Throwable cause) {
        super(source + ": " + (field == null || field.isEmpty() ? "" : field + ": ") + message, cause);
        this.source = source;
        this.field = field;
    }

    public CocoFormatException(String source, String field, String message) {
        this(source, field, message, null);
    }

    /** The file (or other source) read. */
    public String source() {
        return source;
    }

    /** The field path, e.g. {@code annotations[17].bbox}, or null for the file as a whole. */
    public String field() {
        return field;
    }
}

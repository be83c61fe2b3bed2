package org.maskrcnn4j.io;

import java.io.IOException;

/** A safetensors file is malformed or inconsistent; the message names the file and the offending part. */
public class SafetensorsFormatException extends IOException {
    public SafetensorsFormatException(String message) {
        super(message);
    }

    public SafetensorsFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}

package org.maskrcnn4j.data;

import java.util.Objects;

/** A COCO {@code images} entry: id, file name (relative to the image folder) and size in pixels. */
public record CocoImage(long id, String fileName, int width, int height) {
    public CocoImage {
        Objects.requireNonNull(fileName, "fileName");
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image " + id + " has invalid size " + width + "x" + height);
        }
    }
}

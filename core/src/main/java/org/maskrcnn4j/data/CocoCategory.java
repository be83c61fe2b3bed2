package org.maskrcnn4j.data;

import java.util.Objects;

/** A COCO {@code categories} entry; {@code supercategory} may be null. */
public record CocoCategory(long id, String name, String supercategory) {
    public CocoCategory {
        Objects.requireNonNull(name, "name");
    }

    /** A category without a supercategory. */
    public CocoCategory(long id, String name) {
        this(id, name, null);
    }
}

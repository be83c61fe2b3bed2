package org.maskrcnn4j.data;

import java.util.Objects;

/**
 * A COCO {@code annotations} entry: one object instance (or, with {@code iscrowd}, a crowd region) of an image.
 * {@code segmentation} may be null (a box-only dataset).
 */
public record CocoAnnotation(long id, long imageId, long categoryId, CocoBox bbox, double area, boolean iscrowd,
        Segmentation segmentation) {
    public CocoAnnotation {
        Objects.requireNonNull(bbox, "bbox");
    }

    /**
     * An annotation from a mask: box and area from the RLE (as pycocotools' {@code toBbox} and {@code area}),
     * segmentation the compressed RLE.
     */
    public static CocoAnnotation ofMask(long id, long imageId, long categoryId, Rle mask, boolean iscrowd) {
        return new CocoAnnotation(id, imageId, categoryId, CocoBox.of(mask.toBbox()), mask.area(), iscrowd,
                new Segmentation.RleMask(mask, !iscrowd));
    }
}

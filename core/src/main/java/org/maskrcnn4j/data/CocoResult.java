package org.maskrcnn4j.data;

/**
 * One detection in COCO's results format: {@code image_id}, {@code category_id}, {@code score} and a box
 * {@code [x, y, w, h]} and/or a mask (written as a compressed RLE); one of {@code bbox} and {@code segmentation}
 * may be null.
 */
public record CocoResult(long imageId, long categoryId, CocoBox bbox, double score, Rle segmentation) {
    public CocoResult {
        if (bbox == null && segmentation == null) {
            throw new IllegalArgumentException("a result needs a bbox or a segmentation");
        }
    }
}

package org.maskrcnn4j.eval;

import java.util.Arrays;
import java.util.Objects;
import org.maskrcnn4j.model.BinaryMask;

/**
 * One detection result (a COCO results-file entry).
 *
 * <p>Its area, used to ignore unmatched detections outside an area range, is computed as pycocotools'
 * {@code loadRes} does: {@code w * h} of the box for {@link IouType#BBOX}, the mask's pixel count for
 * {@link IouType#SEGM}.
 *
 * @param imageId image id
 * @param categoryId category id
 * @param bbox {@code [x, y, w, h]}; required for {@link IouType#BBOX}, may be {@code null} for segm
 * @param score confidence
 * @param mask full-image mask; required for {@link IouType#SEGM}, may be {@code null} for bbox
 */
public record CocoDetection(long imageId, long categoryId, double[] bbox, double score, BinaryMask mask) {
    public CocoDetection {
        if (bbox != null) {
            if (bbox.length != 4) {
                throw new IllegalArgumentException("bbox must be [x, y, w, h], got length " + bbox.length);
            }
            bbox = bbox.clone();
        }
    }

    /** A box detection. */
    public static CocoDetection ofBox(long imageId, long categoryId, double[] bbox, double score) {
        return new CocoDetection(imageId, categoryId, bbox, score, null);
    }

    /** A mask detection (no box). */
    public static CocoDetection ofMask(long imageId, long categoryId, BinaryMask mask, double score) {
        return new CocoDetection(imageId, categoryId, null, score, mask);
    }

    @Override
    public double[] bbox() {
        return bbox == null ? null : bbox.clone();
    }

    double[] box() {
        return bbox;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CocoDetection o
                && imageId == o.imageId
                && categoryId == o.categoryId
                && Arrays.equals(bbox, o.bbox)
                && Double.compare(score, o.score) == 0
                && Objects.equals(mask, o.mask);
    }

    @Override
    public int hashCode() {
        return Objects.hash(imageId, categoryId, Arrays.hashCode(bbox), score, mask);
    }

    @Override
    public String toString() {
        return "CocoDetection[imageId=" + imageId + ", categoryId=" + categoryId + ", bbox=" + Arrays.toString(bbox)
                + ", score=" + score + ", mask=" + mask + "]";
    }
}

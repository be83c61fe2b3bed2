package org.maskrcnn4j.eval;

import java.util.Arrays;
import java.util.Objects;
import org.maskrcnn4j.model.BinaryMask;

/**
 * One ground-truth annotation (a COCO {@code annotations[]} entry).
 *
 * <p>{@code area} is the annotation's {@code area} field: as in pycocotools it alone decides the area range
 * a ground truth falls in (it is not recomputed from the box or the mask). A crowd annotation
 * ({@code iscrowd}) is never counted as a positive: detections matched to it are ignored.
 *
 * @param imageId image id
 * @param categoryId category id
 * @param bbox {@code [x, y, w, h]}; required for {@link IouType#BBOX}, may be {@code null} for segm
 * @param area the annotation's area
 * @param iscrowd crowd flag
 * @param mask full-image mask; required for {@link IouType#SEGM}, may be {@code null} for bbox
 */
public record CocoGroundTruth(long imageId, long categoryId, double[] bbox, double area, boolean iscrowd,
        BinaryMask mask) {
    public CocoGroundTruth {
        if (bbox != null) {
            if (bbox.length != 4) {
                throw new IllegalArgumentException("bbox must be [x, y, w, h], got length " + bbox.length);
            }
            bbox = bbox.clone();
        }
    }

    /** A box annotation without mask. */
    public static CocoGroundTruth ofBox(long imageId, long categoryId, double[] bbox, double area, boolean iscrowd) {
        return new CocoGroundTruth(imageId, categoryId, bbox, area, iscrowd, null);
    }

    /**
     * A mask annotation whose area is the mask's pixel count and whose box is the mask's tight box (as
     * {@code maskUtils.area} / {@code maskUtils.toBbox}).
     */
    public static CocoGroundTruth ofMask(long imageId, long categoryId, BinaryMask mask, boolean iscrowd) {
        Objects.requireNonNull(mask, "mask");
        return new CocoGroundTruth(imageId, categoryId, CocoIou.maskBox(mask), mask.area(), iscrowd, mask);
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
        return other instanceof CocoGroundTruth o
                && imageId == o.imageId
                && categoryId == o.categoryId
                && Arrays.equals(bbox, o.bbox)
                && Double.compare(area, o.area) == 0
                && iscrowd == o.iscrowd
                && Objects.equals(mask, o.mask);
    }

    @Override
    public int hashCode() {
        return Objects.hash(imageId, categoryId, Arrays.hashCode(bbox), area, iscrowd, mask);
    }

    @Override
    public String toString() {
        return "CocoGroundTruth[imageId=" + imageId + ", categoryId=" + categoryId + ", bbox=" + Arrays.toString(bbox)
                + ", area=" + area + ", iscrowd=" + iscrowd + ", mask=" + mask + "]";
    }
}

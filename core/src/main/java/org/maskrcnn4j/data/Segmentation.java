package org.maskrcnn4j.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/** The {@code segmentation} of a COCO annotation: polygons or an RLE (compressed or not). */
public sealed interface Segmentation {

    /** The mask as an RLE, as pycocotools' {@code COCO.annToRLE} for an image of the given size. */
    Rle toRle(int height, int width);

    /** Polygons {@code [[x0, y0, x1, y1, ...], ...]} of one object. */
    record PolygonMask(List<double[]> polygons) implements Segmentation {
        public PolygonMask {
            List<double[]> copy = new ArrayList<>(polygons.size());
            for (double[] p : polygons) {
                copy.add(p.clone());
            }
            polygons = Collections.unmodifiableList(copy);
        }

        @Override
        public Rle toRle(int height, int width) {
            return Polygons.annotationToRle(polygons, height, width);
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof PolygonMask other) || other.polygons.size() != polygons.size()) {
                return false;
            }
            for (int i = 0; i < polygons.size(); i++) {
                if (!Arrays.equals(polygons.get(i), other.polygons.get(i))) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public int hashCode() {
            int h = 1;
            for (double[] p : polygons) {
                h = 31 * h + Arrays.hashCode(p);
            }
            return h;
        }

        @Override
        public String toString() {
            StringBuilder s = new StringBuilder("PolygonMask[");
            for (int i = 0; i < polygons.size(); i++) {
                s.append(i == 0 ? "" : ", ").append(Arrays.toString(polygons.get(i)));
            }
            return s.append(']').toString();
        }
    }

    /**
     * A run-length encoded mask; {@code compressed} says whether it is written with pycocotools' string counts
     * (COCO's usual form) or as a list of numbers (COCO's form for crowd regions).
     */
    record RleMask(Rle rle, boolean compressed) implements Segmentation {
        public RleMask {
            Objects.requireNonNull(rle, "rle");
        }

        /** A compressed RLE segmentation. */
        public RleMask(Rle rle) {
            this(rle, true);
        }

        /** The RLE itself: pycocotools uses the RLE's own size, whatever the image's. */
        @Override
        public Rle toRle(int height, int width) {
            return rle;
        }
    }
}

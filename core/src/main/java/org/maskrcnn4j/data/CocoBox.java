package org.maskrcnn4j.data;

/** A COCO box {@code [x, y, width, height]} in pixels, {@code (x, y)} its top-left corner. */
public record CocoBox(double x, double y, double width, double height) {

    /** A box from COCO's 4-number array. */
    public static CocoBox of(double[] xywh) {
        if (xywh.length != 4) {
            throw new IllegalArgumentException("a box has 4 numbers, got " + xywh.length);
        }
        return new CocoBox(xywh[0], xywh[1], xywh[2], xywh[3]);
    }

    /** A box from corners {@code (x1, y1, x2, y2)}. */
    public static CocoBox fromCorners(double x1, double y1, double x2, double y2) {
        return new CocoBox(x1, y1, x2 - x1, y2 - y1);
    }

    /** {@code [x, y, width, height]}. */
    public double[] toArray() {
        return new double[] {x, y, width, height};
    }

    /** {@code [x1, y1, x2, y2]}. */
    public double[] toCorners() {
        return new double[] {x, y, x + width, y + height};
    }

    /** {@code width * height}. */
    public double area() {
        return width * height;
    }
}

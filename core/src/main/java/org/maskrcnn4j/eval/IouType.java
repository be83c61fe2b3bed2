package org.maskrcnn4j.eval;

/** What the IoU between a detection and a ground truth is computed on (pycocotools' {@code iouType}). */
public enum IouType {
    /** Boxes ({@code [x, y, w, h]}); detection area = {@code w * h}. */
    BBOX("bbox"),
    /** Binary masks; detection area = number of mask pixels. */
    SEGM("segm");

    private final String cocoName;

    IouType(String cocoName) {
        this.cocoName = cocoName;
    }

    /** The pycocotools name: {@code "bbox"} or {@code "segm"}. */
    public String cocoName() {
        return cocoName;
    }
}

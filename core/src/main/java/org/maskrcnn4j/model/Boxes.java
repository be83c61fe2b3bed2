package org.maskrcnn4j.model;

import java.util.List;
import org.maskrcnn4j.tensor.Ops;
import org.maskrcnn4j.tensor.Tensor;

/** Tensor-code helpers on {@code [N, 4]} (x1, y1, x2, y2) boxes, as {@code torchvision.ops.boxes}. */
public final class Boxes {
    private Boxes() {
    }

    /** Areas {@code [N]}, {@code (x2 - x1) * (y2 - y1)}. */
    public static Tensor area(Ops ops, Tensor boxes) {
        Tensor[] c = BoxCoder.columns(ops, boxes);
        return ops.mul(ops.sub(c[2], c[0]), ops.sub(c[3], c[1]));
    }

    /** Pairwise IoU {@code [N, M]} of {@code a [N, 4]} and {@code b [M, 4]}, as {@code box_iou}. */
    public static Tensor pairwiseIou(Ops ops, Tensor a, Tensor b) {
        Tensor areaA = area(ops, a);
        Tensor areaB = area(ops, b);
        Tensor a3 = ops.unsqueeze(a, 1); // [N, 1, 4]
        Tensor lt = ops.maximum(ops.slice(a3, 2, 0, 2), ops.slice(b, 1, 0, 2)); // [N, M, 2]
        Tensor rb = ops.minimum(ops.slice(a3, 2, 2, 4), ops.slice(b, 1, 2, 4));
        Tensor wh = ops.clamp(ops.sub(rb, lt), 0, Double.POSITIVE_INFINITY);
        Tensor inter = ops.mul(ops.squeeze(ops.slice(wh, 2, 0, 1), 2), ops.squeeze(ops.slice(wh, 2, 1, 2), 2));
        Tensor union = ops.sub(ops.add(ops.unsqueeze(areaA, 1), ops.unsqueeze(areaB, 0)), inter);
        return ops.div(inter, union);
    }

    /** Clamps x to {@code [0, width]} and y to {@code [0, height]}, as {@code clip_boxes_to_image}. */
    public static Tensor clip(Ops ops, Tensor boxes, long height, long width) {
        Tensor[] c = BoxCoder.columns(ops, boxes);
        return ops.stack(List.of(ops.clamp(c[0], 0, width), ops.clamp(c[1], 0, height), ops.clamp(c[2], 0, width),
                ops.clamp(c[3], 0, height)), 1);
    }

    /** Bool {@code [N]}: width and height both at least {@code minSize}, as {@code remove_small_boxes}. */
    public static Tensor largeEnough(Ops ops, Tensor boxes, double minSize) {
        Tensor[] c = BoxCoder.columns(ops, boxes);
        return ops.logicalAnd(ops.ge(ops.sub(c[2], c[0]), minSize), ops.ge(ops.sub(c[3], c[1]), minSize));
    }
}

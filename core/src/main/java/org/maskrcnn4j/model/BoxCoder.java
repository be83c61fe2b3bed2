package org.maskrcnn4j.model;

import java.util.List;
import org.maskrcnn4j.tensor.Ops;
import org.maskrcnn4j.tensor.Tensor;

/**
 * Encodes boxes as deltas relative to reference boxes and decodes them back, exactly as torchvision's
 * {@code BoxCoder}: widths without +1, centres {@code x1 + 0.5 w}, deltas scaled by {@code weights}
 * (wx, wy, ww, wh), and decoded log-scale deltas clamped from above at {@code clip}.
 */
public final class BoxCoder {
    /** torchvision's default clamp, {@code log(1000 / 16)}. */
    public static final double DEFAULT_CLIP = Math.log(1000.0 / 16);

    private final double wx;
    private final double wy;
    private final double ww;
    private final double wh;
    private final double clip;

    public BoxCoder(double wx, double wy, double ww, double wh, double clip) {
        this.wx = wx;
        this.wy = wy;
        this.ww = ww;
        this.wh = wh;
        this.clip = clip;
    }

    public BoxCoder(double wx, double wy, double ww, double wh) {
        this(wx, wy, ww, wh, DEFAULT_CLIP);
    }

    /** Deltas {@code [N, 4]} (dx, dy, dw, dh) that turn {@code proposals [N, 4]} into {@code gt [N, 4]}. */
    public Tensor encode(Ops ops, Tensor gt, Tensor proposals) {
        Tensor[] p = columns(ops, proposals);
        Tensor[] g = columns(ops, gt);
        Tensor pw = ops.sub(p[2], p[0]);
        Tensor ph = ops.sub(p[3], p[1]);
        Tensor pcx = ops.add(p[0], ops.mul(pw, 0.5));
        Tensor pcy = ops.add(p[1], ops.mul(ph, 0.5));
        Tensor gw = ops.sub(g[2], g[0]);
        Tensor gh = ops.sub(g[3], g[1]);
        Tensor gcx = ops.add(g[0], ops.mul(gw, 0.5));
        Tensor gcy = ops.add(g[1], ops.mul(gh, 0.5));
        Tensor dx = ops.div(ops.mul(ops.sub(gcx, pcx), wx), pw);
        Tensor dy = ops.div(ops.mul(ops.sub(gcy, pcy), wy), ph);
        Tensor dw = ops.mul(ops.log(ops.div(gw, pw)), ww);
        Tensor dh = ops.mul(ops.log(ops.div(gh, ph)), wh);
        return ops.stack(List.of(dx, dy, dw, dh), 1);
    }

    /**
     * Boxes {@code [N, K, 4]} from deltas {@code [N, 4K]} (K classes, each dx, dy, dw, dh) applied to
     * {@code reference [N, 4]}.
     */
    public Tensor decode(Ops ops, Tensor relCodes, Tensor reference) {
        Tensor codes = ops.reshape(relCodes, ops.concat(List.of(ops.reshape(ops.size(relCodes, 0), 1),
                ops.constant(new long[] {-1, 4}, 2)), 0));
        Tensor[] r = columns(ops, reference);
        Tensor w = ops.unsqueeze(ops.sub(r[2], r[0]), 1);
        Tensor h = ops.unsqueeze(ops.sub(r[3], r[1]), 1);
        Tensor cx = ops.add(ops.unsqueeze(r[0], 1), ops.mul(w, 0.5));
        Tensor cy = ops.add(ops.unsqueeze(r[1], 1), ops.mul(h, 0.5));
        Tensor dx = ops.div(component(ops, codes, 0), wx);
        Tensor dy = ops.div(component(ops, codes, 1), wy);
        Tensor dw = ops.clamp(ops.div(component(ops, codes, 2), ww), Double.NEGATIVE_INFINITY, clip);
        Tensor dh = ops.clamp(ops.div(component(ops, codes, 3), wh), Double.NEGATIVE_INFINITY, clip);
        Tensor pcx = ops.add(ops.mul(dx, w), cx);
        Tensor pcy = ops.add(ops.mul(dy, h), cy);
        Tensor halfW = ops.mul(ops.mul(ops.exp(dw), w), 0.5);
        Tensor halfH = ops.mul(ops.mul(ops.exp(dh), h), 0.5);
        return ops.stack(List.of(ops.sub(pcx, halfW), ops.sub(pcy, halfH), ops.add(pcx, halfW),
                ops.add(pcy, halfH)), 2);
    }

    private static Tensor component(Ops ops, Tensor codes, int i) {
        return ops.squeeze(ops.slice(codes, 2, i, i + 1), 2);
    }

    /** The four columns of an {@code [N, 4]} tensor as {@code [N]} tensors. */
    static Tensor[] columns(Ops ops, Tensor boxes) {
        Tensor[] out = new Tensor[4];
        for (int i = 0; i < 4; i++) {
            out[i] = ops.squeeze(ops.slice(boxes, 1, i, i + 1), 1);
        }
        return out;
    }
}

package org.maskrcnn4j.examples.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.Ops;
import org.maskrcnn4j.tensor.Tensor;
import org.maskrcnn4j.tensor.TensorFunction;

/**
 * The benchmark's inputs, defined exactly as in {@code bench/torchvision_baseline.py}: the train step's
 * target, the RoIAlign features and boxes, the NMS boxes and scores; and the op items' functions, which
 * {@code maskrcnn bench} and the JMH benchmarks both time.
 */
public final class Workloads {
    public static final int ROI_BOXES = 512;
    public static final int ROI_CHANNELS = 256;
    public static final int ROI_HEIGHT = 200;
    public static final int ROI_WIDTH = 304;
    public static final double ROI_SCALE = 0.25;
    public static final int ROI_SAMPLING = 2;
    public static final int NMS_BOXES = 4000;
    public static final double NMS_IOU = 0.7;
    /** The parameter that holds {@link #roiFeatures()} inside the backend for {@link #roiAlignForward}. */
    public static final String ROI_FEATURES_PARAMETER = "bench.roi_features";
    /** The SGD step's settings (torch.optim.SGD on the torchvision side). */
    public static final double LR = 1e-4;
    public static final double MOMENTUM = 0.9;
    public static final double WEIGHT_DECAY = 1e-4;

    private Workloads() {
    }

    /**
     * The train step's target for an {@code h x w} image: a rectangle (label 1) and an ellipse (label 2)
     * with their uint8 masks, as {@code boxes} [2, 4], {@code labels} [2], {@code masks} [2, h, w]. For the
     * fixture image (240x320) they are its red rectangle [20, 30, 120, 110] and its yellow ellipse.
     */
    public static Map<String, HostTensor> trainTarget(int h, int w) {
        double x0 = w * 1.0 / 16;
        double y0 = h * 1.0 / 8;
        double x1 = w * 3.0 / 8;
        double y1 = h * 11.0 / 24;
        double cx = w * 23.0 / 32;
        double cy = h * 7.0 / 24;
        double rx = w * 3.0 / 16;
        double ry = h * 1.0 / 6;
        byte[] masks = new byte[2 * h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (x >= x0 && x < x1 && y >= y0 && y < y1) {
                    masks[y * w + x] = 1;
                }
                double dx = (x - cx) / rx;
                double dy = (y - cy) / ry;
                if (dx * dx + dy * dy <= 1.0) {
                    masks[h * w + y * w + x] = 1;
                }
            }
        }
        float[] boxes = {(float) x0, (float) y0, (float) x1, (float) y1,
            (float) (cx - rx), (float) (cy - ry), (float) (cx + rx), (float) (cy + ry)};
        Map<String, HostTensor> t = new LinkedHashMap<>();
        t.put("boxes", HostTensor.ofFloats(boxes, 2, 4));
        t.put("labels", HostTensor.ofLongs(new long[] {1, 2}, 2));
        t.put("masks", HostTensor.ofBytes(masks, 2, h, w));
        return t;
    }

    /** The RoIAlign feature map [1, 256, 200, 304]: {@code r(12, i)}. */
    public static HostTensor roiFeatures() {
        float[] v = new float[ROI_CHANNELS * ROI_HEIGHT * ROI_WIDTH];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) Splitmix.r(12, i);
        }
        return HostTensor.ofFloats(v, 1, ROI_CHANNELS, ROI_HEIGHT, ROI_WIDTH);
    }

    /** 512 rois [0, x1, y1, x1 + w, y1 + h] in image pixels (map scale 1/4), from {@code u01(11, .)}. */
    public static HostTensor roiBoxes() {
        float[] r = new float[ROI_BOXES * 5];
        for (int k = 0; k < ROI_BOXES; k++) {
            double x1 = Splitmix.u01(11, 4L * k) * 1100.0;
            double y1 = Splitmix.u01(11, 4L * k + 1) * 700.0;
            double x2 = x1 + (16.0 + Splitmix.u01(11, 4L * k + 2) * 300.0);
            double y2 = y1 + (16.0 + Splitmix.u01(11, 4L * k + 3) * 300.0);
            r[k * 5 + 1] = (float) x1;
            r[k * 5 + 2] = (float) y1;
            r[k * 5 + 3] = (float) x2;
            r[k * 5 + 4] = (float) y2;
        }
        return HostTensor.ofFloats(r, ROI_BOXES, 5);
    }

    /** 4000 boxes [x1, y1, x1 + w, y1 + h] from {@code u01(21, .)}. */
    public static HostTensor nmsBoxes() {
        float[] b = new float[NMS_BOXES * 4];
        for (int k = 0; k < NMS_BOXES; k++) {
            double x1 = Splitmix.u01(21, 4L * k) * 1000.0;
            double y1 = Splitmix.u01(21, 4L * k + 1) * 800.0;
            b[k * 4] = (float) x1;
            b[k * 4 + 1] = (float) y1;
            b[k * 4 + 2] = (float) (x1 + (8.0 + Splitmix.u01(21, 4L * k + 2) * 120.0));
            b[k * 4 + 3] = (float) (y1 + (8.0 + Splitmix.u01(21, 4L * k + 3) * 120.0));
        }
        return HostTensor.ofFloats(b, NMS_BOXES, 4);
    }

    /** 4000 scores {@code u01(22, i)}. */
    public static HostTensor nmsScores() {
        float[] s = new float[NMS_BOXES];
        for (int i = 0; i < s.length; i++) {
            s[i] = (float) Splitmix.u01(22, i);
        }
        return HostTensor.ofFloats(s, NMS_BOXES);
    }

    /**
     * {@code sum(roi_align(features, rois, output, 1/4, 2, aligned=False))} as {@code sum}, with the features read
     * from the parameter {@link #ROI_FEATURES_PARAMETER} (declare it first) and the input {@code rois}.
     */
    public static TensorFunction roiAlignForward(int output) {
        return (ops, in) -> Map.of("sum",
                roiAlignSum(ops, ops.parameter(ROI_FEATURES_PARAMETER), in.get("rois"), output));
    }

    /**
     * The same sum as {@code value}, with the features as the input {@code features}, for
     * {@link org.maskrcnn4j.tensor.Backend#gradient} with respect to them.
     */
    public static TensorFunction roiAlignLoss(int output) {
        return (ops, in) -> Map.of("value", roiAlignSum(ops, in.get("features"), in.get("rois"), output));
    }

    /**
     * {@code sum(features)} as {@code value}: its gradient with respect to the input {@code features} moves the
     * same host tensors as {@link #roiAlignLoss}'s without the op.
     */
    public static TensorFunction featuresLoss() {
        return (ops, in) -> Map.of("value", ops.sum(in.get("features")));
    }

    /** NMS of the inputs {@code boxes} and {@code scores} at {@link #NMS_IOU}, the kept indices as {@code keep}. */
    public static TensorFunction nms() {
        return (ops, in) -> Map.of("keep", ops.nms(in.get("boxes"), in.get("scores"), NMS_IOU));
    }

    private static Tensor roiAlignSum(Ops ops, Tensor features, Tensor rois, int output) {
        return ops.sum(ops.roiAlign(features, rois, output, output, ROI_SCALE, ROI_SAMPLING, false));
    }
}

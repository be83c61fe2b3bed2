package org.maskrcnn4j.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.maskrcnn4j.testing.FixtureAssert.assertClose;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.maskrcnn4j.io.SafetensorsFile;
import org.maskrcnn4j.model.DetectionLosses;
import org.maskrcnn4j.tensor.DType;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.Ops;
import org.maskrcnn4j.tensor.Tensor;
import org.maskrcnn4j.tensor.TensorFunction;
import org.maskrcnn4j.testing.Fixtures;

/**
 * Conformance: torchvision's three training losses ({@link DetectionLosses}) run on the backend and match
 * {@code losses.safetensors} in value (atol 1e-5), in gradient with respect to the predictions (atol 1e-6)
 * and, for the mask loss, in the projected mask targets (atol 1e-5); empty positive sets give finite
 * losses with a zero box or mask loss.
 */
public abstract class LossConformance extends BackendTestBase {
    private static final double LOSS_ATOL = 1e-5;
    private static final double GRAD_ATOL = 1e-6;
    private static final double TARGET_ATOL = 1e-5;

    private static SafetensorsFile fixture() {
        return Fixtures.open("losses.safetensors");
    }

    /** A U8 0/1 fixture mask as a bool host tensor. */
    private static HostTensor bool(HostTensor u8) {
        boolean[] b = new boolean[(int) u8.size()];
        for (int i = 0; i < b.length; i++) {
            b[i] = u8.getLong(i) != 0;
        }
        return HostTensor.ofBooleans(b, u8.shape().dims());
    }

    private static Tensor sumOf(Ops ops, Map<String, Tensor> losses) {
        Tensor total = null;
        for (Tensor t : losses.values()) {
            total = total == null ? t : ops.add(total, t);
        }
        return total;
    }

    private static double check(String what, HostTensor actual, HostTensor expected, double atol) {
        double d = assertClose(what, actual.toDoubleArray(), expected.toDoubleArray(), atol, 0);
        System.out.printf("LossConformance %-40s max abs diff %.3g%n", what, d);
        return d;
    }

    // ------------------------------------------------------------------ RPN

    private static final TensorFunction RPN = (ops, in) -> DetectionLosses.rpn(ops, in.get("objectness"),
            in.get("deltas"), in.get("labels"), in.get("targets"), in.get("pos"), in.get("neg"));

    private static Map<String, HostTensor> rpnInputs(SafetensorsFile f) {
        return inputs("objectness", f.get("rpn.objectness"), "deltas", f.get("rpn.pred_bbox_deltas"),
                "labels", f.get("rpn.labels"), "targets", f.get("rpn.regression_targets"),
                "pos", bool(f.get("rpn.sampled_pos_mask")), "neg", bool(f.get("rpn.sampled_neg_mask")));
    }

    @Test
    void rpnLossesMatchTorchvision() {
        SafetensorsFile f = fixture();
        Map<String, HostTensor> out = backend.compile(RPN).call(rpnInputs(f));
        assertThat(out.keySet()).containsExactly("loss_objectness", "loss_rpn_box_reg");
        check("rpn.objectness_loss", out.get("loss_objectness"), f.get("rpn.objectness_loss"), LOSS_ATOL);
        check("rpn.box_loss", out.get("loss_rpn_box_reg"), f.get("rpn.box_loss"), LOSS_ATOL);
    }

    @Test
    void rpnGradientsMatchTorchvision() {
        SafetensorsFile f = fixture();
        TensorFunction fn = (ops, in) -> Map.of("value", sumOf(ops, RPN.apply(ops, in)));
        Map<String, HostTensor> r = backend.gradient(fn, List.of("objectness", "deltas")).call(rpnInputs(f));
        check("rpn.value", r.get("value"), sum(f, "rpn.objectness_loss", "rpn.box_loss"), LOSS_ATOL);
        assertThat(r.get("grad/objectness").shape()).isEqualTo(f.get("rpn.grad_objectness").shape());
        check("rpn.grad_objectness", r.get("grad/objectness"), f.get("rpn.grad_objectness"), GRAD_ATOL);
        check("rpn.grad_pred_bbox_deltas", r.get("grad/deltas"), f.get("rpn.grad_pred_bbox_deltas"), GRAD_ATOL);
    }

    // ------------------------------------------------------------------ Fast R-CNN

    private static final TensorFunction FAST_RCNN = (ops, in) -> DetectionLosses.fastRcnn(ops, in.get("logits"),
            in.get("boxes"), in.get("labels"), in.get("targets"));

    private static Map<String, HostTensor> fastRcnnInputs(SafetensorsFile f) {
        return inputs("logits", f.get("fastrcnn.class_logits"), "boxes", f.get("fastrcnn.box_regression"),
                "labels", f.get("fastrcnn.labels"), "targets", f.get("fastrcnn.regression_targets"));
    }

    @Test
    void fastRcnnLossesMatchTorchvision() {
        SafetensorsFile f = fixture();
        Map<String, HostTensor> out = backend.compile(FAST_RCNN).call(fastRcnnInputs(f));
        assertThat(out.keySet()).containsExactly("loss_classifier", "loss_box_reg");
        check("fastrcnn.classification_loss", out.get("loss_classifier"), f.get("fastrcnn.classification_loss"),
                LOSS_ATOL);
        check("fastrcnn.box_loss", out.get("loss_box_reg"), f.get("fastrcnn.box_loss"), LOSS_ATOL);
    }

    @Test
    void fastRcnnGradientsMatchTorchvision() {
        SafetensorsFile f = fixture();
        TensorFunction fn = (ops, in) -> Map.of("value", sumOf(ops, FAST_RCNN.apply(ops, in)));
        Map<String, HostTensor> r = backend.gradient(fn, List.of("logits", "boxes")).call(fastRcnnInputs(f));
        check("fastrcnn.value", r.get("value"), sum(f, "fastrcnn.classification_loss", "fastrcnn.box_loss"),
                LOSS_ATOL);
        check("fastrcnn.grad_class_logits", r.get("grad/logits"), f.get("fastrcnn.grad_class_logits"), GRAD_ATOL);
        check("fastrcnn.grad_box_regression", r.get("grad/boxes"), f.get("fastrcnn.grad_box_regression"),
                GRAD_ATOL);
    }

    // ------------------------------------------------------------------ mask

    private static final int IMAGES = 2;

    private static final TensorFunction MASK = (ops, in) -> DetectionLosses.mask(ops, in.get("logits"),
            perImage(in, "proposals"), perImage(in, "gt_masks"), perImage(in, "gt_labels"),
            perImage(in, "matched_idxs"));

    private static List<Tensor> perImage(Map<String, Tensor> in, String name) {
        List<Tensor> out = new ArrayList<>();
        for (int i = 0; i < IMAGES; i++) {
            out.add(in.get(name + "." + i));
        }
        return out;
    }

    private static Map<String, HostTensor> maskInputs(SafetensorsFile f) {
        Map<String, HostTensor> in = new LinkedHashMap<>();
        in.put("logits", f.get("mask.mask_logits"));
        for (String name : new String[] {"proposals", "gt_masks", "gt_labels", "matched_idxs"}) {
            for (int i = 0; i < IMAGES; i++) {
                in.put(name + "." + i, f.get("mask." + name + "." + i));
            }
        }
        return in;
    }

    @Test
    void maskTargetsMatchTorchvision() {
        SafetensorsFile f = fixture();
        int m = (int) f.get("mask.mask_logits").shape().get(3);
        HostTensor targets = run1(maskInputs(f), (ops, in) -> {
            List<Tensor> perImage = new ArrayList<>();
            for (int i = 0; i < IMAGES; i++) {
                perImage.add(DetectionLosses.projectMasksOnBoxes(ops, ops.cast(in.get("gt_masks." + i), DType.FLOAT32),
                        in.get("proposals." + i), in.get("matched_idxs." + i), m));
            }
            return ops.concat(perImage, 0);
        });
        assertThat(targets.shape()).isEqualTo(f.get("mask.mask_targets").shape());
        check("mask.mask_targets", targets, f.get("mask.mask_targets"), TARGET_ATOL);
    }

    @Test
    void maskLossMatchesTorchvision() {
        SafetensorsFile f = fixture();
        Map<String, HostTensor> out = backend.compile(MASK).call(maskInputs(f));
        assertThat(out.keySet()).containsExactly("loss_mask");
        check("mask.loss", out.get("loss_mask"), f.get("mask.loss"), LOSS_ATOL);
    }

    @Test
    void maskGradientMatchesTorchvision() {
        SafetensorsFile f = fixture();
        TensorFunction fn = (ops, in) -> Map.of("value", sumOf(ops, MASK.apply(ops, in)));
        Map<String, HostTensor> r = backend.gradient(fn, List.of("logits")).call(maskInputs(f));
        check("mask.value", r.get("value"), f.get("mask.loss"), LOSS_ATOL);

        HostTensor logits = f.get("mask.mask_logits");
        HostTensor grad = r.get("grad/logits");
        assertThat(grad.shape()).isEqualTo(logits.shape());
        long p = logits.shape().get(0);
        long k = logits.shape().get(1);
        long mm = logits.shape().get(2) * logits.shape().get(3);
        long[] labels = gtLabelPerProposal(f);
        double[] g = grad.toDoubleArray();
        double[] labelChannel = new double[(int) (p * mm)];
        double otherChannels = 0;
        for (int i = 0; i < p; i++) {
            for (int c = 0; c < k; c++) {
                for (int j = 0; j < mm; j++) {
                    double v = g[(int) ((i * k + c) * mm + j)];
                    if (c == labels[i]) {
                        labelChannel[(int) (i * mm + j)] = v;
                    } else {
                        otherChannels = Math.max(otherChannels, Math.abs(v));
                    }
                }
            }
        }
        assertThat(otherChannels).as("gradient on the channels of other classes").isZero();
        check("mask.grad_mask_logits_label_channel", HostTensor.ofDoubles(labelChannel, p, mm),
                f.get("mask.grad_mask_logits_label_channel"), GRAD_ATOL);
    }

    /** {@code gt_labels[matched_idxs]} per proposal, all images concatenated (read on the host). */
    private static long[] gtLabelPerProposal(SafetensorsFile f) {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < IMAGES; i++) {
            long[] gt = f.get("mask.gt_labels." + i).toLongArray();
            for (long idx : f.get("mask.matched_idxs." + i).toLongArray()) {
                out.add(gt[(int) idx]);
            }
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    // ------------------------------------------------------------------ empty positive sets

    @Test
    void emptyPositiveSetsGiveFiniteLossesAndZeroBoxLoss() {
        SafetensorsFile f = fixture();

        // RPN: no sampled positives, only the fixture's sampled negatives.
        Map<String, HostTensor> rpnIn = rpnInputs(f);
        rpnIn.put("pos", HostTensor.ofBooleans(new boolean[(int) f.get("rpn.labels").size()],
                f.get("rpn.labels").shape().dims()));
        TensorFunction rpnFn = (ops, in) -> Map.of("value", sumOf(ops, RPN.apply(ops, in)));
        Map<String, HostTensor> rpn = backend.compile(RPN).call(rpnIn);
        assertFinite("loss_objectness", rpn.get("loss_objectness"));
        assertThat(rpn.get("loss_objectness").getDouble(0)).isPositive();
        assertThat(rpn.get("loss_rpn_box_reg").getDouble(0)).isZero();
        Map<String, HostTensor> rpnGrad = backend.gradient(rpnFn, List.of("objectness", "deltas")).call(rpnIn);
        assertFinite("rpn grad/objectness", rpnGrad.get("grad/objectness"));
        assertThat(rpnGrad.get("grad/deltas").toDoubleArray()).containsOnly(0.0);

        // Fast R-CNN: every RoI is background.
        Map<String, HostTensor> frIn = fastRcnnInputs(f);
        frIn.put("labels", HostTensor.ofLongs(new long[(int) f.get("fastrcnn.labels").size()],
                f.get("fastrcnn.labels").shape().dims()));
        TensorFunction frFn = (ops, in) -> Map.of("value", sumOf(ops, FAST_RCNN.apply(ops, in)));
        Map<String, HostTensor> fr = backend.compile(FAST_RCNN).call(frIn);
        assertFinite("loss_classifier", fr.get("loss_classifier"));
        assertThat(fr.get("loss_classifier").getDouble(0)).isPositive();
        assertThat(fr.get("loss_box_reg").getDouble(0)).isZero();
        Map<String, HostTensor> frGrad = backend.gradient(frFn, List.of("logits", "boxes")).call(frIn);
        assertFinite("fastrcnn grad/logits", frGrad.get("grad/logits"));
        assertThat(frGrad.get("grad/boxes").toDoubleArray()).containsOnly(0.0);

        // Mask: no positive proposals in any image (torchvision returns mask_logits.sum() * 0).
        Map<String, HostTensor> maskIn = maskInputs(f);
        long[] logitsShape = f.get("mask.mask_logits").shape().dims();
        maskIn.put("logits", HostTensor.ofFloats(new float[0], 0, logitsShape[1], logitsShape[2], logitsShape[3]));
        for (int i = 0; i < IMAGES; i++) {
            maskIn.put("proposals." + i, HostTensor.ofFloats(new float[0], 0, 4));
            maskIn.put("matched_idxs." + i, HostTensor.ofLongs(new long[0], 0));
        }
        Map<String, HostTensor> mask = backend.compile(MASK).call(maskIn);
        assertThat(mask.get("loss_mask").getDouble(0)).isZero();
        TensorFunction maskFn = (ops, in) -> Map.of("value", sumOf(ops, MASK.apply(ops, in)));
        Map<String, HostTensor> maskGrad = backend.gradient(maskFn, List.of("logits")).call(maskIn);
        assertThat(maskGrad.get("value").getDouble(0)).isZero();
        assertThat(maskGrad.get("grad/logits").shape().dims()).containsExactly(0, logitsShape[1], logitsShape[2],
                logitsShape[3]);
    }

    private static void assertFinite(String what, HostTensor t) {
        for (double v : t.toDoubleArray()) {
            assertThat(Double.isFinite(v)).as("%s is finite (%s)", what, v).isTrue();
        }
    }

    private static HostTensor sum(SafetensorsFile f, String a, String b) {
        return HostTensor.ofDoubles(new double[] {f.get(a).getDouble(0) + f.get(b).getDouble(0)}, 1);
    }
}

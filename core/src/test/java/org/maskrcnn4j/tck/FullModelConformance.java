package org.maskrcnn4j.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.maskrcnn4j.testing.FixtureAssert.assertClose;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.maskrcnn4j.io.FormulaWeights;
import org.maskrcnn4j.io.SafetensorsFile;
import org.maskrcnn4j.model.MaskRcnn;
import org.maskrcnn4j.model.MaskRcnnConfig;
import org.maskrcnn4j.model.MaskRcnnFactory;
import org.maskrcnn4j.model.RegionProposalNetwork;
import org.maskrcnn4j.nn.Parameter;
import org.maskrcnn4j.tensor.DType;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.Tensor;
import org.maskrcnn4j.testing.Fixtures;

/**
 * Conformance: the whole default Mask R-CNN with the fixtures' formula weights reproduces torchvision's
 * {@code maskrcnn_resnet50_fpn} on the fixture image, stage by stage (transform, every FPN level, RPN
 * logits and proposals, final detections and masks), with the fixture README's tolerances. Stages are
 * checked in order so a failure names the first stage that diverges.
 */
public abstract class FullModelConformance extends BackendTestBase {

    @Test
    void matchesTorchvisionStageByStage() {
        SafetensorsFile f = Fixtures.open("full_model.safetensors");
        MaskRcnnFactory factory = new MaskRcnnFactory(MaskRcnnConfig.builder().boxScoreThreshold(0.01).build());
        MaskRcnn model = factory.build();
        for (Parameter p : model.parameters()) {
            backend.parameters().declare(p.name(), FormulaWeights.fixtures().value(p.name(), p.shape()), false);
            backend.parameters().set(p.name(), FormulaWeights.fixtures().value(p.name(), p.shape()));
        }
        RegionProposalNetwork rpn = (RegionProposalNetwork) model.proposalGenerator();
        Map<String, HostTensor> out = backend.compile((ops, in) -> {
            Tensor image = ops.div(ops.cast(in.get("image"), DType.FLOAT32), 255.0);
            MaskRcnn.Trace trace = model.trace(ops, List.of(image));
            Map<String, Tensor> r = new LinkedHashMap<>();
            r.put("batch_shape", ops.shapeOf(trace.batch().tensors()));
            for (int l = 0; l < 5; l++) {
                r.put("fpn." + trace.features().names().get(l), trace.features().maps().get(l));
            }
            r.put("rpn.logits", rpn.objectnessLogits(ops, trace.features()));
            r.put("rpn.proposals", trace.proposals().boxes().get(0));
            r.put("rpn.scores", trace.proposals().scores().get(0));
            Map<String, Tensor> d = model.postprocess(ops, List.of(image), trace).get(0);
            d.forEach((k, v) -> r.put("det." + k, v));
            r.put("det.masks_sum", ops.sum(d.get("masks"), new int[] {1, 2}, false));
            r.put("det.masks_bin", ops.gt(d.get("masks"), 0.5));
            return r;
        }).call(inputs("image", f.get("image")));

        // stage 1: transform
        assertThat(out.get("batch_shape").toLongArray()).as("stage transform: batch shape")
                .containsExactly(f.get("batch_shape").toLongArray());

        // stage 2: FPN levels, elementwise on channel 0, sums relative to the level's magnitude
        double[] atol = {1e-4, 1e-4, 5e-5, 5e-5, 5e-5};
        String[] levels = {"0", "1", "2", "3", "pool"};
        for (int l = 0; l < 5; l++) {
            String k = "fpn." + levels[l];
            HostTensor level = out.get(k);
            assertThat(level.shape().dims()).as("stage %s: shape", k).containsExactly(f.get(k + ".shape").toLongArray());
            double[] v = level.toDoubleArray();
            int plane = (int) (level.shape().get(2) * level.shape().get(3));
            double[] channel0 = java.util.Arrays.copyOf(v, plane);
            assertClose("stage " + k + ".channel0", channel0, f.get(k + ".channel0").toDoubleArray(), atol[l], 0);
            double sum = 0;
            double abs = 0;
            for (double x : v) {
                sum += x;
                abs += Math.abs(x);
            }
            double expectedAbs = f.get(k + ".abs_sum").getDouble(0);
            assertThat(abs).as("stage %s: abs sum", k).isCloseTo(expectedAbs, org.assertj.core.data.Offset.offset(1e-5 * expectedAbs));
            assertThat(sum).as("stage %s: sum", k).isCloseTo(f.get(k + ".sum").getDouble(0),
                    org.assertj.core.data.Offset.offset(1e-5 * expectedAbs));
        }

        // stage 3: RPN logits and proposals (as sets)
        double[] logits = out.get("rpn.logits").toDoubleArray();
        assertClose("stage rpn.objectness_logits_first100", java.util.Arrays.copyOf(logits, 100),
                f.get("rpn.objectness_logits_concat_first100").toDoubleArray(), 5e-6, 0);
        SetMatch proposals = SetMatch.of(out.get("rpn.proposals").toFloatArray(), null, f.get("rpn.proposals").toFloatArray(), null, 1e-2);
        assertThat(proposals.matchedFraction()).as("stage rpn.proposals: fraction matched within 1e-2 (%s)", proposals)
                .isGreaterThanOrEqualTo(0.98);
        float[] scores = out.get("rpn.scores").toFloatArray();
        float[] refScores = f.get("rpn.proposal_scores").toFloatArray();
        for (int[] m : proposals.pairs()) {
            assertThat((double) scores[m[0]]).as("stage rpn.proposal_scores[%d]", m[1])
                    .isCloseTo(refScores[m[1]], org.assertj.core.data.Offset.offset(1e-4));
        }

        // stage 4: detections (as sets of label + box), then masks of the matched ones
        float[] boxes = out.get("det.boxes").toFloatArray();
        long[] labels = out.get("det.labels").toLongArray();
        float[] refBoxes = f.get("detections.boxes").toFloatArray();
        long[] refLabels = f.get("detections.labels").toLongArray();
        SetMatch dets = SetMatch.of(boxes, labels, refBoxes, refLabels, 1e-2);
        assertThat(labels.length).as("stage detections: count").isEqualTo(refLabels.length);
        assertThat(dets.matchedFraction()).as("stage detections: matched (%s)", dets).isGreaterThanOrEqualTo(0.99);
        float[] detScores = out.get("det.scores").toFloatArray();
        float[] refDetScores = f.get("detections.scores").toFloatArray();
        float[] probs = out.get("det.mask_probs").toFloatArray();
        float[] refProbs = f.get("detections.mask_probs_28").toFloatArray();
        HostTensor bin = out.get("det.masks_bin");
        byte[] packed = toBytes(f.get("detections.masks_pasted_gt_0.5_packbits"));
        int pixels = 240 * 320;
        long flipped = 0;
        long total = 0;
        for (int[] m : dets.pairs()) {
            int i = m[0];
            int j = m[1];
            for (int c = 0; c < 4; c++) {
                assertThat((double) boxes[i * 4 + c]).as("stage detections.boxes[%d]", j)
                        .isCloseTo(refBoxes[j * 4 + c], org.assertj.core.data.Offset.offset(1e-3));
            }
            assertThat((double) detScores[i]).as("stage detections.scores[%d]", j)
                    .isCloseTo(refDetScores[j], org.assertj.core.data.Offset.offset(1e-5));
            for (int p = 0; p < 28 * 28; p++) {
                assertThat((double) probs[i * 784 + p]).as("stage detections.mask_probs_28[%d][%d]", j, p)
                        .isCloseTo(refProbs[j * 784 + p], org.assertj.core.data.Offset.offset(1e-5));
            }
            for (int p = 0; p < pixels; p++) {
                boolean ref = (packed[j * 9600 + p / 8] >> (7 - p % 8) & 1) == 1;
                boolean got = bin.getLong((long) i * pixels + p) != 0;
                if (ref) {
                    total++;
                }
                if (ref != got) {
                    flipped++;
                }
            }
        }
        assertThat((double) flipped).as("stage detections.masks: flipped pixels of %d foreground", total)
                .isLessThanOrEqualTo(0.001 * total);
    }

    private static byte[] toBytes(HostTensor t) {
        byte[] b = new byte[Math.toIntExact(t.size())];
        t.bytes().get(b);
        return b;
    }

    /** Greedy matching of boxes (same label where given) to the nearest reference box within a tolerance. */
    record SetMatch(List<int[]> pairs, int reference) {
        static SetMatch of(float[] boxes, long[] labels, float[] ref, long[] refLabels, double tol) {
            int n = boxes.length / 4;
            int m = ref.length / 4;
            boolean[] used = new boolean[m];
            List<int[]> pairs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int best = -1;
                double bestDist = Double.MAX_VALUE;
                for (int j = 0; j < m; j++) {
                    if (used[j] || (labels != null && labels[i] != refLabels[j])) {
                        continue;
                    }
                    double d = 0;
                    for (int c = 0; c < 4; c++) {
                        d = Math.max(d, Math.abs(boxes[i * 4 + c] - ref[j * 4 + c]));
                    }
                    if (d < bestDist) {
                        bestDist = d;
                        best = j;
                    }
                }
                if (best >= 0 && bestDist <= tol) {
                    used[best] = true;
                    pairs.add(new int[] {i, best});
                }
            }
            return new SetMatch(pairs, m);
        }

        double matchedFraction() {
            return reference == 0 ? 1 : (double) pairs.size() / reference;
        }

        @Override
        public String toString() {
            return pairs.size() + " of " + reference + " matched";
        }
    }
}

package org.maskrcnn4j.model;

import java.util.List;
import java.util.Map;
import org.maskrcnn4j.tensor.Tensor;

/**
 * What a {@link ProposalGenerator} returns: per image the proposal boxes {@code [P_i, 4]} in the resized
 * image's pixels, their objectness scores {@code [P_i]} (sigmoid), and in training its named losses.
 */
public record Proposals(List<Tensor> boxes, List<Tensor> scores, Map<String, Tensor> losses) {
}

/**
 * COCO detection evaluation ({@code bbox} and {@code segm}), a faithful port of pycocotools'
 * {@code COCOeval}: the same default parameters (IoU thresholds and recall thresholds built like
 * {@code np.linspace}), the same per-image greedy matching with crowd and area-range ignore rules, the same
 * precision interpolation and recall-threshold sampling, the same 12 summary numbers and summary lines.
 *
 * <p>Entry point: {@link org.maskrcnn4j.eval.CocoEvaluator}. Inputs are {@link org.maskrcnn4j.eval.CocoGroundTruth}
 * and {@link org.maskrcnn4j.eval.CocoDetection} records; IoUs follow pycocotools' {@code maskApi.c}
 * ({@link org.maskrcnn4j.eval.CocoIou}).
 */
package org.maskrcnn4j.eval;

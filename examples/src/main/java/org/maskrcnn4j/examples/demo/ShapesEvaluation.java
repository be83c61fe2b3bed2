package org.maskrcnn4j.examples.demo;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.maskrcnn4j.data.CocoBox;
import org.maskrcnn4j.data.CocoJson;
import org.maskrcnn4j.data.CocoResult;
import org.maskrcnn4j.data.Rle;
import org.maskrcnn4j.eval.CocoDetection;
import org.maskrcnn4j.eval.CocoEvaluator;
import org.maskrcnn4j.eval.CocoGroundTruth;
import org.maskrcnn4j.eval.CocoSummary;
import org.maskrcnn4j.eval.IouType;
import org.maskrcnn4j.examples.shapes.ShapesDataset;
import org.maskrcnn4j.model.Instance;
import org.maskrcnn4j.model.MaskRcnnModel;

/** Predicts every sample of a shapes split and scores the predictions with COCO's bbox and segm metrics. */
public final class ShapesEvaluation {
    /** The two 12-number summaries and the predictions per sample. */
    public record Result(CocoSummary bbox, CocoSummary segm, List<List<Instance>> predictions) {
    }

    private ShapesEvaluation() {
    }

    public static Result evaluate(MaskRcnnModel model, List<ShapesDataset.Sample> samples) {
        List<CocoGroundTruth> gts = new ArrayList<>();
        List<CocoDetection> boxes = new ArrayList<>();
        List<CocoDetection> masks = new ArrayList<>();
        List<List<Instance>> predictions = new ArrayList<>();
        for (ShapesDataset.Sample s : samples) {
            long imageId = s.index() + 1L;
            for (ShapesDataset.ShapeInstance gt : s.instances()) {
                gts.add(CocoGroundTruth.ofMask(imageId, gt.categoryId(), gt.mask(), false));
            }
            List<Instance> found = model.predict(s.imageTensor());
            predictions.add(found);
            for (Instance d : found) {
                float[] b = d.box();
                boxes.add(CocoDetection.ofBox(imageId, d.label(), new double[] {b[0], b[1], b[2] - b[0], b[3] - b[1]}, d.score()));
                masks.add(CocoDetection.ofMask(imageId, d.label(), d.mask(), d.score()));
            }
        }
        CocoSummary bbox = new CocoEvaluator(IouType.BBOX, gts, boxes).run();
        CocoSummary segm = new CocoEvaluator(IouType.SEGM, gts, masks).run();
        return new Result(bbox, segm, predictions);
    }

    /** Writes the predictions as a COCO results json (segmentations as compressed RLE). */
    public static void writeResults(List<ShapesDataset.Sample> samples, Result r, Path file) throws IOException {
        List<CocoResult> out = new ArrayList<>();
        for (int i = 0; i < samples.size(); i++) {
            long imageId = samples.get(i).index() + 1L;
            for (Instance d : r.predictions().get(i)) {
                float[] b = d.box();
                out.add(new CocoResult(imageId, d.label(), new CocoBox(b[0], b[1], b[2] - b[0], b[3] - b[1]), d.score(),
                        d.mask() == null ? null : Rle.encode(d.mask())));
            }
        }
        CocoJson.writeResults(out, file);
    }
}

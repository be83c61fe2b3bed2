package org.maskrcnn4j.examples.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.maskrcnn4j.data.CocoAnnotation;
import org.maskrcnn4j.data.CocoBox;
import org.maskrcnn4j.data.CocoDataset;
import org.maskrcnn4j.data.CocoImage;
import org.maskrcnn4j.data.CocoJson;
import org.maskrcnn4j.data.CocoResult;
import org.maskrcnn4j.data.Images;
import org.maskrcnn4j.data.Rle;
import org.maskrcnn4j.eval.CocoDetection;
import org.maskrcnn4j.eval.CocoEvaluator;
import org.maskrcnn4j.eval.CocoGroundTruth;
import org.maskrcnn4j.eval.IouType;
import org.maskrcnn4j.model.BinaryMask;
import org.maskrcnn4j.model.Instance;
import org.maskrcnn4j.model.MaskRcnnModel;
import org.maskrcnn4j.tensor.Backend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code maskrcnn eval}: COCO bbox and segm evaluation of a model on a COCO dataset folder. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Evaluate a model on a COCO dataset folder (instances.json + images/) and print the standard",
                "12-number summaries for bbox and segm; the predictions are written to --results."})
final class EvalCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model = new ModelOptions();

    @Option(names = "--data", required = true, description = "COCO dataset folder, e.g. out/demo/data/val.")
    Path data;

    @Option(names = "--results", defaultValue = "out/eval/results.json", description = "COCO results json to write (default: ${DEFAULT-VALUE}).")
    Path results;

    @Override
    public Integer call() throws Exception {
        CocoDataset ds = CocoJson.read(data.resolve("instances.json"));
        List<CocoGroundTruth> gts = new ArrayList<>();
        List<CocoDetection> boxes = new ArrayList<>();
        List<CocoDetection> masks = new ArrayList<>();
        List<CocoResult> out = new ArrayList<>();
        try (Backend b = model.openBackend()) {
            MaskRcnnModel m = model.model(b, true);
            for (CocoImage image : ds.images()) {
                for (CocoAnnotation a : ds.annotationsOf(image.id())) {
                    BinaryMask mask = a.segmentation() == null ? null : a.segmentation().toRle(image.height(), image.width()).decode();
                    CocoBox bx = a.bbox();
                    gts.add(new CocoGroundTruth(image.id(), a.categoryId(), new double[] {bx.x(), bx.y(), bx.width(), bx.height()},
                            a.area(), a.iscrowd(), mask));
                }
                for (Instance d : m.predict(Images.readRgb(data.resolve("images").resolve(image.fileName())))) {
                    float[] p = d.box();
                    double[] xywh = {p[0], p[1], p[2] - p[0], p[3] - p[1]};
                    boxes.add(CocoDetection.ofBox(image.id(), d.label(), xywh, d.score()));
                    masks.add(CocoDetection.ofMask(image.id(), d.label(), d.mask(), d.score()));
                    out.add(new CocoResult(image.id(), d.label(), CocoBox.of(xywh), d.score(), Rle.encode(d.mask())));
                }
            }
        }
        System.out.println("bbox:");
        new CocoEvaluator(IouType.BBOX, gts, boxes).run().lines().forEach(l -> System.out.println("  " + l));
        System.out.println("segm:");
        new CocoEvaluator(IouType.SEGM, gts, masks).run().lines().forEach(l -> System.out.println("  " + l));
        java.nio.file.Files.createDirectories(results.toAbsolutePath().getParent());
        CocoJson.writeResults(out, results);
        System.out.println("wrote " + results);
        return 0;
    }
}

package org.maskrcnn4j.examples.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Collectors;
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
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code maskrcnn eval}: COCO bbox and segm evaluation of a model, or of a results file, on a COCO dataset folder. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Evaluate a model on a COCO dataset folder (instances.json + images/) and print the standard",
                "12-number summaries for bbox and segm; the predictions are written to --results.",
                "With --detections, evaluate a COCO results json instead (e.g. from torchvision or detectron2)."})
final class EvalCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model = new ModelOptions();

    @Spec
    CommandSpec spec;

    @Option(names = "--data", required = true, description = "COCO dataset folder, e.g. out/demo/data/val.")
    Path data;

    @Option(names = "--results", defaultValue = "out/eval/results.json", description = "COCO results json to write (default: ${DEFAULT-VALUE}).")
    Path results;

    @Option(names = "--detections", description = {"A COCO results json to evaluate instead of running a model",
            "(bbox and/or segmentation per entry, as pycocotools' loadRes reads them)."})
    Path detections;

    @Override
    public Integer call() throws Exception {
        CocoDataset ds = CocoJson.read(data.resolve("instances.json"));
        List<CocoGroundTruth> gts = new ArrayList<>();
        for (CocoImage image : ds.images()) {
            for (CocoAnnotation a : ds.annotationsOf(image.id())) {
                BinaryMask mask = a.segmentation() == null ? null : a.segmentation().toRle(image.height(), image.width()).decode();
                CocoBox bx = a.bbox();
                gts.add(new CocoGroundTruth(image.id(), a.categoryId(), new double[] {bx.x(), bx.y(), bx.width(), bx.height()},
                        a.area(), a.iscrowd(), mask));
            }
        }
        List<CocoResult> found = detections != null ? readDetections(ds) : predict(ds);
        List<CocoDetection> boxes = new ArrayList<>();
        List<CocoDetection> masks = new ArrayList<>();
        for (CocoResult r : found) {
            if (r.bbox() != null) {
                CocoBox b = r.bbox();
                boxes.add(CocoDetection.ofBox(r.imageId(), r.categoryId(), new double[] {b.x(), b.y(), b.width(), b.height()}, r.score()));
            }
            if (r.segmentation() != null) {
                masks.add(CocoDetection.ofMask(r.imageId(), r.categoryId(), r.segmentation().decode(), r.score()));
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (!boxes.isEmpty() || masks.isEmpty()) {
            out.println("bbox:");
            new CocoEvaluator(IouType.BBOX, gts, boxes).run().lines().forEach(l -> out.println("  " + l));
        }
        if (!masks.isEmpty() || boxes.isEmpty()) {
            out.println("segm:");
            new CocoEvaluator(IouType.SEGM, gts, masks).run().lines().forEach(l -> out.println("  " + l));
        }
        if (detections == null) {
            Files.createDirectories(results.toAbsolutePath().getParent());
            CocoJson.writeResults(found, results);
            out.println("wrote " + results);
        }
        out.flush();
        return 0;
    }

    /** The model's detections on every image of the dataset. */
    private List<CocoResult> predict(CocoDataset ds) throws java.io.IOException {
        List<CocoResult> out = new ArrayList<>();
        try (Backend b = model.openBackend()) {
            MaskRcnnModel m = model.model(b, true);
            for (CocoImage image : ds.images()) {
                for (Instance d : m.predict(Images.readRgb(data.resolve("images").resolve(image.fileName())))) {
                    float[] p = d.box();
                    CocoBox box = CocoBox.of(new double[] {p[0], p[1], p[2] - p[0], p[3] - p[1]});
                    out.add(new CocoResult(image.id(), d.label(), box, d.score(), Rle.encode(d.mask())));
                }
            }
        }
        return out;
    }

    /** The --detections file, checked against the dataset's images (an unknown image id or mask size is an error). */
    private List<CocoResult> readDetections(CocoDataset ds) throws java.io.IOException {
        if (!Files.isRegularFile(detections)) {
            throw new IllegalArgumentException("--detections file " + detections + " does not exist");
        }
        Map<Long, CocoImage> images = ds.images().stream().collect(Collectors.toMap(CocoImage::id, Function.identity()));
        List<CocoResult> found = CocoJson.readResults(detections);
        for (int i = 0; i < found.size(); i++) {
            CocoResult r = found.get(i);
            CocoImage image = images.get(r.imageId());
            if (image == null) {
                throw new IllegalArgumentException(detections + ": entry " + i + " has image_id " + r.imageId()
                        + ", which " + data.resolve("instances.json") + " does not list");
            }
            if (r.segmentation() != null
                    && (r.segmentation().height() != image.height() || r.segmentation().width() != image.width())) {
                throw new IllegalArgumentException(detections + ": entry " + i + " has a " + r.segmentation().height() + "x"
                        + r.segmentation().width() + " mask, but image " + r.imageId() + " is " + image.height() + "x"
                        + image.width());
            }
        }
        return found;
    }
}

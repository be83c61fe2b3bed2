package org.maskrcnn4j.examples.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.maskrcnn4j.data.CocoBox;
import org.maskrcnn4j.data.CocoJson;
import org.maskrcnn4j.data.CocoResult;
import org.maskrcnn4j.data.Images;
import org.maskrcnn4j.data.Rle;
import org.maskrcnn4j.examples.render.Overlays;
import org.maskrcnn4j.model.Instance;
import org.maskrcnn4j.model.MaskRcnnModel;
import org.maskrcnn4j.tensor.Backend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code maskrcnn predict}: detect objects in images, write overlay PNGs and a COCO results json. */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Detect objects in images (files or folders of .png/.jpg) and write overlays and results.json.")
final class PredictCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model = new ModelOptions();

    @Parameters(arity = "1..*", description = "Images or folders of images.")
    List<Path> inputs;

    @Option(names = "--out", defaultValue = "out/predict", description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--min-score", defaultValue = "0.5", description = "Draw detections at or above this score (default: ${DEFAULT-VALUE}).")
    double minScore;

    @Override
    public Integer call() throws Exception {
        List<Path> images = new ArrayList<>();
        for (Path p : inputs) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.list(p)) {
                    s.filter(f -> f.toString().toLowerCase().matches(".*\\.(png|jpe?g)$")).sorted().forEach(images::add);
                }
            } else if (Files.isRegularFile(p)) {
                images.add(p);
            } else {
                throw new IllegalArgumentException("input " + p + " does not exist");
            }
        }
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no .png or .jpg images in " + inputs);
        }
        Files.createDirectories(out);
        List<CocoResult> results = new ArrayList<>();
        try (Backend b = model.openBackend()) {
            MaskRcnnModel m = model.model(b, true);
            for (int i = 0; i < images.size(); i++) {
                var image = Images.readRgb(images.get(i));
                List<Instance> found = m.predict(image);
                List<Instance> shown = found.stream().filter(x -> x.score() >= minScore).toList();
                String name = images.get(i).getFileName().toString().replaceAll("\\.[^.]*$", "");
                Images.writePng(Overlays.draw(image, shown, label -> "class " + label), out.resolve(name + "_overlay.png"));
                for (Instance d : found) {
                    float[] bx = d.box();
                    results.add(new CocoResult(i + 1, d.label(), new CocoBox(bx[0], bx[1], bx[2] - bx[0], bx[3] - bx[1]),
                            d.score(), d.mask() == null ? null : Rle.encode(d.mask())));
                }
                System.out.printf("%s: %d detections (%d with score >= %.2f)%n", images.get(i), found.size(), shown.size(), minScore);
            }
        }
        CocoJson.writeResults(results, out.resolve("results.json"));
        System.out.println("wrote " + out);
        return 0;
    }
}

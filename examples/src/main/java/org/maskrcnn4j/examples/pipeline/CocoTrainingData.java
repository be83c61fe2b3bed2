package org.maskrcnn4j.examples.pipeline;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.maskrcnn4j.data.CocoAnnotation;
import org.maskrcnn4j.data.CocoDataset;
import org.maskrcnn4j.data.CocoImage;
import org.maskrcnn4j.data.CocoJson;
import org.maskrcnn4j.data.ImageTensors;
import org.maskrcnn4j.data.Images;
import org.maskrcnn4j.model.BinaryMask;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.train.TrainingData;
import org.maskrcnn4j.train.TrainingExample;

/**
 * A COCO instances dataset folder ({@code instances.json} and the images it names under {@code images/}) as
 * training data: the json is read once, each image and its masks are decoded only when the trainer asks for
 * it (so memory does not grow with the dataset). Crowd annotations are skipped (torchvision's reference does
 * the same) and images without annotations are kept out of training. Safe for concurrent {@link #load}.
 */
public final class CocoTrainingData implements TrainingData {
    private final Path dir;
    private final Path json;
    private final List<CocoImage> images = new ArrayList<>();
    private final List<List<CocoAnnotation>> annotations = new ArrayList<>();

    private CocoTrainingData(Path dir) throws IOException {
        this.dir = dir;
        this.json = dir.resolve("instances.json");
        CocoDataset ds = CocoJson.read(json);
        for (CocoImage image : ds.images()) {
            List<CocoAnnotation> anns = ds.annotationsOf(image.id()).stream().filter(a -> !a.iscrowd()
                    && a.segmentation() != null && a.bbox().width() > 0 && a.bbox().height() > 0).toList();
            if (!anns.isEmpty()) {
                images.add(image);
                annotations.add(anns);
            }
        }
        if (images.isEmpty()) {
            throw new IOException(json + ": no image has a usable (non-crowd, segmented) annotation");
        }
    }

    /** Reads {@code dir/instances.json}; images are decoded later, by {@link #load}. */
    public static CocoTrainingData open(Path dir) throws IOException {
        return new CocoTrainingData(dir);
    }

    @Override
    public int size() {
        return images.size();
    }

    /** From the json's width and height. */
    @Override
    public double aspectRatio(int index) {
        CocoImage image = images.get(index);
        return (double) image.width() / image.height();
    }

    /** The image file of example {@code index}. */
    public Path file(int index) {
        return dir.resolve("images").resolve(images.get(index).fileName());
    }

    @Override
    public TrainingExample load(int index) throws IOException {
        CocoImage image = images.get(index);
        List<CocoAnnotation> anns = annotations.get(index);
        HostTensor pixels = ImageTensors.toFloats(Images.read(file(index)));
        int h = (int) pixels.shape().get(1);
        int w = (int) pixels.shape().get(2);
        if (h != image.height() || w != image.width()) {
            throw new IOException(file(index) + " is " + w + "x" + h + " but " + json + " says " + image.width() + "x"
                    + image.height());
        }
        float[] boxes = new float[anns.size() * 4];
        long[] labels = new long[anns.size()];
        byte[] masks = new byte[anns.size() * h * w];
        for (int i = 0; i < anns.size(); i++) {
            CocoAnnotation a = anns.get(i);
            boxes[i * 4] = (float) a.bbox().x();
            boxes[i * 4 + 1] = (float) a.bbox().y();
            boxes[i * 4 + 2] = (float) (a.bbox().x() + a.bbox().width());
            boxes[i * 4 + 3] = (float) (a.bbox().y() + a.bbox().height());
            labels[i] = a.categoryId();
            BinaryMask m = a.segmentation().toRle(h, w).decode();
            BitSet bits = m.pixels();
            for (int k = bits.nextSetBit(0); k >= 0; k = bits.nextSetBit(k + 1)) {
                masks[i * h * w + k] = 1;
            }
        }
        return new TrainingExample(pixels, HostTensor.ofFloats(boxes, anns.size(), 4), HostTensor.ofLongs(labels, anns.size()),
                HostTensor.ofBytes(masks, anns.size(), h, w));
    }
}

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
import org.maskrcnn4j.train.TrainingExample;

/**
 * Loads a COCO instances dataset folder ({@code instances.json} and the images it names under
 * {@code images/}) as training examples; crowd annotations are skipped (torchvision's reference does
 * the same), images without annotations are kept out of training.
 */
public final class CocoTrainingData {
    private CocoTrainingData() {
    }

    public static List<TrainingExample> load(Path dir) throws IOException {
        Path json = dir.resolve("instances.json");
        CocoDataset ds = CocoJson.read(json);
        List<TrainingExample> out = new ArrayList<>();
        for (CocoImage image : ds.images()) {
            List<CocoAnnotation> anns = ds.annotationsOf(image.id()).stream().filter(a -> !a.iscrowd()
                    && a.segmentation() != null && a.bbox().width() > 0 && a.bbox().height() > 0).toList();
            if (anns.isEmpty()) {
                continue;
            }
            HostTensor pixels = ImageTensors.toFloats(Images.read(dir.resolve("images").resolve(image.fileName())));
            int h = (int) pixels.shape().get(1);
            int w = (int) pixels.shape().get(2);
            if (h != image.height() || w != image.width()) {
                throw new IOException(json + ": image " + image.fileName() + " is " + w + "x" + h + " but the json says "
                        + image.width() + "x" + image.height());
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
            out.add(new TrainingExample(pixels, HostTensor.ofFloats(boxes, anns.size(), 4), HostTensor.ofLongs(labels, anns.size()),
                    HostTensor.ofBytes(masks, anns.size(), h, w)));
        }
        if (out.isEmpty()) {
            throw new IOException(json + ": no image has a usable (non-crowd, segmented) annotation");
        }
        return out;
    }
}

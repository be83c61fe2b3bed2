package org.maskrcnn4j.examples.export;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.maskrcnn4j.backend.tf.TfBackend;
import org.maskrcnn4j.backend.tf.TfSavedModel;
import org.maskrcnn4j.backend.tf.TfTensorSpec;
import org.maskrcnn4j.data.ImageTensors;
import org.maskrcnn4j.model.MaskRcnn;
import org.maskrcnn4j.model.MaskRcnnModel;
import org.maskrcnn4j.tensor.DType;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.Shape;
import org.maskrcnn4j.tensor.Tensor;
import org.maskrcnn4j.tensor.TensorFunction;

/**
 * A {@link MaskRcnnModel} on the TensorFlow backend written as a TensorFlow SavedModel for TensorFlow
 * Serving (or {@code tf.saved_model.load}, or TensorFlow Java's {@code SavedModelBundle}). Tag {@code serve},
 * signature {@code serving_default}:
 *
 * <pre>
 *   input   images      uint8   [1, H, W, 3]   RGB, H and W fixed at export
 *   outputs boxes       float32 [1, N, 4]      x1, y1, x2, y2 in the input's pixels
 *           labels      int64   [1, N]         class index, 1..K-1 (0 is background)
 *           scores      float32 [1, N]         sorted descending
 *           masks       uint8   [1, N, H, W]   pasted masks, 1 where the probability is above 0.5
 *           mask_probs  float32 [1, N, M, M]   the predicted class's mask probabilities in the box (M = 28)
 * </pre>
 *
 * <p>Why this input: TensorFlow Serving clients send decoded images, and uint8 HWC is what
 * {@code tf.io.decode_image} and image libraries produce (and what the TensorFlow Object Detection API's
 * detection SavedModels take); the leading batch dimension of one lets both of TensorFlow Serving's REST
 * formats work ({@code "instances": [image]} and {@code "inputs": [image]}). The graph turns it into
 * {@link MaskRcnnModel#predict}'s input, float {@code [3, H, W]} = {@code byte / 255}, so the results are
 * those of {@code predict} on the same image. The model's transform computes its resize from the image size
 * when the graph is built, so the exported graph takes images of exactly {@code H x W}: resize or pad images
 * to that size before sending them (boxes and masks are then in that size's pixels). Masks come both pasted
 * (ready to use, {@code N * H * W} bytes) and as the small probability maps (to paste yourself, e.g. at a
 * different threshold); TensorFlow Serving's {@code output_filter} fetches only the outputs asked for, and
 * the graph computes only those.
 *
 * <p>Weights are frozen into the graph as constants (no variables to restore).
 */
public final class SavedModelExport {
    /** The name of the signature's input. */
    public static final String INPUT = "images";

    private SavedModelExport() {
    }

    /**
     * The serving function of {@code model}: {@value #INPUT} uint8 {@code [1, H, W, 3]} to the outputs listed
     * above (masks only when the model has a mask branch). Pure tensor code.
     */
    public static TensorFunction servingFunction(MaskRcnn model) {
        return (ops, in) -> {
            Tensor bytes = in.get(INPUT);
            Tensor image = ops.permute(ops.squeeze(ops.div(ops.cast(bytes, DType.FLOAT32), 255.0), 0), 2, 0, 1);
            Map<String, Tensor> r = model.detect(ops, List.of(image)).get(0);
            Map<String, Tensor> out = new LinkedHashMap<>();
            out.put("boxes", ops.unsqueeze(r.get("boxes"), 0));
            out.put("labels", ops.unsqueeze(r.get("labels"), 0));
            out.put("scores", ops.unsqueeze(r.get("scores"), 0));
            if (r.containsKey("masks")) {
                out.put("masks", ops.unsqueeze(ops.cast(ops.gt(r.get("masks"), 0.5), DType.UINT8), 0));
                out.put("mask_probs", ops.unsqueeze(r.get("mask_probs"), 0));
            }
            return out;
        };
    }

    /**
     * Writes {@code model} as a SavedModel in {@code dir} for images of {@code height x width}; see the
     * class comment for the signature. The folder is written atomically; an existing non-empty {@code dir}
     * is an error unless {@code replace}.
     *
     * @throws IllegalArgumentException when the model is not on the TensorFlow backend, a size is not
     *     positive, or {@code dir} exists
     * @throws IOException when the folder cannot be written
     */
    public static TfSavedModel.Signature export(MaskRcnnModel model, Path dir, int height, int width, boolean replace)
            throws IOException {
        if (!(model.backend() instanceof TfBackend tf)) {
            throw new IllegalArgumentException("export writes a TensorFlow SavedModel and needs the tensorflow "
                    + "backend, but the model runs on '" + model.backend().name() + "'; use --backend tensorflow");
        }
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("export: the image size must be positive, got " + height + "x" + width);
        }
        return tf.exportSavedModel(dir, servingFunction(model.model()),
                List.of(new TfTensorSpec(INPUT, DType.UINT8, Shape.of(1, height, width, 3))), replace);
    }

    /** The signature's input for an image: its RGB bytes as uint8 {@code [1, h, w, 3]}. */
    public static HostTensor inputTensor(BufferedImage image) {
        HostTensor chw = ImageTensors.toBytes(image);
        int h = image.getHeight();
        int w = image.getWidth();
        byte[] hwc = new byte[3 * h * w];
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < h * w; i++) {
                hwc[i * 3 + c] = (byte) chw.getLong((long) c * h * w + i);
            }
        }
        return HostTensor.ofBytes(hwc, 1, h, w, 3);
    }
}

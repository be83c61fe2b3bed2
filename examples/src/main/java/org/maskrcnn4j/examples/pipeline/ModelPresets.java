package org.maskrcnn4j.examples.pipeline;

import java.util.List;
import org.maskrcnn4j.examples.demo.Demo;
import org.maskrcnn4j.examples.shapes.ShapesDataset;
import org.maskrcnn4j.model.MaskRcnnConfig;

/** The named model configurations the command line accepts with {@code --config}. */
public final class ModelPresets {
    /** The names, for help texts and errors. */
    public static final List<String> NAMES = List.of("shapes", "torchvision");

    private ModelPresets() {
    }

    /**
     * {@code shapes}: the demo's narrow ResNet FPN with trained batch norms (4 shape classes + background, the demo's image size);
     * {@code torchvision}: {@code maskrcnn_resnet50_fpn} with 91 COCO classes.
     */
    public static MaskRcnnConfig get(String name) {
        return switch (name) {
            case "shapes" -> Demo.modelConfig(Demo.Settings.defaults().imageSize(), ShapesDataset.categories().size() + 1);
            case "torchvision" -> MaskRcnnConfig.torchvision();
            default -> throw new IllegalArgumentException("unknown --config '" + name + "'; choose one of " + NAMES);
        };
    }
}

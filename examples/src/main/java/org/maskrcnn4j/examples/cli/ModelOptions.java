package org.maskrcnn4j.examples.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import org.maskrcnn4j.examples.pipeline.ModelPresets;
import org.maskrcnn4j.model.MaskRcnnModel;
import org.maskrcnn4j.tensor.Backend;
import org.maskrcnn4j.tensor.BackendConfig;
import org.maskrcnn4j.tensor.Backends;
import org.maskrcnn4j.train.Checkpoint;
import picocli.CommandLine.Option;

/** The options every model-running command shares: backend, configuration, weights. */
final class ModelOptions {
    @Option(names = "--backend", description = "Compute backend (default: the selected one, see 'maskrcnn backends').")
    String backend;

    @Option(names = "--config", defaultValue = "shapes",
            description = "Model configuration: shapes (the demo's) or torchvision (maskrcnn_resnet50_fpn). Default: ${DEFAULT-VALUE}.")
    String config;

    @Option(names = "--weights", description = "Weights: a .safetensors file or a checkpoint folder (e.g. out/demo/checkpoints).")
    Path weights;

    @Option(names = "--deterministic", description = {"One compute thread, so that runs with the same seed give",
            "bit-identical losses and outputs on any CPU (slower)."})
    boolean deterministic;

    Backend openBackend() {
        return open(backend, deterministic);
    }

    /** The selected backend ({@code name} or the default selection), deterministic or with all cores. */
    static Backend open(String name, boolean deterministic) {
        return Backends.provider(name != null ? name : Backends.requestedName())
                .create(deterministic ? BackendConfig.deterministic() : BackendConfig.defaults());
    }

    /** The configured model on {@code b}, with weights loaded when given (required when {@code needWeights}). */
    MaskRcnnModel model(Backend b, boolean needWeights) throws java.io.IOException {
        MaskRcnnModel model = MaskRcnnModel.create(b, ModelPresets.get(config), 0);
        if (weights == null) {
            if (needWeights) {
                throw new IllegalArgumentException("--weights is required (a .safetensors file or a checkpoint folder)");
            }
            return model;
        }
        Path file = Files.isDirectory(weights) ? Checkpoint.locate(weights).resolve("weights.safetensors") : weights;
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("weights file " + file + " does not exist");
        }
        model.loadWeights(file, true);
        return model;
    }
}

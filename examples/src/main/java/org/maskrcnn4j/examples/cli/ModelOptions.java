package org.maskrcnn4j.examples.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.maskrcnn4j.examples.pipeline.ModelPresets;
import org.maskrcnn4j.model.MaskRcnnConfig;
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

    /** The preset used when neither --config nor a checkpoint says otherwise. */
    static final String DEFAULT_CONFIG = "shapes";

    @Option(names = "--config", description = "Model configuration: shapes (the demo's) or torchvision "
            + "(maskrcnn_resnet50_fpn). Default: the configuration recorded in the checkpoint folder given as --weights "
            + "(or continued by train --resume), else " + DEFAULT_CONFIG + ".")
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

    /**
     * The model configuration: {@code --config}'s preset when given, else the one recorded in the checkpoint
     * folder {@code checkpoint} (may be null or a file) when it records one, else {@link #DEFAULT_CONFIG}.
     */
    MaskRcnnConfig config(Path checkpoint) throws IOException {
        return config != null ? ModelPresets.get(config) : recorded(checkpoint).orElseGet(() -> ModelPresets.get(DEFAULT_CONFIG));
    }

    /** For messages: the {@code --config} name, or where {@link #config(Path)} found the configuration. */
    String configName(Path checkpoint) throws IOException {
        return config != null ? config : recorded(checkpoint).isPresent()
                ? "the configuration recorded in " + Checkpoint.locate(checkpoint) : DEFAULT_CONFIG;
    }

    private static Optional<MaskRcnnConfig> recorded(Path checkpoint) throws IOException {
        return checkpoint != null && Files.isDirectory(checkpoint) ? Checkpoint.config(checkpoint) : Optional.empty();
    }

    /** {@link #model(Backend, boolean, Path)} configured from the {@code --weights} checkpoint folder, if it is one. */
    MaskRcnnModel model(Backend b, boolean needWeights) throws IOException {
        return model(b, needWeights, weights);
    }

    /**
     * The model of {@link #config(Path) config(checkpoint)} on {@code b}, with weights loaded when given
     * (required when {@code needWeights}).
     */
    MaskRcnnModel model(Backend b, boolean needWeights, Path checkpoint) throws IOException {
        if (weights == null && needWeights) {
            throw new IllegalArgumentException("--weights is required (a .safetensors file or a checkpoint folder)");
        }
        MaskRcnnModel model = MaskRcnnModel.create(b, config(checkpoint), 0);
        if (weights == null) {
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

package org.maskrcnn4j.train;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.maskrcnn4j.data.AtomicFiles;
import org.maskrcnn4j.io.SafetensorsFile;
import org.maskrcnn4j.io.SafetensorsWriter;
import org.maskrcnn4j.model.MaskRcnnConfig;
import org.maskrcnn4j.model.MaskRcnnModel;
import org.maskrcnn4j.tensor.TrainStep;

/**
 * Checkpoints: a folder {@code step-<n>} holding {@code weights.safetensors} (torchvision names),
 * {@code optimizer.safetensors} (optimizer state) and {@code checkpoint.json} (the next step, the file
 * names, the model's {@link MaskRcnnConfig} as {@code model_config} and the trainer's settings as
 * {@code training}), plus {@code last} in the parent naming the newest folder. Every file is written to a
 * temporary name and renamed, and {@code checkpoint.json} and {@code last} are written after the tensors,
 * so a crash leaves either the previous checkpoint or a complete new one. Sidecars written before the
 * configuration was recorded still load.
 */
public final class Checkpoint {
    static final String WEIGHTS = "weights.safetensors";
    static final String OPTIMIZER = "optimizer.safetensors";
    static final String META = "checkpoint.json";
    static final String LAST = "last";
    private static final int DIFFERENCES_SHOWN = 4;

    private Checkpoint() {
    }

    /** What {@code checkpoint.json} holds that restoring needs. */
    private record Sidecar(int nextStep, Optional<MaskRcnnConfig> config, Map<String, String> training) {
    }

    /**
     * The recorded training settings that decide which examples each step sees and how the optimizer state
     * reads: a resume that changes one of them cannot repeat the interrupted run (the learning rate and the
     * step count may change: that is how a run is extended).
     */
    private static final List<String> BATCH_SHAPING = List.of("settings.seed", "settings.batchSize",
            "settings.accumulate", "settings.optimizer", "horizontalFlip", "aspectRatioGrouping");

    /**
     * Writes a checkpoint whose next step is {@code nextStep}, recording the model's configuration (when it
     * has one) and {@code training} (settings by name, written as JSON); returns its folder.
     */
    public static Path save(Path dir, int nextStep, MaskRcnnModel model, TrainStep step, Map<String, Object> training)
            throws IOException {
        Path folder = dir.resolve("step-" + nextStep);
        Files.createDirectories(folder);
        model.saveWeights(folder.resolve(WEIGHTS));
        SafetensorsWriter.write(folder.resolve(OPTIMIZER), step.state(), Map.of());
        AtomicFiles.write(folder.resolve(META), out -> {
            try (JsonGenerator g = new JsonFactory().createGenerator(out).useDefaultPrettyPrinter()
                    .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)) {
                g.writeStartObject();
                g.writeNumberField("next_step", nextStep);
                g.writeStringField("weights", WEIGHTS);
                g.writeStringField("optimizer", OPTIMIZER);
                if (model.config().isPresent()) {
                    g.writeFieldName("model_config");
                    RecordJson.write(g, model.config().get());
                }
                g.writeFieldName("training");
                RecordJson.write(g, training);
                g.writeEndObject();
            }
        });
        AtomicFiles.write(dir.resolve(LAST), out -> out.write((folder.getFileName() + "\n").getBytes(StandardCharsets.UTF_8)));
        return folder;
    }

    /**
     * The checkpoint folder named by {@code path}: a checkpoint folder itself, or a training output folder
     * whose {@code last} file names one.
     */
    public static Path locate(Path path) throws IOException {
        if (Files.isRegularFile(path.resolve(META))) {
            return path;
        }
        Path last = path.resolve(LAST);
        if (Files.isRegularFile(last)) {
            return path.resolve(Files.readString(last).trim());
        }
        throw new IOException(path + " is not a checkpoint: it has neither " + META + " nor a '" + LAST + "' file");
    }

    /** The model configuration recorded in the checkpoint at {@code path} (see {@link #locate}); empty for older checkpoints. */
    public static Optional<MaskRcnnConfig> config(Path path) throws IOException {
        return read(locate(path)).config();
    }

    /**
     * Loads weights and optimizer state; returns the step to continue with. A checkpoint that records a model
     * configuration other than {@code model}'s is refused with the differing values, before anything loads.
     */
    public static int restore(Path path, MaskRcnnModel model, TrainStep step) throws IOException {
        return restore(path, model, step, Map.of());
    }

    /**
     * {@link #restore(Path, MaskRcnnModel, TrainStep)} for a trainer whose settings are {@code training} (as
     * {@link #save} records them): a checkpoint whose recorded seed, batch size, accumulation, optimizer,
     * flip probability or aspect-ratio grouping differ is refused too, naming the values.
     */
    public static int restore(Path path, MaskRcnnModel model, TrainStep step, Map<String, Object> training)
            throws IOException {
        Path folder = locate(path);
        Sidecar meta = read(folder);
        if (meta.config().isPresent() && model.config().isPresent()) {
            requireSame(folder.resolve(META), "model configuration", RecordJson.flatten(meta.config().get()),
                    RecordJson.flatten(model.config().get()), "the configuration the checkpoint was trained with");
        }
        Map<String, String> requested = new java.util.LinkedHashMap<>(RecordJson.flatten(training));
        requested.keySet().retainAll(BATCH_SHAPING);
        requested.keySet().retainAll(meta.training().keySet()); // older checkpoints record fewer settings
        requireSame(folder.resolve(META), "training (batches and optimizer)", meta.training(), requested,
                "the same seed, batch size, accumulation, optimizer, flips and grouping");
        model.loadWeights(folder.resolve(WEIGHTS), true);
        try (SafetensorsFile f = SafetensorsFile.open(folder.resolve(OPTIMIZER))) {
            step.loadState(f.readAll());
        }
        return meta.nextStep();
    }

    private static Sidecar read(Path folder) throws IOException {
        Path meta = folder.resolve(META);
        int next = -1;
        MaskRcnnConfig config = null;
        Map<String, String> training = new java.util.LinkedHashMap<>();
        try (JsonParser p = new JsonFactory().createParser(meta.toFile())) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException(meta + ": expected a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "next_step" -> next = RecordJson.read(p, int.class, meta.toString(), field);
                    case "model_config" -> config = RecordJson.read(p, MaskRcnnConfig.class, meta.toString(), field);
                    case "training" -> flattenJson(p, "", training);
                    default -> p.skipChildren();
                }
            }
        } catch (JsonParseException e) {
            throw new IOException(meta + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (next < 0) {
            throw new IOException(meta + ": missing field next_step (a step number >= 0)");
        }
        return new Sidecar(next, Optional.ofNullable(config), training);
    }

    /** The JSON value at the parser's current token as {@link RecordJson#flatten} writes values: dotted paths. */
    private static void flattenJson(JsonParser p, String path, Map<String, String> out) throws IOException {
        if (p.currentToken() == JsonToken.START_OBJECT) {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                flattenJson(p, path.isEmpty() ? name : path + "." + name, out);
            }
        } else if (p.currentToken() == JsonToken.START_ARRAY) {
            p.skipChildren(); // no batch-shaping setting is an array
        } else {
            out.put(path, p.currentToken() == JsonToken.VALUE_NULL ? "null" : p.getText());
        }
    }

    private static void requireSame(Path meta, String what, Map<String, String> a, Map<String, String> b, String advice) {
        List<String> differences = new ArrayList<>();
        for (Map.Entry<String, String> e : b.entrySet()) {
            String there = a.get(e.getKey());
            if (!e.getValue().equals(there)) {
                differences.add(e.getKey() + " is " + there + " in the checkpoint but " + e.getValue() + " requested");
            }
        }
        if (differences.isEmpty()) {
            return;
        }
        String shown = String.join("; ", differences.subList(0, Math.min(DIFFERENCES_SHOWN, differences.size())));
        if (differences.size() > DIFFERENCES_SHOWN) {
            shown += "; and " + (differences.size() - DIFFERENCES_SHOWN) + " more";
        }
        throw new IllegalArgumentException(meta + " was written for another " + what + ": " + shown
                + ". Resume with " + advice + ", or train into a new folder.");
    }
}

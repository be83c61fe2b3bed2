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
    private record Sidecar(int nextStep, Optional<MaskRcnnConfig> config) {
    }

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
        Path folder = locate(path);
        Sidecar meta = read(folder);
        if (meta.config().isPresent() && model.config().isPresent()) {
            requireSame(folder.resolve(META), meta.config().get(), model.config().get());
        }
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
                    default -> p.skipChildren();
                }
            }
        } catch (JsonParseException e) {
            throw new IOException(meta + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (next < 0) {
            throw new IOException(meta + ": missing field next_step (a step number >= 0)");
        }
        return new Sidecar(next, Optional.ofNullable(config));
    }

    private static void requireSame(Path meta, MaskRcnnConfig saved, MaskRcnnConfig requested) {
        Map<String, String> a = RecordJson.flatten(saved);
        Map<String, String> b = RecordJson.flatten(requested);
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
        throw new IllegalArgumentException(meta + " was written for another model configuration: " + shown
                + ". Resume with the configuration the checkpoint was trained with, or train into a new folder.");
    }
}

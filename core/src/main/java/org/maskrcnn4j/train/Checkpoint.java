package org.maskrcnn4j.train;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import org.maskrcnn4j.io.SafetensorsFile;
import org.maskrcnn4j.io.SafetensorsWriter;
import org.maskrcnn4j.model.MaskRcnnModel;
import org.maskrcnn4j.tensor.TrainStep;

/**
 * Checkpoints: a folder {@code step-<n>} holding {@code weights.safetensors} (torchvision names),
 * {@code optimizer.safetensors} (optimizer state) and {@code checkpoint.json} (the next step and the file
 * names), plus {@code last} in the parent naming the newest folder. Every file is written to a temporary
 * name and renamed, and {@code checkpoint.json} and {@code last} are written after the tensors, so a crash
 * leaves either the previous checkpoint or a complete new one.
 */
public final class Checkpoint {
    static final String WEIGHTS = "weights.safetensors";
    static final String OPTIMIZER = "optimizer.safetensors";
    static final String META = "checkpoint.json";
    static final String LAST = "last";

    private Checkpoint() {
    }

    /** Writes a checkpoint whose next step is {@code nextStep}; returns its folder. */
    public static Path save(Path dir, int nextStep, MaskRcnnModel model, TrainStep step) throws IOException {
        Path folder = dir.resolve("step-" + nextStep);
        Files.createDirectories(folder);
        model.saveWeights(folder.resolve(WEIGHTS));
        SafetensorsWriter.write(folder.resolve(OPTIMIZER), step.state(), Map.of());
        Path tmp = Files.createTempFile(folder, ".checkpoint", ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8);
                JsonGenerator g = new JsonFactory().createGenerator(w)) {
            g.writeStartObject();
            g.writeNumberField("next_step", nextStep);
            g.writeStringField("weights", WEIGHTS);
            g.writeStringField("optimizer", OPTIMIZER);
            g.writeEndObject();
        }
        Files.move(tmp, folder.resolve(META), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Path lastTmp = Files.createTempFile(dir, ".last", ".tmp");
        Files.writeString(lastTmp, folder.getFileName().toString() + "\n");
        Files.move(lastTmp, dir.resolve(LAST), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
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

    /** Loads weights and optimizer state; returns the step to continue with. */
    public static int restore(Path path, MaskRcnnModel model, TrainStep step) throws IOException {
        Path folder = locate(path);
        int next = -1;
        Path meta = folder.resolve(META);
        try (JsonParser p = new JsonFactory().createParser(meta.toFile())) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException(meta + ": expected a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.getCurrentName();
                p.nextToken();
                if (field.equals("next_step")) {
                    next = p.getIntValue();
                } else {
                    p.skipChildren();
                }
            }
        }
        if (next < 0) {
            throw new IOException(meta + ": missing field next_step");
        }
        model.loadWeights(folder.resolve(WEIGHTS), true);
        try (SafetensorsFile f = SafetensorsFile.open(folder.resolve(OPTIMIZER))) {
            step.loadState(f.readAll());
        }
        return next;
    }
}

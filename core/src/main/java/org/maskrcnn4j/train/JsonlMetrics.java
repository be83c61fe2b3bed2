package org.maskrcnn4j.train;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/** Appends one JSON object per step to a file: step, lr, total loss, each named loss, seconds. */
public final class JsonlMetrics implements TrainingListener {
    private final Writer out;

    public JsonlMetrics(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** The JSON line of one step. */
    static String line(StepResult r) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(w)) {
            g.writeStartObject();
            g.writeNumberField("step", r.step());
            g.writeNumberField("lr", r.learningRate());
            g.writeNumberField("loss", r.loss());
            for (Map.Entry<String, Double> e : r.losses().entrySet()) {
                g.writeNumberField(e.getKey(), e.getValue());
            }
            g.writeNumberField("seconds", r.seconds());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    @Override
    public void onStep(StepResult r) {
        try {
            out.write(line(r));
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write training metrics", e);
        }
    }

    @Override
    public void onEnd() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close training metrics", e);
        }
    }

}

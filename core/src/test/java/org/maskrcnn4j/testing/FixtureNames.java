package org.maskrcnn4j.testing;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.maskrcnn4j.io.SafetensorsFile;

/** Reads JSON lists stored in fixture metadata, e.g. the full model's {@code state_dict_names}. */
public final class FixtureNames {
    private FixtureNames() {
    }

    /** The {@code state_dict_names} metadata entry as an array, in torchvision's state_dict order. */
    public static String[] stateDictNames(SafetensorsFile f) {
        return stringList(f.metadata().get("state_dict_names"));
    }

    /** A JSON array of strings. */
    public static String[] stringList(String json) {
        List<String> out = new ArrayList<>();
        try (JsonParser p = new JsonFactory().createParser(json)) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw new IllegalArgumentException("expected a JSON array, got " + json);
            }
            while (p.nextToken() == JsonToken.VALUE_STRING) {
                out.add(p.getText());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toArray(String[]::new);
    }
}

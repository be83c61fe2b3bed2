package org.maskrcnn4j.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.maskrcnn4j.tensor.DType;
import org.maskrcnn4j.tensor.Shape;

/**
 * The parsed and validated JSON header of a safetensors file: tensor entries in header order and the
 * {@code __metadata__} strings. Every error names the file, the tensor or field, and what was expected.
 */
final class SafetensorsHeader {
    static final String METADATA_KEY = "__metadata__";
    /** Largest header accepted, as in the reference implementation. */
    static final long MAX_HEADER_BYTES = 100_000_000L;

    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxStringLength((int) MAX_HEADER_BYTES)
                    .maxNameLength((int) MAX_HEADER_BYTES)
                    .build())
            .build();

    private final Map<String, SafetensorsEntry> entries;
    private final Map<String, String> metadata;

    private SafetensorsHeader(Map<String, SafetensorsEntry> entries, Map<String, String> metadata) {
        this.entries = Collections.unmodifiableMap(entries);
        this.metadata = Collections.unmodifiableMap(metadata);
    }

    /** Tensor entries by name, in header order. */
    Map<String, SafetensorsEntry> entries() {
        return entries;
    }

    /** The {@code __metadata__} object; non-string values are kept as their JSON text. */
    Map<String, String> metadata() {
        return metadata;
    }

    /**
     * Parses {@code header} (UTF-8 JSON, possibly padded with trailing spaces) and checks every entry
     * against a data section of {@code dataSize} bytes.
     */
    static SafetensorsHeader parse(byte[] header, long dataSize, String source) throws SafetensorsFormatException {
        String text = decodeUtf8(header, source);
        if (text.isEmpty() || text.charAt(0) != '{') {
            throw error(source, "the JSON header must start with '{'");
        }
        SafetensorsHeader parsed;
        try (JsonParser p = JSON.createParser(text)) {
            parsed = new Parser(p, text, source).parseRoot();
        } catch (SafetensorsFormatException e) {
            throw e;
        } catch (JsonProcessingException e) {
            throw new SafetensorsFormatException(source + ": malformed JSON header at line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ": "
                    + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new SafetensorsFormatException(source + ": cannot parse the JSON header: " + e.getMessage(), e);
        }
        checkRanges(parsed.entries.values(), dataSize, source);
        return parsed;
    }

    private static String decodeUtf8(byte[] header, String source) throws SafetensorsFormatException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(header))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new SafetensorsFormatException(source + ": the JSON header is not valid UTF-8", e);
        }
    }

    /** Offsets within the data section, byte counts against shape and dtype, and no overlaps. */
    private static void checkRanges(Iterable<SafetensorsEntry> entries, long dataSize, String source)
            throws SafetensorsFormatException {
        List<SafetensorsEntry> nonEmpty = new ArrayList<>();
        for (SafetensorsEntry e : entries) {
            if (e.end() > dataSize) {
                throw error(source, "tensor '" + e.name() + "': data_offsets [" + e.begin() + ", " + e.end()
                        + "] go beyond the data section of " + dataSize + " bytes");
            }
            long needed;
            try {
                needed = Math.multiplyExact(e.shape().size(), e.dtype().byteSize());
            } catch (ArithmeticException overflow) {
                throw error(source, "tensor '" + e.name() + "': shape " + e.shape() + " has too many elements");
            }
            if (needed != e.byteCount()) {
                throw error(source, "tensor '" + e.name() + "': data_offsets [" + e.begin() + ", " + e.end()
                        + "] hold " + e.byteCount() + " bytes but " + e.dtype().code() + " " + e.shape()
                        + " needs " + needed);
            }
            if (e.byteCount() > 0) {
                nonEmpty.add(e);
            }
        }
        nonEmpty.sort(Comparator.comparingLong(SafetensorsEntry::begin));
        SafetensorsEntry reach = null;
        for (SafetensorsEntry e : nonEmpty) {
            if (reach != null && e.begin() < reach.end()) {
                throw error(source, "tensors '" + reach.name() + "' [" + reach.begin() + ", " + reach.end()
                        + ") and '" + e.name() + "' [" + e.begin() + ", " + e.end() + ") overlap");
            }
            if (reach == null || e.end() > reach.end()) {
                reach = e;
            }
        }
    }

    static SafetensorsFormatException error(String source, String message) {
        return new SafetensorsFormatException(source + ": " + message);
    }

    /** The streaming walk over one header's tokens. */
    private static final class Parser {
        private final JsonParser p;
        private final String text;
        private final String source;

        Parser(JsonParser p, String text, String source) {
            this.p = p;
            this.text = text;
            this.source = source;
        }

        SafetensorsHeader parseRoot() throws IOException {
            p.nextToken(); // START_OBJECT, checked by the caller
            Map<String, SafetensorsEntry> entries = new LinkedHashMap<>();
            Map<String, String> metadata = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                boolean isMetadata = METADATA_KEY.equals(key);
                if (isMetadata ? metadata != null : entries.containsKey(key)) {
                    throw error(source, "duplicate key '" + key + "' in the JSON header");
                }
                p.nextToken();
                if (isMetadata) {
                    metadata = parseMetadata();
                } else {
                    entries.put(key, parseEntry(key));
                }
            }
            int end = Math.toIntExact(p.currentTokenLocation().getCharOffset()) + 1;
            for (int i = end; i < text.length(); i++) {
                if (text.charAt(i) != ' ') {
                    throw error(source, "unexpected content after the JSON header object at character " + i
                            + " (only space padding is allowed)");
                }
            }
            return new SafetensorsHeader(entries, metadata == null ? new LinkedHashMap<>() : metadata);
        }

        private Map<String, String> parseMetadata() throws IOException {
            Map<String, String> metadata = new LinkedHashMap<>();
            if (p.currentToken() == JsonToken.VALUE_NULL) {
                return metadata;
            }
            if (p.currentToken() != JsonToken.START_OBJECT) {
                throw error(source, "'" + METADATA_KEY + "' must be an object of strings, found " + found());
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                if (metadata.containsKey(key)) {
                    throw error(source, "duplicate key '" + key + "' in '" + METADATA_KEY + "'");
                }
                JsonToken value = p.nextToken();
                if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
                    int begin = Math.toIntExact(p.currentTokenLocation().getCharOffset());
                    p.skipChildren();
                    int end = Math.toIntExact(p.currentTokenLocation().getCharOffset()) + 1;
                    metadata.put(key, text.substring(begin, end));
                } else {
                    metadata.put(key, p.getText());
                }
            }
            return metadata;
        }

        private SafetensorsEntry parseEntry(String name) throws IOException {
            if (p.currentToken() != JsonToken.START_OBJECT) {
                throw error(source, "tensor '" + name
                        + "': expected an object with dtype, shape and data_offsets, found " + found());
            }
            DType dtype = null;
            long[] shape = null;
            long[] offsets = null;
            Set<String> fields = new HashSet<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                if (!fields.add(field)) {
                    throw error(source, "tensor '" + name + "': duplicate field '" + field + "'");
                }
                p.nextToken();
                switch (field) {
                    case "dtype" -> dtype = parseDtype(name);
                    case "shape" -> shape = parseLongs(name, field);
                    case "data_offsets" -> offsets = parseLongs(name, field);
                    default -> p.skipChildren(); // unknown fields are ignored, as by the reference reader
                }
            }
            if (dtype == null || shape == null || offsets == null) {
                throw error(source, "tensor '" + name + "': missing field '"
                        + (dtype == null ? "dtype" : shape == null ? "shape" : "data_offsets") + "'");
            }
            for (long d : shape) {
                if (d < 0) {
                    throw error(source, "tensor '" + name + "': negative dimension " + d + " in shape "
                            + Arrays.toString(shape));
                }
            }
            if (offsets.length != 2) {
                throw error(source, "tensor '" + name + "': data_offsets must be [begin, end], found "
                        + offsets.length + " numbers");
            }
            if (offsets[0] < 0 || offsets[1] < offsets[0]) {
                throw error(source, "tensor '" + name + "': data_offsets [" + offsets[0] + ", " + offsets[1]
                        + "] must satisfy 0 <= begin <= end");
            }
            return new SafetensorsEntry(name, dtype, Shape.of(shape), offsets[0], offsets[1]);
        }

        private DType parseDtype(String name) throws IOException {
            if (p.currentToken() != JsonToken.VALUE_STRING) {
                throw error(source, "tensor '" + name + "': dtype must be a string, found " + found());
            }
            try {
                return DType.fromCode(p.getText());
            } catch (IllegalArgumentException e) {
                throw error(source, "tensor '" + name + "': " + e.getMessage());
            }
        }

        private long[] parseLongs(String name, String field) throws IOException {
            if (p.currentToken() != JsonToken.START_ARRAY) {
                throw error(source, "tensor '" + name + "': " + field + " must be an array of integers, found "
                        + found());
            }
            List<Long> values = new ArrayList<>();
            while (p.nextToken() != JsonToken.END_ARRAY) {
                if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
                    throw error(source, "tensor '" + name + "': " + field + " must hold integers, found " + found());
                }
                JsonParser.NumberType type = p.getNumberType();
                if (type != JsonParser.NumberType.INT && type != JsonParser.NumberType.LONG) {
                    throw error(source, "tensor '" + name + "': " + field + " value " + p.getText()
                            + " is too large");
                }
                values.add(p.getLongValue());
            }
            return values.stream().mapToLong(Long::longValue).toArray();
        }

        private String found() throws IOException {
            JsonToken t = p.currentToken();
            return switch (t) {
                case START_OBJECT -> "an object";
                case START_ARRAY -> "an array";
                case VALUE_STRING -> "the string \"" + abbreviate(p.getText()) + "\"";
                default -> abbreviate(p.getText());
            };
        }

        private static String abbreviate(String s) {
            return s.length() <= 40 ? s : s.substring(0, 40) + "...";
        }
    }
}

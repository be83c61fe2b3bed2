package org.maskrcnn4j.train;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Value records (such as {@code MaskRcnnConfig}) as JSON with Jackson's streaming API: a record is an
 * object of its components by name, an enum its name, an array a JSON array; maps with string keys are
 * written too. Reading calls the record's canonical constructor, so its checks apply; every error names the
 * source, the field path and what was expected.
 */
final class RecordJson {
    private RecordJson() {
    }

    /** Writes {@code value}: a record, map, enum, array, string, number, boolean or null. */
    static void write(JsonGenerator g, Object value) throws IOException {
        if (value == null) {
            g.writeNull();
        } else if (value instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (value instanceof Float f) {
            g.writeNumber(f);
        } else if (value instanceof Double d) {
            g.writeNumber(d);
        } else if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            g.writeNumber(((Number) value).longValue());
        } else if (value instanceof String || value instanceof Enum<?>) {
            g.writeString(value instanceof Enum<?> e ? e.name() : (String) value);
        } else if (value.getClass().isArray()) {
            g.writeStartArray();
            for (int i = 0; i < Array.getLength(value); i++) {
                write(g, Array.get(value, i));
            }
            g.writeEndArray();
        } else if (value instanceof Record || value instanceof Map<?, ?>) {
            g.writeStartObject();
            for (Map.Entry<String, Object> e : fields(value).entrySet()) {
                g.writeFieldName(e.getKey());
                write(g, e.getValue());
            }
            g.writeEndObject();
        } else {
            throw new IllegalArgumentException("cannot write a " + value.getClass().getName() + " as JSON");
        }
    }

    /**
     * The leaves of {@code value} by dotted path ({@code rpn.nmsThreshold}), each as text (arrays as
     * {@code [1, 2]}): two values are equal, arrays included, when these maps are.
     */
    static Map<String, String> flatten(Object value) {
        Map<String, String> out = new LinkedHashMap<>();
        flatten("", value, out);
        return out;
    }

    private static void flatten(String path, Object value, Map<String, String> out) {
        if (value instanceof Record || value instanceof Map<?, ?>) {
            for (Map.Entry<String, Object> e : fields(value).entrySet()) {
                flatten(path.isEmpty() ? e.getKey() : path + "." + e.getKey(), e.getValue(), out);
            }
        } else if (value != null && value.getClass().isArray()) {
            List<String> items = new ArrayList<>();
            for (int i = 0; i < Array.getLength(value); i++) {
                items.add(String.valueOf(Array.get(value, i)));
            }
            out.put(path, items.toString());
        } else {
            out.put(path, String.valueOf(value));
        }
    }

    private static Map<String, Object> fields(Object value) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (value instanceof Map<?, ?> m) {
            m.forEach((k, v) -> out.put(String.valueOf(k), v));
            return out;
        }
        for (RecordComponent c : value.getClass().getRecordComponents()) {
            try {
                out.put(c.getName(), c.getAccessor().invoke(value));
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new IllegalStateException("cannot read " + c.getName() + " of " + value.getClass().getName(), e);
            }
        }
        return out;
    }

    /**
     * Reads a {@code type} at the parser's current token (a record, enum, primitive, string or primitive
     * array); {@code source} and {@code path} name the place in error messages.
     */
    static <T> T read(JsonParser p, Class<T> type, String source, String path) throws IOException {
        @SuppressWarnings("unchecked")
        T value = (T) readAny(p, type, source, path);
        return value;
    }

    private static Object readAny(JsonParser p, Class<?> type, String source, String path) throws IOException {
        JsonToken t = p.currentToken();
        if (type.isRecord()) {
            return readRecord(p, type, source, path);
        }
        if (type.isArray() && type.getComponentType().isPrimitive()) {
            expect(t == JsonToken.START_ARRAY, "an array", p, source, path);
            List<Object> items = new ArrayList<>();
            while (p.nextToken() != JsonToken.END_ARRAY) {
                items.add(readAny(p, type.getComponentType(), source, path + "[" + items.size() + "]"));
            }
            Object array = Array.newInstance(type.getComponentType(), items.size());
            for (int i = 0; i < items.size(); i++) {
                Array.set(array, i, items.get(i));
            }
            return array;
        }
        if (type.isEnum()) {
            expect(t == JsonToken.VALUE_STRING, "one of " + Arrays.toString(type.getEnumConstants()), p, source, path);
            for (Object c : type.getEnumConstants()) {
                if (((Enum<?>) c).name().equals(p.getText())) {
                    return c;
                }
            }
            throw error(source, path, "expected one of " + Arrays.toString(type.getEnumConstants()) + ", got '"
                    + p.getText() + "'");
        }
        if (type == String.class) {
            expect(t == JsonToken.VALUE_STRING, "a string", p, source, path);
            return p.getText();
        }
        if (type == boolean.class) {
            expect(t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE, "true or false", p, source, path);
            return p.getBooleanValue();
        }
        if (type == int.class || type == long.class) {
            expect(t == JsonToken.VALUE_NUMBER_INT, "an integer", p, source, path);
            long v = p.getLongValue();
            if (type == int.class && v != (int) v) {
                throw error(source, path, "expected a 32-bit integer, got " + v);
            }
            return type == int.class ? (Object) (int) v : (Object) v;
        }
        if (type == double.class || type == float.class) {
            boolean nonFinite = t == JsonToken.VALUE_STRING && p.getText().matches("NaN|-?Infinity");
            expect(t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT || nonFinite, "a number", p,
                    source, path);
            return type == double.class ? (Object) Double.parseDouble(p.getText()) : (Object) Float.parseFloat(p.getText());
        }
        throw new IllegalArgumentException("cannot read a " + type.getName() + " from JSON");
    }

    private static Object readRecord(JsonParser p, Class<?> type, String source, String path) throws IOException {
        expect(p.currentToken() == JsonToken.START_OBJECT, "an object", p, source, path);
        RecordComponent[] components = type.getRecordComponents();
        Map<String, RecordComponent> byName = new LinkedHashMap<>();
        for (RecordComponent c : components) {
            byName.put(c.getName(), c);
        }
        Map<String, Object> values = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            String at = path.isEmpty() ? name : path + "." + name;
            RecordComponent c = byName.get(name);
            if (c == null) {
                throw error(source, at, "unknown field; expected one of " + byName.keySet());
            }
            p.nextToken();
            values.put(name, readAny(p, c.getType(), source, at));
        }
        Object[] args = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            types[i] = components[i].getType();
            if (!values.containsKey(components[i].getName())) {
                throw error(source, path, "missing field '" + components[i].getName() + "'");
            }
            args[i] = values.get(components[i].getName());
        }
        try {
            Constructor<?> canonical = type.getDeclaredConstructor(types);
            return canonical.newInstance(args);
        } catch (InvocationTargetException e) {
            throw error(source, path, e.getCause().getMessage());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot construct " + type.getName(), e);
        }
    }

    private static void expect(boolean ok, String what, JsonParser p, String source, String path) throws IOException {
        if (!ok) {
            JsonToken t = p.currentToken();
            String got = t == null ? "the end of the file" : t == JsonToken.START_OBJECT ? "an object"
                    : t == JsonToken.START_ARRAY ? "an array" : "'" + p.getText() + "'";
            throw error(source, path, "expected " + what + ", got " + got);
        }
    }

    private static IOException error(String source, String path, String message) {
        return new IOException(source + ": " + (path.isEmpty() ? "" : path + ": ") + message);
    }
}

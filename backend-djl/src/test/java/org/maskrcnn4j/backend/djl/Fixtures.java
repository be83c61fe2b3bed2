package org.maskrcnn4j.backend.djl;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.maskrcnn4j.tensor.DType;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.Shape;

/** Minimal safetensors reader for the torchvision fixtures (tests only). */
final class Fixtures {
    private Fixtures() {
    }

    static Path dir() {
        String p = System.getProperty("maskrcnn4j.fixtures");
        Path d = p != null ? Paths.get(p) : Paths.get("../../shared/fixtures/torchvision");
        if (!Files.isDirectory(d)) {
            d = Paths.get("/work/shared/fixtures/torchvision");
        }
        return d;
    }

    static boolean available(String file) {
        return Files.isRegularFile(dir().resolve(file));
    }

    /** Tensors and the raw header JSON (for metadata). */
    record File(Map<String, HostTensor> tensors, String header) {
        HostTensor get(String name) {
            HostTensor t = tensors.get(name);
            if (t == null) {
                throw new IllegalArgumentException("no tensor " + name);
            }
            return t;
        }

        String meta(String key) {
            Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\"\\s*:\\s*\"?([^\",}]*)").matcher(header);
            return m.find() ? m.group(1).trim() : null;
        }
    }

    static File read(String file) throws IOException {
        byte[] all = Files.readAllBytes(dir().resolve(file));
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        long n = b.getLong(0);
        String json = new String(all, 8, (int) n, StandardCharsets.UTF_8);
        int base = 8 + (int) n;
        Map<String, HostTensor> out = new LinkedHashMap<>();
        Matcher m = Pattern.compile(
                "\"([^\"]+)\"\\s*:\\s*\\{\\s*\"dtype\"\\s*:\\s*\"(\\w+)\"\\s*,\\s*\"shape\"\\s*:\\s*\\[([^\\]]*)\\]\\s*,"
                        + "\\s*\"data_offsets\"\\s*:\\s*\\[\\s*(\\d+)\\s*,\\s*(\\d+)\\s*\\]").matcher(json);
        while (m.find()) {
            String[] parts = m.group(3).trim().isEmpty() ? new String[0] : m.group(3).split(",");
            long[] shape = new long[parts.length];
            for (int i = 0; i < parts.length; i++) {
                shape[i] = Long.parseLong(parts[i].trim());
            }
            int from = base + Integer.parseInt(m.group(4));
            int to = base + Integer.parseInt(m.group(5));
            DType dtype = DType.fromCode(m.group(2));
            out.put(m.group(1), HostTensor.of(dtype, Shape.of(shape), ByteBuffer.wrap(all, from, to - from)));
        }
        return new File(out, json);
    }
}

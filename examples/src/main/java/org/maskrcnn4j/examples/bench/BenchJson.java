package org.maskrcnn4j.examples.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The bench's JSON: a report ({@code machine}, {@code settings}, {@code engines}, {@code baseline},
 * {@code comparison}) whose engine objects have the form {@code bench/torchvision_baseline.py} writes, so
 * either file can be read back as {@link EngineResult}s.
 */
public final class BenchJson {
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    private BenchJson() {
    }

    /** The report as pretty-printed JSON. */
    public static String toJson(BenchReport report) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("machine", new TreeMap<>(report.machine()));
        m.put("settings", new TreeMap<>(report.settings()));
        List<Object> engines = new ArrayList<>();
        report.engines().forEach(e -> engines.add(engine(e)));
        m.put("engines", engines);
        m.put("baseline", report.baseline() == null ? null : engine(report.baseline()));
        m.put("baseline_source", report.baselineSource());
        if (report.comparison() != null) {
            Comparison c = report.comparison();
            Map<String, Object> cm = new LinkedHashMap<>();
            cm.put("refused", c.refused());
            cm.put("refusals", c.refusals());
            cm.put("notes", c.notes());
            cm.put("ratios", c.ratios());
            cm.put("rule", Map.of("jemalloc_required", true, "min_sgemm_gflops_per_thread",
                    Comparison.MIN_GFLOPS_PER_THREAD, "min_sgemm_fraction_of_ours", Comparison.MIN_FRACTION_OF_OURS,
                    "same_threads", true));
            m.put("comparison", cm);
        } else {
            m.put("comparison", null);
        }
        return write(m);
    }

    /** An engine's JSON object (the baseline script's field names). */
    public static Map<String, Object> engine(EngineResult e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("engine", e.engine());
        m.put("version", e.version());
        m.put("threads", e.threads());
        m.put("allocator", e.allocator());
        m.put("jemalloc", e.jemalloc());
        m.put("ld_preload", e.ldPreload());
        m.put("malloc_conf", e.mallocConf());
        m.put("blas_info", e.blasInfo());
        m.put("blas_libs", e.blasLibs());
        m.put("sgemm_gflops", e.sgemmGflops());
        m.put("peak_rss_mb", e.peakRssMb());
        m.put("settings", new TreeMap<>(e.settings()));
        if (e.error() != null) {
            m.put("error", e.error());
        }
        List<Object> items = new ArrayList<>();
        for (ItemResult r : e.items()) {
            Map<String, Object> im = new LinkedHashMap<>();
            im.put("item", r.item());
            if (r.stats() != null) {
                im.put("median_ms", r.stats().medianMs());
                im.put("min_ms", r.stats().minMs());
                im.put("max_ms", r.stats().maxMs());
                im.put("runs_ms", r.stats().runsMs());
            }
            if (r.check() != null) {
                im.put("check", r.check());
            }
            if (r.error() != null) {
                im.put("error", r.error());
            }
            im.put("peak_rss_mb", r.peakRssMb());
            items.add(im);
        }
        m.put("items", items);
        return m;
    }

    /** The engines of a report, or the single engine a baseline file holds. */
    @SuppressWarnings("unchecked")
    public static List<EngineResult> readEngines(String json) {
        Object root = parse(json);
        if (!(root instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException("bench JSON: expected an object");
        }
        List<EngineResult> out = new ArrayList<>();
        if (map.containsKey("engines")) {
            for (Object o : (List<Object>) map.get("engines")) {
                out.add(engine((Map<String, Object>) o));
            }
        } else {
            out.add(engine((Map<String, Object>) map));
        }
        return out;
    }

    /** The baseline in a file: the baseline script's output, or a bench report's {@code baseline}. */
    @SuppressWarnings("unchecked")
    public static EngineResult readBaseline(String json) {
        Object root = parse(json);
        if (!(root instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException("bench JSON: expected an object");
        }
        if (map.containsKey("engines")) {
            if (!(map.get("baseline") instanceof Map<?, ?> b)) {
                throw new IllegalArgumentException("this bench report has no baseline (it was run without --compare)");
            }
            return engine((Map<String, Object>) b);
        }
        return engine((Map<String, Object>) map);
    }

    /** An {@link EngineResult} from its JSON object. */
    @SuppressWarnings("unchecked")
    public static EngineResult engine(Map<String, Object> m) {
        List<ItemResult> items = new ArrayList<>();
        for (Object o : (List<Object>) m.getOrDefault("items", List.of())) {
            Map<String, Object> im = (Map<String, Object>) o;
            Stats stats = null;
            if (im.get("median_ms") != null) {
                List<Double> runs = new ArrayList<>();
                for (Object v : (List<Object>) im.getOrDefault("runs_ms", List.of())) {
                    runs.add(((Number) v).doubleValue());
                }
                stats = new Stats(num(im.get("median_ms")), num(im.get("min_ms")), num(im.get("max_ms")), runs);
            }
            items.add(new ItemResult(str(im.get("item")), stats, (String) im.get("check"), (String) im.get("error"),
                    numOrNull(im.get("peak_rss_mb"))));
        }
        List<String> libs = new ArrayList<>();
        for (Object o : (List<Object>) m.getOrDefault("blas_libs", List.of())) {
            libs.add(String.valueOf(o));
        }
        Map<String, Object> settings = new LinkedHashMap<>();
        Object s = m.get("settings");
        if (s instanceof Map<?, ?> sm) {
            sm.forEach((k, v) -> {
                if (v != null) {
                    settings.put(String.valueOf(k), v);
                }
            });
        }
        Object threads = m.get("threads");
        return new EngineResult(str(m.get("engine")), str(m.get("version")),
                threads == null ? 0 : ((Number) threads).intValue(), str(m.get("allocator")),
                Boolean.TRUE.equals(m.get("jemalloc")), str(m.get("ld_preload")), str(m.get("malloc_conf")),
                str(m.get("blas_info")), libs, numOrNull(m.get("sgemm_gflops")), numOrNull(m.get("peak_rss_mb")),
                items, (String) m.get("error"), settings);
    }

    private static String str(Object o) {
        return o == null ? "" : String.valueOf(o);
    }

    private static double num(Object o) {
        return ((Number) o).doubleValue();
    }

    private static Double numOrNull(Object o) {
        return o == null ? null : ((Number) o).doubleValue();
    }

    /** Writes maps, lists, strings, numbers, booleans and nulls as pretty-printed JSON. */
    public static String write(Object value) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = FACTORY.createGenerator(w)) {
            g.useDefaultPrettyPrinter();
            write(g, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w + "\n";
    }

    private static void write(JsonGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof Map<?, ?> m) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                g.writeFieldName(String.valueOf(e.getKey()));
                write(g, e.getValue());
            }
            g.writeEndObject();
        } else if (v instanceof List<?> l) {
            g.writeStartArray();
            for (Object o : l) {
                write(g, o);
            }
            g.writeEndArray();
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (v instanceof Integer || v instanceof Long) {
            g.writeNumber(((Number) v).longValue());
        } else if (v instanceof Number n) {
            double d = n.doubleValue();
            if (Double.isFinite(d)) {
                g.writeNumber(d);
            } else {
                g.writeNull();
            }
        } else {
            g.writeString(String.valueOf(v));
        }
    }

    /**
     * Parses JSON into maps (insertion ordered), lists, strings, integers (int when it fits, else long),
     * doubles, booleans and nulls.
     */
    public static Object parse(String json) {
        try (JsonParser p = FACTORY.createParser(json)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw new IllegalArgumentException("bench JSON: empty input");
            }
            Object v = value(p, t);
            if (p.nextToken() != null) {
                throw new IllegalArgumentException("bench JSON: trailing content at " + p.currentLocation());
            }
            return v;
        } catch (IOException e) {
            throw new IllegalArgumentException("bench JSON: " + e.getMessage(), e);
        }
    }

    private static Object value(JsonParser p, JsonToken t) throws IOException {
        switch (t) {
            case START_OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                for (JsonToken k = p.nextToken(); k != JsonToken.END_OBJECT; k = p.nextToken()) {
                    String name = p.currentName();
                    m.put(name, value(p, p.nextToken()));
                }
                return m;
            }
            case START_ARRAY -> {
                List<Object> l = new ArrayList<>();
                for (JsonToken k = p.nextToken(); k != JsonToken.END_ARRAY; k = p.nextToken()) {
                    l.add(value(p, k));
                }
                return l;
            }
            case VALUE_STRING -> {
                return p.getText();
            }
            case VALUE_NUMBER_INT -> {
                long v = p.getLongValue();
                return v == (int) v ? (Object) (int) v : (Object) v;
            }
            case VALUE_NUMBER_FLOAT -> {
                return p.getDoubleValue();
            }
            case VALUE_TRUE -> {
                return Boolean.TRUE;
            }
            case VALUE_FALSE -> {
                return Boolean.FALSE;
            }
            case VALUE_NULL -> {
                return null;
            }
            default -> throw new IllegalArgumentException("bench JSON: unexpected " + t + " at " + p.currentLocation());
        }
    }
}

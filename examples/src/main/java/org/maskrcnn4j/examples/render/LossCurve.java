package org.maskrcnn4j.examples.render;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.maskrcnn4j.train.StepResult;
import org.maskrcnn4j.train.TrainingListener;

/** Collects the losses of every step and writes them as a PNG line chart (total and each term). */
public final class LossCurve implements TrainingListener {
    private final Map<String, XYSeries> series = new LinkedHashMap<>();

    @Override
    public void onStep(StepResult r) {
        add("loss", r.step(), r.loss());
        r.losses().forEach((k, v) -> add(k, r.step(), v));
    }

    private void add(String name, int step, double value) {
        series.computeIfAbsent(name, n -> new XYSeries(n, false, true)).add(step, value);
    }

    /** Series names in the order they first appeared. */
    public List<String> names() {
        return List.copyOf(series.keySet());
    }

    /** Writes the chart (written to a temporary file and renamed). */
    public void write(Path png, int width, int height) throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        series.values().forEach(data::addSeries);
        JFreeChart chart = ChartFactory.createXYLineChart("Training losses", "step", "loss", data,
                PlotOrientation.VERTICAL, true, false, false);
        Path dir = png.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".curve", ".png");
        try {
            ChartUtils.saveChartAsPNG(tmp.toFile(), chart, width, height);
            Files.move(tmp, png, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}

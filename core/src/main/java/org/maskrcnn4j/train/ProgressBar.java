package org.maskrcnn4j.train;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/** A one-line terminal progress bar: step, bar, total and per-term losses, it/s and ETA. */
public final class ProgressBar implements TrainingListener {
    private final PrintStream out;
    private final long start = System.nanoTime();
    private int done;

    public ProgressBar(PrintStream out) {
        this.out = out;
    }

    /** The text of the bar after {@code r}, given elapsed seconds and steps done in this run. */
    static String render(StepResult r, double elapsed, int stepsThisRun) {
        int width = 24;
        int filled = (int) Math.round(width * (r.step() + 1.0) / r.totalSteps());
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "step %d/%d [", r.step() + 1, r.totalSteps()));
        b.append("=".repeat(Math.max(0, filled))).append(" ".repeat(Math.max(0, width - filled))).append("] ");
        b.append(String.format(Locale.ROOT, "loss %.3f (", r.loss()));
        boolean first = true;
        for (Map.Entry<String, Double> e : r.losses().entrySet()) {
            b.append(first ? "" : " ").append(e.getKey().replace("loss_", "")).append(' ')
                    .append(String.format(Locale.ROOT, "%.3f", e.getValue()));
            first = false;
        }
        double rate = stepsThisRun / Math.max(elapsed, 1e-9);
        long eta = Math.round((r.totalSteps() - r.step() - 1) / Math.max(rate, 1e-9));
        b.append(String.format(Locale.ROOT, ") %.2f it/s ETA %d:%02d", rate, eta / 60, eta % 60));
        return b.toString();
    }

    @Override
    public void onStep(StepResult r) {
        done++;
        out.print("\r" + render(r, (System.nanoTime() - start) / 1e9, done));
        out.flush();
    }

    @Override
    public void onEnd() {
        out.println();
    }
}

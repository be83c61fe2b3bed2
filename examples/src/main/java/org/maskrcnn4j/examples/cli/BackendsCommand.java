package org.maskrcnn4j.examples.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.maskrcnn4j.tensor.Availability;
import org.maskrcnn4j.tensor.BackendProvider;
import org.maskrcnn4j.tensor.Backends;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code maskrcnn backends}: lists the discovered compute backends, their availability and the selected one. */
@Command(name = "backends", mixinStandardHelpOptions = true,
        description = {"List the compute backends found on the class path, whether each can run here (and why not),",
                "and which one is selected (--backend, -Dmaskrcnn4j.backend or MASKRCNN4J_BACKEND, else the",
                "available one with the highest priority)."})
final class BackendsCommand implements Callable<Integer> {

    @Option(names = "--backend", description = "Backend to select (default: property, environment, then priority).")
    String backend;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<BackendProvider> providers = Backends.providers();
        out.printf("%-12s %-9s %-11s %s%n", "BACKEND", "PRIORITY", "STATUS", "DETAIL");
        for (BackendProvider p : providers) {
            Availability a = p.availability();
            out.printf("%-12s %-9d %-11s %s%n", p.name(), p.priority(), a.available() ? "available" : "unavailable",
                    a.reason());
        }
        String requested = backend != null ? backend : Backends.requestedName();
        BackendProvider selected = Backends.provider(requested);
        out.println();
        out.println("selected: " + selected.name());
        out.flush();
        return 0;
    }
}

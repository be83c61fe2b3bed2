package org.maskrcnn4j.examples.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs the {@code maskrcnn} command line in-process for tests, keeping what it writes to stderr. */
final class CliRun {
    private final StringWriter err = new StringWriter();
    private final StringWriter out = new StringWriter();

    /** The exit code of {@code maskrcnn args...}. */
    int run(String... args) {
        CommandLine cl = MaskRcnnCommand.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    /** Everything the command wrote to its picocli output so far. */
    String out() {
        return out.toString();
    }

    /** Everything written to stderr so far. */
    String err() {
        return err.toString();
    }
}

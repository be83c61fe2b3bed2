package org.maskrcnn4j.examples.cli;

import java.io.PrintWriter;
import org.maskrcnn4j.tensor.BackendException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code maskrcnn} command line: entry point and the list of subcommands. */
@Command(name = "maskrcnn", mixinStandardHelpOptions = true, version = "maskrcnn4j 0.1.0",
        description = "Mask R-CNN instance segmentation on the JVM.",
        subcommands = {DemoCommand.class, TrainCommand.class, EvalCommand.class, PredictCommand.class, ConvertCommand.class,
                ExportCommand.class, BackendsCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class MaskRcnnCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Builds the command line with user-facing error handling: messages, never stack traces. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new MaskRcnnCommand());
        cl.setExecutionExceptionHandler((ex, line, parseResult) -> {
            PrintWriter err = line.getErr();
            if (ex instanceof BackendException || ex instanceof IllegalArgumentException
                    || ex instanceof java.io.IOException || ex instanceof java.io.UncheckedIOException
                    || ex instanceof org.maskrcnn4j.train.TrainingDivergedException) {
                err.println("error: " + ex.getMessage());
            } else {
                err.println("error: " + ex + " (run with -Dmaskrcnn4j.debug=true for details)");
                if (Boolean.getBoolean("maskrcnn4j.debug")) {
                    ex.printStackTrace(err);
                }
            }
            err.flush();
            return 1;
        });
        return cl;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}

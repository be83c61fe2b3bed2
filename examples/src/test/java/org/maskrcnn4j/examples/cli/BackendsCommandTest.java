package org.maskrcnn4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.maskrcnn4j.tensor.Backends;
import picocli.CommandLine;

/** {@code maskrcnn backends}: lists djl as available, and a bad name fails with the list, without a stack trace. */
class BackendsCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @AfterEach
    void clearProperty() {
        System.clearProperty(Backends.PROPERTY);
    }

    private int run(String... args) {
        CommandLine cl = MaskRcnnCommand.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    @Test
    void listsDjlAsAvailableAndSelected() {
        assertThat(run("backends")).as(err.toString()).isZero();
        assertThat(out.toString()).containsPattern("djl\\s+100\\s+available").contains("tensorflow").contains("selected: djl");
    }

    @Test
    void unknownBackendFailsWithTheDiscoveredList() {
        System.setProperty(Backends.PROPERTY, "nope");
        assertThat(run("backends")).isEqualTo(1);
        assertThat(err.toString()).contains("error: unknown backend 'nope'").contains("djl (priority 100): available")
                .doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void unknownOptionIsAUsageError() {
        assertThat(run("backends", "--frobnicate")).isEqualTo(2);
        assertThat(err.toString()).contains("Unknown option: '--frobnicate'");
    }
}

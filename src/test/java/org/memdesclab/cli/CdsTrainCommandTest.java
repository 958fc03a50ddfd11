package org.memdesclab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The build's class-data archive is only as good as the requests {@code cds-train} makes: they must still
 * be routes that answer 200 (a renamed route fails here before it silently shrinks the archive).
 */
class CdsTrainCommandTest {

    @Test
    void trainingServesEveryRequestItMakes() {
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            status = new CommandLine(new Main()).execute("cds-train");
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
        String said = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, said);
        assertTrue(said.contains("cds-train: served the start-up path once"), said);
    }

    @Test
    void trainingIsHiddenFromTheUsage() {
        String usage = new CommandLine(new Main()).getUsageMessage();
        assertTrue(usage.contains("serve") && !usage.contains("cds-train"), usage);
    }
}

package org.memdesclab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.memdesclab.store.Database;
import org.memdesclab.web.App;
import org.memdesclab.web.LessonWiring;
import org.memdesclab.web.Limits;
import picocli.CommandLine;

/**
 * {@code serve --max-body, --statements-per-second, --statement-burst}: shown in --help, bad values
 * refused with a clear message and exit code 2 before anything starts, good ones reach the server.
 */
class ServeLimitsOptionsTest {
    @TempDir
    Path dir;

    record Run(int code, String out, String err) {}

    /** Runs the jar's command line in this JVM, capturing what it prints. */
    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        ByteArrayOutputStream sysErr = new ByteArrayOutputStream();
        PrintStream old = System.err;
        System.setErr(new PrintStream(sysErr, true, StandardCharsets.UTF_8));
        try {
            CommandLine cl = new CommandLine(new Main()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
            int code = cl.execute(args);
            return new Run(code, out.toString(), err + sysErr.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(old);
        }
    }

    @Test
    void helpShowsTheLimitOptionsWithTheirDefaults() {
        Run r = run("serve", "--help");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("--max-body=BYTES") && r.out().contains("default: 65536"), r.out());
        assertTrue(r.out().contains("--statements-per-second=N") && r.out().contains("default: 20;"), r.out());
        assertTrue(r.out().contains("--statement-burst=N") && r.out().contains("default: 120;"), r.out());
    }

    @Test
    void badValuesAreRefusedWithExitCode2AndNothingStarts() {
        String[][] cases = {
            {"--max-body", "100", "--max-body must be from 1024 to 16777216 bytes, not 100"},
            {"--max-body", "99999999", "--max-body must be from 1024 to 16777216 bytes, not 99999999"},
            {"--statements-per-second", "0", "--statements-per-second must be more than 0 and at most 10000, not 0.0"},
            {"--statements-per-second", "-3", "--statements-per-second must be more than 0 and at most 10000, not -3.0"},
            {"--statements-per-second", "NaN", "--statements-per-second must be more than 0 and at most 10000, not NaN"},
            {"--statements-per-second", "1e9", "--statements-per-second must be more than 0 and at most 10000, not 1.0E9"},
            {"--statement-burst", "0", "--statement-burst must be from 1 to 100000, not 0"},
            {"--statement-burst", "1000000", "--statement-burst must be from 1 to 100000, not 1000000"},
            {"--statement-burst", "lots", "Invalid value for option '--statement-burst': 'lots' is not an int"},
        };
        for (String[] c : cases) {
            Path data = dir.resolve("data-" + c[0].substring(2) + "-" + c[1]);
            Run r = run("serve", "--port", "0", "--data", data.toString(), c[0], c[1]);
            assertEquals(2, r.code(), c[0] + " " + c[1] + ": " + r.err());
            assertTrue(r.err().contains(c[2]), c[0] + " " + c[1] + ": " + r.err());
            assertFalse(r.err().contains("Exception"), r.err());
            assertFalse(Files.exists(data), "nothing started: no database folder for " + c[0] + " " + c[1]);
        }
    }

    @Test
    void goodValuesReachTheServer() throws Exception {
        ServeCommand cmd = new ServeCommand();
        new CommandLine(cmd).parseArgs("--max-body", "2048", "--statements-per-second", "0.5", "--statement-burst", "2");
        assertEquals(null, cmd.limitsProblem());
        assertEquals(new Limits(2048, 0.5, 2), cmd.limits());
        ServeCommand defaults = new ServeCommand();
        new CommandLine(defaults).parseArgs();
        assertEquals(Limits.defaults(), defaults.limits(), "the options' defaults are the lab's defaults");

        try (HikariDataSource ds = Database.pool(Database.h2Url(dir)); App app = App.start(ds, 0,
                App.Options.defaults().withLessons(LessonWiring.builtIn()), cmd.limits())) {
            HttpClient http = HttpClient.newBuilder().cookieHandler(new java.net.CookieManager()).build();
            String base = "http://localhost:" + app.port();
            HttpRequest exec = HttpRequest.newBuilder(URI.create(base + "/api/v1/labs/sandbox/exec")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"statement\": \"cat /proc/buddyinfo\"}")).build();
            assertEquals(200, http.send(exec, HttpResponse.BodyHandlers.ofString()).statusCode());
            assertEquals(200, http.send(exec, HttpResponse.BodyHandlers.ofString()).statusCode());
            HttpResponse<String> third = http.send(exec, HttpResponse.BodyHandlers.ofString());
            assertEquals(429, third.statusCode(), third.body());
            assertTrue(third.body().contains("Too many statements: at most 0.5 a second (2 at once)."), third.body());
            HttpRequest big = HttpRequest.newBuilder(URI.create(base + "/api/v1/labs/sandbox/exec")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"statement\": \"" + "x".repeat(3000) + "\"}")).build();
            HttpResponse<String> r = http.send(big, HttpResponse.BodyHandlers.ofString());
            assertEquals(413, r.statusCode(), r.body());
            assertTrue(r.body().contains("the lab accepts at most 2048"), r.body());
        }
    }
}

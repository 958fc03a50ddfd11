package org.memdesclab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.memdesclab.bench.SimBenchmark;
import picocli.CommandLine;

/** The bench command prints every figure the issues ask for (its values are read, never asserted). */
class BenchCommandTest {

    @Test
    void quickBenchmarkPrintsEveryRowWithNumbers() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        new SimBenchmark(new PrintStream(buf, true, StandardCharsets.UTF_8), 0.01).run();
        String out = buf.toString(StandardCharsets.UTF_8);
        String num = "\\s+\\d+\\.\\d+";
        for (String row : new String[] {
            "order 0, tracing off" + num + ".*" + num, "order 0, tracing on" + num, "order 3, tracing off" + num,
            "order 0, tracing off, per-CPU lists" + num, "kmem_cache_alloc \\+ _free \\(700 B\\)" + num,
            "kmalloc\\(64\\) \\+ kfree" + num, "zs_malloc\\(100\\) \\+ zs_free" + num,
            "compact_zone\\(-1\\), whole zone, ms" + num, "pages it migrated\\s+[0-9,]+  \\(COMPACT_",
            "page_owner_type walk, ns per page" + num,
            "1,024" + num + num, "262,144" + num + num, "1,048,576" + num + num}) {
            assertTrue(Pattern.compile(row).matcher(out).find(), "missing row /" + row + "/ in:\n" + out);
        }
    }

    @Test
    void unknownTargetIsRefusedWithExitStatus2() {
        PrintStream err = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
            assertEquals(2, new CommandLine(new Main()).execute("bench", "web"));
        } finally {
            System.setErr(err);
        }
        assertTrue(buf.toString(StandardCharsets.UTF_8).contains("unknown target 'web' (known: sim, load)"));
    }

    /** bench load with tiny numbers: every figure is printed on its own line, with its unit, and parses. */
    @Test
    void loadBenchmarkPrintsEveryFigureWithItsUnit() {
        PrintStream stdout = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int status;
        try {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            status = new CommandLine(new Main()).execute("bench", "load", "--learners", "3", "--duration", "2", "--heap-learners", "10",
                    "--startup-runs", "1");
        } finally {
            System.setOut(stdout);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, "bench load reported errors:\n" + out);
        String ms = "(\\d+\\.\\d) ms";
        Map<String, String> figures = new LinkedHashMap<>();
        figures.put("start-up to first answer", "(\\d+\\.\\d\\d) s \\(median of 1, no class-data archive\\)");
        figures.put("start-up CPU (the child JVM, all threads)", "(\\d+\\.\\d\\d) s");
        figures.put("statements", "(\\d+)");
        figures.put("statements per second", "(\\d+\\.\\d) /s");
        figures.put("p50", ms);
        figures.put("p95", ms);
        figures.put("p99", ms);
        figures.put("max", ms);
        figures.put("errors", "(\\d+)");
        figures.put("bytes per response", "(\\d+) B");
        figures.put("static p50", ms + " \\(GET /static/lab.js, \\d+ fetches\\)");
        figures.put("ratio statement/static p50", "(\\d+\\.\\d)");
        figures.put("server CPU per statement", "(\\d+\\.\\d\\d) ms \\(static fetches, GC and JIT included\\)");
        figures.put("learners' CPU per statement", "(\\d+\\.\\d\\d) ms");
        figures.put("heap per live machine", "(\\d+\\.\\d) KiB \\(10 learners' memmap machines\\)");
        figures.put("heap for 1,000 live machines", "(\\d+\\.\\d) MiB");
        for (var f : figures.entrySet()) {
            Matcher m = Pattern.compile("(?m)^" + Pattern.quote(f.getKey()) + ": " + f.getValue() + "$").matcher(out);
            assertTrue(m.find(), "no line '" + f.getKey() + ": ...' in:\n" + out);
            Double.parseDouble(m.group(1));
        }
        Matcher n = Pattern.compile("(?m)^statements: (\\d+)$").matcher(out);
        assertTrue(n.find());
        assertTrue(Integer.parseInt(n.group(1)) > 0, "3 learners sent no statement in 2 s:\n" + out);
        assertTrue(out.contains("errors: 0\n"), out);
    }

    @Test
    void loadBenchmarkRefusesBadOptionsWithExitStatus2() {
        PrintStream err = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
            assertEquals(2, new CommandLine(new Main()).execute("bench", "load", "--learners", "0"));
            assertEquals(2, new CommandLine(new Main()).execute("bench", "load", "--url", "localhost:7070"));
            assertEquals(2, new CommandLine(new Main()).execute("bench", "load", "--no-startup", "--heap-learners", "0", "--lesson", "nope"));
        } finally {
            System.setErr(err);
        }
        String e = buf.toString(StandardCharsets.UTF_8);
        assertTrue(e.contains("bench load: --learners must be at least 1"), e);
        assertTrue(e.contains("bench load: --url must look like http://host:port, not 'localhost:7070'"), e);
        assertTrue(e.contains("bench load: there is no lesson 'nope'"), e);
    }
}

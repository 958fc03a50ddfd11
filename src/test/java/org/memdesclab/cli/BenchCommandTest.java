package org.memdesclab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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
        assertTrue(buf.toString(StandardCharsets.UTF_8).contains("unknown target 'web' (known: sim)"));
    }
}

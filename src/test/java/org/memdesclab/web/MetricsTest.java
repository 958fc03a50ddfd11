package org.memdesclab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GET /metrics over real HTTP, parsed as Prometheus text: every sample typed, the figures right. */
class MetricsTest {
    @TempDir
    Path dir;

    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})? (-?[0-9.eE+-]+|NaN|\\+Inf|-Inf)");
    private static final Pattern TYPE = Pattern.compile("# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)");

    /** Parses the exposition text strictly: every line is a HELP, a TYPE or a sample of a typed family. */
    static Map<String, Double> parse(String text) {
        Map<String, String> types = new HashMap<>();
        Map<String, Double> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("# HELP ")) continue;
            Matcher t = TYPE.matcher(line);
            if (t.matches()) {
                assertTrue(types.put(t.group(1), t.group(2)) == null, "TYPE twice for " + t.group(1));
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            assertTrue(m.matches(), "not a Prometheus sample line: '" + line + "'");
            String name = m.group(1);
            String family = types.containsKey(name) ? name : name.replaceAll("_(bucket|sum|count)$", "");
            assertTrue(types.containsKey(family), "sample before its TYPE: " + line);
            String series = name + (m.group(2) == null ? "" : m.group(2));
            assertTrue(out.put(series, Double.parseDouble(m.group(3).replace("+Inf", "Infinity"))) == null, "duplicate " + series);
        }
        return out;
    }

    @Test
    void metricsCountMachinesLearnersStatementsLatencyAndTheJvm() {
        HandClock clock = new HandClock();
        try (LabServer s = LabServer.start(dir, App.Options.defaults().withClock(clock))) {
            var a = s.client();
            var b = s.client();
            a.exec("sandbox", "p = alloc_pages(GFP_KERNEL, 0)");
            a.exec("sandbox", "q = alloc_pages(GFP_KERNEL, 1)");
            b.exec("first-folio", "f = folio_alloc(GFP_KERNEL, 2)");
            a.exec("sandbox", "nonsense(");
            var r = s.client().get("/metrics");
            assertEquals(200, r.statusCode());
            assertEquals("text/plain; version=0.0.4; charset=utf-8", r.headers().firstValue("Content-Type").orElse(""));
            Map<String, Double> m = parse(r.body());
            assertEquals(2.0, m.get("memdesc_live_machines"));
            assertEquals(2.0, m.get("memdesc_learners_online"), "a and b; /metrics itself has no learner cookie");
            assertEquals(4.0, m.get("memdesc_statements_total"), "failed statements count too");
            assertEquals(4.0 / 60, m.get("memdesc_statements_per_second"), 1e-9);
            assertEquals(64.0 + 64.0, m.get("memdesc_live_pages"));
            assertEquals(0.0, m.get("memdesc_evictions_total{reason=\"idle\"}"));
            assertEquals(2.0, m.get("memdesc_rebuilds_total"));
            // the histogram: buckets never decrease, +Inf equals the count, which covers the 4 requests before
            double prev = 0;
            for (double le : Metrics.BUCKETS) {
                String k = "memdesc_http_request_duration_seconds_bucket{le=\"" + (le == Math.rint(le) ? Long.toString((long) le) : Double.toString(le)) + "\"}";
                assertTrue(m.containsKey(k), k);
                assertTrue(m.get(k) >= prev, k);
                prev = m.get(k);
            }
            double count = m.get("memdesc_http_request_duration_seconds_count");
            assertEquals(count, m.get("memdesc_http_request_duration_seconds_bucket{le=\"+Inf\"}"));
            assertTrue(count >= 4, "count " + count);
            assertTrue(m.get("memdesc_http_request_duration_seconds_sum") > 0);
            assertTrue(m.get("jvm_memory_heap_used_bytes") > 1e6);
            assertTrue(m.get("jvm_threads_live") >= 2);
            assertTrue(m.keySet().stream().anyMatch(k -> k.startsWith("jvm_gc_collections_total{gc=")), m.keySet().toString());
            assertTrue(m.get("process_uptime_seconds") > 0);

            // six minutes later nobody is online, the rate window is empty, and idle machines are still there (10 min)
            clock.advance(Duration.ofMinutes(6));
            m = parse(s.client().get("/metrics").body());
            assertEquals(0.0, m.get("memdesc_learners_online"));
            assertEquals(0.0, m.get("memdesc_statements_per_second"));
            assertEquals(4.0, m.get("memdesc_statements_total"), "the counter never goes down");
            assertEquals(2.0, m.get("memdesc_live_machines"));
            clock.advance(Duration.ofMinutes(5));
            m = parse(s.client().get("/metrics").body());
            assertEquals(0.0, m.get("memdesc_live_machines"));
            assertEquals(2.0, m.get("memdesc_evictions_total{reason=\"idle\"}"));
            a.get("/api/v1/labs/sandbox");
            m = parse(s.client().get("/metrics").body());
            assertEquals(1.0, m.get("memdesc_learners_online"));
            assertEquals(3.0, m.get("memdesc_rebuilds_total"));
        }
    }

    @Test
    void theParserRejectsWhatPrometheusWouldReject() {
        for (String bad : List.of("no_type 1\n", "# TYPE x gauge\nx one\n", "# TYPE x gauge\nx 1\nx 2\n")) {
            boolean failed = false;
            try {
                parse(bad);
            } catch (AssertionError e) {
                failed = true;
            }
            assertTrue(failed, "accepted: " + bad);
        }
        assertEquals(Map.of("x{a=\"b\"}", 1.5), parse("# HELP x h\n# TYPE x gauge\nx{a=\"b\"} 1.5\n"));
    }
}

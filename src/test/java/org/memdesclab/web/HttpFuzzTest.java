package org.memdesclab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.memdesclab.lesson.Lesson;

/**
 * Seeded, bounded fuzzing of the HTTP routes over real HTTP: malformed JSON, wrong content types, huge
 * bodies, missing and forged cookies, unknown lessons, odd path segments and parameters, and fuzzed
 * statements. Every answer must be a clear message (never a 5xx, never a stack trace), and a learner's
 * machine, variables and history must be unchanged by anything that was refused. Set
 * {@code -Dfuzz.seed=N} to replay a failure.
 */
class HttpFuzzTest {
    private static final long SEED = Long.getLong("fuzz.seed", System.nanoTime());
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path dir;
    static LabServer server;

    @BeforeAll
    static void start() { server = LabServer.start(dir); }

    @AfterAll
    static void stop() { server.close(); }

    private final Random rnd = new Random(SEED);
    private final HttpClient bare = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** What must not change when a request is refused: the machine, the console's names, the history. */
    private record State(long digest, List<String> names, List<String> statements, int position) {}

    private static State state(String learner, String lesson) {
        Lesson l = server.app.labs().lesson(lesson).orElseThrow();
        return server.app.labs().withLab(learner, l, lab -> new State(lab.machine().digest(), lab.completions(),
                lab.timeline().statements(), lab.timeline().position()));
    }

    @Test
    void malformedJsonAndWrongContentTypesAreRefusedWithAMessageAndChangeNothing() {
        LabServer.Client c = learnerWithAMachine();
        State before = state(c.learner(), "sandbox");
        List<String> bodies = new ArrayList<>(List.of("", "{", "}", "[]", "null", "true", "42", "\"x\"", "{\"statement\": 5}",
                "{\"statement\": null}", "{\"statement\": [\"a\"]}", "{\"statement\": {\"a\": 1}}", "{\"statement\": \"\"}",
                "{\"statement\": \"   \"}", "{\"statement\": \"a\\nb\"}", "{\"Statement\": \"cat /proc/buddyinfo\"}",
                "{\"statement\": \"cat /proc/buddyinfo\"", "{\"statement\": \"\\ud800\"}", "{\"statement\": \"\\u0000\"}",
                "[".repeat(5000) + "]".repeat(5000), "{\"a\":".repeat(3000) + "1" + "}".repeat(3000),
                "{\"statement\": \"" + "x".repeat(5000) + "\"}", "\u0000\u0001\u0002", "\ufeff{\"statement\": 1}"));
        for (int i = 0; i < 30; i++) bodies.add(binary(rnd.nextInt(300)));
        for (int i = 0; i < 30; i++) bodies.add(mutate("{\"statement\": \"p = alloc_pages(GFP_KERNEL, 0)\"}"));
        for (String b : bodies) {
            for (String type : List.of("application/json", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                    "application/json; charset=latin1", "image/png")) {
                HttpResponse<String> r = send(c, "POST", "/api/v1/labs/sandbox/exec", type, b);
                if (r.statusCode() == 200) {
                    // a mutation that is still a statement: fine, as long as a refused one changed nothing
                    JsonNode j = json(r, b);
                    if (!j.path("ok").asBoolean()) assertStateAfterFailure(c, before, b);
                    before = state(c.learner(), "sandbox");
                    continue;
                }
                assertClear(r, b);
                assertEquals(before, state(c.learner(), "sandbox"), failure(b, "a refused request changed the learner's lab"));
            }
        }
        System.out.println("HttpFuzzTest JSON: seed " + SEED + ", " + bodies.size() * 6 + " requests");
    }

    @Test
    void fuzzedStatementsThroughBothRoutesAnswerAndRefusedOnesChangeNothing() {
        LabServer.Client c = learnerWithAMachine();
        String[] corpus = {"p = alloc_pages(GFP_KERNEL, 1)", "folio_put(page_folio(p))", "f = folio_alloc(GFP_KERNEL, 2)",
            "__free_pages(pfn_to_page(3), 0)", "cat /proc/buddyinfo", "dump_page(pfn_to_page(1))", "s = kmalloc(64, GFP_KERNEL)",
            "kfree(s)", "for (i = 0; i < 3; i++) alloc_pages(GFP_KERNEL, 0)", "help alloc_pages", "page_ref_count(p)"};
        for (int i = 0; i < 150; i++) {
            String st = mutate(corpus[rnd.nextInt(corpus.length)]);
            State before = state(c.learner(), "first-folio");
            HttpResponse<String> r = rnd.nextBoolean()
                    ? c.exec("first-folio", st)
                    : c.htmx("/labs/first-folio/exec", "statement", st, "from", pick("0", "-1", "x", "99999999999999999999"),
                            "selected", pick("-1", "3", "NaN", ""));
            if (r.statusCode() != 200) {
                assertClear(r, st);
                assertEquals(before, state(c.learner(), "first-folio"), failure(st, "a refused request changed the lab"));
                continue;
            }
            assertNoTrace(r, st);
            // a form statement with a line break is several statements: it failed only if none of them ran
            boolean failed = r.body().contains("\"ok\":false")
                    || (r.body().contains("entry err") || r.body().contains("entry note")) && !r.body().contains("class=\"entry\"");
            if (failed) {
                State after = state(c.learner(), "first-folio");
                if (after.digest() != before.digest() || !after.names().equals(before.names())) {
                    fail(failure(st, "a failed statement changed the machine: " + r.body()));
                }
            }
        }
    }

    @Test
    void hugeBodiesGetA413AndChangeNothing() {
        LabServer.Client c = learnerWithAMachine();
        State before = state(c.learner(), "sandbox");
        for (int size : new int[]{300_000, 2_000_000, 12_000_000}) {
            String big = "{\"statement\": \"" + "x".repeat(size) + "\"}";
            HttpResponse<String> r = send(c, "POST", "/api/v1/labs/sandbox/exec", "application/json", big);
            assertEquals(413, r.statusCode(), failure("JSON of " + size + " bytes", r.body()));
            assertClear(r, "JSON of " + size);
            HttpResponse<String> f = send(c, "POST", "/labs/sandbox/exec", "application/x-www-form-urlencoded",
                    "statement=" + "y".repeat(size));
            assertEquals(413, f.statusCode(), failure("form of " + size + " bytes", f.body()));
            assertClear(f, "form of " + size);
        }
        // a chunked body declares no length: Javalin stops it as it is read
        for (String path : List.of("/api/v1/labs/sandbox/exec", "/labs/sandbox/exec")) {
            byte[] big = (path.startsWith("/api") ? "{\"statement\": \"" + "z".repeat(200_000) + "\"}" : "statement=" + "z".repeat(200_000))
                    .getBytes(StandardCharsets.UTF_8);
            HttpRequest req = HttpRequest.newBuilder(URI.create(server.base() + path))
                    .header("Content-Type", path.startsWith("/api") ? "application/json" : "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big))).build();
            HttpResponse<String> r;
            try {
                r = c.http.send(req, HttpResponse.BodyHandlers.ofString());
            } catch (IOException | InterruptedException e) {
                throw new AssertionError(failure("chunked " + path, "no answer: " + e), e);
            }
            assertEquals(413, r.statusCode(), failure("chunked " + path, r.body()));
            assertClear(r, "chunked " + path);
        }
        assertEquals(before, state(c.learner(), "sandbox"));
    }

    @Test
    void missingAndForgedCookiesGetAFreshLearnerNeverAnotherOne() throws Exception {
        LabServer.Client victim = learnerWithAMachine();
        State before = state(victim.learner(), "sandbox");
        String v = victim.learner();
        List<String> forged = List.of("", "x", v.toUpperCase(), v + "0", v.substring(1), "../" + v, v + "; mdl_learner=" + v,
                "0".repeat(32), "f".repeat(32), "%00" + v, "\"" + v, "a".repeat(4000), "é".repeat(10), v.replace('a', 'g'));
        for (String f : forged) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.base() + "/api/v1/labs/sandbox/exec"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"statement\": \"__free_pages(pfn_to_page(0), 1)\"}"));
            try {
                b.header("Cookie", Learners.COOKIE + "=" + f);
            } catch (IllegalArgumentException e) {
                continue; // a header value the client itself refuses to send
            }
            HttpResponse<String> r = bare.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            if (r.statusCode() >= 400) {
                assertClear(r, "cookie " + f);
            } else {
                assertNoTrace(r, "cookie " + f);
                String set = r.headers().firstValue("Set-Cookie").orElse("");
                if (!f.equals(v) && !f.equals("\"" + v + "\"")) { // a quoted value is the same cookie (RFC 6265)
                    if (!set.startsWith(Learners.COOKIE + "=") || set.contains(v)) fail(failure("cookie " + f, "no fresh learner: " + set));
                }
            }
            assertEquals(before, state(v, "sandbox"), failure("cookie " + f, "a forged cookie reached another learner's lab"));
        }
    }

    @Test
    void unknownLessonsAndOddPathsAnswer4xxWithAMessage() {
        LabServer.Client c = learnerWithAMachine();
        State before = state(c.learner(), "first-folio");
        List<String> gets = List.of("/labs/nope", "/labs/%00", "/labs/%ff%fe", "/labs/..%2f..%2fetc%2fpasswd", "/labs/%3Cscript%3E",
                "/labs/" + "a".repeat(3000), "/labs/first-folio/inspect/-1", "/labs/first-folio/inspect/abc",
                "/labs/first-folio/inspect/99999999999999999999", "/labs/first-folio/inspect/9223372036854775807",
                "/labs/first-folio/memmap?from=-5", "/labs/first-folio/memmap?from=NaN", "/labs/first-folio/memmap?from=99999999999999",
                "/labs/first-folio?pfn=-9&from=1e9", "/labs/first-folio?pfn=%00", "/api/v1/labs/nope", "/api/v1/labs/%20",
                "/static/../pom.xml", "/static/%2e%2e/%2e%2e/pom.xml", "/static/nope.js", "/webjars/nope", "/nope", "/labs/",
                "/labs//exec", "/api/v1/labs/first-folio/exec", "/%", "/labs/first-folio/%");
        for (String p : gets) {
            HttpResponse<String> r = send(c, "GET", p, null, null);
            if (r.statusCode() >= 400) assertClear(r, "GET " + p);
            else assertNoTrace(r, "GET " + p);
        }
        List<String> posts = List.of("/labs/nope/exec", "/labs/first-folio/op", "/labs/first-folio/goto", "/labs/first-folio/undo",
                "/labs/first-folio/redo", "/labs/first-folio/steps/nope/hint", "/labs/first-folio/steps/nope/solution",
                "/labs/first-folio/steps/%00/questions/x", "/labs/first-folio/steps/../hint", "/api/v1/labs/nope/reset",
                "/labs/first-folio/inspect/1", "/labs/first-folio", "/sandbox", "/");
        for (String p : posts) {
            for (String body : List.of("", "op=free&pfn=-1", "op=alloc&order=99", "op=dump&pfn=1e99", "op=%ZZ", "n=-5", "n=99999999999",
                    "pages=-1&cpus=0", "pages=99999999999", "pages=1048577", "pages=64&cpus=999&profile=%3Cscript%3E", "choice=9&answer=x")) {
                HttpResponse<String> r = send(c, "POST", p, "application/x-www-form-urlencoded", body);
                if (r.statusCode() >= 400) assertClear(r, "POST " + p + " " + body);
                else assertNoTrace(r, "POST " + p + " " + body);
            }
        }
        for (String m : List.of("PUT", "DELETE", "PATCH")) {
            HttpResponse<String> r = send(c, m, "/api/v1/labs/first-folio/exec", "application/json", "{}");
            if (r.statusCode() >= 500) fail(failure(m, r.statusCode() + " " + r.body()));
        }
        // the undo, goto and quick operations above move the history on purpose; the journal keeps every statement
        var journal = server.app.labs().store().journal(c.learner(), "first-folio");
        for (String st : before.statements()) {
            if (journal.stream().noneMatch(e -> st.equals(e.statement()))) fail(failure(st, "lost from the journal"));
        }
    }

    // ---------------------------------------------------------------- helpers

    /** A learner whose sandbox has something allocated, so a change would show in the digest. */
    private static LabServer.Client learnerWithAMachine() {
        LabServer.Client c = server.client();
        assertEquals(200, c.exec("sandbox", "p = alloc_pages(GFP_KERNEL, 1)").statusCode());
        assertEquals(200, c.exec("first-folio", "q = alloc_pages(GFP_KERNEL, 0)").statusCode());
        return c;
    }

    private void assertStateAfterFailure(LabServer.Client c, State before, String what) {
        State after = state(c.learner(), "sandbox");
        if (after.digest() != before.digest() || !after.names().equals(before.names())) fail(failure(what, "a failed statement changed the machine"));
    }

    private static void assertClear(HttpResponse<String> r, String what) {
        if (r.statusCode() >= 500) fail(failure(what, "server error " + r.statusCode() + ": " + r.body()));
        assertNoTrace(r, what);
        String body = r.body();
        if (body == null || body.isBlank()) fail(failure(what, r.statusCode() + " without a message"));
    }

    private static void assertNoTrace(HttpResponse<String> r, String what) {
        String b = r.body();
        if (r.statusCode() >= 500) fail(failure(what, "server error " + r.statusCode() + ": " + b));
        if (b.contains("Exception") || b.contains("\tat ") || b.contains("at org.") || b.contains("at java.") || b.contains("internal error")) {
            fail(failure(what, "a stack trace or internal error in the answer: " + b.substring(0, Math.min(600, b.length()))));
        }
    }

    private static JsonNode json(HttpResponse<String> r, String what) {
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new AssertionError(failure(what, "not JSON: " + r.body()), e);
        }
    }

    private HttpResponse<String> send(LabServer.Client c, String method, String path, String type, String body) {
        HttpRequest.Builder b;
        try {
            b = HttpRequest.newBuilder(URI.create(server.base() + path));
        } catch (IllegalArgumentException e) {
            b = HttpRequest.newBuilder(URI.create(server.base() + "/" + java.net.URLEncoder.encode(path, StandardCharsets.UTF_8)));
        }
        if (type != null) b.header("Content-Type", type);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            try {
                return c.http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            } catch (IOException closed) {
                // Jetty answers a malformed request line (e.g. %00 in the path) with 400 and closes the
                // connection, which may lose the answer to a pipelined body: ask once more on a new connection
                HttpClient fresh = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).cookieHandler(c.cookies).build();
                return fresh.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new AssertionError(failure(method + " " + path, "no answer: " + e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static String failure(String what, String msg) {
        String shown = what.length() > 300 ? what.substring(0, 300) + "... (" + what.length() + " chars)" : what;
        return "seed " + SEED + " (rerun with -Dfuzz.seed=" + SEED + "): " + shown + ": " + msg;
    }

    private String mutate(String s) {
        String[] bits = {"\"", "\\", "{", "}", "[", "]", ":", ",", "\u0000", "\ud83d\ude00", "\u202e", "<script>", "%", "&", "=",
            "\n", "\r\n", "(", ")", ";", "->", "0xffffffffffffffff", "-1"};
        for (int t = 1 + rnd.nextInt(3); t > 0; t--) {
            int at = rnd.nextInt(s.length() + 1);
            s = rnd.nextInt(3) == 0 && !s.isEmpty()
                    ? s.substring(0, Math.min(at, s.length() - 1)) + s.substring(Math.min(at, s.length() - 1) + 1)
                    : s.substring(0, at) + bits[rnd.nextInt(bits.length)] + s.substring(at);
        }
        return s;
    }

    private String binary(int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) b.append((char) rnd.nextInt(rnd.nextBoolean() ? 0x80 : 0xd800));
        return b.toString();
    }

    private String pick(String... a) { return a[rnd.nextInt(a.length)]; }
}

package org.memdesclab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.memdesclab.lesson.Lesson;
import org.memdesclab.store.Database;

/**
 * Abuse over real HTTP: security headers on every kind of answer, cross-site POSTs refused (and nothing
 * changed), the learner cookie HttpOnly and SameSite, and learners' text and lesson names escaped.
 */
class SecurityTest {
    @TempDir
    static Path dir;
    static LabServer server;

    @BeforeAll
    static void start() { server = LabServer.start(dir); }

    @AfterAll
    static void stop() { server.close(); }

    static void assertSecurityHeaders(HttpResponse<?> r, String what) {
        var h = r.headers();
        assertEquals(SecurityHeaders.CSP, h.firstValue("Content-Security-Policy").orElse(null), what);
        assertTrue(SecurityHeaders.CSP.contains("script-src 'self'") && SecurityHeaders.CSP.contains("frame-ancestors 'none'")
                && !SecurityHeaders.CSP.contains("script-src 'self' 'unsafe"), SecurityHeaders.CSP);
        assertEquals("nosniff", h.firstValue("X-Content-Type-Options").orElse(null), what);
        assertEquals("DENY", h.firstValue("X-Frame-Options").orElse(null), what);
        assertEquals("same-origin", h.firstValue("Referrer-Policy").orElse(null), what);
    }

    @Test
    void everyKindOfAnswerCarriesTheSecurityHeaders() {
        var c = server.client();
        String htmx = "/webjars/htmx.org/" + App.htmxVersion() + "/dist/htmx.min.js";
        for (String p : List.of("/", "/labs/first-folio", "/labs/sandbox", "/static/lab.css", "/static/lab.js", htmx, "/healthz",
                "/api/v1/labs/first-folio", "/labs/nope", "/api/v1/labs/nope", "/static/nope.css", "/nope",
                "/labs/first-folio/memmap", "/labs/first-folio/inspect/3", "/labs/first-folio/inspect/9999")) {
            HttpResponse<String> r = c.get(p);
            assertSecurityHeaders(r, p + " (" + r.statusCode() + ")");
        }
        assertSecurityHeaders(c.htmx("/labs/first-folio/exec", "statement", "cat /proc/buddyinfo"), "htmx exec");
        assertSecurityHeaders(c.exec("first-folio", "cat /proc/buddyinfo"), "api exec");
        assertSecurityHeaders(c.json("/api/v1/labs/first-folio/exec", "{"), "api 400");
        assertSecurityHeaders(c.json("/api/v1/labs/first-folio/exec", "{\"statement\": \"" + "x".repeat(70_000) + "\"}"), "api 413");
        assertSecurityHeaders(post(c, "/labs/first-folio/exec", "https://evil.example", null), "403");
    }

    @Test
    void crossSitePostsAreRefusedAndChangeNothing() {
        var c = server.client();
        c.exec("sandbox", "p = alloc_pages(GFP_KERNEL, 0)");
        Lesson sb = server.app.labs().lesson("sandbox").orElseThrow();
        long digest = server.app.labs().withLab(c.learner(), sb, lab -> lab.machine().digest());
        int journal = server.app.labs().store().journal(c.learner(), "sandbox").size();
        String[][] refused = {
            {"https://evil.example", null}, {"null", null}, {"http://localhost:1", null}, {"http://localhost." + server.app.port(), null},
            {null, "cross-site"}, {null, "same-site"}, {server.base(), "cross-site"}, {"not a url ::", null},
        };
        for (String[] o : refused) {
            for (String path : List.of("/labs/sandbox/exec", "/labs/sandbox/reset", "/labs/sandbox/op", "/api/v1/labs/sandbox/exec",
                    "/api/v1/labs/sandbox/reset", "/sandbox")) {
                HttpResponse<String> r = post(c, path, o[0], o[1]);
                String what = path + " Origin " + o[0] + " Sec-Fetch-Site " + o[1];
                assertEquals(403, r.statusCode(), what + ": " + r.body());
                assertTrue(r.body().contains("Cross-site request refused"), what + ": " + r.body());
            }
        }
        long after = server.app.labs().withLab(c.learner(), sb, lab -> lab.machine().digest());
        assertEquals(digest, after);
        assertEquals(journal, server.app.labs().store().journal(c.learner(), "sandbox").size());
        // the lab's own pages: same origin by Origin and by Sec-Fetch-Site; a script with neither header
        assertEquals(200, post(c, "/labs/sandbox/exec", server.base(), "same-origin").statusCode());
        assertEquals(200, post(c, "/labs/sandbox/exec", null, "same-origin").statusCode());
        assertEquals(200, post(c, "/labs/sandbox/exec", server.base(), null).statusCode());
        assertEquals(200, post(c, "/labs/sandbox/exec", null, null).statusCode());
        assertEquals(journal + 4, server.app.labs().store().journal(c.learner(), "sandbox").size());
    }

    @Test
    void aCrossSitePostCreatesNoLearner() throws Exception {
        HttpClient bare = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> r = bare.send(HttpRequest.newBuilder(URI.create(server.base() + "/labs/sandbox/exec"))
                .header("Origin", "https://evil.example").header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("statement=cat+%2Fproc%2Fbuddyinfo")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, r.statusCode());
        assertTrue(r.headers().firstValue("Set-Cookie").isEmpty(), "a refused request sets no learner cookie");
        // a plain form post (no htmx) is answered with a page in the site's layout, its message escaped
        assertTrue(r.body().contains("<header class=\"topbar\"") && r.body().contains("Back to the lessons")
                && r.body().contains("Cross-site request refused: it comes from https://evil.example"), r.body());
    }

    @Test
    void originCheckReasons() {
        assertNull(OriginCheck.reason(null, null, "localhost:7070"));
        assertNull(OriginCheck.reason("same-origin", "http://localhost:7070", "localhost:7070"));
        assertNull(OriginCheck.reason("none", null, "lab.example"));
        assertNull(OriginCheck.reason(null, "https://LAB.example", "lab.example"));
        assertNotNull(OriginCheck.reason("cross-site", "http://localhost:7070", "localhost:7070"));
        assertNotNull(OriginCheck.reason("same-site", null, "localhost:7070"));
        assertNotNull(OriginCheck.reason(null, "http://localhost:7071", "localhost:7070"));
        assertNotNull(OriginCheck.reason(null, "http://lab.example.evil", "lab.example"));
        assertNotNull(OriginCheck.reason(null, "null", "lab.example"));
        assertNotNull(OriginCheck.reason(null, "http://x", null));
    }

    @Test
    void theLearnerCookieIsHttpOnlyAndSameSiteLax() {
        HttpResponse<String> r = server.client().get("/");
        String set = r.headers().allValues("Set-Cookie").stream().filter(s -> s.startsWith(Learners.COOKIE + "=")).findFirst().orElseThrow();
        String lower = set.toLowerCase(java.util.Locale.ROOT);
        assertTrue(lower.contains("httponly"), set);
        assertTrue(lower.contains("samesite=lax"), set);
        assertTrue(lower.contains("path=/"), set);
    }

    @Test
    void aScriptStatementIsEscapedEverywhereItShows() {
        var c = server.client();
        String evil = "<script>alert('x')</script>";
        String evil2 = "x = \"<img src=x onerror=alert(1)>\"";
        String frag = c.htmx("/labs/first-folio/exec", "statement", evil).body();
        assertFalse(frag.contains("<script>alert"), frag);
        assertTrue(frag.contains("&lt;script&gt;alert("), frag);
        String frag2 = c.htmx("/labs/first-folio/exec", "statement", evil2).body();
        assertFalse(frag2.contains("<img src=x"), frag2);
        HttpResponse<String> api = c.exec("first-folio", evil);
        // JSON is never sniffed as HTML: its type is declared and nosniff is set
        assertTrue(api.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), api.headers().toString());
        assertTrue(api.body().startsWith("{"), api.body());
        String page = c.get("/labs/first-folio").body();
        assertFalse(page.contains("<script>alert"), "the transcript and history of the page");
        assertFalse(page.contains("<img src=x"), "the transcript and history of the page");
        assertTrue(page.contains("&lt;script&gt;alert("), "the statement shows, escaped");
        // the history JSON in a data attribute and the statement in the question and narration
        assertFalse(page.contains("data-history=\"[\"<"), page);
    }

    @Test
    void lessonNamesAndSetupErrorsAreEscaped(@TempDir Path content) throws IOException {
        Path l = Files.createDirectories(content.resolve("lessons").resolve("01-evil"));
        Files.writeString(l.resolve("lesson.md"), """
                ---
                id: evil
                title: "<script>alert('title')</script> & co"
                summary: "<img src=x onerror=alert('summary')>"
                machine:
                  pages: 64
                setup: ["<script>alert('setup')</script>"]
                steps:
                  - id: s1
                    title: "<b onmouseover=alert('step')>step</b>"
                    prose: |
                      Text with <script>alert('prose')</script> in it.
                    goal:
                      check: ran
                      pattern: 'x'
                      reason: "<script>alert('reason')</script>"
                    hints:
                      - "<script>alert('hint')</script>"
                    solution:
                      - x
                ---
                """);
        var ds = Database.pool(Database.h2Url(dir.resolve("evil-db")));
        try (App app = App.start(ds, 0, App.Options.defaults().withLessons(LessonWiring.standard(content)))) {
            HttpClient http = HttpClient.newBuilder().cookieHandler(new java.net.CookieManager()).build();
            for (String p : List.of("/", "/labs/evil")) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + app.port() + p)).build(),
                        HttpResponse.BodyHandlers.ofString());
                String body = r.body();
                assertEquals(200, r.statusCode(), p);
                assertTrue(body.contains("&lt;script&gt;alert("), p + " shows the lesson's name, escaped: " + body);
                for (String raw : List.of("<script>alert", "<img src=x", "<b onmouseover")) assertFalse(body.contains(raw), p + " has " + raw);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            ds.close();
        }
    }

    private static HttpResponse<String> post(LabServer.Client c, String path, String origin, String fetchSite) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.base() + path));
        if (origin != null) b.header("Origin", origin);
        if (fetchSite != null) b.header("Sec-Fetch-Site", fetchSite);
        boolean api = path.startsWith("/api/");
        b.header("Content-Type", api ? "application/json" : "application/x-www-form-urlencoded").header("HX-Request", "true");
        b.POST(HttpRequest.BodyPublishers.ofString(api ? "{\"statement\": \"cat /proc/buddyinfo\"}" : "statement=cat+%2Fproc%2Fbuddyinfo"));
        try {
            return c.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

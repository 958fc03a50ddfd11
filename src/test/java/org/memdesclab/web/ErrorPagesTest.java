package org.memdesclab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 404s and failures over real HTTP: browsers get a page in the site's layout (header, link home, the
 * reason), still with the right status; the JSON API gets JSON; htmx fragments stay fragments; a failing
 * handler's stack trace stays in the server's log.
 */
class ErrorPagesTest {
    @TempDir
    Path dir;
    LabServer server;

    @BeforeEach
    void start() { server = LabServer.start(dir); }

    @AfterEach
    void stop() { server.close(); }

    static void assertStyledPage(HttpResponse<String> r, int status, String says) {
        assertEquals(status, r.statusCode(), r.body());
        String b = r.body();
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/html"), r.headers().toString());
        assertTrue(b.contains("<header class=\"topbar\"><a class=\"brand\" href=\"/\">Memdesc Lab</a>"), b);
        assertTrue(b.contains("<link rel=\"stylesheet\" href=\"/static/lab.css\">"), b);
        assertTrue(b.contains("href=\"/\" class=\"btn primary\">Back to the lessons</a>"), b);
        assertTrue(b.contains(says), b);
        assertFalse(b.contains("Exception") || b.contains("\tat ") || b.contains(".java:"), "no stack trace: " + b);
    }

    @Test
    void anUnknownLessonIsAStyledPageWithStatus404() {
        HttpResponse<String> r = server.client().get("/labs/no-such-lesson");
        assertStyledPage(r, 404, "There is no lesson \u201cno-such-lesson\u201d.");
        assertTrue(r.body().contains("<title>Page not found · Memdesc Lab</title>"), r.body());
        // the security headers are on it too
        assertTrue(r.headers().firstValue("Content-Security-Policy").isPresent());
    }

    @Test
    void anyUnknownPageIsAStyledPageAndTheTextIsEscaped() {
        assertStyledPage(server.client().get("/no/such/page"), 404, "There is no page at /no/such/page.");
        HttpResponse<String> r = server.client().get("/labs/%3Cscript%3Ealert(1)%3C%2Fscript%3E");
        assertEquals(404, r.statusCode());
        assertFalse(r.body().contains("<script>alert(1)"), r.body());
        assertTrue(r.body().contains("&lt;script&gt;"), r.body());
    }

    @Test
    void classroomNotFoundsKeepTheirReasonInTheLayout() {
        assertStyledPage(server.client().get("/courses/nope"), 404, "You are not in this course.");
        assertTrue(server.client().get("/courses/nope").body().contains("href=\"/join\""));
        // the join form answers 404 with the form itself and why: it stays
        HttpResponse<String> join = server.client().form("/join", "code", "ZZZZZZ", "name", "Ada");
        assertEquals(404, join.statusCode());
        assertTrue(join.body().contains("There is no course with the join code") && join.body().contains("action=\"/join\""), join.body());
    }

    @Test
    void apiNotFoundsStayJson() {
        HttpResponse<String> r = server.client().get("/api/v1/labs/no-such-lesson");
        assertEquals(404, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        assertEquals("{\"error\":\"no lesson 'no-such-lesson'\"}", r.body());
        HttpResponse<String> none = server.client().get("/api/v1/nothing-here");
        assertEquals(404, none.statusCode());
        assertTrue(none.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), none.body());
        assertTrue(none.body().startsWith("{\"error\":\"no API route GET /api/v1/nothing-here"), none.body());
    }

    @Test
    void htmxFragmentsStayFragments() {
        var c = server.client();
        c.get("/labs/first-folio");
        HttpResponse<String> r = c.htmx("/labs/first-folio/steps/no-such-step/hint");
        assertEquals(404, r.statusCode());
        assertEquals("<p>No such step.</p>", r.body());
    }

    @Test
    void aFailingHandlerAnswersAStyledPageOrJsonWithoutAStackTrace() {
        var c = server.client();
        c.get("/labs/first-folio");
        server.ds.close(); // every handler that needs the database now fails
        assertStyledPage(c.get("/labs/first-folio"), 500, "The server failed while answering this request.");
        HttpResponse<String> api = c.exec("first-folio", "cat /proc/buddyinfo");
        assertEquals(500, api.statusCode());
        assertTrue(api.body().startsWith("{\"error\":\"The server failed while answering this request."), api.body());
        assertFalse(api.body().contains("Exception"), api.body());
    }
}

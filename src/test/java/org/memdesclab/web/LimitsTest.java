package org.memdesclab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.memdesclab.lesson.Lesson;

/**
 * The limits over real HTTP, on a server whose allowance is 3 statements and refills only every
 * 1,000 seconds (so no test depends on timing): a clear 429 that the console shows, nothing run and
 * nothing journaled; the statement length on every statement route; the sandbox's size.
 */
class LimitsTest {
    @TempDir
    static Path dir;
    static LabServer server;

    @BeforeAll
    static void start() { server = LabServer.start(dir, Limits.defaults().withRate(0.001, 3)); }

    @AfterAll
    static void stop() { server.close(); }

    private static int journal(LabServer.Client c, String lesson) {
        return server.app.labs().store().journal(c.learner(), lesson).size();
    }

    @Test
    void tooManyStatementsGetA429ThatTheConsoleShowsAndRunNothing() {
        var c = server.client();
        for (int i = 0; i < 3; i++) assertEquals(200, c.htmx("/labs/first-folio/exec", "statement", "p" + i + " = alloc_pages(GFP_KERNEL, 0)").statusCode());
        Lesson l = server.app.labs().lesson("first-folio").orElseThrow();
        long digest = server.app.labs().withLab(c.learner(), l, lab -> lab.machine().digest());
        int n = journal(c, "first-folio");

        var r = c.htmx("/labs/first-folio/exec", "statement", "q = alloc_pages(GFP_KERNEL, 0)");
        assertEquals(429, r.statusCode());
        assertTrue(r.headers().firstValue("Retry-After").isPresent());
        assertTrue(r.body().contains("hx-swap-oob=\"beforeend:#console-log\""), "a console note: " + r.body());
        assertTrue(r.body().contains("Too many statements: at most 0.001 a second (3 at once). Nothing was run"), r.body());
        var api = c.exec("first-folio", "q = alloc_pages(GFP_KERNEL, 0)");
        assertEquals(429, api.statusCode());
        assertTrue(api.body().startsWith("{\"error\":\"Too many statements"), api.body());
        assertEquals(429, c.htmx("/labs/first-folio/undo").statusCode(), "time travel counts too");

        long after = server.app.labs().withLab(c.learner(), l, lab -> lab.machine().digest());
        assertEquals(digest, after);
        assertEquals(n, journal(c, "first-folio"), "nothing journaled");
        assertEquals(200, c.get("/labs/first-folio").statusCode(), "reading pages is not limited");
        assertEquals(200, server.client().exec("first-folio", "cat /proc/buddyinfo").statusCode(), "another learner is not limited");
    }

    @Test
    void aPostOfManyLinesCountsEachLine() {
        var c = server.client();
        var r = c.htmx("/labs/sandbox/exec", "statement", "cat /proc/buddyinfo\ncat /proc/buddyinfo\ncat /proc/buddyinfo\ncat /proc/buddyinfo");
        assertEquals(200, r.statusCode(), "more lines than the burst run on a full bucket");
        assertEquals(429, c.htmx("/labs/sandbox/exec", "statement", "cat /proc/buddyinfo").statusCode(), "and empty it");
    }

    @Test
    void statementLengthIsLimitedOnEveryStatementRoute() {
        var c = server.client();
        String longOne = "x = " + "1 + ".repeat(ApiRoutes.MAX_STATEMENT / 4) + "1";
        var api = c.exec("sandbox", longOne);
        assertEquals(400, api.statusCode());
        assertTrue(api.body().contains("longer than " + ApiRoutes.MAX_STATEMENT + " characters"), api.body());
        var form = c.htmx("/labs/sandbox/exec", "statement", longOne);
        assertEquals(200, form.statusCode());
        assertTrue(form.body().contains("A statement is longer than " + ApiRoutes.MAX_STATEMENT + " characters."), form.body());
        assertEquals(0, journal(c, "sandbox"), "neither was run or journaled");
    }

    @Test
    void theSandboxSizeIsBounded() {
        var c = server.client();
        var r = c.form("/sandbox", "pages", Integer.toString(LabRoutes.SANDBOX_MAX_PAGES + 1), "cpus", "4");
        assertEquals(200, r.statusCode());
        assertTrue(r.body().contains("the sandbox takes at most " + LabRoutes.SANDBOX_MAX_PAGES + " pages"), r.body());
        assertFalse(r.body().contains("Exception"));
        assertEquals(0, journal(c, "sandbox"));
    }

    @Test
    void aBodyOverTheLimitGetsA413WithTheLimitInIt() {
        var c = server.client();
        var r = c.json("/api/v1/labs/sandbox/exec", "{\"statement\": \"" + "x".repeat(Limits.DEFAULT_MAX_BODY) + "\"}");
        assertEquals(413, r.statusCode());
        assertTrue(r.body().contains("accepts at most " + Limits.DEFAULT_MAX_BODY), r.body());
        var h = c.htmx("/labs/sandbox/exec", "statement", "y".repeat(Limits.DEFAULT_MAX_BODY));
        assertEquals(413, h.statusCode());
        assertTrue(h.body().contains("#console-log") && h.body().contains("The request is too large"), h.body());
    }
}

package org.memdesclab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.memdesclab.store.JournalEntry;

/** The HTML lab over real HTTP: pages, htmx fragments, time travel, hints, progress. */
class LabPagesTest {
    @TempDir
    static Path dir;
    static LabServer server;

    @BeforeAll
    static void start() { server = LabServer.start(dir); }

    @AfterAll
    static void stop() { server.close(); }

    static int count(String haystack, String needle) {
        int n = 0;
        for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) n++;
        return n;
    }

    @Test
    void healthzAnswers200() {
        assertEquals(200, server.client().get("/healthz").statusCode());
    }

    @Test
    void aFirstVisitGetsAnHttpOnlyLaxCookieWithA128BitId() {
        HttpResponse<String> r = server.client().get("/");
        String set = r.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(set.matches(Learners.COOKIE + "=[0-9a-f]{32};.*"), set);
        assertTrue(set.contains("HttpOnly"), set);
        assertTrue(set.toLowerCase().contains("samesite=lax"), set);
    }

    @Test
    void homeListsTheLessonsInOrderAndTheSandboxForm() {
        String html = server.client().get("/").body();
        assertTrue(html.contains("href=\"/labs/first-folio\""), html);
        assertTrue(html.contains("not started"));
        assertTrue(html.contains("action=\"/sandbox\""));
        assertTrue(html.contains("name=\"pages\""));
    }

    @Test
    void theLessonPageDrawsOneNamedCellPerPfnAndOneOutlinedFreeBlock() {
        String html = server.client().get("/labs/first-folio").body();
        assertEquals(64, count(html, "role=\"gridcell\""));
        assertTrue(html.contains("aria-label=\"PFN 0: free, head of an order-6 block (PFNs 0–63)\""), html);
        assertTrue(html.contains("aria-label=\"PFN 5: free, inside the order-6 block at PFN 0\""));
        assertTrue(html.contains("id=\"blk0-6f\""));
        assertTrue(html.contains("role=\"grid\""));
        assertTrue(html.contains("id=\"live-summary\""), "the aria-live region exists before any swap");
        assertTrue(html.contains("/webjars/htmx.org/" + App.htmxVersion() + "/dist/htmx.min.js"));
    }

    @Test
    void anUnknownLessonIs404() {
        assertEquals(404, server.client().get("/labs/no-such-lesson").statusCode());
    }

    @Test
    void staticFilesAndHtmxAreServedFromTheJar() {
        var c = server.client();
        assertEquals(200, c.get("/static/lab.css").statusCode());
        assertEquals(200, c.get("/static/lab.js").statusCode());
        assertEquals(200, c.get("/webjars/htmx.org/" + App.htmxVersion() + "/dist/htmx.min.js").statusCode());
    }

    @Test
    void aStatementAnswersWithOnlyTheChangedCellsAsOutOfBandSwaps() {
        var c = server.client();
        c.htmx("/labs/first-folio/exec", "statement", "p = alloc_pages(GFP_KERNEL, 0)");
        String r = c.htmx("/labs/first-folio/exec", "statement", "q = alloc_pages(GFP_KERNEL, 0)", "from", "0").body();
        assertTrue(r.contains("hx-swap-oob=\"beforeend:#console-log\""), r);
        assertTrue(r.contains("q = alloc_pages(GFP_KERNEL, 0)"));
        Matcher m = Pattern.compile("role=\"gridcell\" id=\"c(\\d+)\"").matcher(r);
        List<String> ids = m.results().map(x -> x.group(1)).toList();
        assertEquals(List.of("1"), ids, "only PFN 1 changed (B0 became P)");
        assertTrue(r.contains("aria-label=\"PFN 1: allocated page, refcount 1\""));
        assertTrue(r.contains("hx-swap-oob=\"innerHTML:#live-summary\""));
        assertTrue(r.contains("Ran q = alloc_pages(GFP_KERNEL, 0): 1 page changed; PFN 1 is now allocated page, refcount 1."), r);
        assertTrue(r.contains("<tr id=\"fl0\" hx-swap-oob=\"true\">"), "the order-0 free list row changed");
        assertFalse(r.contains("<tr id=\"fl5\""), "the order-5 row did not change");
    }

    @Test
    void aStatementIsInTheJournalWhenItsResponseArrives() {
        var c = server.client();
        c.htmx("/labs/first-folio/exec", "statement", "cat /proc/buddyinfo");
        List<JournalEntry> j = server.app.labs().store().journal(c.learner(), "first-folio");
        assertEquals(1, j.size());
        assertEquals(JournalEntry.Kind.STATEMENT, j.get(0).kind());
        assertEquals("cat /proc/buddyinfo", j.get(0).statement());
        assertTrue(j.get(0).ok());
    }

    @Test
    void quickOperationsRunTheEquivalentStatementAndEchoIt() {
        var c = server.client();
        String r = c.htmx("/labs/first-folio/op", "op", "alloc", "order", "2").body();
        assertTrue(r.contains("p1 = alloc_pages(GFP_KERNEL, 2)"), r);
        r = c.htmx("/labs/first-folio/op", "op", "folio", "order", "2").body();
        assertTrue(r.contains("f1 = folio_alloc(GFP_KERNEL, 2)"), r);
        r = c.htmx("/labs/first-folio/op", "op", "free", "selected", "5").body();
        assertTrue(r.contains("folio_put(page_folio(pfn_to_page(4)))"), r);
        r = c.htmx("/labs/first-folio/op", "op", "free", "selected", "0").body();
        assertTrue(r.contains("__free_pages(pfn_to_page(0), 2)"), r);
        r = c.htmx("/labs/first-folio/op", "op", "free", "selected", "9").body();
        assertTrue(r.contains("PFN 9 is not an allocated page"), r);
    }

    @Test
    void undoRedoResetAndGotoMoveTheMachineAndKeepEveryJournalRow() {
        var c = server.client();
        c.htmx("/labs/first-folio/exec", "statement", "a = alloc_pages(GFP_KERNEL, 0)");
        c.htmx("/labs/first-folio/exec", "statement", "b = alloc_pages(GFP_KERNEL, 0)");
        String owners2 = owners(c);
        String r = c.htmx("/labs/first-folio/undo").body();
        assertTrue(r.contains("undo: b = alloc_pages(GFP_KERNEL, 0)"), r);
        assertTrue(r.contains("id=\"c1\""), "PFN 1 went back to being free");
        String owners1 = owners(c);
        assertFalse(owners1.equals(owners2));
        c.htmx("/labs/first-folio/redo");
        assertEquals(owners2, owners(c));
        c.htmx("/labs/first-folio/reset");
        assertTrue(owners(c).startsWith("[\"FREE_HEAD\",\"FREE_INSIDE\""));
        c.htmx("/labs/first-folio/goto", "n", "1");
        assertEquals(owners1, owners(c));
        var kinds = server.app.labs().store().journal(c.learner(), "first-folio").stream().map(JournalEntry::kind).toList();
        assertEquals(List.of(JournalEntry.Kind.STATEMENT, JournalEntry.Kind.STATEMENT, JournalEntry.Kind.UNDO, JournalEntry.Kind.REDO,
                JournalEntry.Kind.RESET, JournalEntry.Kind.GOTO), kinds);
        String page = c.get("/labs/first-folio").body();
        assertTrue(page.contains("class=\"h-undone\""), "statement 2 is shown as undone, ready for redo");
    }

    static String owners(LabServer.Client c) {
        String s = c.get("/api/v1/labs/first-folio").body();
        return s.substring(s.indexOf("\"owners\":") + 9);
    }

    @Test
    void hintsAreRevealedOneTierAtATimeAndRecorded() {
        var c = server.client();
        String r = c.htmx("/labs/first-folio/steps/alloc-folio/hint").body();
        assertTrue(r.contains("Hint 1"), r);
        assertTrue(r.contains("has 2<sup>n</sup> pages"));
        assertFalse(r.contains("Call <code>folio_alloc()</code>"));
        assertTrue(r.contains("Hint 2 of 2"), "the button now offers the second tier");
        r = c.htmx("/labs/first-folio/steps/alloc-folio/hint").body();
        assertTrue(r.contains("Call <code>folio_alloc()</code>"));
        assertEquals(2, server.app.labs().store().progress(c.learner(), "first-folio").get("alloc-folio").hintsRevealed());
    }

    @Test
    void showSolutionSendsTheSolutionToTheConsoleAndRecordsIt() {
        var c = server.client();
        HttpResponse<String> r = c.htmx("/labs/first-folio/steps/alloc-folio/solution");
        String trigger = r.headers().firstValue("HX-Trigger").orElseThrow();
        assertTrue(trigger.contains("mdl-solution") && trigger.contains("f = folio_alloc(GFP_KERNEL, 2)"), trigger);
        assertTrue(server.app.labs().store().progress(c.learner(), "first-folio").get("alloc-folio").solutionRevealed());
    }

    @Test
    void meetingAGoalCompletesTheStepAndTheHomePageShowsProgress() {
        var c = server.client();
        String r = c.htmx("/labs/first-folio/exec", "statement", "f = folio_alloc(GFP_KERNEL, 2)").body();
        assertTrue(r.contains("class=\"step done\" id=\"step-alloc-folio\""), r);
        assertTrue(r.contains("1 of 2 steps done"));
        var p = server.app.labs().store().progress(c.learner(), "first-folio").get("alloc-folio");
        assertTrue(p.completed());
        assertEquals(1, p.attempts());
        assertTrue(c.get("/").body().contains("1 of 2 steps done"));
    }

    @Test
    void theInspectorReadsATailsWordsAsPageAndAsFolio() {
        var c = server.client();
        c.htmx("/labs/first-folio/exec", "statement", "f = folio_alloc(GFP_KERNEL, 2)");
        String r = c.get("/labs/first-folio/inspect/2").body();
        assertTrue(r.contains("PFN 2: tail page of the folio at PFN 0"), r);
        assertTrue(r.contains("0xffffea0000000001"), "compound_head = head address | 1");
        assertTrue(r.contains("_deferred_list.next"), "page[2] of a folio holds the deferred list");
        assertTrue(r.contains("<span class=\"rd unused\"><span>mapping</span>"), "a tail's mapping is greyed out");
        assertTrue(c.get("/labs/first-folio/inspect/3").body().contains("TAIL_MAPPING poison"));
        assertTrue(r.contains("page: refcount:1 mapcount:0"), "dump_page text");
        assertTrue(r.contains("0xffffea0000000080"), "struct page address of PFN 2");
        assertEquals(404, c.get("/labs/first-folio/inspect/64").statusCode());
    }

    @Test
    void theInspectorReadsASlabPageAsStructSlab() {
        var c = server.client();
        c.exec("sandbox", "s = kmem_cache_create(\"foo\", 700, 0, 0, NULL)");
        c.exec("sandbox", "obj = kmem_cache_alloc(s, GFP_KERNEL)");
        String state = c.get("/api/v1/labs/sandbox").body();
        int pfn = java.util.Arrays.asList(state.substring(state.indexOf("\"owners\":[") + 10, state.lastIndexOf(']')).replace("\"", "")
                .split(",")).indexOf("SLAB");
        String r = c.get("/labs/sandbox/inspect/" + pfn).body();
        assertTrue(r.contains("struct slab (this page is the slab)"), r);
        assertTrue(r.contains("<span>slab_cache</span>"));
        assertTrue(r.contains("<span>inuse</span>"), r);
    }

    @Test
    void theSandboxFormStartsAMachineOfTheChosenSize() {
        var c = server.client();
        c.form("/sandbox", "pages", "1024", "cpus", "2", "profile", "6.18");
        String s = c.get("/api/v1/labs/sandbox").body();
        assertTrue(s.contains("\"pages\":1024"), s);
        String page = c.get("/labs/sandbox").body();
        assertTrue(page.contains("1024 pages (4 MiB) · 2 CPUs"));
        assertEquals(1024, count(page, "role=\"gridcell\""));
        assertNotNull(server.app.labs().store().journal(c.learner(), "sandbox").get(0));
        assertTrue(c.form("/sandbox", "pages", "0").body().contains("pages must be between 1"));
    }

    @Test
    void aLargeMachineShowsAnOverviewAndAMovableWindowOf4096Cells() {
        var c = server.client();
        c.form("/sandbox", "pages", "10000");
        String page = c.get("/labs/sandbox?from=4096").body();
        assertEquals(4096, count(page, "role=\"gridcell\""));
        assertEquals(3, count(page, "class=\"ov "));
        assertTrue(page.contains("id=\"c4096\"") && !page.contains("id=\"c4095\""));
        String r = c.htmx("/labs/sandbox/exec", "statement", "p = alloc_pages(GFP_KERNEL, 0)", "from", "0").body();
        assertTrue(r.contains("outside the window shown, in PFNs 8192–9999"), r);
        assertTrue(r.contains("id=\"ov8192\""), "the overview cell of the changed range is swapped");
        String panel = c.get("/labs/sandbox/memmap?from=8192").body();
        assertEquals(10000 - 8192, count(panel, "role=\"gridcell\""));
    }
}

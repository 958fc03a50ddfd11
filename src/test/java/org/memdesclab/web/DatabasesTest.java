package org.memdesclab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.memdesclab.store.StepProgress;
import org.memdesclab.store.TestDatabases;

/**
 * The lab over real HTTP on both databases it supports (H2 file, embedded PostgreSQL 18), and two
 * instances sharing one PostgreSQL: the second rebuilds the learner's machine from the journal.
 */
class DatabasesTest {
    @TempDir
    Path dir;

    /** A learner's session: a sandbox, statements, undo/redo, a lesson step done with a hint. */
    private static void work(LabServer.Client c) {
        c.form("/sandbox", "pages", "256", "cpus", "2", "pcp", "1");
        c.exec("sandbox", "a = alloc_pages(GFP_KERNEL, 0)");
        c.exec("sandbox", "f = folio_alloc(GFP_KERNEL, 3)");
        c.exec("sandbox", "__free_pages(pfn_to_page(5), 0)"); // fails: journaled, machine unchanged
        c.htmx("/labs/sandbox/undo");
        c.htmx("/labs/sandbox/redo");
        c.exec("sandbox", "b = alloc_pages(GFP_KERNEL, 2)");
        c.htmx("/labs/sandbox/undo");
        c.htmx("/labs/first-folio/steps/alloc-folio/hint");
        c.exec("first-folio", "x = alloc_pages(GFP_KERNEL, 0)");
        c.exec("first-folio", "f = folio_alloc(GFP_KERNEL, 2)");
    }

    private static long digest(LabServer s, String learner, String lesson) {
        LabService labs = s.app.labs();
        return labs.withLab(learner, labs.lesson(lesson).orElseThrow(), lab -> lab.machine().digest());
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void theLabWorksAndSurvivesARestartOnEachDatabase(TestDatabases db) {
        String url = db.freshUrl(dir);
        String learner;
        String sandbox;
        String lesson;
        long digest;
        try (LabServer s = LabServer.onDatabase(dir, url, App.Options.defaults())) {
            var c = s.client();
            work(c);
            learner = c.learner();
            sandbox = c.get("/api/v1/labs/sandbox").body();
            lesson = c.get("/api/v1/labs/first-folio").body();
            assertTrue(sandbox.contains("\"statements\":[\"a = alloc_pages(GFP_KERNEL, 0)\","), sandbox);
            assertTrue(c.get("/labs/first-folio").body().contains("Read /proc/buddyinfo"));
            Map<String, StepProgress> p = s.app.labs().store().progress(learner, "first-folio");
            assertTrue(p.get("alloc-folio").completed(), "the first step is done on " + db + ": " + p);
            assertEquals(1, p.get("alloc-folio").hintsRevealed());
            digest = digest(s, learner, "sandbox");
            // a second learner does not see the first one's machine
            assertNotEquals(sandbox, s.client().get("/api/v1/labs/sandbox").body());
        }
        try (LabServer s = LabServer.onDatabase(dir, url, App.Options.defaults())) {
            var c = s.client(learner);
            assertEquals(sandbox, c.get("/api/v1/labs/sandbox").body());
            assertEquals(lesson, c.get("/api/v1/labs/first-folio").body());
            assertEquals(digest, digest(s, learner, "sandbox"));
            c.exec("first-folio", "cat /proc/buddyinfo");
            assertTrue(s.app.labs().store().progress(learner, "first-folio").get("buddyinfo").completed(),
                    "the learner goes on where they were on " + db);
        }
    }

    @Test
    void twoInstancesOnOnePostgresqlALearnerMovesToTheSecondWhenTheFirstStops() {
        String url = TestDatabases.freshPostgres();
        try (LabServer second = LabServer.onDatabase(dir, url, App.Options.defaults())) {
            String learner;
            String sandbox;
            String lesson;
            long digest;
            Map<String, StepProgress> progress;
            try (LabServer first = LabServer.onDatabase(dir, url, App.Options.defaults())) {
                var c = first.client();
                work(c);
                learner = c.learner();
                sandbox = c.get("/api/v1/labs/sandbox").body();
                lesson = c.get("/api/v1/labs/first-folio").body();
                digest = digest(first, learner, "sandbox");
                progress = first.app.labs().store().progress(learner, "first-folio");
                // both instances are up: the second already sees the same machine (no sticky sessions needed)
                assertEquals(sandbox, second.client(learner).get("/api/v1/labs/sandbox").body());
            }
            var c = second.client(learner);
            assertEquals(sandbox, c.get("/api/v1/labs/sandbox").body(), "same machine on the second instance");
            assertEquals(lesson, c.get("/api/v1/labs/first-folio").body());
            assertEquals(digest, digest(second, learner, "sandbox"), "same machine state digest");
            assertEquals(progress, second.app.labs().store().progress(learner, "first-folio"), "same progress");
            // and the learner keeps working there: redo the undone statement, finish the lesson
            c.htmx("/labs/sandbox/redo");
            assertTrue(c.get("/api/v1/labs/sandbox").body().contains("b = alloc_pages(GFP_KERNEL, 2)"));
            c.exec("first-folio", "cat /proc/buddyinfo");
            assertTrue(second.app.labs().store().progress(learner, "first-folio").get("buddyinfo").completed());
        }
    }

    @Test
    void aLearnerBouncingBetweenTwoLiveInstancesAlwaysSeesTheJournalNotAStaleMachine() {
        String url = TestDatabases.freshPostgres();
        try (LabServer a = LabServer.onDatabase(dir, url, App.Options.defaults());
             LabServer b = LabServer.onDatabase(dir, url, App.Options.defaults())) {
            var onA = a.client();
            onA.exec("sandbox", "p = alloc_pages(GFP_KERNEL, 0)");
            String learner = onA.learner();
            var onB = b.client(learner);
            assertTrue(onB.get("/api/v1/labs/sandbox").body().contains("p = alloc_pages"), "b now holds a live machine");
            onA.exec("sandbox", "q = alloc_pages(GFP_KERNEL, 1)");
            onA.htmx("/labs/sandbox/undo");
            onA.exec("sandbox", "r = folio_alloc(GFP_KERNEL, 2)");
            String onAState = onA.get("/api/v1/labs/sandbox").body();
            assertEquals(onAState, onB.get("/api/v1/labs/sandbox").body(), "b must not answer from its stale machine");
            assertEquals(digest(a, learner, "sandbox"), digest(b, learner, "sandbox"));
            onB.exec("sandbox", "s = alloc_pages(GFP_KERNEL, 0)");
            assertEquals(onB.get("/api/v1/labs/sandbox").body(), onA.get("/api/v1/labs/sandbox").body());
            assertTrue(onA.get("/api/v1/labs/sandbox").body().contains("\"statements\":[\"p = alloc_pages(GFP_KERNEL, 0)\","
                    + "\"r = folio_alloc(GFP_KERNEL, 2)\",\"s = alloc_pages(GFP_KERNEL, 0)\"]"), onA.get("/api/v1/labs/sandbox").body());
        }
    }
}

package org.memdesclab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.net.HttpCookie;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A machine survives a restart of the server and an eviction from memory: it is rebuilt from the journal. */
class RestartTest {
    @TempDir
    Path dir;

    @Test
    void theLiveCacheIsBoundedByPagesAndEvictedLabsComeBackIdentical() {
        try (LabServer s = LabServer.start(dir, App.Options.defaults().withLimits(2 * (1024 + 1024), Duration.ofMinutes(30)))) {
            List<LabServer.Client> learners = new ArrayList<>();
            List<String> states = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                var c = s.client();
                c.form("/sandbox", "pages", "1024");
                c.exec("sandbox", "p = alloc_pages(GFP_KERNEL, " + i + ")");
                learners.add(c);
                states.add(c.get("/api/v1/labs/sandbox").body());
            }
            assertEquals(true, s.app.labs().liveLabs() <= 2, "at most two 1,024-page machines fit: " + s.app.labs().liveLabs());
            for (int i = 0; i < 4; i++) assertEquals(states.get(i), learners.get(i).get("/api/v1/labs/sandbox").body());
        }
    }

    @Test
    void aRestartedServerRebuildsTheSameMachineFromTheJournal() {
        String learner;
        String state;
        try (LabServer s = LabServer.start(dir)) {
            var c = s.client();
            c.form("/sandbox", "pages", "256", "cpus", "2", "pcp", "1");
            c.exec("sandbox", "a = alloc_pages(GFP_KERNEL, 0)");
            c.exec("sandbox", "f = folio_alloc(GFP_KERNEL, 3)");
            c.exec("sandbox", "b = alloc_pages(GFP_KERNEL, 1)");
            c.htmx("/labs/sandbox/undo");
            c.exec("sandbox", "g = folio_alloc(GFP_KERNEL, 2)");
            c.exec("sandbox", "folio_put(f)");
            c.htmx("/labs/sandbox/undo");
            state = c.get("/api/v1/labs/sandbox").body();
            learner = c.learner();
        }
        try (LabServer s = LabServer.start(dir)) {
            var c = s.client();
            HttpCookie cookie = new HttpCookie(Learners.COOKIE, learner);
            cookie.setPath("/");
            c.cookies.getCookieStore().add(URI.create(s.base()), cookie);
            String again = c.get("/api/v1/labs/sandbox").body();
            assertEquals(state, again);
            assertEquals(0, s.client().get("/api/v1/labs/sandbox").body().indexOf("{\"lesson\":\"sandbox\""));
            assertNotEquals(state, s.client().get("/api/v1/labs/sandbox").body(), "a new learner gets a fresh machine");
            // redo still works after the restart: the undone folio_put comes back
            c.htmx("/labs/sandbox/redo");
            String redone = c.get("/api/v1/labs/sandbox").body();
            assertNotEquals(state, redone);
            s.app.labs().evictAll();
            assertEquals(redone, c.get("/api/v1/labs/sandbox").body(), "an evicted machine is rebuilt the same");
        }
    }
}

package org.memdesclab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.memdesclab.web.ClassroomTestSupport.find;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard over real HTTP: the learners-by-steps grid (done, working, stuck, hints, solution),
 * who is online, the class's most tried wrong statements, a learner's console read-only, resetting a
 * lesson, "follow me" and the CSV export.
 */
class ClassroomDashboardTest {
    @TempDir
    Path dir;
    LabServer server;
    ClassroomTestSupport.MovableClock clock = new ClassroomTestSupport.MovableClock();
    LabServer.Client admin;
    String course;
    LabServer.Client ada;
    LabServer.Client bob;

    @BeforeEach
    void start() {
        server = LabServer.start(dir, App.Options.defaults().withClock(clock));
        admin = ClassroomTestSupport.admin(server);
        course = ClassroomTestSupport.course(admin, "OS 101", "first-folio", "");
        String code = ClassroomTestSupport.joinCode(admin, course);
        ada = server.client();
        bob = server.client();
        ClassroomTestSupport.join(ada, code, "Ada");
        ClassroomTestSupport.join(bob, code, "Smith, \"Bob\"");
    }

    @AfterEach
    void stop() { server.close(); }

    String grid() { return admin.get("/teach/courses/" + course + "/grid").body(); }

    /** The class attributes of one learner's cells, in step order. */
    static List<String> cells(String grid, int member) {
        Matcher row = Pattern.compile("data-member=\"" + member + "\">(.*?)</tr>", Pattern.DOTALL).matcher(grid);
        assertTrue(row.find(), grid);
        Matcher m = Pattern.compile("<td class=\"cell-(\\w+)\"[^>]*>([^<]*)</td>").matcher(row.group(1));
        List<String> out = new java.util.ArrayList<>();
        while (m.find()) out.add(m.group(1) + " " + m.group(2));
        return out;
    }

    @Test
    void theGridShowsDoneWorkingStuckHintsAndSolutionAndWhoIsOnline() {
        assertEquals(List.of("todo ·", "todo ·"), cells(grid(), 1), "nothing started yet");
        ada.exec("first-folio", "f = folio_alloc(GFP_KERNEL, 2)");
        ada.htmx("/labs/first-folio/steps/buddyinfo/hint");
        for (int i = 0; i < Dashboard.STUCK_ATTEMPTS; i++) bob.exec("first-folio", "f = folio_alloc(GFP_KERNEL)");
        bob.htmx("/labs/first-folio/steps/alloc-folio/solution");
        String g = grid();
        assertEquals(List.of("done ✓", "working … h1"), cells(g, 1), g);
        assertEquals(List.of("stuck ! S", "todo ·"), cells(g, 2), g);
        assertTrue(g.contains("2 of 2 learners online"), g);
        // the class's wrong statement, counted on the step it was tried on
        assertTrue(g.contains("<code>f = folio_alloc(GFP_KERNEL)</code>"), g);
        assertTrue(g.contains("8 times by 1 learner"), g);
        // a long time on one step is stuck too; nobody has been seen for 11 minutes
        clock.advance(Duration.ofMinutes(11));
        g = grid();
        assertEquals(List.of("done ✓", "stuck ! h1"), cells(g, 1), g);
        assertTrue(g.contains("0 of 2 learners online") && g.contains("11 min ago"), g);
        // completing the step turns the cell done
        ada.exec("first-folio", "cat /proc/buddyinfo");
        assertEquals(List.of("done ✓", "done ✓ h1"), cells(grid(), 1));
        // the full page polls the grid with htmx
        String page = admin.get("/teach/courses/" + course).body();
        assertTrue(page.contains("hx-get=\"/teach/courses/" + course + "/grid\"") && page.contains("hx-trigger=\"every 5s\""), page);
        assertFalse(page.contains("style=\"") || page.contains("<script>"), "no inline styles or scripts (CSP)");
    }

    @Test
    void anInstructorReadsALearnersConsoleAndResetsTheirLessonWithoutLosingIt() {
        ada.exec("first-folio", "f = folio_alloc(GFP_KERNEL, 2)");
        ada.exec("first-folio", "folio_order(f)");
        ada.exec("first-folio", "folio_put(p)");
        String h = admin.get("/teach/courses/" + course + "/members/1/labs/first-folio").body();
        assertTrue(h.contains("f = folio_alloc(GFP_KERNEL, 2)") && h.contains("folio_order(f)") && h.contains("kind-statement failed"), h);
        assertTrue(h.contains("<span>2</span>"), "the output is shown: " + h);
        assertFalse(h.contains("folio_order") && admin.get("/teach/courses/" + course + "/members/2/labs/first-folio").body().contains("folio_order"),
                "another learner's page shows only theirs");
        var r = admin.form("/teach/courses/" + course + "/members/1/labs/first-folio/reset");
        assertEquals(200, r.statusCode());
        assertTrue(r.body().contains("a reset row was added to the journal"), r.body());
        assertTrue(r.body().contains("kind-reset") && r.body().contains("f = folio_alloc(GFP_KERNEL, 2)"), "the statements stay: " + r.body());
        // Ada's machine is fresh; redo still brings her statements back; the completed step stays completed
        assertTrue(ada.exec("first-folio", "f").body().contains("\"ok\":false"), "f is gone after the reset");
        assertEquals("done ✓", cells(grid(), 1).get(0));
        assertTrue(admin.get("/teach/courses/" + course).body().contains("reset: member 1 (Ada), lesson first-folio"));
        assertEquals(404, admin.get("/teach/courses/" + course + "/members/9/labs/first-folio").statusCode());
        assertEquals(404, admin.get("/teach/courses/" + course + "/members/1/labs/no-such-lesson").statusCode());
    }

    @Test
    void followMePushesAStateIntoEveryLearnersFreshSandbox() {
        ada.exec("sandbox", "mine = alloc_pages(GFP_KERNEL, 4)");
        var r = admin.form("/teach/courses/" + course + "/follow", "statements", "f = folio_alloc(GFP_KERNEL, 2)\n\nx = nope()\n");
        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("Nothing was pushed: line 2 (x = nope())"), r.body());
        assertTrue(r.body().contains("\nx = nope()"), "the text is kept for fixing: " + r.body());
        assertTrue(ada.exec("sandbox", "page_to_pfn(mine)").body().contains("\"ok\":true"), "a refused push changes nothing");

        r = admin.form("/teach/courses/" + course + "/follow", "statements", "f = folio_alloc(GFP_KERNEL, 2)\ns = kmem_cache_create(\"demo\", 700, 0, 0, NULL)");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().contains("Pushed 2 statements into a fresh sandbox for 2 learners."), r.body());
        for (LabServer.Client c : List.of(ada, bob)) {
            assertEquals("{\"ok\":true,\"output\":[\"2\"]}", c.exec("sandbox", "folio_order(f)").body());
            assertEquals("{\"ok\":true,\"output\":[\"704\"]}", c.exec("sandbox", "s->size").body());
        }
        assertTrue(ada.exec("sandbox", "mine").body().contains("\"ok\":false"), "a fresh sandbox");
        String h = admin.get("/teach/courses/" + course + "/members/1/labs/sandbox").body();
        assertTrue(h.contains("mine = alloc_pages(GFP_KERNEL, 4)") && h.contains("new sandbox machine"), "the old sandbox stays in the journal: " + h);
    }

    @Test
    void theCsvExportHasOneQuotedRowPerLearnerAndStep() {
        ada.exec("first-folio", "f = folio_alloc(GFP_KERNEL, 2)");
        ada.htmx("/labs/first-folio/steps/buddyinfo/hint");
        bob.htmx("/labs/first-folio/steps/alloc-folio/solution");
        bob.exec("first-folio", "f = folio_alloc(GFP_KERNEL, 2)");
        var learner3 = server.client();
        ClassroomTestSupport.join(learner3, ClassroomTestSupport.joinCode(admin, course), "=cmd()");
        var r = admin.get("/teach/courses/" + course + "/export.csv");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/csv"));
        assertTrue(r.headers().firstValue("content-disposition").orElse("").contains("os-101-progress.csv"));
        String[] lines = r.body().split("\r\n");
        assertEquals(1 + 3 * 2, lines.length, r.body());
        assertEquals("\"member\",\"learner\",\"lesson\",\"step\",\"completed_at\",\"attempts\",\"hints\",\"solution_revealed\"", lines[0]);
        assertEquals("\"1\",\"Ada\",\"first-folio\",\"alloc-folio\",\"2026-12-01T09:00:00Z\",\"1\",\"0\",\"false\"", lines[1]);
        assertEquals("\"1\",\"Ada\",\"first-folio\",\"buddyinfo\",\"\",\"0\",\"1\",\"false\"", lines[2]);
        assertEquals("\"2\",\"Smith, \"\"Bob\"\"\",\"first-folio\",\"alloc-folio\",\"2026-12-01T09:00:00Z\",\"1\",\"0\",\"true\"", lines[3]);
        assertEquals("\"3\",\"'=cmd()\",\"first-folio\",\"alloc-folio\",\"\",\"0\",\"0\",\"false\"", lines[5]);
    }

    @Test
    void oneLearnerNeverReachesAnothersMachineOrJournal() {
        ada.exec("first-folio", "secret = folio_alloc(GFP_KERNEL, 3)");
        ada.exec("sandbox", "mine = alloc_pages(GFP_KERNEL, 2)");
        String adasState = ada.get("/api/v1/labs/first-folio").body();
        assertTrue(adasState.contains("secret"), adasState);
        // Bob's own labs never show Ada's statements, by the JSON API or the pages
        for (String path : List.of("/api/v1/labs/first-folio", "/api/v1/labs/sandbox", "/labs/first-folio", "/labs/sandbox")) {
            String body = bob.get(path).body();
            assertFalse(body.contains("secret") || body.contains("mine ="), path + ": " + body);
        }
        assertTrue(bob.exec("first-folio", "secret").body().contains("\"ok\":false"));
        // no learner page takes a learner id, and the instructor pages need an instructor
        assertEquals("/login", bob.get("/teach/courses/" + course + "/members/1/labs/first-folio").uri().getPath());
        // a forged cookie is not anyone's: it gets a learner of its own
        var forger = server.client();
        forger.cookies.getCookieStore().add(java.net.URI.create(server.base()), cookie(Learners.COOKIE, "0".repeat(32)));
        var fr = forger.get("/api/v1/labs/first-folio");
        assertFalse(fr.body().contains("secret"), fr.body());
        String issued = fr.headers().allValues("set-cookie").stream().filter(x -> x.startsWith(Learners.COOKIE + "=")).findFirst().orElseThrow();
        assertFalse(issued.startsWith(Learners.COOKIE + "=" + "0".repeat(32)), issued);
        // the course page and the home page show only one's own name and code
        String adasCode = find(ada.get("/").body(), "id=\"resume-code\">([A-Z0-9-]{9})<");
        assertFalse(bob.get("/").body().contains(adasCode));
        assertFalse(admin.get("/teach/courses/" + course).body().contains(ada.learner()), "the learner id (a credential) never reaches instructor pages");
        assertFalse(admin.get("/teach/courses/" + course + "/export.csv").body().contains(ada.learner()));
    }

    static java.net.HttpCookie cookie(String name, String value) {
        java.net.HttpCookie c = new java.net.HttpCookie(name, value);
        c.setPath("/");
        c.setVersion(0);
        return c;
    }
}

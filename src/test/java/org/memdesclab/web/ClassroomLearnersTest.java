package org.memdesclab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.memdesclab.web.ClassroomTestSupport.find;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Resume codes over real HTTP: a second browser continues as the same learner with nothing lost. */
class ClassroomLearnersTest {
    @TempDir
    Path dir;
    LabServer server;

    @BeforeEach
    void start() { server = LabServer.start(dir); }

    @AfterEach
    void stop() { server.close(); }

    static String resumeCode(LabServer.Client c) {
        return find(c.get("/").body(), "id=\"resume-code\">([A-Z0-9]{4}-[A-Z0-9]{4})<");
    }

    @Test
    void aSecondBrowserContinuesWithTheResumeCodeAndNothingIsLost() {
        var first = server.client();
        assertTrue(first.exec("first-folio", "f = folio_alloc(GFP_KERNEL, 2)").body().contains("\"ok\":true"));
        first.exec("first-folio", "x = bogus(");
        first.exec("sandbox", "p = alloc_pages(GFP_KERNEL, 3)");
        String code = resumeCode(first);
        assertEquals(code, resumeCode(first), "the code stays the same");
        String before = first.get("/api/v1/labs/first-folio").body();
        String sandboxBefore = first.get("/api/v1/labs/sandbox").body();

        var second = server.client();
        second.get("/");
        String secondsOwnCode = resumeCode(second);
        assertNotEquals(first.learner(), second.learner());
        var r = second.form("/resume", "code", code.toLowerCase().replace("-", " "));
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("/", r.uri().getPath());
        assertEquals(first.learner(), second.learner(), "the second browser is now the same learner");
        assertEquals(code, resumeCode(second));
        assertEquals(before, second.get("/api/v1/labs/first-folio").body());
        assertEquals(sandboxBefore, second.get("/api/v1/labs/sandbox").body());
        assertTrue(second.get("/labs/first-folio").body().contains("✓") || second.get("/labs/first-folio").body().contains("done"));
        // the work goes on in either browser: the first sees what the second did
        second.exec("first-folio", "cat /proc/buddyinfo");
        assertEquals(second.get("/api/v1/labs/first-folio").body(), first.get("/api/v1/labs/first-folio").body());
        // the second browser's own (anonymous) learner is not deleted: its code still works
        var third = server.client();
        assertEquals(200, third.form("/resume", "code", secondsOwnCode).statusCode());
        assertEquals(secondsOwnCode, resumeCode(third));
    }

    @Test
    void aWrongOrMalformedCodeIsRefusedClearlyAndChangesNothing() {
        var c = server.client();
        c.get("/");
        String me = c.learner();
        var r = c.form("/resume", "code", "ABCD-EFG0");
        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("A resume code has 8 letters and digits"), r.body());
        String unused = "ZZZZ-ZZZZ";
        r = c.form("/resume", "code", unused);
        assertEquals(404, r.statusCode());
        assertTrue(r.body().contains("No learner has the code ZZZZ-ZZZZ"), r.body());
        assertEquals(me, c.learner(), "a refused code leaves the browser's learner as it was");
    }

    @Test
    void guessingCodesIsRateLimitedPerAddress() {
        var c = server.client();
        for (int i = 0; i < Classroom.RESUME_LIMIT; i++) assertEquals(404, c.form("/resume", "code", "ZZZZ-ZZZ" + (i % 8 + 2)).statusCode());
        String real = resumeCode(server.client());
        var r = c.form("/resume", "code", real);
        assertEquals(429, r.statusCode(), "even a right code waits once the address has failed too often");
        assertTrue(r.body().contains("Too many codes that did not match"), r.body());
    }

    @Test
    void learnersJoinSeveralCoursesWithADisplayName() {
        var admin = ClassroomTestSupport.admin(server);
        String os = ClassroomTestSupport.course(admin, "OS 101", "first-folio", "");
        String mm = ClassroomTestSupport.course(admin, "Memory management", "first-folio", "");
        var ada = server.client();
        var r = ada.form("/join", "code", "QQQQQQ", "name", "Ada");
        assertEquals(404, r.statusCode());
        assertTrue(r.body().contains("There is no course with the join code"), r.body());
        r = ada.form("/join", "code", ClassroomTestSupport.joinCode(admin, os), "name", "   ");
        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("Choose the name your instructor will see"), r.body());
        ClassroomTestSupport.join(ada, ClassroomTestSupport.joinCode(admin, os).toLowerCase(), "Ada L.");
        ClassroomTestSupport.join(ada, ClassroomTestSupport.joinCode(admin, mm), "Ada");
        String home = ada.get("/").body();
        assertTrue(home.contains("OS 101") && home.contains("Memory management") && home.contains("as Ada L."), home);
        String page = ada.get("/courses/" + os).body();
        assertTrue(page.contains("Your first folio") && page.contains("Ada L."), page);
        assertTrue(admin.get("/teach/courses/" + os).body().contains("Ada L."));
        assertTrue(admin.get("/teach/courses/" + mm).body().contains(">Ada<"));
        // joining again renames rather than adding a second row
        ClassroomTestSupport.join(ada, ClassroomTestSupport.joinCode(admin, os), "Ada Lovelace");
        String dash = admin.get("/teach/courses/" + os).body();
        assertTrue(dash.contains("Ada Lovelace") && !dash.contains("Ada L.<"), dash);
        // a learner who did not join sees no course page
        assertEquals(404, server.client().get("/courses/" + os).statusCode());
        assertFalse(server.client().get("/").body().contains("OS 101"));
    }
}

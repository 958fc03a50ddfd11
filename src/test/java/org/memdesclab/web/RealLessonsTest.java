package org.memdesclab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.memdesclab.lesson.ClasspathLessonCatalog;
import org.memdesclab.lesson.Lesson;
import org.memdesclab.lesson.Question;
import org.memdesclab.lesson.Step;

/** The lessons packaged in the jar, through the web: every reference solution completes its step. */
class RealLessonsTest {
    @TempDir
    static Path dir;
    static LabServer server;
    static final ClasspathLessonCatalog CATALOG = new ClasspathLessonCatalog();

    @BeforeAll
    static void start() { server = LabServer.withRealLessons(dir); }

    @AfterAll
    static void stop() { server.close(); }

    @Test
    void homeListsThePackagedLessonsInOrder() {
        String home = server.client().get("/").body();
        int at = -1;
        for (Lesson l : CATALOG.lessons()) {
            if (l.steps().isEmpty()) continue;
            int i = home.indexOf("href=\"/labs/" + l.id() + "\"");
            assertTrue(i > at, l.id() + " is listed in course order");
            at = i;
        }
        assertTrue(at > 0);
    }

    @Test
    void everyReferenceSolutionCompletesItsStepThroughTheApi() {
        for (Lesson l : CATALOG.lessons()) {
            if (l.steps().isEmpty()) continue;
            var c = server.client();
            assertEquals(200, c.get("/labs/" + l.id()).statusCode());
            for (Step s : l.steps()) {
                for (String st : s.solution()) assertEquals(200, c.exec(l.id(), st).statusCode());
                var p = server.app.labs().store().progress(c.learner(), l.id()).get(s.id());
                assertTrue(p != null && p.completed(), l.id() + "/" + s.id() + " completes with its solution");
            }
            String page = c.get("/labs/" + l.id()).body();
            assertTrue(page.contains("All steps done."), l.id());
            assertTrue(c.get("/").body().contains("complete"));
        }
    }

    @Test
    void aChoiceQuestionIsGradedIntoItsOwnStatusLine() {
        for (Lesson l : CATALOG.lessons()) {
            for (Step s : l.steps()) {
                for (Question q : s.questions()) {
                    if (!q.kind().equals("choice")) continue;
                    var c = server.client();
                    c.get("/labs/" + l.id());
                    String path = "/labs/" + l.id() + "/steps/" + s.id() + "/questions/" + q.id();
                    String right = c.htmx(path, "choice", String.valueOf(q.answer())).body();
                    assertTrue(right.contains("hx-swap-oob=\"innerHTML:#qr-" + s.id() + "-" + q.id() + "\""), right);
                    assertTrue(right.contains("✓ Right."));
                    String wrong = c.htmx(path, "choice", String.valueOf((q.answer() + 1) % q.choices().size())).body();
                    assertTrue(wrong.contains("✗ Not yet."));
                    assertFalse(wrong.contains(q.explanationHtml().strip()), "the explanation waits for the right answer");
                    return;
                }
            }
        }
        throw new AssertionError("no choice question in the packaged lessons");
    }
}

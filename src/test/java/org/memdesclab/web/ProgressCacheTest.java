package org.memdesclab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.memdesclab.lesson.Lesson;
import org.memdesclab.store.StepProgress;

/**
 * Step progress lives with the live lab (read once, not three times per statement), but the database
 * stays the truth: after statements, a completed step, a hint and an eviction, what the store holds is
 * exactly what the lab shows, and nothing the cache held is written back over a newer row.
 */
class ProgressCacheTest {
    @TempDir
    static Path dir;
    static LabServer server;

    @BeforeAll
    static void start() { server = LabServer.start(dir); }

    @AfterAll
    static void stop() { server.close(); }

    private static void run(LabServer.Client c, String statement) {
        var r = c.htmx("/labs/first-folio/exec", "statement", statement, "from", "0", "selected", "-1");
        assertEquals(200, r.statusCode(), r.body());
    }

    private static Map<String, StepProgress> stored(LabServer.Client c) {
        return server.app.labs().store().progress(c.learner(), "first-folio");
    }

    /** Every step as the API shows it (through the lab's copy) equals the row in the store. */
    private static void assertShownIsStored(LabServer.Client c, Lesson lesson) {
        JsonNode steps = ApiTest.json(c.get("/api/v1/labs/first-folio").body()).get("steps");
        Map<String, StepProgress> db = stored(c);
        for (int i = 0; i < lesson.steps().size(); i++) {
            String id = lesson.steps().get(i).id();
            StepProgress p = db.getOrDefault(id, StepProgress.fresh(id));
            JsonNode s = steps.get(i);
            assertEquals(p.completed(), s.get("completed").asBoolean(), id + ": " + s);
            assertEquals(p.attempts(), s.get("attempts").asInt(), id + ": " + s);
            assertEquals(p.hintsRevealed(), s.get("hintsRevealed").asInt(), id + ": " + s);
            assertEquals(p.solutionRevealed(), s.get("solutionRevealed").asBoolean(), id + ": " + s);
        }
    }

    @Test
    void theStoreHoldsWhatTheLabShowsThroughStatementsHintsAndEviction() {
        Lesson lesson = LessonWiring.builtIn().catalog().find("first-folio").orElseThrow();
        String first = lesson.steps().get(0).id();
        String second = lesson.steps().get(1).id();
        assertTrue(lesson.steps().get(1).hintsHtml().size() >= 1, "the test needs a hint on the second step");
        var c = server.client();
        c.get("/labs/first-folio");
        var solution = lesson.steps().get(0).solution();
        for (String s : solution) run(c, s);
        assertTrue(stored(c).get(first).completed(), "the first step is completed in the store");
        assertEquals(solution.size(), stored(c).get(first).attempts(), "one attempt per statement while the step was current");
        run(c, "folio_order(f)");
        assertEquals(1, stored(c).get(second).attempts());
        assertShownIsStored(c, lesson);

        // a hint, then a statement: the attempt must not write the hint count back to what the lab held before
        assertEquals(200, c.htmx("/labs/first-folio/steps/" + second + "/hint").statusCode());
        run(c, "folio_order(f)");
        assertEquals(1, stored(c).get(second).hintsRevealed(), "the hint stayed revealed");
        assertEquals(2, stored(c).get(second).attempts());
        assertShownIsStored(c, lesson);

        // the solution button, then an eviction: the rebuilt lab reads the store again
        assertEquals(200, c.htmx("/labs/first-folio/steps/" + second + "/solution").statusCode());
        server.app.labs().evictAll();
        run(c, "folio_order(f)");
        StepProgress p = stored(c).get(second);
        assertEquals(3, p.attempts());
        assertEquals(1, p.hintsRevealed());
        assertTrue(p.solutionRevealed());
        assertShownIsStored(c, lesson);
    }
}

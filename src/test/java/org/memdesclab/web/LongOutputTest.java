package org.memdesclab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.memdesclab.store.JournalEntry;

/** A loop that prints thousands of lines: the lab shows a bounded part, says so, and journals the statement. */
class LongOutputTest {
    @TempDir
    static Path dir;
    static LabServer server;

    @BeforeAll
    static void start() { server = LabServer.start(dir); }

    @AfterAll
    static void stop() { server.close(); }

    @Test
    void aLoopOfDumpPagesIsCutWithANoteAndTheStatementIsJournaled() {
        var c = server.client();
        String loop = "for (i = 0; i < 4096; i++) dump_page(pfn_to_page(i % 64))";
        var r = c.exec("sandbox", loop);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode j = ApiTest.json(r.body());
        assertTrue(j.get("ok").asBoolean(), r.body().substring(0, Math.min(300, r.body().length())));
        JsonNode out = j.get("output");
        assertTrue(out.size() <= OutputLimit.MAX_LINES + 1, "lines shown: " + out.size());
        assertTrue(out.get(out.size() - 1).asText().contains("more lines not shown"), out.get(out.size() - 1).asText());
        assertEquals(List.of(loop), statements(c));
        server.app.labs().evictAll();
        assertEquals("1", ApiTest.json(c.exec("sandbox", "1").body()).get("output").get(0).asText());
        assertEquals(List.of(loop, "1"), statements(c), "rebuilt from the journal with the loop in it");
    }

    @Test
    void shortOutputIsUntouched() {
        List<String> lines = Collections.nCopies(OutputLimit.MAX_LINES, "x");
        assertEquals(lines, OutputLimit.cap(lines));
        assertEquals(OutputLimit.MAX_LINES + 1, OutputLimit.cap(Collections.nCopies(OutputLimit.MAX_LINES + 1, "x")).size());
    }

    @Test
    void theJournalKeepsAnOutputLongerThanItsColumn() {
        String learner = "0123456789abcdef0123456789abcdef";
        var store = server.app.labs().store();
        store.createLearner(learner);
        JournalEntry e = store.append(learner, "sandbox", JournalEntry.Kind.STATEMENT, "x", 0, true,
                List.of("y".repeat(40_000)));
        assertEquals(1, e.seq());
    }

    private static List<String> statements(LabServer.Client c) {
        JsonNode s = ApiTest.json(c.get("/api/v1/labs/sandbox").body()).get("statements");
        List<String> out = new java.util.ArrayList<>();
        s.forEach(n -> out.add(n.asText()));
        return out;
    }
}

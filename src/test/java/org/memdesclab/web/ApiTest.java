package org.memdesclab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JSON API for the learner in the cookie: exec, reset, state; errors leave everything as it was. */
class ApiTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path dir;
    static LabServer server;

    @BeforeAll
    static void start() { server = LabServer.start(dir); }

    @AfterAll
    static void stop() { server.close(); }

    static JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + s, e);
        }
    }

    @Test
    void execReturnsOkAndTheSameLinesAsTheSimCommand() {
        var c = server.client();
        var r = c.exec("sandbox", "p = alloc_pages(GFP_KERNEL, 0)");
        assertEquals(200, r.statusCode());
        assertEquals("{\"ok\":true,\"output\":[]}", r.body());
        JsonNode j = json(c.exec("sandbox", "page_to_pfn(p)").body());
        assertEquals("0", j.get("output").get(0).asText());
        j = json(c.exec("sandbox", "cat /proc/buddyinfo").body());
        assertEquals("Node 0, zone   Normal      1      1      1      1      1      1      0      0      0      0      0 ",
                j.get("output").get(0).asText());
    }

    @Test
    void aFailingStatementAnswersOkFalseAndChangesNothing() {
        var c = server.client();
        String before = c.get("/api/v1/labs/sandbox").body();
        JsonNode j = json(c.exec("sandbox", "__free_pages(pfn_to_page(5), 0)").body());
        assertEquals(false, j.get("ok").asBoolean());
        assertTrue(j.get("output").get(0).asText().startsWith("BUG: Bad page state"), j.toString());
        assertEquals(before, c.get("/api/v1/labs/sandbox").body().replace("\"position\":1", "\"position\":0")
                .replace("\"statements\":[\"__free_pages(pfn_to_page(5), 0)\"]", "\"statements\":[]"));
    }

    @Test
    void stateHasTheConfigurationFreeListsFoliosAndEveryPfnsOwner() {
        var c = server.client();
        c.exec("sandbox", "f = folio_alloc(GFP_KERNEL, 2)");
        JsonNode s = json(c.get("/api/v1/labs/sandbox").body());
        assertEquals(64, s.get("config").get("pages").asInt());
        assertEquals(4, s.get("config").get("cpus").asInt());
        assertEquals("6.18", s.get("config").get("profile").asText());
        assertEquals(11, s.get("freeLists").size());
        assertEquals(4, s.get("freeLists").get(2).get("blocks").get(0).asLong());
        assertEquals(0, s.get("folios").get(0).get("pfn").asLong());
        assertEquals(2, s.get("folios").get(0).get("order").asInt());
        assertEquals(64, s.get("owners").size());
        assertEquals("HEAD", s.get("owners").get(0).asText());
        assertEquals("TAIL", s.get("owners").get(3).asText());
        assertEquals("FREE_HEAD", s.get("owners").get(4).asText());
    }

    @Test
    void resetGivesAFreshMachine() {
        var c = server.client();
        c.exec("sandbox", "p = alloc_pages(GFP_KERNEL, 3)");
        assertEquals(200, c.json("/api/v1/labs/sandbox/reset", "").statusCode());
        JsonNode s = json(c.get("/api/v1/labs/sandbox").body());
        assertEquals("FREE_HEAD", s.get("owners").get(0).asText());
        assertEquals(0, s.get("position").asInt());
    }

    @Test
    void badRequestsAre400WithAClearMessageAndChangeNothing() {
        var c = server.client();
        String before = c.get("/api/v1/labs/sandbox").body();
        var r = c.json("/api/v1/labs/sandbox/exec", "{not json");
        assertEquals(400, r.statusCode());
        assertTrue(json(r.body()).get("error").asText().contains("not valid JSON"));
        r = c.json("/api/v1/labs/sandbox/exec", "{\"stmt\": \"x\"}");
        assertEquals(400, r.statusCode());
        assertTrue(json(r.body()).get("error").asText().contains("missing \"statement\""));
        r = c.json("/api/v1/labs/sandbox/exec", "{\"statement\": 42}");
        assertEquals(400, r.statusCode());
        assertEquals(before, c.get("/api/v1/labs/sandbox").body());
        assertEquals(0, server.app.labs().store().journal(c.learner(), "sandbox").size());
    }

    @Test
    void anUnknownLessonIs404Json() {
        var c = server.client();
        var r = c.exec("nope", "cat /proc/buddyinfo");
        assertEquals(404, r.statusCode());
        assertTrue(json(r.body()).get("error").asText().contains("no lesson 'nope'"));
        assertEquals(404, c.get("/api/v1/labs/nope").statusCode());
    }

    @Test
    void learnersHaveSeparateMachines() {
        var a = server.client();
        var b = server.client();
        a.exec("sandbox", "p = alloc_pages(GFP_KERNEL, 0)");
        assertEquals("PAGE", json(a.get("/api/v1/labs/sandbox").body()).get("owners").get(0).asText());
        assertEquals("FREE_HEAD", json(b.get("/api/v1/labs/sandbox").body()).get("owners").get(0).asText());
    }

    @Test
    void stateFollowsTheStepsOfALesson() {
        var c = server.client();
        var lesson = LessonWiring.builtIn().catalog().find("first-folio").orElseThrow();
        JsonNode steps = json(c.get("/api/v1/labs/first-folio").body()).get("steps");
        assertEquals(lesson.steps().size(), steps.size());
        assertEquals(lesson.steps().get(0).id(), steps.get(0).get("id").asText());
        assertEquals(false, steps.get(0).get("completed").asBoolean());
        assertEquals(true, steps.get(0).get("current").asBoolean());
        for (String st : lesson.steps().get(0).solution()) c.exec("first-folio", st);
        steps = json(c.get("/api/v1/labs/first-folio").body()).get("steps");
        assertEquals(true, steps.get(0).get("completed").asBoolean(), steps.toString());
        assertEquals(true, steps.get(1).get("current").asBoolean(), steps.toString());
        assertTrue(steps.get(0).get("attempts").asInt() >= 1, steps.toString());
    }
}

package org.memdesclab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sandbox runs the kernel profile the form chooses, says so, and refuses unknown ones. */
class SandboxProfilesTest {
    @TempDir
    static Path dir;
    static LabServer server;

    @BeforeAll
    static void start() { server = LabServer.start(dir); }

    @AfterAll
    static void stop() { server.close(); }

    @Test
    void aMemdescSandboxHasOneWordStructPagesAndSaysWhichProfileItRuns() {
        var c = server.client();
        c.form("/sandbox", "pages", "64", "cpus", "4", "profile", "memdesc");
        assertEquals("memdesc", ApiTest.json(c.get("/api/v1/labs/sandbox").body()).get("config").get("profile").asText());
        assertTrue(c.exec("sandbox", "sizeof(struct page)").body().contains("\"8\""), "sizeof(struct page) is 8");
        assertTrue(c.get("/labs/sandbox").body().contains("kernel profile memdesc (proposed memdescs)"));
    }

    @Test
    void slabNomergeFromTheFormBootsTheMachineWithItAndSurvivesARebuild() {
        var c = server.client();
        String merge = "b = kmem_cache_create(\"b\", 64, 0, 0, NULL)";
        c.form("/sandbox", "pages", "64", "cpus", "4", "profile", "6.18", "slab_nomerge", "1");
        assertTrue(ApiTest.json(c.get("/api/v1/labs/sandbox").body()).get("config").get("slabNomerge").asBoolean());
        assertTrue(c.get("/labs/sandbox").body().contains("slab_nomerge"), "the lab header names the option");
        c.exec("sandbox", "a = kmem_cache_create(\"a\", 64, 0, 0, NULL)");
        c.exec("sandbox", merge);
        assertEquals("0", ApiTest.json(c.exec("sandbox", "a == b").body()).get("output").get(0).asText(),
                "with slab_nomerge two identical caches stay two");
        server.app.labs().evictAll();
        assertEquals("0", ApiTest.json(c.exec("sandbox", "a == b").body()).get("output").get(0).asText(),
                "rebuilt from the journal, the machine still has slab_nomerge");
        c.form("/sandbox", "pages", "64", "cpus", "4", "profile", "6.18");
        c.exec("sandbox", "a = kmem_cache_create(\"a\", 64, 0, 0, NULL)");
        c.exec("sandbox", merge);
        assertEquals("1", ApiTest.json(c.exec("sandbox", "a == b").body()).get("output").get(0).asText(),
                "without the box ticked, the caches merge as the kernel's default does");
    }

    @Test
    void anUnknownProfileIsRefusedWithTheKnownOnes() {
        var c = server.client();
        String body = c.form("/sandbox", "pages", "64", "profile", "4.19").body();
        assertTrue(body.contains("unknown kernel profile") && body.contains("6.18, 5.15, memdesc, memdesc2"), body);
    }
}

package org.memdesclab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.memdesclab.bench.ChildServer;
import org.memdesclab.lesson.Lesson;
import org.memdesclab.store.Database;
import org.memdesclab.store.JournalEntry;
import org.memdesclab.store.Store;

/**
 * The server as a real child process, killed with SIGKILL while learners are sending statements: every
 * statement that was answered is in the journal (with the output the learner saw), and after a restart
 * on the same H2 file every learner's machine is the one its journal replays to.
 */
class CrashTest {
    private static final String LESSON = "memmap";
    private static final Duration START = Duration.ofSeconds(120);
    /** A request the killed server never answers ends the learner (the socket is closed, so it should not come to this). */
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** What one learner sent and was answered, in order. */
    record Answered(String statement, List<String> output) {}

    /** A learner with its own cookie jar, sending seeded random statements until the server dies. */
    static final class Learner implements Runnable {
        final CookieManager cookies = new CookieManager();
        final HttpClient http = HttpClient.newBuilder().cookieHandler(cookies).connectTimeout(Duration.ofSeconds(10)).build();
        final String base;
        final Random random;
        final AtomicInteger total;
        final List<Answered> answered = new ArrayList<>();
        volatile String died;

        Learner(String base, long seed, AtomicInteger total) {
            this.base = base;
            this.random = new Random(seed);
            this.total = total;
        }

        String learner() {
            return cookies.getCookieStore().getCookies().stream().filter(c -> c.getName().equals(Learners.COOKIE))
                    .findFirst().map(java.net.HttpCookie::getValue).orElse(null);
        }

        /** Allocations, frees (some of them wrong, so refused and journaled as failed) and reads. */
        String nextStatement() {
            int k = random.nextInt(4);
            int order = random.nextInt(3);
            return switch (random.nextInt(6)) {
                case 0, 1 -> "p" + k + " = alloc_pages(GFP_KERNEL, " + order + ")";
                case 2 -> "__free_pages(p" + k + ", " + order + ")";
                case 3 -> "f" + k + " = folio_alloc(GFP_KERNEL, " + order + ")";
                case 4 -> "folio_put(f" + k + ")";
                default -> "cat /proc/buddyinfo";
            };
        }

        @Override
        public void run() {
            try {
                HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(base + "/labs/" + LESSON)).timeout(TIMEOUT).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (page.statusCode() != 200) throw new IllegalStateException("lesson page: HTTP " + page.statusCode());
                while (true) {
                    String s = nextStatement();
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/labs/" + LESSON + "/exec"))
                            .timeout(TIMEOUT).header("Content-Type", "application/json").header("Origin", base)
                            .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(java.util.Map.of("statement", s))))
                            .build(), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 200) {
                        JsonNode out = JSON.readTree(r.body());
                        List<String> lines = new ArrayList<>();
                        out.get("output").forEach(n -> lines.add(n.asText()));
                        answered.add(new Answered(s, lines));
                        total.incrementAndGet();
                    } else if (r.statusCode() != 429) { // a refused (rate-limited) statement is not answered
                        throw new IllegalStateException("HTTP " + r.statusCode() + " for " + s + ": " + r.body());
                    }
                    Thread.sleep(150 + random.nextInt(200)); // about three statements a second
                }
            } catch (IOException e) {
                died = "connection: " + e; // expected once the server is killed
            } catch (InterruptedException e) {
                died = "interrupted";
            } catch (RuntimeException e) {
                died = "unexpected: " + e;
            }
        }
    }

    @Test
    void aServerKilledMidFlightLosesNoAnsweredStatementAndRebuildsEveryMachine() throws Exception {
        long seed = new Random().nextLong();
        try {
            killAndRestart(seed, 5, 40);
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("seed " + seed + " (replay: killAndRestart(" + seed + "L, 5, 40)): " + e.getMessage(), e);
        }
    }

    private void killAndRestart(long seed, int nLearners, int answeredBeforeKill) throws Exception {
        Random seeds = new Random(seed);
        List<Learner> learners = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        AtomicInteger total = new AtomicInteger();
        ChildServer first = ChildServer.start(dir, START);
        try {
            for (int i = 0; i < nLearners; i++) {
                Learner l = new Learner(first.base(), seeds.nextLong(), total);
                learners.add(l);
                Thread t = new Thread(l, "crash-learner-" + i);
                threads.add(t);
                t.start();
            }
            long end = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (total.get() < answeredBeforeKill && System.nanoTime() < end && threads.stream().anyMatch(Thread::isAlive)) {
                Thread.sleep(10);
            }
            assertTrue(total.get() >= answeredBeforeKill, "only " + total.get() + " statements answered before the kill; "
                    + learners.stream().map(l -> String.valueOf(l.died)).toList() + "\n" + first.output());
        } finally {
            first.kill(); // SIGKILL while the learners are still sending
        }
        for (Thread t : threads) t.join(Duration.ofSeconds(60).toMillis());
        for (Learner l : learners) assertFalse(l.died == null || l.died.startsWith("unexpected"), "learner ended with: " + l.died);

        // The journal after the kill: read straight from the H2 file (nothing holds it now).
        Lesson lesson = LessonWiring.standard(null).catalog().find(LESSON).orElseThrow();
        List<JsonNode> expected = new ArrayList<>();
        try (HikariDataSource ds = Database.pool(Database.h2Url(dir))) {
            Store store = new Store(ds, Clock.systemUTC());
            for (Learner l : learners) {
                List<JournalEntry> journal = store.journal(l.learner(), LESSON);
                List<JournalEntry> statements = journal.stream().filter(j -> j.kind() == JournalEntry.Kind.STATEMENT).toList();
                assertTrue(statements.size() >= l.answered.size(), "learner " + l.learner() + ": " + l.answered.size()
                        + " statements were answered but the journal holds " + statements.size());
                assertTrue(statements.size() <= l.answered.size() + 1, "more than the one statement in flight was journaled");
                for (int i = 0; i < l.answered.size(); i++) {
                    assertEquals(l.answered.get(i).statement(), statements.get(i).statement(), "statement " + (i + 1));
                    assertEquals(l.answered.get(i).output(), statements.get(i).output(), "output of statement " + (i + 1));
                }
                LiveLab lab = LiveLab.rebuild(lesson, journal);
                expected.add(JSON.readTree(JSON.writeValueAsString(LabModels.stateJson(lesson, lab))));
            }
        }
        assertTrue(learners.stream().mapToInt(l -> l.answered.size()).sum() >= answeredBeforeKill);

        // Restart on the same data: each learner's machine, rebuilt by the server, is what its journal replays to.
        try (ChildServer second = ChildServer.start(dir, START)) {
            for (int i = 0; i < learners.size(); i++) {
                Learner l = learners.get(i);
                HttpClient http = HttpClient.newBuilder().build();
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(second.base() + "/api/v1/labs/" + LESSON))
                        .header("Cookie", Learners.COOKIE + "=" + l.learner()).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode(), r.body());
                JsonNode state = JSON.readTree(r.body());
                // The machine is compared; step progress (also in the answer) lives in the database, not the machine.
                assertTrue(state.has("steps"), "the state lists step progress");
                ((com.fasterxml.jackson.databind.node.ObjectNode) state).remove("steps");
                assertEquals(expected.get(i), state, "learner " + l.learner() + "'s machine after the restart");
                assertTrue(state.get("position").asInt() >= l.answered.size(), "the machine lost answered statements");
            }
        }
    }

    @Test
    void aSecondServerOnTheSameH2FileSaysWhyAndExitsNonZero() throws Exception {
        try (ChildServer first = ChildServer.start(dir, START)) {
            ChildServer second = ChildServer.launch(dir);
            int status = second.waitFor(Duration.ofSeconds(120));
            if (status == -1) second.kill();
            assertTrue(status > 0, "the second server did not exit within 120 s (status " + status + "):\n" + second.output());
            String out = second.output();
            assertTrue(out.contains("memdesc-lab serve: could not start:"), out);
            assertTrue(out.contains("Another memdesc-lab may be using " + dir.toAbsolutePath() + "; stop it or pass --data DIR."), out);
            HttpResponse<String> ok = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(first.base() + "/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ok.statusCode(), "the first server still answers");
        }
    }
}

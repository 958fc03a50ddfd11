package org.memdesclab.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import com.zaxxer.hikari.HikariDataSource;
import org.memdesclab.lesson.Lesson;
import org.memdesclab.store.Database;
import org.memdesclab.web.App;
import org.memdesclab.web.LabService;

/**
 * {@code bench load}: virtual learners on loopback, each opening a lesson page (which sets its cookie)
 * and then sending statements through the console form's htmx POST, about one a second. Prints the
 * statement round trip, the round trip of a small static file measured in the same run, the heap one
 * live machine takes and the start-up time of the jar. Figures to read, never assertions.
 */
public final class LoadBenchmark {
    /**
     * @param learners     virtual learners sending statements at the same time
     * @param duration     how long they send (after the warm-up)
     * @param warmup       sent but not counted, so JIT compilation is out of the figures
     * @param url          a running server to target, or null to start one in this process on a temp H2
     * @param lesson       the lesson every learner opens
     * @param heapLearners live machines created to measure the heap per machine (0 skips it)
     * @param startupRuns  child {@code serve} processes timed to their first answer, the median quoted (0 skips)
     */
    public record Settings(int learners, Duration duration, Duration warmup, String url, String lesson,
                           int heapLearners, int startupRuns) {
        public Settings {
            if (learners < 1) throw new IllegalArgumentException("--learners must be at least 1");
            if (duration.isNegative() || duration.isZero()) throw new IllegalArgumentException("--duration must be at least 1 second");
            if (heapLearners < 0) throw new IllegalArgumentException("--heap-learners must not be negative");
            if (startupRuns < 0 || startupRuns > 50) throw new IllegalArgumentException("--startup-runs must be 0 to 50");
        }
    }

    /** What one learner sends, in a loop that leaves the machine as it found it. */
    static final List<String> STATEMENTS = List.of(
            "p = alloc_pages(GFP_KERNEL, 0)",
            "page_to_pfn(p)",
            "f = folio_alloc(GFP_KERNEL, 2)",
            "folio_order(f)",
            "cat /proc/buddyinfo",
            "folio_put(f)",
            "__free_pages(p, 0)",
            "dump_page(pfn_to_page(5))",
            "sizeof(struct page)");

    static final String STATIC_FILE = "/static/lab.js";
    /** Mean think time between one learner's statements; each wait is drawn from 0.5 to 1.5 of it. */
    static final long THINK_MS = 1000;
    /** The static file is fetched this often, by one prober, during the whole run. */
    static final long STATIC_EVERY_MS = 50;

    private final PrintStream out;
    private final Settings settings;

    public LoadBenchmark(PrintStream out, Settings settings) {
        this.out = out;
        this.settings = settings;
    }

    /** Runs everything and prints the figures; returns the number of failed requests. */
    public long run() throws Exception {
        out.println("Memdesc Lab load benchmark (" + Runtime.getRuntime().availableProcessors() + " CPUs, "
                + System.getProperty("java.vm.name") + " " + System.getProperty("java.version") + ")");
        if (settings.startupRuns() > 0) {
            // as the README's run command starts it: with the build's class-data archive when there is one
            Path jsa = ChildServer.archive();
            int runs = settings.startupRuns();
            StartupTimer.Startup st = StartupTimer.median(true, runs);
            out.printf("start-up to first answer: %.2f s (median of %d, %s)%n", st.seconds(), runs,
                    jsa != null ? "with the class-data archive " + jsa.getFileName() : "no class-data archive");
            if (st.cpuSeconds() >= 0) out.printf("start-up CPU (the child JVM, all threads): %.2f s%n", st.cpuSeconds());
            if (jsa != null) {
                StartupTimer.Startup plain = StartupTimer.median(false, runs);
                out.printf("start-up without the archive: %.2f s (median of %d; CPU %.2f s)%n", plain.seconds(), runs, plain.cpuSeconds());
            }
        }
        Path tmp = null;
        HikariDataSource ds = null;
        App app = null;
        try {
            String base = settings.url();
            if (base == null) {
                tmp = Files.createTempDirectory("memdesc-load");
                ds = Database.pool(Database.h2Url(tmp));
                app = App.start(ds, 0);
                if (app.labs().lesson(settings.lesson()).isEmpty()) {
                    throw new IllegalArgumentException("there is no lesson '" + settings.lesson() + "'");
                }
                base = "http://localhost:" + app.port();
            }
            base = base.replaceAll("/+$", "");
            out.println(settings.learners() + " learners for " + settings.duration().toSeconds() + " s (after "
                    + settings.warmup().toSeconds() + " s of warm-up) on " + base
                    + (app == null ? "" : " (in this process, H2 in a temp folder)") + ", lesson " + settings.lesson()
                    + ", think time 0.5 to 1.5 s");
            Run r = new Run(base, app != null).go();
            r.print();
            if (app != null && settings.heapLearners() > 0) {
                double kib = heapPerMachine(app.labs(), settings.lesson(), settings.heapLearners()) / 1024.0;
                out.printf("heap per live machine: %.1f KiB (%,d learners' %s machines)%n", kib, settings.heapLearners(), settings.lesson());
                out.printf("heap for 1,000 live machines: %.1f MiB%n", kib * 1000 / 1024);
            } else if (settings.heapLearners() > 0) {
                out.println("heap per live machine: n/a (--url: the server runs in another process)");
            }
            return r.errors.get();
        } finally {
            if (app != null) app.close();
            if (ds != null) ds.close();
            if (tmp != null) deleteTree(tmp);
        }
    }

    // ------------------------------------------------------------------ the load run

    /** One run of the virtual learners against {@code base}. */
    private final class Run {
        final String base;
        final ExecutorService httpThreads = Executors.newFixedThreadPool(4, daemon("load-http"));
        /*
         * Blocking sends on a bounded pool: on a 2-CPU machine the JDK 17 client's sendAsync completes every
         * response on a new thread (the CompletableFuture default executor is thread-per-task below 3 CPUs),
         * which cost the benchmark more CPU than the server it measures.
         */
        final ExecutorService senders = Executors.newFixedThreadPool(64, daemon("load-sender"));
        final ScheduledExecutorService timer = Executors.newScheduledThreadPool(1, daemon("load-timer"));
        final HttpClient http;
        final Samples statements;
        final Samples statics;
        final AtomicLong errors = new AtomicLong();
        final AtomicLong bytes = new AtomicLong();
        final AtomicLong responses = new AtomicLong();
        final AtomicInteger running = new AtomicInteger();
        final StringBuffer firstErrors = new StringBuffer();
        long measureFrom;
        long stopAt;
        volatile long cpuAtStart = -1;
        long cpuAtStop = -1;
        volatile long clientCpuAtStart = -1;
        long clientCpuAtStop = -1;

        final boolean inProcess;

        Run(String base, boolean inProcess) {
            this.base = base;
            this.inProcess = inProcess;
            this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(httpThreads)
                    .connectTimeout(Duration.ofSeconds(10)).build();
            long expected = (settings.learners() * settings.duration().toMillis()) / THINK_MS + 16;
            this.statements = new Samples((int) Math.min(expected * 2, 50_000_000));
            this.statics = new Samples((int) (settings.duration().toMillis() / STATIC_EVERY_MS * 2 + 16));
        }

        Run go() throws InterruptedException {
            Random seeds = new Random(42);
            List<Learner> all = new java.util.ArrayList<>();
            CountDownLatch opened = new CountDownLatch(settings.learners());
            for (int i = 0; i < settings.learners(); i++) {
                Learner l = new Learner(i, new Random(seeds.nextLong()));
                all.add(l);
                // spread the page loads over one think time, as a class arriving would
                timer.schedule(() -> l.open(opened), l.random.nextInt((int) THINK_MS), TimeUnit.MILLISECONDS);
            }
            // the clock starts once every learner has its page, so even a tiny run sends statements
            if (!opened.await(120, TimeUnit.SECONDS)) fail("some lesson pages had not loaded after 120 s");
            long now = System.nanoTime();
            measureFrom = now + settings.warmup().toNanos();
            stopAt = measureFrom + settings.duration().toNanos();
            timer.schedule(() -> {
                cpuAtStart = processCpuNanos();
                clientCpuAtStart = clientCpuNanos();
            }, measureFrom - now, TimeUnit.NANOSECONDS);
            for (Learner l : all) {
                if (l.cookie != null) {
                    running.incrementAndGet();
                    l.think();
                }
            }
            running.incrementAndGet();
            timer.schedule(this::probeStatic, STATIC_EVERY_MS, TimeUnit.MILLISECONDS);
            long limit = stopAt + TimeUnit.SECONDS.toNanos(30);
            while (running.get() > 0 && System.nanoTime() < limit) Thread.sleep(20);
            if (running.get() > 0) fail("the run did not finish: " + running.get() + " learners still waiting 30 s after the end");
            // after the last answer: the statements counted are those sent before the end, and their answers
            cpuAtStop = processCpuNanos();
            clientCpuAtStop = clientCpuNanos();
            timer.shutdownNow();
            senders.shutdownNow();
            httpThreads.shutdownNow();
            return this;
        }

        void print() {
            double seconds = settings.duration().toNanos() / 1e9;
            out.printf("statements: %d%n", statements.size());
            out.printf("statements per second: %.1f /s%n", statements.size() / seconds);
            out.println("statement round trip (the console form's htmx POST, send to last byte):");
            out.printf("p50: %.1f ms%n", statements.percentileMs(50));
            out.printf("p95: %.1f ms%n", statements.percentileMs(95));
            out.printf("p99: %.1f ms%n", statements.percentileMs(99));
            out.printf("max: %.1f ms%n", statements.maxMs());
            out.printf("errors: %d%n", errors.get());
            out.printf("bytes per response: %.0f B%n", responses.get() == 0 ? 0.0 : (double) bytes.get() / responses.get());
            out.printf("static p50: %.1f ms (GET %s, %d fetches)%n", statics.percentileMs(50), STATIC_FILE, statics.size());
            double s50 = statics.percentileMs(50);
            out.printf("ratio statement/static p50: %.1f%n", s50 == 0 ? 0.0 : statements.percentileMs(50) / s50);
            if (inProcess && cpuAtStart >= 0 && cpuAtStop > cpuAtStart && statements.size() > 0) {
                // both sides share this JVM: the learners' threads are counted apart; GC and JIT go to the server
                double all = (cpuAtStop - cpuAtStart) / 1e6 / statements.size();
                double learners = (clientCpuAtStop - clientCpuAtStart) / 1e6 / statements.size();
                out.printf("server CPU per statement: %.2f ms (static fetches, GC and JIT included)%n", all - learners);
                out.printf("learners' CPU per statement: %.2f ms%n", learners);
            }
            if (firstErrors.length() > 0) out.print("first errors:\n" + firstErrors);
        }

        /** Sends on a sender thread and hands the response (or the failure) to {@code done} there. */
        void call(HttpRequest req, java.util.function.BiConsumer<HttpResponse<byte[]>, Throwable> done) {
            senders.execute(() -> {
                HttpResponse<byte[]> resp = null;
                Throwable failure = null;
                try {
                    resp = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
                } catch (IOException | RuntimeException e) {
                    failure = e;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    failure = e;
                }
                done.accept(resp, failure);
            });
        }

        void fail(String what) {
            errors.incrementAndGet();
            if (firstErrors.length() < 2000) firstErrors.append("  ").append(what).append('\n');
        }

        void probeStatic() {
            if (System.nanoTime() >= stopAt) {
                running.decrementAndGet();
                return;
            }
            HttpRequest req = HttpRequest.newBuilder(URI.create(base + STATIC_FILE)).timeout(Duration.ofSeconds(30)).GET().build();
            long t0 = System.nanoTime();
            call(req, (resp, ex) -> {
                long t1 = System.nanoTime();
                if (ex != null || resp.statusCode() != 200) {
                    fail("GET " + STATIC_FILE + ": " + (ex != null ? ex : "HTTP " + resp.statusCode()));
                } else if (t0 >= measureFrom) {
                    statics.add(t1 - t0);
                }
                timer.schedule(this::probeStatic, STATIC_EVERY_MS, TimeUnit.MILLISECONDS);
            });
        }

        /** A virtual learner: one cookie, one lesson page, then statements in a loop until the run ends. */
        final class Learner {
            final int id;
            final Random random;
            volatile String cookie;
            int next;

            Learner(int id, Random random) {
                this.id = id;
                this.random = random;
                this.next = random.nextInt(STATEMENTS.size());
            }

            String page() { return base + "/labs/" + settings.lesson(); }

            void open(CountDownLatch opened) {
                HttpRequest req = HttpRequest.newBuilder(URI.create(page())).timeout(Duration.ofSeconds(60))
                        .header("Accept", "text/html").GET().build();
                call(req, (resp, ex) -> {
                    if (ex != null || resp.statusCode() != 200) {
                        fail("learner " + id + " GET " + page() + ": " + (ex != null ? ex : "HTTP " + resp.statusCode()));
                    } else {
                        cookie = resp.headers().allValues("Set-Cookie").stream().map(c -> c.split(";", 2)[0])
                                .filter(c -> c.startsWith("mdl_learner=")).findFirst().orElse(null);
                        if (cookie == null) fail("learner " + id + ": the lesson page set no mdl_learner cookie");
                    }
                    opened.countDown();
                });
            }

            void think() {
                long wait = THINK_MS / 2 + random.nextInt((int) THINK_MS + 1);
                if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(wait) >= stopAt) {
                    running.decrementAndGet();
                    return;
                }
                timer.schedule(this::send, wait, TimeUnit.MILLISECONDS);
            }

            /** The POST the console form makes: htmx's headers, the form fields, the browser's Origin. */
            void send() {
                String statement = STATEMENTS.get(next);
                next = (next + 1) % STATEMENTS.size();
                String body = "statement=" + java.net.URLEncoder.encode(statement, java.nio.charset.StandardCharsets.UTF_8)
                        + "&from=0&selected=-1";
                HttpRequest req = HttpRequest.newBuilder(URI.create(page() + "/exec")).timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .header("Cookie", cookie)
                        .header("HX-Request", "true")
                        .header("HX-Current-URL", page())
                        .header("HX-Trigger", "console-form")
                        .header("HX-Target", "console-form")
                        .header("Origin", base)
                        .header("Referer", page())
                        .header("Sec-Fetch-Site", "same-origin")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
                long t0 = System.nanoTime();
                call(req, (resp, ex) -> {
                    long t1 = System.nanoTime();
                    if (ex != null || resp.statusCode() != 200) {
                        fail("learner " + id + " " + statement + ": " + (ex != null ? ex : "HTTP " + resp.statusCode()));
                    } else if (t0 >= measureFrom) {
                        statements.add(t1 - t0);
                        bytes.addAndGet(resp.body().length);
                        responses.incrementAndGet();
                    }
                    think();
                });
            }
        }
    }

    /** Round-trip times in nanoseconds, added from many threads. */
    static final class Samples {
        private long[] values;
        private int n;

        Samples(int capacity) { values = new long[Math.max(16, capacity)]; }

        synchronized void add(long v) {
            if (n == values.length) values = java.util.Arrays.copyOf(values, n * 2);
            values[n++] = v;
        }

        synchronized int size() { return n; }

        /** Nearest-rank percentile in milliseconds (0 when empty). */
        synchronized double percentileMs(double p) {
            if (n == 0) return 0;
            long[] s = java.util.Arrays.copyOf(values, n);
            java.util.Arrays.sort(s);
            int rank = (int) Math.ceil(p / 100.0 * n);
            return s[Math.max(0, rank - 1)] / 1e6;
        }

        synchronized double maxMs() {
            long m = 0;
            for (int i = 0; i < n; i++) m = Math.max(m, values[i]);
            return m / 1e6;
        }
    }

    // ------------------------------------------------------------------ heap per live machine

    /**
     * Opens {@code count} new learners' machines of {@code lessonId} in the server's live cache and
     * returns the heap they added, in bytes per machine (used heap after full GCs, before and after).
     */
    static double heapPerMachine(LabService labs, String lessonId, int count) {
        Lesson lesson = labs.lesson(lessonId).orElseThrow(() -> new IllegalArgumentException("no lesson '" + lessonId + "'"));
        long before = usedAfterGc();
        Random r = new Random(7);
        byte[] id = new byte[16];
        for (int i = 0; i < count; i++) {
            r.nextBytes(id);
            labs.withLab(HexFormat.of().formatHex(id), lesson, lab -> null);
        }
        long after = usedAfterGc();
        if (labs.liveLabs() < count) throw new IllegalStateException("the live cache kept only " + labs.liveLabs() + " machines");
        return (double) (after - before) / count;
    }

    private static long processCpuNanos() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : -1;
    }

    /** CPU time of the virtual learners' threads (ours and the HTTP client's). */
    private static long clientCpuNanos() {
        var mx = ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("load-") || t.getName().startsWith("HttpClient-")) sum += Math.max(0, mx.getThreadCpuTime(t.getId()));
        }
        return sum;
    }

    private static long usedAfterGc() {
        var mem = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            used = Math.min(used, mem.getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    // ------------------------------------------------------------------ helpers

    static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Deletes a temporary folder and everything in it, quietly: a folder left behind is harmless. */
    public static void deleteTree(Path dir) {
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // a temp folder left behind is harmless
                }
            });
        } catch (IOException e) {
            // ditto
        }
    }
}

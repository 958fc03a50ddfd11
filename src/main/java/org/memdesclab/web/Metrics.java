package org.memdesclab.web;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.javalin.http.Context;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.lang.management.ThreadMXBean;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code GET /metrics} in the Prometheus text exposition format (version 0.0.4), written by hand: the
 * lab's own figures (live machines, learners online, statements, evictions), request latency as a
 * histogram, and JVM figures from the platform MXBeans. No per-path or per-learner labels, so the
 * number of series stays fixed however many learners come.
 */
final class Metrics {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    /** A learner counts as online when they made a request this recently. */
    static final Duration ONLINE = Duration.ofMinutes(5);
    /** Statements per second are averaged over this window. */
    static final int RATE_WINDOW_SECONDS = 60;
    /** Latency histogram bucket bounds, in seconds. */
    static final double[] BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    private final LabService labs;
    private final Clock clock;
    private final Cache<String, Boolean> online;
    private final LongAdder[] latencyBuckets = new LongAdder[BUCKETS.length];
    private final LongAdder latencyCount = new LongAdder();
    private final LongAdder latencyMicros = new LongAdder();
    // statements per second: one slot per second of the window, tagged with the second it counts
    private final AtomicLongArray slotSecond = new AtomicLongArray(RATE_WINDOW_SECONDS);
    private final AtomicLongArray slotCount = new AtomicLongArray(RATE_WINDOW_SECONDS);

    Metrics(LabService labs, Clock clock) {
        this.labs = labs;
        this.clock = clock;
        this.online = Caffeine.newBuilder().expireAfterWrite(ONLINE).executor(Runnable::run)
                .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis())).build();
        for (int i = 0; i < BUCKETS.length; i++) latencyBuckets[i] = new LongAdder();
        labs.onStatement(this::statement);
    }

    /** Javalin's request logger: every request's duration, and its learner as seen now. */
    void request(Context ctx, Float ms) {
        double seconds = ms == null ? 0 : ms / 1000.0;
        for (int i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]) latencyBuckets[i].increment();
        latencyCount.increment();
        latencyMicros.add(Math.round(seconds * 1e6));
        String learner = Learners.of(ctx);
        if (learner != null) online.put(learner, Boolean.TRUE);
    }

    private void statement() {
        long sec = clock.millis() / 1000;
        int i = (int) (sec % RATE_WINDOW_SECONDS);
        long was = slotSecond.get(i);
        if (was != sec && slotSecond.compareAndSet(i, was, sec)) slotCount.set(i, 0);
        slotCount.incrementAndGet(i);
    }

    /** Statements per second over the last {@link #RATE_WINDOW_SECONDS} seconds. */
    double statementsPerSecond() {
        long now = clock.millis() / 1000;
        long n = 0;
        for (int i = 0; i < RATE_WINDOW_SECONDS; i++) {
            if (now - slotSecond.get(i) < RATE_WINDOW_SECONDS) n += slotCount.get(i);
        }
        return (double) n / RATE_WINDOW_SECONDS;
    }

    long learnersOnline() {
        online.cleanUp();
        return online.estimatedSize();
    }

    void serve(Context ctx) {
        ctx.contentType(CONTENT_TYPE).result(render());
    }

    String render() {
        StringBuilder b = new StringBuilder(4096);
        gauge(b, "memdesc_live_machines", "Learners' machines in memory now.", labs.liveLabs());
        gauge(b, "memdesc_live_pages", "Simulated pages held by the machines in memory.", labs.livePages());
        gauge(b, "memdesc_learners_online", "Learners who made a request in the last 5 minutes.", learnersOnline());
        counter(b, "memdesc_statements_total", "Statements run by learners since start.", labs.statements());
        gauge(b, "memdesc_statements_per_second", "Statements per second, averaged over the last 60 seconds.", statementsPerSecond());
        LabService.Evictions e = labs.evictions();
        header(b, "memdesc_evictions_total", "Machines that left memory, by reason (their journals stay).", "counter");
        sample(b, "memdesc_evictions_total{reason=\"idle\"}", e.idle());
        sample(b, "memdesc_evictions_total{reason=\"pages\"}", e.pages());
        sample(b, "memdesc_evictions_total{reason=\"cap\"}", e.cap());
        counter(b, "memdesc_rebuilds_total", "Machines rebuilt from the journal (first use, after eviction, restart or stale).", e.rebuilds());
        counter(b, "memdesc_stale_rebuilds_total", "Machines rebuilt because another instance had moved the journal on.", e.stale());

        header(b, "memdesc_http_request_duration_seconds", "Time to answer an HTTP request.", "histogram");
        for (int i = 0; i < BUCKETS.length; i++) {
            sample(b, "memdesc_http_request_duration_seconds_bucket{le=\"" + num(BUCKETS[i]) + "\"}", latencyBuckets[i].sum());
        }
        long count = latencyCount.sum();
        sample(b, "memdesc_http_request_duration_seconds_bucket{le=\"+Inf\"}", count);
        sample(b, "memdesc_http_request_duration_seconds_sum", latencyMicros.sum() / 1e6);
        sample(b, "memdesc_http_request_duration_seconds_count", count);

        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        gauge(b, "jvm_memory_heap_used_bytes", "Heap in use (live objects and garbage not yet collected).", heap.getUsed());
        gauge(b, "jvm_memory_heap_committed_bytes", "Heap the JVM has from the OS.", heap.getCommitted());
        gauge(b, "jvm_memory_heap_max_bytes", "The heap limit (-Xmx), -1 when undefined.", heap.getMax());
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        gauge(b, "jvm_threads_live", "Live JVM threads.", threads.getThreadCount());
        gauge(b, "jvm_threads_peak", "Most live JVM threads since start.", threads.getPeakThreadCount());
        gauge(b, "jvm_classes_loaded", "Classes loaded now.", ManagementFactory.getClassLoadingMXBean().getLoadedClassCount());
        header(b, "jvm_gc_collections_total", "Garbage collections, per collector.", "counter");
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            sample(b, "jvm_gc_collections_total{gc=\"" + label(gc.getName()) + "\"}", Math.max(0, gc.getCollectionCount()));
        }
        header(b, "jvm_gc_collection_seconds_total", "Time spent in garbage collection, per collector.", "counter");
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            sample(b, "jvm_gc_collection_seconds_total{gc=\"" + label(gc.getName()) + "\"}", Math.max(0, gc.getCollectionTime()) / 1000.0);
        }
        gauge(b, "process_uptime_seconds", "Seconds since the JVM started.", ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0);
        return b.toString();
    }

    private static void gauge(StringBuilder b, String name, String help, double v) {
        header(b, name, help, "gauge");
        sample(b, name, v);
    }

    private static void counter(StringBuilder b, String name, String help, double v) {
        header(b, name, help, "counter");
        sample(b, name, v);
    }

    private static void header(StringBuilder b, String name, String help, String type) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void sample(StringBuilder b, String series, double v) {
        b.append(series).append(' ').append(num(v)).append('\n');
    }

    /** Integers without a fraction, others in plain decimal (Go's ParseFloat reads both). */
    private static String num(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return String.format(Locale.ROOT, "%s", v);
    }

    /** A label value with backslash, quote and newline escaped, as the format requires. */
    private static String label(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}

package org.memdesclab.cli;

import java.time.Duration;
import java.util.concurrent.Callable;
import org.memdesclab.bench.LoadBenchmark;
import org.memdesclab.bench.SimBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code bench sim} and {@code bench load}: print the simulator's and the web lab's figures for this machine. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measure the lab on this machine and print the figures. Targets: sim, load.", "",
                "load: virtual learners open a lesson and send statements (about one a second each) through the "
                        + "console form's htmx POST; prints statements per second, round-trip percentiles, errors, bytes per "
                        + "response, a static file's p50 in the same run, the heap per live machine and the start-up time."})
public final class BenchCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "TARGET", description = "What to measure: sim or load")
    String target;

    @Option(names = "--quick", description = "sim: shorter runs (less precise), for a smoke test.")
    boolean quick;

    @Option(names = "--learners", defaultValue = "200", paramLabel = "N", description = "load: virtual learners (default: ${DEFAULT-VALUE}).")
    int learners;

    @Option(names = "--duration", defaultValue = "60", paramLabel = "SECONDS", description = "load: how long they send statements (default: ${DEFAULT-VALUE}).")
    int duration;

    @Option(names = "--warmup", defaultValue = "15", paramLabel = "SECONDS",
            description = "load: seconds sent first and not counted (default: ${DEFAULT-VALUE}; at most a quarter of --duration).")
    int warmup;

    @Option(names = "--url", paramLabel = "URL", description = "load: a running server (http://host:port) instead of one started in this process.")
    String url;

    @Option(names = "--lesson", defaultValue = "memmap", paramLabel = "ID", description = "load: the lesson the learners open (default: ${DEFAULT-VALUE}).")
    String lesson;

    @Option(names = "--heap-learners", defaultValue = "1000", paramLabel = "N",
            description = "load: live machines created to measure the heap per machine (default: ${DEFAULT-VALUE}; 0 skips).")
    int heapLearners;

    @Option(names = "--no-startup", description = "load: do not time the start-up of a child serve process.")
    boolean noStartup;

    @Option(names = "--startup-runs", defaultValue = "3", paramLabel = "N",
            description = "load: child serve processes started and timed to their first answer; the median is printed "
                    + "(default: ${DEFAULT-VALUE}).")
    int startupRuns;

    @Override
    public Integer call() throws Exception {
        if ("sim".equals(target)) {
            new SimBenchmark(System.out, quick ? 0.02 : 1.0).run();
            return 0;
        }
        if (!"load".equals(target)) {
            System.err.println("bench: unknown target '" + target + "' (known: sim, load)");
            return 2;
        }
        LoadBenchmark.Settings s;
        try {
            if (url != null && !url.matches("https?://[^/\\s]+/?")) {
                throw new IllegalArgumentException("--url must look like http://host:port, not '" + url + "'");
            }
            if (duration > 24 * 3600) throw new IllegalArgumentException("--duration is at most one day (86400 s)");
            if (warmup < 0) throw new IllegalArgumentException("--warmup must not be negative");
            s = new LoadBenchmark.Settings(learners, Duration.ofSeconds(duration), Duration.ofSeconds(Math.min(warmup, duration / 4)),
                    url, lesson, heapLearners, noStartup ? 0 : startupRuns);
        } catch (IllegalArgumentException e) {
            System.err.println("bench load: " + e.getMessage());
            return 2;
        }
        try {
            long errors = new LoadBenchmark(System.out, s).run();
            return errors == 0 ? 0 : 1;
        } catch (IllegalArgumentException e) {
            System.err.println("bench load: " + e.getMessage()); // e.g. an unknown --lesson
            return 2;
        }
    }
}

package org.memdesclab.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Times {@code serve} in a new JVM from process start to the first 200 from {@code /healthz}, on a fresh
 * H2 folder; also reports the CPU the child used by then, which depends less on what else the machine runs.
 */
final class StartupTimer {
    /** Wall-clock seconds to the first answer, and the child's CPU seconds (all threads) by then, or -1 if unknown. */
    record Startup(double seconds, double cpuSeconds) {}

    private StartupTimer() {}

    /** The run with the median wall-clock time of {@code runs} starts (one start is too noisy to quote). */
    static Startup median(boolean withArchive, int runs) throws java.io.IOException {
        List<Startup> all = new ArrayList<>();
        for (int i = 0; i < runs; i++) all.add(toFirstAnswer(withArchive));
        all.sort(Comparator.comparingDouble(Startup::seconds));
        return all.get(all.size() / 2);
    }

    static Startup toFirstAnswer(boolean withArchive) throws java.io.IOException {
        Path data = Files.createTempDirectory("memdesc-startup");
        try {
            long t0 = System.nanoTime();
            ChildServer s = ChildServer.launch(withArchive, data);
            try {
                s.awaitHealthy(Duration.ofSeconds(120));
                double wall = (System.nanoTime() - t0) / 1e9;
                double cpu = s.process().info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(-1.0);
                return new Startup(wall, cpu);
            } finally {
                s.close();
            }
        } finally {
            LoadBenchmark.deleteTree(data);
        }
    }
}

package org.memdesclab.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Times {@code serve} in a new JVM from process start to the first 200 from {@code /healthz}, on a fresh
 * H2 folder; also reports the CPU the child used by then, which depends less on what else the machine runs.
 */
final class StartupTimer {
    /** Wall-clock seconds to the first answer, and the child's CPU seconds (all threads) by then, or -1 if unknown. */
    record Startup(double seconds, double cpuSeconds) {}

    private StartupTimer() {}

    static Startup toFirstAnswer() throws java.io.IOException {
        Path data = Files.createTempDirectory("memdesc-startup");
        try {
            long t0 = System.nanoTime();
            ChildServer s = ChildServer.launch(data);
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

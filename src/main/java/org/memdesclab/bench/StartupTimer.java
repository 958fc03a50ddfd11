package org.memdesclab.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Times {@code serve} in a new JVM from process start to the first 200 from {@code /healthz}, on a fresh H2 folder. */
final class StartupTimer {
    private StartupTimer() {}

    static double secondsToFirstAnswer() throws java.io.IOException {
        Path data = Files.createTempDirectory("memdesc-startup");
        try {
            long t0 = System.nanoTime();
            ChildServer s = ChildServer.launch(data);
            try {
                s.awaitHealthy(Duration.ofSeconds(60));
                return (System.nanoTime() - t0) / 1e9;
            } finally {
                s.close();
            }
        } finally {
            LoadBenchmark.deleteTree(data);
        }
    }
}

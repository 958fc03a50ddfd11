package org.memdesclab.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.memdesclab.cli.Main;

/**
 * {@code memdesc-lab serve} in a child JVM: the jar when this code runs from the jar, otherwise this
 * JVM's class path (tests). Used to time start-up and, in tests, to kill a real server process.
 */
public final class ChildServer implements AutoCloseable {
    private static final Pattern RUNNING = Pattern.compile("running on http://localhost:(\\d+)/");

    private final Process process;
    private final StringBuffer output = new StringBuffer();
    private volatile int port = -1;

    private ChildServer(Process process) {
        this.process = process;
        Thread reader = new Thread(this::readOutput, "child-server-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** The command that runs {@code memdesc-lab ARGS...} in a new JVM. */
    public static List<String> command(String... args) { return command(false, args); }

    /**
     * The command that runs {@code memdesc-lab ARGS...} in a new JVM, with the jar's class-data archive when
     * {@code withArchive} and {@link #archive()} finds one, as the README's run command does.
     */
    public static List<String> command(boolean withArchive, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        Path self = codeSource();
        if (self != null && self.toString().endsWith(".jar")) {
            Path jsa = archive();
            if (withArchive && jsa != null) cmd.add("-XX:SharedArchiveFile=" + jsa);
            cmd.add("-jar");
            cmd.add(self.toString());
        } else {
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add(Main.class.getName());
        }
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** The class-data-sharing archive the build writes beside the jar ({@code memdesc-lab.jsa}), or null if there is none. */
    public static Path archive() {
        Path self = codeSource();
        if (self == null || !self.toString().endsWith(".jar")) return null;
        String name = self.getFileName().toString();
        Path jsa = self.resolveSibling(name.substring(0, name.length() - ".jar".length()) + ".jsa");
        return java.nio.file.Files.isRegularFile(jsa) ? jsa : null;
    }

    private static Path codeSource() {
        try {
            return Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (Exception e) {
            return null;
        }
    }

    /** Starts {@code serve --port 0 --data DIR} (plus {@code extra}) without waiting for it. */
    public static ChildServer launch(Path data, String... extra) { return launch(false, data, extra); }

    /** Starts {@code serve --port 0 --data DIR} (plus {@code extra}), with the class-data archive if asked and present. */
    public static ChildServer launch(boolean withArchive, Path data, String... extra) {
        List<String> args = new ArrayList<>(List.of("serve", "--port", "0", "--data", data.toString()));
        args.addAll(List.of(extra));
        try {
            return new ChildServer(new ProcessBuilder(command(withArchive, args.toArray(String[]::new))).redirectErrorStream(true).start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts a server and waits until {@code /healthz} answers 200. */
    public static ChildServer start(Path data, Duration timeout) {
        ChildServer s = launch(data);
        try {
            s.awaitHealthy(timeout);
            return s;
        } catch (RuntimeException e) {
            s.kill();
            throw e;
        }
    }

    /** Waits until the server printed its port and {@code /healthz} answers 200. */
    public void awaitHealthy(Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        while (System.nanoTime() < end) {
            if (!process.isAlive() && port < 0) {
                throw new IllegalStateException("the server exited with status " + exitValue() + " before answering:\n" + output());
            }
            if (port > 0) {
                try {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base() + "/healthz"))
                            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 200) return;
                } catch (IOException e) {
                    // not listening yet
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            sleep(5);
        }
        throw new IllegalStateException("the server did not answer /healthz within " + timeout.toMillis() + " ms:\n" + output());
    }

    private void readOutput() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                output.append(line).append('\n');
                Matcher m = RUNNING.matcher(line);
                if (m.find() && port < 0) port = Integer.parseInt(m.group(1));
            }
        } catch (IOException e) {
            // the process died: what was read so far stays in output
        }
    }

    public int port() { return port; }

    public String base() { return "http://localhost:" + port; }

    public Process process() { return process; }

    /** Everything the server printed so far (standard output and error). */
    public String output() { return output.toString(); }

    /** Waits for the process to exit and returns its status, or -1 if it is still running after {@code timeout}. */
    public int waitFor(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private int exitValue() {
        return waitFor(Duration.ofSeconds(1));
    }

    /** SIGKILL on Linux: no shutdown hook runs, nothing is flushed. */
    public void kill() {
        process.destroyForcibly();
        waitFor(Duration.ofSeconds(30));
    }

    /** SIGTERM (the shutdown hook stops the server), then SIGKILL if it has not exited within 15 s. */
    @Override
    public void close() {
        process.destroy();
        if (waitFor(Duration.ofSeconds(15)) < 0 && process.isAlive()) kill();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

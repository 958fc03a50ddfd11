package org.memdesclab.cli;

import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.memdesclab.bench.LoadBenchmark;
import org.memdesclab.store.Database;
import org.memdesclab.web.App;
import org.memdesclab.web.LessonWiring;
import picocli.CommandLine.Command;

/**
 * {@code cds-train}: what {@code serve} does at start and on a learner's first requests, once, in this JVM.
 * The build runs it under {@code -XX:ArchiveClassesAtExit} so that the classes it loads go into a
 * class-data-sharing archive beside the jar; {@code serve} started with {@code -XX:SharedArchiveFile} then
 * maps them instead of reading, parsing and verifying some 7,000 classes from the jar (about a second).
 */
@Command(name = "cds-train", hidden = true,
        description = "Start the lab on a scratch database, answer a few requests and stop (the build's class-data archive).")
public final class CdsTrainCommand implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
        Path data = Files.createTempDirectory("memdesc-cds");
        HikariDataSource ds = Database.pool(Database.h2Url(data));
        App app = null;
        try {
            app = App.start(ds, 0, App.Options.of(LessonWiring.standard(null)));
            String base = "http://localhost:" + app.port();
            String cookie = get(base + "/healthz", null);
            cookie = get(base + "/", cookie);
            get(base + "/labs/memmap", cookie);
            post(base, "/api/v1/labs/memmap/exec", cookie, "{\"statement\": \"p = alloc_pages(GFP_KERNEL, 0)\"}");
            post(base, "/api/v1/labs/memmap/exec", cookie, "{\"statement\": \"cat /proc/buddyinfo\"}");
            System.out.println("cds-train: served the start-up path once");
            return 0;
        } finally {
            if (app != null) app.close();
            ds.close();
            LoadBenchmark.deleteTree(data);
        }
    }

    /** GETs a page and returns the learner cookie it set (or the one sent). */
    private static String get(String url, String cookie) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
        if (cookie != null) c.setRequestProperty("Cookie", cookie);
        String set = c.getHeaderField("Set-Cookie");
        expectOk(c, url);
        return set != null ? set.split(";", 2)[0] : cookie;
    }

    private static void post(String base, String path, String cookie, String json) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(base + path).toURL().openConnection();
        c.setRequestMethod("POST");
        c.setDoOutput(true);
        c.setRequestProperty("Content-Type", "application/json");
        c.setRequestProperty("Origin", base);
        if (cookie != null) c.setRequestProperty("Cookie", cookie);
        try (OutputStream out = c.getOutputStream()) {
            out.write(json.getBytes(StandardCharsets.UTF_8));
        }
        expectOk(c, path);
    }

    private static void expectOk(HttpURLConnection c, String what) throws IOException {
        int status = c.getResponseCode();
        try (InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream()) {
            if (in != null) in.readAllBytes();
        }
        // a changed route only makes the archive smaller, but the build should say so
        if (status != 200) throw new IOException(what + " answered " + status);
    }
}

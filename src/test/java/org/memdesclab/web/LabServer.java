package org.memdesclab.web;

import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.memdesclab.store.Database;

/** A real server on port 0 over a real H2 file, and HTTP clients that keep their learner cookie. */
final class LabServer implements AutoCloseable {
    final Path dir;
    final HikariDataSource ds;
    final App app;

    private LabServer(Path dir, LessonWiring lessons) { this(dir, App.Options.defaults().withLessons(lessons)); }

    private LabServer(Path dir, App.Options options) { this(dir, Database.h2Url(dir), options, Limits.defaults()); }

    private LabServer(Path dir, String jdbcUrl, App.Options options) { this(dir, jdbcUrl, options, Limits.defaults()); }

    private LabServer(Path dir, String jdbcUrl, App.Options options, Limits limits) {
        this.dir = dir;
        this.ds = Database.pool(jdbcUrl);
        this.app = App.start(ds, 0, options, limits);
    }

    /** A server with the test catalog and the given request limits. */
    static LabServer start(Path dir, Limits limits) {
        return new LabServer(dir, Database.h2Url(dir), App.Options.defaults().withLessons(LessonWiring.builtIn()), limits);
    }

    /** A server with the test catalog on any database (H2 or PostgreSQL) by JDBC URL. */
    static LabServer onDatabase(Path dir, String jdbcUrl, App.Options options) {
        return new LabServer(dir, jdbcUrl, options.withLessons(LessonWiring.builtIn()));
    }

    /** A server with the test catalog and the given limits on live machines. */
    static LabServer start(Path dir, App.Options options) { return new LabServer(dir, options.withLessons(LessonWiring.builtIn())); }

    /** A server with the small in-code test catalog (lesson "first-folio" and the sandbox). */
    static LabServer start(Path dir) { return new LabServer(dir, LessonWiring.builtIn()); }

    /** A server with the real lessons from the jar. */
    static LabServer withRealLessons(Path dir) { return new LabServer(dir, LessonWiring.standard(null)); }

    String base() { return "http://localhost:" + app.port(); }

    Client client() { return new Client(); }

    /** A client that carries an existing learner's cookie (the same learner coming back, e.g. to another instance). */
    Client client(String learner) {
        Client c = new Client();
        java.net.HttpCookie cookie = new java.net.HttpCookie(Learners.COOKIE, learner);
        cookie.setPath("/");
        c.cookies.getCookieStore().add(URI.create(base()), cookie);
        return c;
    }

    @Override
    public void close() {
        app.close();
        ds.close();
    }

    /** One browser-like learner: its own cookie jar. */
    final class Client {
        final CookieManager cookies = new CookieManager();
        final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).cookieHandler(cookies).followRedirects(HttpClient.Redirect.NORMAL).build();

        HttpResponse<String> get(String path) {
            return send(HttpRequest.newBuilder(URI.create(base() + path)).GET().build());
        }

        /** A form POST as htmx sends it (HX-Request: true). */
        HttpResponse<String> htmx(String path, String... kv) {
            return send(HttpRequest.newBuilder(URI.create(base() + path)).header("HX-Request", "true")
                    .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(encode(kv))).build());
        }

        HttpResponse<String> form(String path, String... kv) {
            return send(HttpRequest.newBuilder(URI.create(base() + path))
                    .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(encode(kv))).build());
        }

        HttpResponse<String> json(String path, String body) {
            return send(HttpRequest.newBuilder(URI.create(base() + path)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build());
        }

        /** Runs a statement through the JSON API. */
        HttpResponse<String> exec(String lesson, String statement) {
            return json("/api/v1/labs/" + lesson + "/exec", "{\"statement\": " + quote(statement) + "}");
        }

        String learner() {
            return cookies.getCookieStore().getCookies().stream().filter(c -> c.getName().equals(Learners.COOKIE)).findFirst()
                    .map(java.net.HttpCookie::getValue).orElse(null);
        }

        private HttpResponse<String> send(HttpRequest r) {
            try {
                return http.send(r, HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    static String encode(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
    }

    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}

package org.memdesclab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our stylesheets, scripts and the htmx webjar as ClasspathFiles serves them: types, caching, 304s, nothing else. */
class StaticFilesTest {
    @TempDir static Path dir;
    static LabServer server;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() { server = LabServer.start(dir); }

    @AfterAll
    static void stop() { server.close(); }

    static HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.base() + path));
        if (headers.length > 0) b.headers(headers);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void filesComeWithTheirTypeCachingAndTheJarsBytes() throws Exception {
        var css = get("/static/lab.css");
        assertEquals(200, css.statusCode());
        assertEquals("text/css; charset=utf-8", css.headers().firstValue("Content-Type").orElse(""));
        assertEquals("max-age=300", css.headers().firstValue("Cache-Control").orElse(""));
        assertTrue(css.body().contains("{"), "a stylesheet");
        var js = get("/webjars/htmx.org/" + App.htmxVersion() + "/dist/htmx.min.js");
        assertEquals(200, js.statusCode());
        assertTrue(js.headers().firstValue("Content-Type").orElse("").startsWith("text/javascript"));
        assertTrue(js.body().contains("htmx"), "the webjar's script");
        assertTrue(js.headers().firstValue("X-Content-Type-Options").isPresent(), "security headers apply to files too");
    }

    @Test
    void anUnchangedFileAnswers304ToItsETag() throws Exception {
        var first = get("/static/lab.js");
        String etag = first.headers().firstValue("ETag").orElseThrow();
        assertEquals(304, get("/static/lab.js", "If-None-Match", etag).statusCode());
        assertEquals(200, get("/static/lab.js", "If-None-Match", "\"something-else\"").statusCode());
        assertTrue(!etag.equals(get("/static/lab.css").headers().firstValue("ETag").orElse(etag)), "each file its own ETag");
    }

    @Test
    void onlyPlainNamesOfKnownTypesBelowTheFolderAreServed() throws Exception {
        for (String p : new String[] {"/static/nope.css", "/static/", "/static/.hidden.css", "/static/a%2f..%2fb.css",
                "/static/../pom.xml", "/static/lab.css/x.css", "/webjars/nope.js", "/static/content/index.yaml",
                "/webjars/../logback.xml", "/static/org/memdesclab/cli/Main.class"}) {
            int status = get(p).statusCode();
            assertTrue(status == 404 || status == 400, p + " answered " + status);
        }
    }
}

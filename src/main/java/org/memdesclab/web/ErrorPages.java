package org.memdesclab.web;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * 404s and failures answered in the form their reader expects: a page in the site's layout (header,
 * a link home, a clear message) for browsers, JSON {"error": ...} for the API, and htmx fragments left
 * as their handler wrote them (the page swaps them in). A failing handler's stack trace goes to the
 * server log, never to the client.
 */
final class ErrorPages {
    /** A handler answering 404 may put its own message for the page under this attribute. */
    static final String MESSAGE = "mdl.notFoundMessage";
    /** ... and a second link ({@code href|text}) next to "Back to the lessons". */
    static final String LINK = "mdl.notFoundLink";

    private static final Logger LOG = LoggerFactory.getLogger(ErrorPages.class);
    private static final Pattern LESSON = Pattern.compile("^/labs/([^/]+)/?$");

    private ErrorPages() {}

    static void register(RoutesConfig r, LabService labs) {
        r.error(404, "*", ctx -> notFound(ctx, labs));
        r.exception(Exception.class, ErrorPages::failed);
    }

    private static boolean api(Context ctx) { return ctx.path().startsWith("/api/"); }

    private static boolean htmx(Context ctx) { return "true".equals(ctx.header("HX-Request")); }

    private static void notFound(Context ctx, LabService labs) {
        if (htmx(ctx)) return; // a fragment for the page that asked: keep the handler's own words
        if (api(ctx)) {
            String type = ctx.res().getContentType();
            if (type == null || !type.startsWith("application/json")) { // Jetty's or Javalin's plain "not found"
                ctx.json(Map.of("error", "no API route " + ctx.method() + " " + ctx.path() + "; see README \"The lab in the browser\""));
            }
            return;
        }
        String body = ctx.result();
        // a page already in the site's layout (the join and resume forms answer 404 with the form and why) stays
        if (body != null && body.contains("<header class=\"topbar\"")) return;
        String message = ctx.attribute(MESSAGE);
        if (message == null) {
            String path = decoded(ctx.path());
            Matcher m = LESSON.matcher(path);
            message = m.matches() && labs.lesson(m.group(1)).isEmpty()
                    ? "There is no lesson \u201c" + m.group(1) + "\u201d. The lessons are listed on the home page."
                    : "There is no page at " + path + ".";
        }
        String link = ctx.attribute(LINK);
        page(ctx, 404, "Page not found", message, null, link);
    }

    /** The path as typed (the template escapes it); a malformed escape leaves it as it came. */
    private static String decoded(String path) {
        try {
            return java.net.URLDecoder.decode(path.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return path;
        }
    }

    private static void failed(Exception e, Context ctx) {
        if (e instanceof HttpResponseException h) { // Javalin's own refusals (bad request and the like): their status and words
            if (api(ctx)) ctx.status(h.getStatus()).json(Map.of("error", h.getMessage()));
            else page(ctx, h.getStatus(), "Request refused", h.getMessage(), null, null);
            return;
        }
        LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
        String message = "The server failed while answering this request. What you did before it is saved; try again, "
                + "and tell your instructor or the server's operator if it keeps happening.";
        if (api(ctx)) ctx.status(500).json(Map.of("error", message));
        else page(ctx, 500, "Something went wrong", message, "The details are in the server's log.", null);
    }

    /** A page in the site's layout with {@code status}; {@code link} is null or {@code href|text} for a second button. */
    static void page(Context ctx, int status, String title, String message, String detail, String link) {
        Map<String, Object> m = new HashMap<>();
        m.put("title", title);
        m.put("message", message);
        m.put("detail", detail);
        m.put("status", status);
        int bar = link == null ? -1 : link.indexOf('|');
        m.put("otherHref", bar < 0 ? null : link.substring(0, bar));
        m.put("otherText", bar < 0 ? null : link.substring(bar + 1));
        ctx.status(status);
        try {
            ctx.render("error", m);
        } catch (RuntimeException renderFailed) { // the page itself failed: a plain answer, still no stack trace
            LOG.error("the error page failed", renderFailed);
            ctx.contentType("text/plain; charset=utf-8").result(title + ": " + message);
        }
    }
}

package org.memdesclab.web;

import io.javalin.http.Context;
import java.util.Map;

/**
 * A request refused before it reached the lab (too big, too fast, cross-site), answered in the form its
 * sender reads: JSON for the API, an out-of-band console note for htmx (the page's htmx-config swaps
 * 403, 413 and 429 answers), a small page otherwise. The learner's lab is not touched.
 */
final class Refusal {
    private Refusal() {}

    static void refuse(Context ctx, int status, String message) {
        ctx.status(status);
        if (ctx.path().startsWith("/api/")) {
            ctx.json(Map.of("error", message));
        } else if ("true".equals(ctx.header("HX-Request"))) {
            String m = escape(message);
            ctx.html("<div hx-swap-oob=\"beforeend:#console-log\"><div class=\"entry note err\"><div class=\"echo\"><span>"
                    + m + "</span></div></div></div>\n<div hx-swap-oob=\"innerHTML:#live-summary\"><span>" + m + "</span></div>\n");
        } else {
            ctx.html("<!doctype html><html lang=en><meta charset=utf-8><title>Refused · Memdesc Lab</title>"
                    + "<link rel=\"stylesheet\" href=\"/static/lab.css\"><main class=\"home\"><h1>Refused</h1><p role=\"alert\">"
                    + escape(message) + "</p><p><a href=\"/\">Back to the lessons</a></p></main></html>");
        }
        ctx.skipRemainingHandlers();
    }

    /** Escapes text for HTML element content and quoted attributes. */
    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}

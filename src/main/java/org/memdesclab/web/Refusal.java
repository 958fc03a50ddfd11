package org.memdesclab.web;

import io.javalin.http.Context;
import java.util.Map;

/**
 * A request refused before it reached the lab (too big, too fast, cross-site), answered in the form its
 * sender reads: JSON for the API, an out-of-band console note for htmx (the page's htmx-config swaps
 * 403, 413 and 429 answers), a page in the site's layout otherwise. The learner's lab is not touched.
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
            ErrorPages.page(ctx, status, "Refused", message, null, null); // the site's layout, like 404 and 500
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

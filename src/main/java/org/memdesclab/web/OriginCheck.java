package org.memdesclab.web;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.net.URI;
import java.util.Locale;

/**
 * Refuses cross-site requests that change anything (every POST, PUT, PATCH, DELETE). A browser says
 * where a request comes from: Sec-Fetch-Site (modern browsers) and Origin (every browser on a POST).
 * A request must be same-origin by both when they are present; a request with neither comes from a
 * script or curl, which cannot carry a victim's cookie, and is let through. Behind a reverse proxy the
 * proxy must pass the Host header on (or set X-Forwarded-Host).
 */
final class OriginCheck {
    private OriginCheck() {}

    static void check(Context ctx) {
        HandlerType m = ctx.method();
        if (m != HandlerType.POST && m != HandlerType.PUT && m != HandlerType.PATCH && m != HandlerType.DELETE) return;
        String reason = reason(ctx.header("Sec-Fetch-Site"), ctx.header("Origin"), host(ctx));
        if (reason != null) Refusal.refuse(ctx, 403, "Cross-site request refused: " + reason + ". Use the lab's own pages.");
    }

    /** Why the request is cross-site, or null if it is not. */
    static String reason(String fetchSite, String origin, String host) {
        if (fetchSite != null) {
            String s = fetchSite.trim().toLowerCase(Locale.ROOT);
            if (!s.equals("same-origin") && !s.equals("none")) return "the browser says it came from another site (Sec-Fetch-Site: " + s + ")";
        }
        if (origin == null) return null;
        String o = origin.trim();
        if (o.equals("null")) return "it comes from a page with no origin";
        try {
            URI u = URI.create(o);
            String authority = u.getRawAuthority();
            if (authority == null || host == null || !authority.equalsIgnoreCase(host.trim())) {
                return "it comes from " + o + ", not from this server";
            }
            return null;
        } catch (IllegalArgumentException e) {
            return "its Origin header is not a URL";
        }
    }

    private static String host(Context ctx) {
        String fwd = ctx.header("X-Forwarded-Host");
        return fwd != null ? fwd.split(",")[0] : ctx.header("Host");
    }
}

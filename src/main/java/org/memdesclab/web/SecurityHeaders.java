package org.memdesclab.web;

import io.javalin.http.Context;

/**
 * Headers on every answer the lab gives. The Content-Security-Policy lets a page run only our own
 * scripts and load only our own stylesheets: no inline script, no {@code <style>} element, no other
 * origin, no framing, and no {@code style} attributes either: sizes the server computes (block
 * positions, bar widths, trace depth) travel in data-* attributes that lab.js sets through the CSSOM.
 */
final class SecurityHeaders {
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
            + "base-uri 'none'";

    private SecurityHeaders() {}

    static void apply(Context ctx) {
        ctx.header("Content-Security-Policy", CSP);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("Referrer-Policy", "same-origin");
        ctx.header("Cross-Origin-Opener-Policy", "same-origin");
        ctx.header("Cross-Origin-Resource-Policy", "same-origin");
    }
}

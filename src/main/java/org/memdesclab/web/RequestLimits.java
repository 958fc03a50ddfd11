package org.memdesclab.web;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.function.LongSupplier;

/**
 * Before-handlers for {@link Limits}: a body too big gets 413 before anything reads it, and a learner
 * sending faster than the allowance gets 429 with the seconds to wait. Both messages reach the console
 * (htmx) or the API caller ({@link Refusal}), and the lab is not touched.
 */
final class RequestLimits {
    private final Limits limits;
    private final RateLimiter rate;

    RequestLimits(Limits limits, LongSupplier nanos) {
        this.limits = limits;
        this.rate = new RateLimiter(limits.statementsPerSecond(), limits.statementBurst(), nanos);
    }

    /** Refuses a declared body over the limit (a chunked one is stopped by Javalin's maxRequestSize as it is read). */
    void body(Context ctx) {
        long n = ctx.req().getContentLengthLong();
        if (n > limits.maxBodyBytes()) {
            if (n <= DRAIN_MAX) drain(ctx);
            tooLarge(ctx, n);
        }
    }

    /** Bodies up to this size are read and thrown away before the 413, so the client surely gets the answer. */
    static final long DRAIN_MAX = 16L << 20;

    /**
     * Reads the refused body to its end: a server that answers and closes with unread bytes makes the
     * kernel reset the connection, and the client may lose the 413 that was already sent.
     */
    private static void drain(Context ctx) {
        try (java.io.InputStream in = ctx.req().getInputStream()) {
            byte[] buf = new byte[16384];
            long left = DRAIN_MAX;
            int r;
            while (left > 0 && (r = in.read(buf, 0, (int) Math.min(buf.length, left))) > 0) left -= r;
        } catch (java.io.IOException e) {
            // the client went away: nothing to answer
        }
    }

    /**
     * The 413 for a chunked body that passed the limit while it was read: the rest is drained first (up
     * to {@link #DRAIN_MAX}) for the same reason as a declared one, or the client may see a reset instead.
     */
    void tooLargeWhileRead(Context ctx) {
        drain(ctx);
        tooLarge(ctx, -1);
    }

    /** The 413 answer; {@code n} is the declared size, or -1 for a chunked body stopped while read. */
    void tooLarge(Context ctx, long n) {
        Refusal.refuse(ctx, 413, "The request is too large: " + (n < 0 ? "more than " + limits.maxBodyBytes() + " bytes" : n + " bytes")
                + ", and the lab accepts at most " + limits.maxBodyBytes() + " (a statement is at most " + ApiRoutes.MAX_STATEMENT
                + " characters, " + LabRoutes.MAX_LINES_PER_POST + " at a time). Nothing was run.");
    }

    /** Takes from the learner's allowance: one per POST, one per line for the console's form. */
    void rate(Context ctx) {
        if (ctx.method() != HandlerType.POST) return;
        String learner = Learners.of(ctx);
        if (learner == null) return;
        int cost = 1;
        if (ctx.path().endsWith("/exec") && !ctx.path().startsWith("/api/")) {
            String text = ctx.formParam("statement");
            if (text != null) cost = Math.max(1, (int) text.lines().filter(l -> !l.isBlank()).count());
        }
        long wait = rate.take(learner, cost);
        if (wait > 0) {
            Refusal.refuse(ctx, 429, "Too many statements: at most " + fmt(limits.statementsPerSecond()) + " a second (" + limits.statementBurst()
                    + " at once). Nothing was run; try again in " + wait + (wait == 1 ? " second." : " seconds."));
            ctx.header("Retry-After", Long.toString(wait));
        }
    }

    private static String fmt(double d) { return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d); }
}

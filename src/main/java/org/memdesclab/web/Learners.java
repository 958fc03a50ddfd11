package org.memdesclab.web;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.SameSite;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;
import org.memdesclab.store.Store;

/**
 * Who is asking: a random 128-bit id in an HttpOnly, SameSite=Lax cookie, created (and stored) on the
 * first visit. No login: the id is the learner.
 */
public final class Learners {
    public static final String COOKIE = "mdl_learner";
    private static final Pattern ID = Pattern.compile("[0-9a-f]{32}");
    private static final String ATTR = "learner";
    private final Store store;
    private final SecureRandom random = new SecureRandom();
    private final Cache<String, Boolean> known = Caffeine.newBuilder().maximumSize(100_000).build();

    public Learners(Store store) { this.store = store; }

    /** Before-handler: finds or creates the learner and remembers it on the request. */
    public void identify(Context ctx) {
        String id = ctx.cookie(COOKIE);
        if (id == null || !ID.matcher(id).matches() || !exists(id)) {
            byte[] b = new byte[16];
            random.nextBytes(b);
            id = HexFormat.of().formatHex(b);
            store.createLearner(id);
            known.put(id, Boolean.TRUE);
            Cookie c = new Cookie(COOKIE, id);
            c.setHttpOnly(true);
            c.setSameSite(SameSite.LAX);
            c.setPath("/");
            c.setMaxAge(60 * 60 * 24 * 400);
            ctx.cookie(c);
        }
        ctx.attribute(ATTR, id);
    }

    private boolean exists(String id) {
        if (known.getIfPresent(id) != null) return true;
        boolean e = store.learnerExists(id);
        if (e) known.put(id, Boolean.TRUE);
        return e;
    }

    public static String of(Context ctx) { return ctx.attribute(ATTR); }
}

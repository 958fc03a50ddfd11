package org.memdesclab.web;

import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.SameSite;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import org.memdesclab.store.ClassroomStore;
import org.memdesclab.store.ClassroomStore.Instructor;

/**
 * Instructor accounts: the first administrator (through a one-time setup token printed by
 * {@code serve}, or a password file), adding instructors, rate-limited login, and sessions in an
 * HttpOnly, SameSite=Lax cookie whose token is stored only as a SHA-256 hash.
 */
final class Accounts {
    static final String COOKIE = "mdl_instructor";
    static final Duration SESSION = Duration.ofHours(12);
    static final int ACCOUNT_LIMIT = 5;
    static final int ADDRESS_LIMIT = 20;
    static final Duration WINDOW = Duration.ofMinutes(15);
    private static final Pattern USERNAME = Pattern.compile("[a-z0-9][a-z0-9._-]{1,63}");
    private static final String ATTR = "instructor";

    private final ClassroomStore store;
    private final SecureRandom random = new SecureRandom();
    private final LoginLimiter perAccount;
    private final LoginLimiter perAddress;
    private volatile String setupToken;

    Accounts(ClassroomStore store, java.time.Clock clock) {
        this.store = store;
        this.perAccount = new LoginLimiter(ACCOUNT_LIMIT, WINDOW, clock);
        this.perAddress = new LoginLimiter(ADDRESS_LIMIT, WINDOW, clock);
        if (store.instructorCount() == 0) setupToken = token();
    }

    /** The one-time setup path while no instructor exists, else null. */
    String setupPath() {
        String t = setupToken;
        return t == null ? null : "/setup?token=" + t;
    }

    /** A failure the user can act on; its message is shown as it is. */
    static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;

        Refused(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    static String normaliseUsername(String u) {
        String n = u == null ? "" : u.strip().toLowerCase(Locale.ROOT);
        if (!USERNAME.matcher(n).matches()) {
            throw new Refused(400, "a username has 2 to 64 characters: lower-case letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        return n;
    }

    /** Creates the first administrator with the setup token; the token then stops working. */
    synchronized void setup(String token, String username, String password) {
        String t = setupToken;
        if (t == null || token == null || !MessageDigest.isEqual(t.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8))) {
            throw new Refused(403, "this setup link is not valid (it works once, until the first administrator exists)");
        }
        createFirstAdmin(username, password);
    }

    /** Creates the first administrator (setup link or --admin-password-file); refused once any instructor exists. */
    synchronized void createFirstAdmin(String username, String password) {
        if (store.instructorCount() > 0) {
            setupToken = null;
            throw new Refused(409, "an administrator exists already");
        }
        add(username, password, true);
        setupToken = null;
    }

    /** Adds an instructor (or administrator); the username must be new. */
    void add(String username, String password, boolean admin) {
        String u = normaliseUsername(username);
        String p = Passwords.problem(password);
        if (p != null) throw new Refused(400, p);
        if (store.instructor(u).isPresent()) throw new Refused(409, "there is already an instructor called " + u);
        store.createInstructor(u, Passwords.hash(password), admin);
    }

    /** Checks the password and opens a session; refused with a clear message after too many failures. */
    void login(Context ctx, String username, String password) {
        String u = username == null ? "" : username.strip().toLowerCase(Locale.ROOT);
        String address = "ip:" + ctx.ip();
        String account = "user:" + u;
        Duration wa = perAccount.wait(account);
        Duration wi = perAddress.wait(address);
        if (!wa.isZero() || !wi.isZero()) {
            String who = !wa.isZero() ? "this account" : "your address";
            throw new Refused(429, "Too many failed logins for " + who + ". Try again in "
                    + LoginLimiter.minutes(wa.compareTo(wi) > 0 ? wa : wi) + ".");
        }
        Optional<Instructor> i = store.instructor(u);
        boolean ok = Passwords.verify(password == null ? "" : password, i.map(Instructor::passwordHash).orElse(null));
        if (!ok) {
            perAccount.fail(account);
            perAddress.fail(address);
            throw new Refused(401, "Wrong username or password.");
        }
        perAccount.succeed(account);
        String token = token();
        store.createSession(sha256(token), u, store.now().plus(SESSION));
        Cookie c = new Cookie(COOKIE, token);
        c.setHttpOnly(true);
        c.setSameSite(SameSite.LAX);
        c.setPath("/");
        c.setMaxAge((int) SESSION.toSeconds());
        ctx.cookie(c);
    }

    void logout(Context ctx) {
        String t = ctx.cookie(COOKIE);
        if (t != null) store.deleteSession(sha256(t));
        Cookie c = new Cookie(COOKIE, "");
        c.setHttpOnly(true);
        c.setSameSite(SameSite.LAX);
        c.setPath("/");
        c.setMaxAge(0);
        ctx.cookie(c);
    }

    /** The instructor of this request's session, if any (cached on the request). */
    Optional<Instructor> current(Context ctx) {
        Instructor cached = ctx.attribute(ATTR);
        if (cached != null) return Optional.of(cached);
        String t = ctx.cookie(COOKIE);
        if (t == null || t.length() != 43) return Optional.empty();
        Optional<Instructor> i = store.sessionUser(sha256(t)).flatMap(store::instructor);
        i.ifPresent(x -> ctx.attribute(ATTR, x));
        return i;
    }

    private String token() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

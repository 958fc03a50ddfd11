package org.memdesclab.web;

import io.javalin.Javalin;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Properties;
import javax.sql.DataSource;
import org.memdesclab.store.Database;
import org.memdesclab.store.Store;

/**
 * Wires the lab: database, store, live machines, routes. Tests start it on port 0 with their own
 * DataSource; {@code serve} starts it on 7070.
 */
public final class App implements AutoCloseable {
    /** Knobs with defaults that suit a laptop or a classroom. */
    /**
     * @param maxLivePages live machines are bounded by their simulated pages: 8 Mi pages is 512 MiB of
     *                     struct pages (thousands of 64-page lesson machines, or eight 1 Mi-page sandboxes)
     * @param idle         a machine unused this long leaves memory (default 10 minutes; its journal stays)
     * @param maxMachines  at most this many live machines; the least recently used leaves first
     */
    public record Options(LessonWiring lessons, long maxLivePages, Duration idle, Clock clock, int maxMachines) {
        public static Options defaults() { return of(LessonWiring.standard(null)); }

        /** The defaults with these lessons (reading the jar's lessons only when they are the ones wanted). */
        public static Options of(LessonWiring lessons) {
            return new Options(lessons, 8L << 20, Duration.ofMinutes(10), Clock.systemUTC(), 5_000);
        }

        public Options withLessons(LessonWiring l) { return new Options(l, maxLivePages, idle, clock, maxMachines); }

        public Options withLimits(long pages, Duration idleTime) { return new Options(lessons, pages, idleTime, clock, maxMachines); }

        public Options withMaxMachines(int n) { return new Options(lessons, maxLivePages, idle, clock, n); }

        public Options withClock(Clock c) { return new Options(lessons, maxLivePages, idle, c, maxMachines); }
    }

    private final Javalin javalin;
    private final LabService labs;
    private Classroom classroom;

    private App(Javalin javalin, LabService labs) {
        this.javalin = javalin;
        this.labs = labs;
    }

    /** Migrates the database and builds the (not yet started) app. */
    public static App create(DataSource ds, Options options) { return create(ds, options, Limits.defaults()); }

    /** As {@link #create(DataSource, Options)}, with other request limits (tests use a tiny statement allowance). */
    public static App create(DataSource ds, Options options, Limits limits) {
        Database.migrate(ds);
        Store store = new Store(ds, options.clock());
        LabService labs = new LabService(store, options.lessons(), options.maxLivePages(), options.maxMachines(), options.idle(),
                options.clock());
        Learners learners = new Learners(store);
        String htmx = "/webjars/htmx.org/" + htmxVersion() + "/dist/htmx.min.js";
        LabRoutes lab = new LabRoutes(labs, htmx);
        ApiRoutes api = new ApiRoutes(labs);
        Metrics metrics = new Metrics(labs, options.clock());
        Classroom classroom = new Classroom(ds, options.clock(), labs, htmx);
        RequestLimits guard = new RequestLimits(limits, System::nanoTime);
        Javalin j = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.http.maxRequestSize = limits.maxBodyBytes(); // a chunked body over the limit: 413 as it is read
            config.fileRenderer(new ThymeleafRenderer(ThymeleafRenderer.engine()));
            // our own small handler instead of config.staticFiles (see ClasspathFiles)
            ClasspathFiles ours = new ClasspathFiles("/static", "static", "max-age=300");
            ClasspathFiles webjars = new ClasspathFiles("/webjars", "META-INF/resources/webjars", "max-age=31536000");
            config.routes.get("/static/*", ours::serve);
            config.routes.head("/static/*", ours::serve);
            config.routes.get("/webjars/*", webjars::serve);
            config.routes.head("/webjars/*", webjars::serve);
            config.routes.get("/healthz", ctx -> ctx.result("ok"));
            config.routes.get("/metrics", metrics::serve);
            config.requestLogger.http(metrics::request);
            // limits and security (README "Limits and security"): headers on every answer, then cross-site
            // and oversized requests refused before a learner is looked up or created
            config.routes.before(SecurityHeaders::apply);
            config.routes.before(OriginCheck::check);
            config.routes.before(guard::body);
            config.routes.exception(io.javalin.http.ContentTooLargeResponse.class, (e, ctx) -> guard.tooLargeWhileRead(ctx));
            config.routes.before("/", learners::identify);
            config.routes.before("/sandbox", learners::identify);
            config.routes.before("/labs/*", learners::identify);
            config.routes.before("/api/*", learners::identify);
            config.routes.before("/sandbox", guard::rate);
            config.routes.before("/labs/*", guard::rate);
            config.routes.before("/api/*", guard::rate);
            lab.register(config.routes);
            api.register(config.routes);
            config.routes.before("/resume", learners::identify);
            config.routes.before("/join", learners::identify);
            config.routes.before("/courses/*", learners::identify);
            classroom.register(config.routes);
            ErrorPages.register(config.routes, labs); // styled 404 and 500 pages; the API's stay JSON
        });
        App app = new App(j, labs);
        app.classroom = classroom;
        return app;
    }

    public static App start(DataSource ds, int port) { return start(ds, port, Options.defaults()); }

    public static App start(DataSource ds, int port, Options options) { return start(ds, port, options, Limits.defaults()); }

    public static App start(DataSource ds, int port, Options options, Limits limits) {
        App app = create(ds, options, limits);
        app.javalin.start(port);
        return app;
    }

    public int port() { return javalin.port(); }

    public Javalin javalin() { return javalin; }

    public LabService labs() { return labs; }

    /** Courses, instructors and the dashboard (set once by {@link #create}). */
    public Classroom classroom() { return classroom; }

    @Override
    public void close() { javalin.stop(); }

    /** The htmx version, read from the webjar so an upgrade of the dependency needs no code change. */
    public static String htmxVersion() {
        try (InputStream in = App.class.getResourceAsStream("/META-INF/maven/org.webjars.npm/htmx.org/pom.properties")) {
            if (in == null) throw new IllegalStateException("the htmx webjar is missing from the classpath");
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

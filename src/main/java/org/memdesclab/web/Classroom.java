package org.memdesclab.web;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.SameSite;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.memdesclab.lesson.Lesson;
import org.memdesclab.lesson.Step;
import org.memdesclab.store.ClassroomStore;
import org.memdesclab.store.ClassroomStore.Course;
import org.memdesclab.store.ClassroomStore.Instructor;
import org.memdesclab.store.ClassroomStore.Member;
import org.memdesclab.store.JournalEntry;
import org.memdesclab.store.StepProgress;

/**
 * The classroom: resume codes and joining courses (learners), the first administrator, instructor
 * login, courses, the live dashboard, reading a learner's console, resetting a lesson, "follow me" and
 * the CSV export. Instructor pages live under /teach and need an instructor session; an instructor sees
 * only the courses they teach (administrators see all). Learners are named in instructor pages by their
 * member number, never by their id (which is their cookie).
 */
public final class Classroom {
    static final int MAX_FOLLOW_STATEMENTS = 200;
    static final int RESUME_LIMIT = 20;

    private final ClassroomStore store;
    private final LabService labs;
    private final Accounts accounts;
    private final String htmxSrc;
    private final Clock clock;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Classroom.class);
    private final Map<String, Instant> presence = new ConcurrentHashMap<>();
    /** When this instance last wrote each learner's last_seen. */
    private final Map<String, Instant> seenWritten = new ConcurrentHashMap<>();
    private final LoginLimiter resumeLimiter;

    Classroom(DataSource ds, Clock clock, LabService labs, String htmxSrc) {
        this.store = new ClassroomStore(ds, clock);
        this.labs = labs;
        this.clock = clock;
        this.htmxSrc = htmxSrc;
        this.accounts = new Accounts(store, clock);
        this.resumeLimiter = new LoginLimiter(RESUME_LIMIT, Accounts.WINDOW, clock);
    }

    /** The one-time link path that creates the first administrator, while there is none; else null. */
    public String setupPath() { return accounts.setupPath(); }

    /**
     * Creates the first administrator ({@code serve --admin-password-file}).
     *
     * @throws IllegalArgumentException with a message for the operator if refused
     */
    public void createFirstAdmin(String username, String password) {
        try {
            accounts.createFirstAdmin(username, password);
        } catch (Accounts.Refused e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    /** True once any instructor account exists. */
    public boolean hasInstructors() { return store.instructorCount() > 0; }

    void register(RoutesConfig r) {
        r.before("/labs/*", this::seen);
        r.before("/api/*", this::seen);
        r.before("/", this::homeExtras);
        r.get("/resume", this::resumePage);
        r.post("/resume", this::resume);
        r.get("/join", this::joinPage);
        r.post("/join", this::join);
        r.get("/courses/{course}", this::learnerCourse);
        r.get("/setup", this::setupPage);
        r.post("/setup", this::setup);
        r.get("/login", this::loginPage);
        r.post("/login", this::login);
        r.post("/logout", this::logout);
        r.get("/teach", this::teach);
        r.post("/teach/instructors", this::addInstructor);
        r.post("/teach/courses", this::createCourse);
        r.get("/teach/courses/{course}", this::dashboard);
        r.get("/teach/courses/{course}/grid", this::grid);
        r.post("/teach/courses/{course}/settings", this::editCourse);
        r.get("/teach/courses/{course}/export.csv", this::export);
        r.post("/teach/courses/{course}/follow", this::follow);
        r.get("/teach/courses/{course}/members/{no}/labs/{lesson}", this::history);
        r.post("/teach/courses/{course}/members/{no}/labs/{lesson}/reset", this::resetLesson);
    }

    // ------------------------------------------------------------------ learners

    /** How often one instance writes a learner's last_seen: often enough for "online" (2 minutes). */
    static final Duration SEEN_WRITE_EVERY = Duration.ofSeconds(30);

    private void seen(Context ctx) {
        String l = Learners.of(ctx);
        if (l == null) return;
        Instant now = clock.instant();
        presence.put(l, now);
        Instant written = seenWritten.get(l);
        if (written != null && Duration.between(written, now).compareTo(SEEN_WRITE_EVERY) < 0) return;
        seenWritten.put(l, now);
        try {
            store.markSeen(l, now); // so other instances on the same database see the learner online
        } catch (RuntimeException e) {
            // presence is a hint for instructors: a failed write must not fail the learner's request
            LOG.warn("could not record that a learner was seen: {}", e.toString());
        }
    }

    /** The resume code and courses for the home page (LabRoutes puts attribute "me" into its model). */
    private void homeExtras(Context ctx) {
        String learner = Learners.of(ctx);
        if (learner == null || !ctx.method().name().equals("GET")) return;
        seen(ctx);
        Map<String, Object> me = new HashMap<>();
        me.put("resumeCode", Codes.pretty(resumeCode(learner)));
        me.put("courses", store.memberships(learner));
        ctx.attribute("me", me);
    }

    /** The learner's resume code, given out on first use. */
    String resumeCode(String learner) {
        Optional<String> c = store.resumeCode(learner);
        for (int i = 0; c.isEmpty() && i < 20; i++) {
            String code = Codes.random(Codes.RESUME_LENGTH);
            if (store.setResumeCode(learner, code)) return code;
            c = store.resumeCode(learner); // another request may have given one meanwhile
        }
        return c.orElseThrow(() -> new IllegalStateException("could not find a free resume code"));
    }

    private Map<String, Object> model() {
        Map<String, Object> m = new HashMap<>();
        m.put("htmxSrc", htmxSrc);
        return m;
    }

    private void resumePage(Context ctx) { renderResume(ctx, 200, null); }

    private void renderResume(Context ctx, int status, String error) {
        Map<String, Object> m = model();
        m.put("current", Codes.pretty(resumeCode(Learners.of(ctx))));
        m.put("error", error);
        ctx.status(status).render("resume", m);
    }

    private void resume(Context ctx) {
        String key = "resume:" + ctx.ip();
        Duration wait = resumeLimiter.wait(key);
        if (!wait.isZero()) {
            renderResume(ctx, 429, "Too many codes that did not match from your address. Try again in " + LoginLimiter.minutes(wait) + ".");
            return;
        }
        String code = Codes.normalise(ctx.formParam("code"), Codes.RESUME_LENGTH);
        if (code == null) {
            renderResume(ctx, 400, "A resume code has 8 letters and digits, like ABCD-EFGH (0, 1, I, L and O are never used).");
            return;
        }
        Optional<String> who = store.learnerByResumeCode(code);
        if (who.isEmpty()) {
            resumeLimiter.fail(key);
            renderResume(ctx, 404, "No learner has the code " + Codes.pretty(code) + ". Check it on the home page of your other browser.");
            return;
        }
        Cookie c = new Cookie(Learners.COOKIE, who.get());
        c.setHttpOnly(true);
        c.setSameSite(SameSite.LAX);
        c.setPath("/");
        c.setMaxAge(60 * 60 * 24 * 400);
        ctx.cookie(c);
        ctx.redirect("/?resumed=1");
    }

    private void joinPage(Context ctx) {
        renderJoin(ctx, 200, ctx.queryParam("code"), "", null);
    }

    private void renderJoin(Context ctx, int status, String code, String name, String error) {
        Map<String, Object> m = model();
        m.put("code", code == null ? "" : code);
        m.put("name", name);
        m.put("error", error);
        ctx.status(status).render("join", m);
    }

    private void join(Context ctx) {
        String typed = ctx.formParam("code");
        String name = ctx.formParam("name") == null ? "" : ctx.formParam("name").strip();
        String code = Codes.normalise(typed, Codes.JOIN_LENGTH);
        Optional<Course> c = code == null ? Optional.empty() : store.courseByJoinCode(code);
        if (c.isEmpty()) {
            renderJoin(ctx, 404, typed, name, "There is no course with the join code '" + (typed == null ? "" : typed.strip())
                    + "'. Your instructor gives you a code of 6 letters and digits.");
            return;
        }
        String problem = nameProblem(name);
        if (problem != null) {
            renderJoin(ctx, 400, typed, name, problem);
            return;
        }
        store.join(c.get().id(), Learners.of(ctx), name);
        ctx.redirect("/courses/" + c.get().id());
    }

    static String nameProblem(String name) {
        if (name.isEmpty()) return "Choose the name your instructor will see (1 to 80 characters).";
        if (name.length() > 80) return "A display name has at most 80 characters.";
        for (int i = 0; i < name.length(); i++) if (Character.isISOControl(name.charAt(i))) return "A display name cannot hold control characters.";
        return null;
    }

    /** A course as its learner sees it: its lessons in the course's order, with their progress. */
    private void learnerCourse(Context ctx) {
        String learner = Learners.of(ctx);
        var ms = store.memberships(learner).stream().filter(x -> x.course().id().equals(ctx.pathParam("course"))).findFirst();
        if (ms.isEmpty()) {
            ctx.attribute(ErrorPages.MESSAGE, "You are not in this course.");
            ctx.attribute(ErrorPages.LINK, "/join|Join a course");
            ctx.status(404).html("<!doctype html><html lang=en><meta charset=utf-8><title>Not found · Memdesc Lab</title>"
                    + "<p>You are not in this course. <a href=\"/join\">Join a course</a></p></html>");
            return;
        }
        Map<String, Integer> done = labs.store().completedSteps(learner);
        List<Map<String, Object>> lessons = new ArrayList<>();
        for (Lesson l : courseLessons(ms.get().course().id())) {
            int n = l.steps().size();
            lessons.add(Map.of("id", l.id(), "title", l.title(), "steps", n, "done", Math.min(n, done.getOrDefault(l.id(), 0))));
        }
        Map<String, Object> m = model();
        m.put("course", ms.get().course());
        m.put("name", ms.get().displayName());
        m.put("lessons", lessons);
        ctx.render("course", m);
    }

    // ------------------------------------------------------------------ accounts

    private void setupPage(Context ctx) {
        Map<String, Object> m = model();
        m.put("token", ctx.queryParam("token"));
        m.put("valid", accounts.setupPath() != null);
        m.put("error", null);
        ctx.render("setup", m);
    }

    private void setup(Context ctx) {
        try {
            if (!String.valueOf(ctx.formParam("password")).equals(ctx.formParam("password2"))) {
                throw new Accounts.Refused(400, "The two passwords differ.");
            }
            accounts.setup(ctx.formParam("token"), ctx.formParam("username"), ctx.formParam("password"));
        } catch (Accounts.Refused e) {
            Map<String, Object> m = model();
            m.put("token", ctx.formParam("token"));
            m.put("valid", accounts.setupPath() != null);
            m.put("error", e.getMessage());
            ctx.status(e.status).render("setup", m);
            return;
        }
        try {
            accounts.login(ctx, ctx.formParam("username"), ctx.formParam("password"));
        } catch (Accounts.Refused e) {
            ctx.redirect("/login"); // the account exists; only the automatic login was refused (rate limit)
            return;
        }
        ctx.redirect("/teach");
    }

    private void loginPage(Context ctx) { renderLogin(ctx, 200, null); }

    private void renderLogin(Context ctx, int status, String error) {
        Map<String, Object> m = model();
        String next = ctx.queryParam("next") != null ? ctx.queryParam("next") : ctx.formParam("next");
        m.put("next", safeNext(next));
        m.put("error", error);
        m.put("username", ctx.formParam("username"));
        ctx.status(status).render("login", m);
    }

    /** Only our own instructor pages, so the login form cannot send anyone elsewhere. */
    static String safeNext(String next) {
        return next != null && next.startsWith("/teach") && !next.contains("//") && !next.contains("\\") ? next : "/teach";
    }

    private void login(Context ctx) {
        try {
            accounts.login(ctx, ctx.formParam("username"), ctx.formParam("password"));
        } catch (Accounts.Refused e) {
            renderLogin(ctx, e.status, e.getMessage());
            return;
        }
        ctx.redirect(safeNext(ctx.formParam("next")));
    }

    private void logout(Context ctx) {
        accounts.logout(ctx);
        ctx.redirect("/login");
    }

    /** The instructor, or null after answering: GET pages go to the login, other requests get 401. */
    private Instructor instructor(Context ctx) {
        Optional<Instructor> i = accounts.current(ctx);
        if (i.isPresent()) return i.get();
        if (ctx.method().name().equals("GET") && !"true".equals(ctx.header("HX-Request"))) {
            ctx.redirect("/login?next=" + URLEncoder.encode(ctx.path(), StandardCharsets.UTF_8));
        } else {
            ctx.status(401).html("<p>Your instructor session has ended. <a href=\"/login\">Log in</a></p>");
        }
        return null;
    }

    /** The course if this instructor teaches it (or is an administrator); else null after a 404 or 403. */
    private Course course(Context ctx, Instructor i) {
        Optional<Course> c = store.course(ctx.pathParam("course"));
        if (c.isEmpty()) {
            ctx.attribute(ErrorPages.MESSAGE, "There is no such course among yours.");
            ctx.attribute(ErrorPages.LINK, "/teach|Your courses");
            ctx.status(404).html("<p>There is no such course. <a href=\"/teach\">Your courses</a></p>");
            return null;
        }
        if (!i.admin() && !store.courseInstructors(c.get().id()).contains(i.username())) {
            ctx.status(403).html("<p>You do not teach this course. <a href=\"/teach\">Your courses</a></p>");
            return null;
        }
        return c.get();
    }

    private void teach(Context ctx) { renderTeach(ctx, 200, null, null); }

    private void renderTeach(Context ctx, int status, String error, String notice) {
        Instructor i = instructor(ctx);
        if (i == null) return;
        Map<String, Object> m = model();
        m.put("me", i);
        List<Course> courses = i.admin() ? store.courses() : store.coursesOf(i.username());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Course c : courses) {
            rows.add(Map.of("course", c, "instructors", String.join(", ", store.courseInstructors(c.id())),
                    "members", store.members(c.id()).size()));
        }
        m.put("courses", rows);
        m.put("instructors", i.admin() ? store.instructors() : List.of());
        List<String> ids = new ArrayList<>();
        for (Lesson l : sortedLessons()) ids.add(l.id());
        m.put("allLessons", String.join(", ", ids));
        m.put("error", error);
        m.put("notice", notice);
        m.put("form", ctx.formParamMap());
        ctx.status(status).render("teach", m);
    }

    private List<Lesson> sortedLessons() {
        List<Lesson> out = new ArrayList<>();
        for (Lesson l : labs.lessons()) if (!l.id().equals(LessonWiring.SANDBOX)) out.add(l);
        out.sort((a, b) -> Integer.compare(a.order(), b.order()));
        return out;
    }

    private void addInstructor(Context ctx) {
        Instructor i = instructor(ctx);
        if (i == null) return;
        if (!i.admin()) {
            ctx.status(403).html("<p>Only administrators add instructors.</p>");
            return;
        }
        try {
            accounts.add(ctx.formParam("username"), ctx.formParam("password"), ctx.formParam("admin") != null);
        } catch (Accounts.Refused e) {
            renderTeach(ctx, e.status, "Instructor not added: " + e.getMessage() + ".", null);
            return;
        }
        renderTeach(ctx, 200, null, "Added " + Accounts.normaliseUsername(ctx.formParam("username")) + ".");
    }

    /** A course form's title, lessons and instructors, checked; refused with the reason. */
    private record CourseForm(String title, List<String> lessons, List<String> instructors) {}

    private CourseForm courseForm(Context ctx, String creator) {
        String title = ctx.formParam("title") == null ? "" : ctx.formParam("title").strip();
        if (title.isEmpty() || title.length() > 200) throw new Accounts.Refused(400, "a course needs a title of 1 to 200 characters");
        List<String> lessons = new ArrayList<>();
        for (String id : splitList(ctx.formParam("lessons"))) {
            if (id.equals(LessonWiring.SANDBOX) || labs.lesson(id).isEmpty()) throw new Accounts.Refused(400, "there is no lesson '" + id + "'");
            if (!lessons.contains(id)) lessons.add(id);
        }
        if (lessons.isEmpty()) throw new Accounts.Refused(400, "a course needs at least one lesson");
        Set<String> teachers = new LinkedHashSet<>();
        if (creator != null) teachers.add(creator);
        for (String u : splitList(ctx.formParam("instructors"))) {
            String n = u.toLowerCase(Locale.ROOT);
            if (store.instructor(n).isEmpty()) throw new Accounts.Refused(400, "there is no instructor called '" + u + "'");
            teachers.add(n);
        }
        if (teachers.isEmpty()) throw new Accounts.Refused(400, "a course needs at least one instructor");
        return new CourseForm(title, lessons, List.copyOf(teachers));
    }

    private void createCourse(Context ctx) {
        Instructor i = instructor(ctx);
        if (i == null) return;
        try {
            CourseForm f = courseForm(ctx, i.username());
            String id = freeCourseId(f.title());
            String code = freeJoinCode();
            store.createCourse(new Course(id, f.title(), code, i.username(), clock.instant()), f.instructors(), f.lessons());
            ctx.redirect("/teach/courses/" + id);
        } catch (Accounts.Refused e) {
            renderTeach(ctx, e.status, "Course not created: " + e.getMessage() + ".", null);
        }
    }

    /** Changes the title, lessons and instructors; the learners and everything they did stay. */
    private void editCourse(Context ctx) {
        Instructor i = instructor(ctx);
        if (i == null) return;
        Course c = course(ctx, i);
        if (c == null) return;
        try {
            CourseForm f = courseForm(ctx, null);
            store.updateCourse(c.id(), f.title(), f.instructors(), f.lessons());
            store.addEvent(c.id(), i.username(), "edit", f.title() + "; lessons " + String.join(", ", f.lessons())
                    + "; instructors " + String.join(", ", f.instructors()));
        } catch (Accounts.Refused e) {
            renderDashboard(ctx, e.status, "The course was not changed: " + e.getMessage() + ".", null);
            return;
        }
        if (!i.admin() && !store.courseInstructors(c.id()).contains(i.username())) {
            ctx.redirect("/teach"); // they took themselves off the course
            return;
        }
        renderDashboard(ctx, 200, null, "The course was changed.");
    }

    private static List<String> splitList(String s) {
        List<String> out = new ArrayList<>();
        if (s == null) return out;
        for (String p : s.split("[,\\s]+")) if (!p.isBlank()) out.add(p.strip());
        return out;
    }

    private String freeCourseId(String title) {
        String base = title.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        if (base.isEmpty()) base = "course";
        if (base.length() > 24) base = base.substring(0, 24).replaceAll("-+$", "");
        String id = base;
        for (int n = 2; store.course(id).isPresent(); n++) id = base + "-" + n;
        return id;
    }

    private String freeJoinCode() {
        for (int i = 0; i < 50; i++) {
            String c = Codes.random(Codes.JOIN_LENGTH);
            if (store.courseByJoinCode(c).isEmpty()) return c;
        }
        throw new IllegalStateException("could not find a free join code");
    }

    private List<Lesson> courseLessons(String courseId) {
        List<Lesson> out = new ArrayList<>();
        for (String id : store.courseLessons(courseId)) labs.lesson(id).ifPresent(out::add);
        return out;
    }

    // ------------------------------------------------------------------ the dashboard

    private Dashboard.View view(Course c) {
        List<Lesson> lessons = courseLessons(c.id());
        return Dashboard.build(lessons, store.members(c.id()), store.progress(c.id()), store.activity(c.id()),
                store.topMistakes(c.id(), Dashboard.steps(lessons), Dashboard.TOP_MISTAKES), presence(c.id()), clock.instant());
    }

    /** Last seen per learner: this instance's own record, or the database's (written by any instance), whichever is later. */
    private Map<String, Instant> presence(String courseId) {
        Map<String, Instant> out = store.lastSeen(courseId);
        presence.forEach((l, t) -> out.merge(l, t, (a, b) -> a.isAfter(b) ? a : b));
        return out;
    }

    private void dashboard(Context ctx) { renderDashboard(ctx, 200, null, null); }

    private void renderDashboard(Context ctx, int status, String error, String notice) {
        Instructor i = instructor(ctx);
        if (i == null) return;
        Course c = course(ctx, i);
        if (c == null) return;
        Map<String, Object> m = model();
        m.put("me", i);
        m.put("course", c);
        m.put("instructors", String.join(", ", store.courseInstructors(c.id())));
        m.put("v", view(c));
        m.put("error", error);
        m.put("notice", notice);
        m.put("followText", ctx.formParam("statements") == null ? "" : ctx.formParam("statements"));
        m.put("events", store.events(c.id()));
        m.put("lessonIds", String.join(", ", store.courseLessons(c.id())));
        m.put("allLessons", String.join(", ", sortedLessons().stream().map(Lesson::id).toList()));
        ctx.status(status).render("dashboard", m);
    }

    private void grid(Context ctx) {
        Instructor i = instructor(ctx);
        if (i == null) return;
        Course c = course(ctx, i);
        if (c == null) return;
        Map<String, Object> m = model();
        m.put("course", c);
        m.put("v", view(c));
        ctx.render("dashboard :: grid", m);
    }

    private void export(Context ctx) {
        Instructor i = instructor(ctx);
        if (i == null) return;
        Course c = course(ctx, i);
        if (c == null) return;
        Map<String, StepProgress> prog = new HashMap<>();
        for (var r : store.progress(c.id())) prog.put(r.learnerId() + "|" + r.lessonId() + "|" + r.progress().stepId(), r.progress());
        Csv csv = new Csv().row(List.of("member", "learner", "lesson", "step", "completed_at", "attempts", "hints", "solution_revealed"));
        List<Lesson> lessons = courseLessons(c.id());
        for (Member mem : store.members(c.id())) {
            for (Lesson l : lessons) {
                for (Step s : l.steps()) {
                    StepProgress p = prog.getOrDefault(mem.learnerId() + "|" + l.id() + "|" + s.id(), StepProgress.fresh(s.id()));
                    csv.row(List.of(String.valueOf(mem.no()), mem.displayName(), l.id(), s.id(),
                            p.completed() ? p.completedAt().toString() : "", String.valueOf(p.attempts()),
                            String.valueOf(p.hintsRevealed()), String.valueOf(p.solutionRevealed())));
                }
            }
        }
        ctx.contentType("text/csv; charset=utf-8");
        ctx.header("Content-Disposition", "attachment; filename=\"" + c.id() + "-progress.csv\"");
        ctx.result(csv.toString());
    }

    /** The member by number in this course, or null after a 404. */
    private Member member(Context ctx, Course c) {
        String no = ctx.pathParam("no");
        for (Member m : store.members(c.id())) if (String.valueOf(m.no()).equals(no)) return m;
        ctx.attribute(ErrorPages.MESSAGE, "There is no such learner in this course.");
        ctx.status(404).html("<p>There is no such learner in this course.</p>");
        return null;
    }

    /** A lesson of the course, or the sandbox (where "follow me" puts its states); else null after a 404. */
    private Lesson memberLesson(Context ctx, Course c) {
        String id = ctx.pathParam("lesson");
        if (id.equals(LessonWiring.SANDBOX) || store.courseLessons(c.id()).contains(id)) {
            Optional<Lesson> l = labs.lesson(id);
            if (l.isPresent()) return l.get();
        }
        ctx.attribute(ErrorPages.MESSAGE, "This course has no such lesson.");
        ctx.status(404).html("<p>This course has no such lesson.</p>");
        return null;
    }

    /** One learner's lesson in one of the instructor's courses, as a route's path names it. */
    private record MemberLab(Instructor instructor, Course course, Member member, Lesson lesson) {}

    /** The instructor, course, member and lesson of the path, or null after the answer that says which is missing. */
    private MemberLab memberLab(Context ctx) {
        Instructor i = instructor(ctx);
        if (i == null) return null;
        Course c = course(ctx, i);
        if (c == null) return null;
        Member mem = member(ctx, c);
        if (mem == null) return null;
        Lesson l = memberLesson(ctx, c);
        return l == null ? null : new MemberLab(i, c, mem, l);
    }

    private void history(Context ctx) {
        MemberLab ml = memberLab(ctx);
        if (ml == null) return;
        Course c = ml.course();
        Member mem = ml.member();
        Lesson l = ml.lesson();
        List<JournalEntry> journal = labs.store().journal(mem.learnerId(), l.id());
        Timeline t = Timeline.fold(l.machine(), journal);
        Map<String, Object> m = model();
        m.put("course", c);
        m.put("member", mem);
        m.put("lesson", l);
        m.put("journal", journal);
        m.put("inEffect", t.position());
        m.put("notice", ctx.queryParam("reset") != null ? "The lesson was reset: a reset row was added to the journal." : null);
        ctx.render("history", m);
    }

    private void resetLesson(Context ctx) {
        MemberLab ml = memberLab(ctx);
        if (ml == null) return;
        Instructor i = ml.instructor();
        Course c = ml.course();
        Member mem = ml.member();
        Lesson l = ml.lesson();
        // A RESET row, like the learner's own reset button: the machine boots afresh, every row stays.
        labs.withLab(mem.learnerId(), l, lab -> {
            labs.move(lab, mem.learnerId(), JournalEntry.Kind.RESET, null, 0);
            return null;
        });
        store.addEvent(c.id(), i.username(), "reset", "member " + mem.no() + " (" + mem.displayName() + "), lesson " + l.id());
        ctx.redirect("/teach/courses/" + c.id() + "/members/" + mem.no() + "/labs/" + l.id() + "?reset=1");
    }

    /**
     * "Follow me": the statements are tried on a fresh sandbox first; if all succeed, every learner of
     * the course gets a fresh sandbox (a config row in their journal, so their earlier sandbox stays in
     * the journal) with those statements run in it.
     */
    private void follow(Context ctx) {
        Instructor i = instructor(ctx);
        if (i == null) return;
        Course c = course(ctx, i);
        if (c == null) return;
        List<String> statements = new ArrayList<>();
        String text = ctx.formParam("statements") == null ? "" : ctx.formParam("statements");
        for (String line : text.split("\\R")) if (!line.isBlank()) statements.add(line.strip());
        Lesson sandbox = labs.lesson(LessonWiring.SANDBOX).orElseThrow();
        String config = Timeline.formatConfig(sandbox.machine());
        if (statements.size() > MAX_FOLLOW_STATEMENTS) {
            renderDashboard(ctx, 400, "Nothing was pushed: at most " + MAX_FOLLOW_STATEMENTS + " statements at once.", null);
            return;
        }
        LiveLab trial = LiveLab.rebuild(sandbox, List.of(new JournalEntry(1, JournalEntry.Kind.CONFIG, config, 0, true, List.of(), clock.instant())));
        int n = 0;
        for (String s : statements) {
            n++;
            LiveLab.Ran r = trial.exec(s);
            if (!r.ok()) {
                renderDashboard(ctx, 400, "Nothing was pushed: line " + n + " (" + s + ") fails on a fresh sandbox: "
                        + String.join(" ", r.output()), null);
                return;
            }
        }
        List<Member> members = store.members(c.id());
        for (Member mem : members) {
            labs.withLab(mem.learnerId(), sandbox, lab -> {
                labs.move(lab, mem.learnerId(), JournalEntry.Kind.CONFIG, config, 0);
                for (String s : statements) labs.exec(lab, mem.learnerId(), s);
                return null;
            });
        }
        store.addEvent(c.id(), i.username(), "follow", statements.size() + " statements to " + members.size() + " learners: "
                + String.join("; ", statements));
        renderDashboard(ctx, 200, null, "Pushed " + statements.size() + " statements into a fresh sandbox for "
                + members.size() + (members.size() == 1 ? " learner." : " learners."));
    }
}

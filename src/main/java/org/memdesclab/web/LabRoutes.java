package org.memdesclab.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.memdesclab.lesson.Lesson;
import org.memdesclab.lesson.Step;
import org.memdesclab.sim.Machine;
import org.memdesclab.sim.MachineConfig;
import org.memdesclab.sim.Owner;
import org.memdesclab.store.JournalEntry;

/**
 * The HTML lab: home, lesson pages, and the htmx endpoints. Each statement's response carries only
 * what changed, as out-of-band swaps: console lines, changed memmap cells and block outlines, changed
 * table rows, the steps, the narration and a one-sentence summary for the aria-live region.
 */
final class LabRoutes {
    /** Above this many changed cells the response sends compact runs instead of one element per cell. */
    static final int MAX_CELL_SWAPS = 48;
    static final int MAX_LINES_PER_POST = 20;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern ASSIGNED = Pattern.compile("^\\s*([A-Za-z_]\\w*)\\s*=[^=]");

    private final LabService labs;
    private final String htmxSrc;

    LabRoutes(LabService labs, String htmxSrc) {
        this.labs = labs;
        this.htmxSrc = htmxSrc;
    }

    void register(RoutesConfig r) {
        r.get("/", this::home);
        r.post("/sandbox", this::sandbox);
        r.get("/labs/{lesson}", this::page);
        r.get("/labs/{lesson}/memmap", this::memmap);
        r.get("/labs/{lesson}/inspect/{pfn}", this::inspect);
        r.post("/labs/{lesson}/exec", this::exec);
        r.post("/labs/{lesson}/op", this::op);
        r.post("/labs/{lesson}/undo", ctx -> move(ctx, JournalEntry.Kind.UNDO));
        r.post("/labs/{lesson}/redo", ctx -> move(ctx, JournalEntry.Kind.REDO));
        r.post("/labs/{lesson}/reset", ctx -> move(ctx, JournalEntry.Kind.RESET));
        r.post("/labs/{lesson}/goto", ctx -> move(ctx, JournalEntry.Kind.GOTO));
        r.post("/labs/{lesson}/steps/{step}/hint", this::hint);
        r.post("/labs/{lesson}/steps/{step}/solution", this::solution);
        r.post("/labs/{lesson}/steps/{step}/questions/{question}", this::answer);
    }

    // ------------------------------------------------------------------ pages

    private void home(Context ctx) {
        String learner = Learners.of(ctx);
        Map<String, Integer> done = labs.store().completedSteps(learner);
        List<Map<String, Object>> lessons = new ArrayList<>();
        for (Lesson l : labs.lessons()) {
            if (l.id().equals(LessonWiring.SANDBOX)) continue;
            int n = l.steps().size();
            int d = Math.min(n, done.getOrDefault(l.id(), 0));
            Map<String, Object> m = new HashMap<>();
            m.put("id", l.id());
            m.put("title", l.title());
            m.put("order", l.order());
            m.put("summary", l.summary());
            m.put("steps", n);
            m.put("done", d);
            m.put("status", d == 0 ? "not started" : d == n ? "complete" : d + " of " + n + " steps done");
            lessons.add(m);
        }
        lessons.sort((a, b) -> Integer.compare((int) a.get("order"), (int) b.get("order")));
        Lesson sb = labs.lesson(LessonWiring.SANDBOX).orElseThrow();
        MachineConfig cur = labs.withLab(learner, sb, LiveLab::config);
        Map<String, Object> model = new HashMap<>();
        model.put("htmxSrc", htmxSrc);
        model.put("lessons", lessons);
        model.put("sandbox", cur);
        model.put("sandboxText", LabModels.configText(cur));
        model.put("profiles", org.memdesclab.sim.KernelProfile.ids());
        model.put("error", ctx.queryParam("error"));
        model.put("problems", labs.problems());
        model.put("me", ctx.attribute("me")); // resume code and courses, from Classroom
        ctx.render("home", model);
    }

    private void sandbox(Context ctx) {
        String learner = Learners.of(ctx);
        MachineConfig c;
        try {
            int pages = Integer.parseInt(ctx.formParamAsClass("pages", String.class).getOrDefault("64").strip());
            int cpus = Integer.parseInt(ctx.formParamAsClass("cpus", String.class).getOrDefault("4").strip());
            if (pages > SANDBOX_MAX_PAGES) throw new IllegalArgumentException("the sandbox takes at most " + SANDBOX_MAX_PAGES + " pages");
            c = MachineConfig.withPages(pages).withCpus(cpus).withPcp(ctx.formParam("pcp") != null)
                    .withProfile(ctx.formParamAsClass("profile", String.class).getOrDefault("6.18"))
                    .withSlabNomerge(ctx.formParam("slab_nomerge") != null);
        } catch (IllegalArgumentException e) {
            String msg = e instanceof NumberFormatException ? "pages and CPUs must be whole numbers" : e.getMessage();
            ctx.redirect("/?error=" + java.net.URLEncoder.encode(msg, java.nio.charset.StandardCharsets.UTF_8) + "#sandbox");
            return;
        }
        Lesson sb = labs.lesson(LessonWiring.SANDBOX).orElseThrow();
        MachineConfig chosen = c;
        labs.withLab(learner, sb, lab -> {
            labs.move(lab, learner, JournalEntry.Kind.CONFIG, Timeline.formatConfig(chosen), 0);
            return null;
        });
        ctx.redirect("/labs/" + LessonWiring.SANDBOX);
    }

    /** 1 Mi pages: 4 GiB simulated, 64 MiB of struct pages in the server. */
    static final int SANDBOX_MAX_PAGES = 1 << 20;

    private Optional<Lesson> lesson(Context ctx) {
        Optional<Lesson> l = labs.lesson(ctx.pathParam("lesson"));
        if (l.isEmpty()) {
            ctx.status(404);
            ctx.html("<!doctype html><html lang=en><meta charset=utf-8><title>Not found · Memdesc Lab</title>"
                    + "<p>There is no lesson with this id. <a href=\"/\">All lessons</a></p></html>");
        }
        return l;
    }

    private static long longParam(String v, long def) {
        if (v == null || v.isBlank()) return def;
        try {
            return Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            return def;
        }
    }

    private void page(Context ctx) {
        Optional<Lesson> ol = lesson(ctx);
        if (ol.isEmpty()) return;
        Lesson l = ol.get();
        String learner = Learners.of(ctx);
        long from = longParam(ctx.queryParam("from"), 0);
        long selected = longParam(ctx.queryParam("pfn"), -1);
        Map<String, Object> model = labs.withLab(learner, l, lab -> pageModel(lab, learner, from, selected));
        ctx.render("lab", model);
    }

    private Map<String, Object> pageModel(LiveLab lab, String learner, long from, long selected) {
        Lesson l = lab.lesson();
        Machine m = lab.machine();
        Map<String, Object> model = new HashMap<>();
        model.put("htmxSrc", htmxSrc);
        model.put("lesson", l);
        model.put("lessonId", l.id());
        model.put("html", new LabHtml(l.id()));
        model.put("isSandbox", l.id().equals(LessonWiring.SANDBOX));
        model.put("configText", LabModels.configText(lab.config()));
        putSteps(model, labs.steps(lab, learner), learner, l.id());
        putMemmap(model, m, from);
        model.put("freeLists", TableViews.freeLists(m));
        model.put("folios", TableViews.folios(m));
        model.put("folioCount", TableViews.folioCount(m));
        model.put("transcript", LabModels.transcript(lab));
        model.put("history", LabModels.history(lab));
        model.put("canUndo", lab.timeline().canUndo());
        model.put("canRedo", lab.timeline().canRedo());
        model.put("narration", LabModels.narration(lab));
        model.put("lastStatement", lab.last() == null ? null : lab.last().statement());
        model.put("functionsJson", json(lab.completions()));
        List<String> hist = new ArrayList<>();
        for (LiveLab.Ran r : lab.ran()) hist.add(r.statement());
        model.put("historyJson", json(hist));
        model.put("selected", selected);
        model.put("inspector", selected >= 0 && m.validPfn(selected) ? InspectorView.of(m, selected) : null);
        model.put("setupErrors", lab.setupErrors());
        return model;
    }

    private static void putSteps(Map<String, Object> model, List<LabService.StepStatus> statuses, String learner, String lessonId) {
        putSteps(model, LabModels.steps(statuses, learner, lessonId));
    }

    private static void putSteps(Map<String, Object> model, List<LabModels.StepView> steps) {
        long done = steps.stream().filter(s -> s.state().equals("done")).count();
        model.put("steps", steps);
        model.put("stepsDone", done);
        model.put("allStepsDone", !steps.isEmpty() && done == steps.size());
    }

    private static void putMemmap(Map<String, Object> model, Machine m, long from) {
        MemmapView mv = MemmapView.of(m, from);
        model.put("mm", mv);
        model.put("mmFrom", mv.from());
        model.put("overview", MemmapView.overview(m, mv.from()));
        model.put("mmSummary", MemmapView.summary(m));
        model.put("nrPages", m.nrPages());
        model.put("windowEnd", mv.from() + mv.count() - 1);
    }

    private void memmap(Context ctx) {
        Optional<Lesson> ol = lesson(ctx);
        if (ol.isEmpty()) return;
        long from = longParam(ctx.queryParam("from"), 0);
        Map<String, Object> model = labs.withLab(Learners.of(ctx), ol.get(), lab -> {
            Map<String, Object> mm = new HashMap<>();
            mm.put("lessonId", ol.get().id());
            mm.put("html", new LabHtml(ol.get().id()));
            putMemmap(mm, lab.machine(), from);
            mm.put("selected", -1L);
            return mm;
        });
        ctx.render("lab :: memmap-panel", model);
    }

    private void inspect(Context ctx) {
        Optional<Lesson> ol = lesson(ctx);
        if (ol.isEmpty()) return;
        long pfn = longParam(ctx.pathParam("pfn"), -1);
        InspectorView v = labs.withLab(Learners.of(ctx), ol.get(), lab -> lab.machine().validPfn(pfn) ? InspectorView.of(lab.machine(), pfn) : null);
        if (v == null) {
            ctx.status(404).html("<p>No such PFN on this machine.</p>");
            return;
        }
        ctx.render("lab :: inspector-body", Map.of("inspector", v, "lessonId", ol.get().id()));
    }

    // ------------------------------------------------------------------ statements and time travel

    private void exec(Context ctx) {
        Optional<Lesson> ol = lesson(ctx);
        if (ol.isEmpty()) return;
        String text = ctx.formParam("statement");
        List<String> lines = new ArrayList<>();
        if (text != null) {
            for (String s : text.split("\\R")) {
                if (!s.isBlank()) lines.add(s.strip());
            }
        }
        String learner = Learners.of(ctx);
        if (lines.isEmpty() || lines.size() > MAX_LINES_PER_POST || lines.stream().anyMatch(s -> s.length() > ApiRoutes.MAX_STATEMENT)) {
            String msg = lines.isEmpty() ? "Nothing to run: type a statement first."
                    : lines.size() > MAX_LINES_PER_POST ? "At most " + MAX_LINES_PER_POST + " statements at a time."
                    : "A statement is longer than " + ApiRoutes.MAX_STATEMENT + " characters.";
            update(ctx, learner, ol.get(), lab -> new Action(List.of(LabModels.note(msg)), msg, false));
            return;
        }
        update(ctx, learner, ol.get(), lab -> runAll(lab, learner, lines));
    }

    private Action runAll(LiveLab lab, String learner, List<String> lines) {
        List<LabModels.ConsoleEntry> entries = new ArrayList<>();
        boolean allOk = true;
        for (String s : lines) {
            LiveLab.Ran r = labs.exec(lab, learner, s);
            entries.add(LabModels.entry(r));
            allOk &= r.ok();
        }
        String head = lines.size() == 1 ? lines.get(0) : lines.size() + " statements";
        return new Action(entries, allOk ? "Ran " + head : "Ran " + head + " with an error (see the console)", true);
    }

    /** A quick-operation button: the server builds the statement, so the console shows the API call. */
    private void op(Context ctx) {
        Optional<Lesson> ol = lesson(ctx);
        if (ol.isEmpty()) return;
        String learner = Learners.of(ctx);
        String op = String.valueOf(ctx.formParam("op"));
        int order = (int) Math.max(0, Math.min(10, longParam(ctx.formParam("order"), 0)));
        long pfn = longParam(ctx.formParam("pfn"), longParam(ctx.formParam("selected"), -1));
        update(ctx, learner, ol.get(), lab -> {
            String s = switch (op) {
                case "alloc" -> fresh(lab, "p") + " = alloc_pages(GFP_KERNEL, " + order + ")";
                case "folio" -> fresh(lab, "f") + " = folio_alloc(GFP_KERNEL, " + order + ")";
                case "buddyinfo" -> "cat /proc/buddyinfo";
                case "dump" -> lab.machine().validPfn(pfn) ? "dump_page(pfn_to_page(" + pfn + "))" : null;
                case "free" -> freeStatement(lab.machine(), pfn);
                default -> null;
            };
            if (s == null) {
                String msg = op.equals("free") || op.equals("dump")
                        ? (pfn < 0 ? "Select a page in the memmap first." : "PFN " + pfn + " is not an allocated page: nothing to free.")
                        : "Unknown operation.";
                return new Action(List.of(LabModels.note(msg)), msg, false);
            }
            return runAll(lab, learner, List.of(s));
        });
    }

    /** A variable name not yet assigned in this lab: p1, p2, ... */
    private static String fresh(LiveLab lab, String prefix) {
        Set<String> used = new HashSet<>();
        for (String s : lab.timeline().statements()) {
            Matcher mt = ASSIGNED.matcher(s);
            if (mt.find()) used.add(mt.group(1));
        }
        for (int i = 1; ; i++) if (!used.contains(prefix + i)) return prefix + i;
    }

    /** The call that frees what covers {@code pfn}: folio_put for a compound page, __free_pages for plain pages. */
    static String freeStatement(Machine m, long pfn) {
        if (!m.validPfn(pfn)) return null;
        Owner o = m.owner(pfn);
        if (o == Owner.HEAD || o == Owner.TAIL) {
            return "folio_put(page_folio(pfn_to_page(" + m.compoundHeadPfn(pfn) + ")))";
        }
        if (o == Owner.PAGE_INSIDE) {
            long p = pfn;
            while (p > 0 && m.owner(p) == Owner.PAGE_INSIDE) p--;
            if (m.owner(p) != Owner.PAGE) return null;
            pfn = p;
            o = Owner.PAGE;
        }
        if (o != Owner.PAGE) return null;
        long end = pfn + 1;
        while (end < m.nrPages() && m.owner(end) == Owner.PAGE_INSIDE) end++;
        long run = end - pfn;
        int order = Long.bitCount(run) == 1 && (pfn & (run - 1)) == 0 ? Long.numberOfTrailingZeros(run) : 0;
        return "__free_pages(pfn_to_page(" + pfn + "), " + order + ")";
    }

    private void move(Context ctx, JournalEntry.Kind kind) {
        Optional<Lesson> ol = lesson(ctx);
        if (ol.isEmpty()) return;
        String learner = Learners.of(ctx);
        int target = (int) longParam(ctx.formParam("n"), 0);
        update(ctx, learner, ol.get(), lab -> {
            Timeline t = lab.timeline();
            if (kind == JournalEntry.Kind.UNDO && !t.canUndo()) return noop("Nothing to undo.");
            if (kind == JournalEntry.Kind.REDO && !t.canRedo()) return noop("Nothing to redo.");
            List<String> st = t.statements();
            int before = t.position();
            labs.move(lab, learner, kind, null, target);
            int after = t.position();
            String text = switch (kind) {
                case UNDO -> "undo: " + st.get(before - 1);
                case REDO -> "redo: " + st.get(after - 1);
                case RESET -> "reset: back to a fresh machine (redo brings the statements back)";
                default -> after == 0 ? "back to the start" : "back to statement " + after + ": " + st.get(after - 1);
            };
            return new Action(List.of(LabModels.note("// " + text)), Character.toUpperCase(text.charAt(0)) + text.substring(1), true);
        });
    }

    private static Action noop(String msg) { return new Action(List.of(), msg, false); }

    private void hint(Context ctx) {
        stepAction(ctx, (learner, l, step) -> {
            int n = labs.revealHint(learner, l, step);
            return "Hint " + n + " of " + step.hintsHtml().size() + " for step " + step.title() + " is shown.";
        });
    }

    private void solution(Context ctx) {
        stepAction(ctx, (learner, l, step) -> {
            labs.revealSolution(learner, l, step);
            try {
                ctx.header("HX-Trigger", JSON.writeValueAsString(Map.of("mdl-solution", Map.of("text", String.join("\n", step.solution())))));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            return "The solution is in the console input: press Enter to run it.";
        });
    }

    private final org.memdesclab.lesson.QuestionGrader grader = new org.memdesclab.lesson.QuestionGrader();

    /** Grades a choice or predict question; the verdict goes into the question's own status line. */
    private void answer(Context ctx) {
        Optional<Lesson> ol = lesson(ctx);
        if (ol.isEmpty()) return;
        Lesson l = ol.get();
        String learner = Learners.of(ctx);
        Optional<Step> step = l.steps().stream().filter(s -> s.id().equals(ctx.pathParam("step"))).findFirst();
        Optional<org.memdesclab.lesson.Question> oq = step.flatMap(s -> s.questions().stream()
                .filter(q -> q.id().equals(ctx.pathParam("question"))).findFirst());
        if (oq.isEmpty()) {
            ctx.status(404).html("<p>No such question.</p>");
            return;
        }
        var q = LabModels.variant(oq.get(), learner, l.id());
        var grade = labs.withLab(learner, l, lab -> q.kind().equals("choice")
                ? grader.gradeChoice(q, (int) longParam(ctx.formParam("choice"), -1))
                : grader.gradePredict(q, ctx.formParam("answer"), l, lab.goalContext()));
        if (!isHtmx(ctx)) {
            ctx.redirect("/labs/" + l.id());
            return;
        }
        Map<String, Object> model = new HashMap<>();
        model.put("lessonId", l.id());
        model.put("questionTarget", "#qr-" + step.get().id() + "-" + q.id());
        model.put("grade", grade);
        model.put("explanationHtml", q.explanationHtml());
        model.put("showExpected", !grade.correct() && q.kind().equals("predict"));
        model.put("summary", grade.message());
        ctx.render("update", model);
    }

    private interface StepFn { String apply(String learner, Lesson l, Step step); }

    private void stepAction(Context ctx, StepFn fn) {
        Optional<Lesson> ol = lesson(ctx);
        if (ol.isEmpty()) return;
        Lesson l = ol.get();
        Optional<Step> step = l.steps().stream().filter(s -> s.id().equals(ctx.pathParam("step"))).findFirst();
        if (step.isEmpty()) {
            ctx.status(404).html("<p>No such step.</p>");
            return;
        }
        String learner = Learners.of(ctx);
        String summary = fn.apply(learner, l, step.get());
        if (!isHtmx(ctx)) {
            ctx.redirect("/labs/" + l.id());
            return;
        }
        Map<String, Object> model = labs.withLab(learner, l, lab -> {
            Map<String, Object> mm = new HashMap<>();
            mm.put("lessonId", l.id());
            putSteps(mm, labs.steps(lab, learner), learner, l.id());
            mm.put("summary", summary);
            return mm;
        });
        ctx.render("update", model);
    }

    private static boolean isHtmx(Context ctx) { return "true".equals(ctx.header("HX-Request")); }

    // ------------------------------------------------------------------ the diff response

    /** What an action did: console entries to append, the start of the summary, whether the machine may have changed. */
    record Action(List<LabModels.ConsoleEntry> console, String summary, boolean changed) {}

    private void update(Context ctx, String learner, Lesson l, Function<LiveLab, Action> action) {
        long from = longParam(ctx.formParam("from"), 0);
        long selected = longParam(ctx.formParam("selected"), -1);
        Map<String, Object> model = labs.withLab(learner, l, lab -> diff(lab, learner, from, selected, action));
        if (!isHtmx(ctx)) {
            ctx.redirect("/labs/" + l.id());
            return;
        }
        // Most answers are only Java-built pieces; Thymeleaf runs only for the steps, inspector and overview.
        if (!model.containsKey("steps") && !model.containsKey("inspector") && !model.containsKey("overviewChanged")) {
            ctx.html(model.get("head") + (String) model.get("tail") + summaryHtml((String) model.get("summary")));
            return;
        }
        ctx.render("update", model);
    }

    private static String summaryHtml(String summary) {
        StringBuilder sb = new StringBuilder("<div hx-swap-oob=\"innerHTML:#live-summary\"><span>");
        MemmapView.escape(sb, summary);
        return sb.append("</span></div>\n").toString();
    }

    private Map<String, Object> diff(LiveLab lab, String learner, long from, long selected, Function<LiveLab, Action> action) {
        Machine m0 = lab.machine();
        MachineConfig c0 = lab.config();
        MemmapView mv0 = MemmapView.of(m0, from);
        var fl0 = TableViews.freeLists(m0);
        var fo0 = TableViews.folios(m0);
        var ov0 = MemmapView.overview(m0, mv0.from());
        InspectorView in0 = selected >= 0 && m0.validPfn(selected) ? InspectorView.of(m0, selected) : null;
        List<String> st0 = lab.timeline().statements();
        int pos0 = lab.timeline().position();
        String lessonId = lab.lesson().id();
        List<LabModels.StepView> steps0 = LabModels.steps(labs.steps(lab, learner), learner, lessonId);

        Action a = action.apply(lab);

        Machine m = lab.machine();
        LabHtml html = new LabHtml(lessonId);
        Map<String, Object> model = new HashMap<>();
        model.put("lessonId", lessonId);
        List<LabModels.StepView> steps = LabModels.steps(labs.steps(lab, learner), learner, lessonId);
        if (!steps.equals(steps0)) putSteps(model, steps);
        if (!c0.equals(lab.config())) throw new IllegalStateException("configuration changed during a statement");

        // the parts before the steps, in the order htmx must apply them
        StringBuilder head = new StringBuilder(2048);
        if (!a.console().isEmpty()) {
            head.append("<div hx-swap-oob=\"beforeend:#console-log\">").append(html.transcript(a.console())).append("</div>\n");
        }
        MemmapView mv = MemmapView.of(m, from);
        List<MemmapView.Cell> changed = mv0.changedCells(mv);
        if (changed.size() <= MAX_CELL_SWAPS) {
            head.append(MemmapView.oobHtml(changed));
        } else {
            head.append("<div id=\"mm-patch\" hx-swap-oob=\"true\" hidden data-runs=\"");
            MemmapView.escape(head, json(runsJson(MemmapView.runs(changed))));
            head.append("\"></div>\n");
        }
        for (MemmapView.Block b : mv0.removedBlocks(mv)) head.append("<div id=\"").append(b.id()).append("\" hx-swap-oob=\"delete\"></div>");
        List<MemmapView.Block> blocks = mv0.addedOrChangedBlocks(mv);
        if (!blocks.isEmpty()) head.append("<div hx-swap-oob=\"beforeend:#mm-blocks\">").append(html.blocks(blocks)).append("</div>\n");
        // table rows and list items cannot stand alone in HTML: htmx unwraps <template> for out-of-band swaps
        var fl = TableViews.freeLists(m);
        for (int i = 0; i < fl.size(); i++) {
            if (fl.get(i).equals(fl0.get(i))) continue;
            html.freeRow(head.append("<template>"), fl.get(i), true);
            head.append("</template>");
        }
        var fo = TableViews.folios(m);
        TableViews.FolioDiff fd = TableViews.diff(fo0, fo);
        if (!fd.isEmpty()) {
            for (TableViews.FolioRow f : fd.removed()) head.append("<template><tr id=\"").append(f.id()).append("\" hx-swap-oob=\"delete\"></tr></template>");
            for (TableViews.FolioRow f : fd.changed()) html.folioRow(head.append("<template>"), f, true).append("</template>");
            for (TableViews.AddedRow r : fd.added()) {
                head.append("<template><tbody hx-swap-oob=\"").append(r.after() == null ? "afterbegin:#folio-rows" : "afterend:#" + r.after())
                        .append("\">");
                html.folioRow(head, r.row(), false).append("</tbody></template>");
            }
            html.folioNone(head.append("<template>"), fo, true);
            html.folioMore(head.append("</template><template>"), fo, TableViews.folioCount(m), true);
            head.append("</template>\n");
        }
        model.put("head", head.toString());

        var ov = MemmapView.overview(m, mv.from());
        List<MemmapView.OverviewCell> ovChanged = new ArrayList<>();
        for (int i = 0; i < ov.size(); i++) if (i >= ov0.size() || !ov.get(i).equals(ov0.get(i))) ovChanged.add(ov.get(i));
        if (!ovChanged.isEmpty()) model.put("overviewChanged", ovChanged);
        if (in0 != null) {
            InspectorView in = InspectorView.of(m, selected);
            if (!in.equals(in0)) model.put("inspector", in);
        }

        // the parts after the steps
        StringBuilder tail = new StringBuilder(2048);
        if (a.changed()) {
            tail.append(html.narration(lab.last() == null ? null : lab.last().statement(), LabModels.narration(lab), true)).append('\n');
            tail.append(html.timeControls(lab.timeline().canUndo(), lab.timeline().canRedo(), true)).append('\n');
            tail.append(html.mmSummary(MemmapView.summary(m), true)).append('\n');
            List<LabModels.HistoryItem> h = LabModels.history(lab);
            List<String> st = lab.timeline().statements();
            boolean appendOnly = pos0 == st0.size() && st.size() >= st0.size() && st.subList(0, st0.size()).equals(st0)
                    && lab.timeline().position() == st.size();
            if (appendOnly) {
                html.historyItem(tail.append("<template>"), h.get(st0.size()), true);
                tail.append("</template>\n<div hx-swap-oob=\"beforeend:#history-list\">");
                for (LabModels.HistoryItem item : h.subList(st0.size() + 1, h.size())) html.historyItem(tail, item, false);
                tail.append("</div>\n");
            } else {
                tail.append(html.historyList(h, true)).append('\n');
            }
        }
        model.put("tail", tail.toString());
        model.put("summary", summarise(a, mv0.changedOwners(mv), changed, ovChanged));
        return model;
    }

    /** One sentence for the aria-live region: what ran, and how the memmap changed. */
    private static String summarise(Action a, List<MemmapView.Cell> owners, List<MemmapView.Cell> changed,
                                    List<MemmapView.OverviewCell> elsewhere) {
        if (!a.changed()) return a.summary();
        if (owners.isEmpty() && !changed.isEmpty()) return a.summary() + ": no page changed owner; free blocks were regrouped.";
        if (changed.isEmpty() && !elsewhere.isEmpty()) {
            MemmapView.OverviewCell o = elsewhere.get(0);
            return a.summary() + ": the pages that changed are outside the window shown, in PFNs " + o.from() + "–" + o.to()
                    + " (choose that range in the overview).";
        }
        if (changed.isEmpty()) return a.summary() + ": no page changed.";
        MemmapView.Cell pick = owners.stream().filter(c -> !c.kind().equals("fi") && !c.kind().equals("pi")).findFirst().orElse(owners.get(0));
        return a.summary() + ": " + owners.size() + " page" + (owners.size() == 1 ? "" : "s") + " changed; PFN " + pick.pfn()
                + " is now " + pick.label() + ".";
    }

    private static List<Object> runsJson(List<MemmapView.Run> runs) {
        List<Object> out = new ArrayList<>();
        for (MemmapView.Run r : runs) out.add(List.of(r.from(), r.to(), r.letter(), r.kind(), r.label()));
        return out;
    }

    static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}

package org.memdesclab.web;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.memdesclab.lesson.Lesson;
import org.memdesclab.lesson.Question;
import org.memdesclab.sim.MachineConfig;
import org.memdesclab.sim.TraceEvent;

/** Flat view models for the lab templates, built from a {@link LiveLab} (templates never see the simulator). */
public final class LabModels {
    private LabModels() {}

    /** One block of console output: an echoed statement and its lines, or a note (undo, reset...). */
    public record ConsoleEntry(String statement, boolean ok, List<String> lines, boolean note) {
        public String joined() { return String.join("\n", lines); }
    }

    /** One history item: statement n (1-based; 0 is the start), in effect, current, or undone. */
    public record HistoryItem(int n, String statement, String state) {
        public String id() { return "h" + n; }
    }

    /** A step for the prose column. */
    public record StepView(int index, String id, String title, String proseHtml, String state, boolean goalMet, String goalReason,
                    List<String> hints, int hintsTotal, boolean canHint, boolean solutionRevealed, List<QuestionView> questions) {}

    /** A question as this learner sees it (a varying question is filled in with the learner's own seed). */
    public record QuestionView(String id, String kind, String promptHtml, List<String> choices, String statement, boolean lastOnly) {
        /** The statement whose output is the answer: the last line when the earlier ones only prepare. */
        public String answered() {
            String s = statement.strip();
            return lastOnly ? s.substring(s.lastIndexOf('\n') + 1) : s;
        }
    }

    /** The learner's variant of a question: the same learner always gets the same numbers. */
    static Question variant(Question q, String learner, String lessonId) {
        return q.variant(Question.seed(learner, lessonId, q.id()));
    }

    public record NarrationLine(String function, String detail, int depth) {}

    static List<ConsoleEntry> transcript(LiveLab lab) {
        List<ConsoleEntry> out = new ArrayList<>();
        for (LiveLab.Ran r : lab.ran()) out.add(entry(r));
        return out;
    }

    static ConsoleEntry entry(LiveLab.Ran r) {
        List<String> lines = new ArrayList<>(r.output());
        for (String n : r.notes()) lines.add("note: " + n);
        return new ConsoleEntry(r.statement(), r.ok(), lines, false);
    }

    static ConsoleEntry note(String text) { return new ConsoleEntry(text, true, List.of(), true); }

    static List<HistoryItem> history(LiveLab lab) {
        List<HistoryItem> out = new ArrayList<>();
        Timeline t = lab.timeline();
        out.add(new HistoryItem(0, "start (fresh machine" + (lab.lesson().setup().isEmpty() ? "" : " after the lesson's setup") + ")",
                t.position() == 0 ? "current" : "done"));
        List<String> st = t.statements();
        for (int i = 0; i < st.size(); i++) {
            int n = i + 1;
            out.add(new HistoryItem(n, st.get(i), n == t.position() ? "current" : n < t.position() ? "done" : "undone"));
        }
        return out;
    }

    static List<StepView> steps(List<LabService.StepStatus> statuses, String learner, String lessonId) {
        List<StepView> out = new ArrayList<>();
        for (LabService.StepStatus s : statuses) {
            var p = s.progress();
            String state = p.completed() ? "done" : s.current() ? "current" : "todo";
            int total = s.step().hintsHtml().size();
            List<String> hints = s.step().hintsHtml().subList(0, Math.min(total, p.hintsRevealed()));
            List<QuestionView> qs = new ArrayList<>();
            for (Question q : s.step().questions()) {
                Question v = variant(q, learner, lessonId);
                qs.add(new QuestionView(v.id(), v.kind(), v.promptHtml(), v.choices(), v.statement(), v.lastOnly()));
            }
            out.add(new StepView(s.index() + 1, s.step().id(), s.step().title(), s.step().proseHtml(), state,
                    s.goal() != null && s.goal().met(), s.goal() == null ? "" : s.goal().reason(), hints, total,
                    p.hintsRevealed() < total, p.solutionRevealed(), qs));
        }
        return out;
    }

    static List<NarrationLine> narration(LiveLab lab) {
        List<NarrationLine> out = new ArrayList<>();
        LiveLab.Ran last = lab.last();
        if (last == null) return out;
        for (TraceEvent e : last.trace()) out.add(new NarrationLine(e.function(), e.detail(), e.depth()));
        return out;
    }

    static String configText(MachineConfig c) {
        return c.pages() + " pages (" + humanBytes(4096L * c.pages()) + ") · " + c.cpus() + " CPU" + (c.cpus() == 1 ? "" : "s")
                + " · per-CPU lists " + (c.pcp() ? "on" : "off") + (c.slabNomerge() ? " · slab_nomerge" : "") + " · " + profileText(c.profile());
    }

    /** Which kernel profile the machine runs, as the lab header says it. */
    static String profileText(String id) {
        return id.startsWith("memdesc") ? "kernel profile " + id + " (proposed memdescs)" : "Linux " + id + " layout";
    }

    static String humanBytes(long b) {
        if (b >= 1L << 30 && b % (1L << 30) == 0) return (b >> 30) + " GiB";
        if (b >= 1L << 20) return (b >> 20) + " MiB";
        return (b >> 10) + " KiB";
    }

    /** Machine state for the JSON API: configuration, free lists, folios, the owner of every PFN. */
    static Map<String, Object> stateJson(Lesson lesson, LiveLab lab) {
        var m = lab.machine();
        var c = lab.config();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("lesson", lesson.id());
        out.put("config", Map.of("pages", c.pages(), "cpus", c.cpus(), "pcp", c.pcp(), "profile", c.profile(),
                "reserved", List.copyOf(c.reserved()), "slabNomerge", c.slabNomerge()));
        out.put("position", lab.timeline().position());
        out.put("statements", lab.timeline().statements().subList(0, lab.timeline().position()));
        List<Map<String, Object>> fl = new ArrayList<>();
        for (var r : TableViews.freeLists(m)) {
            List<Long> blocks = new ArrayList<>();
            for (long p : m.zone().freeList(r.order())) blocks.add(p);
            fl.add(Map.of("order", r.order(), "nrFree", r.nrFree(), "blocks", blocks));
        }
        out.put("freeLists", fl);
        List<Map<String, Object>> fo = new ArrayList<>();
        for (var f : TableViews.folios(m)) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("pfn", f.pfn());
            row.put("kind", f.kind());
            row.put("order", f.order());
            row.put("refcount", f.refcount());
            row.put("mapcount", f.mapcount());
            row.put("mapping", f.mapping());
            row.put("flags", f.flags());
            fo.add(row);
        }
        out.put("folios", fo);
        List<String> owners = new ArrayList<>(m.nrPages());
        for (long p = 0; p < m.nrPages(); p++) owners.add(m.owner(p).name());
        out.put("owners", owners);
        return out;
    }
}

package org.memdesclab.web;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.memdesclab.lesson.Lesson;
import org.memdesclab.lesson.Step;
import org.memdesclab.store.ClassroomStore.Activity;
import org.memdesclab.store.ClassroomStore.MistakeRow;
import org.memdesclab.store.ClassroomStore.StepRef;
import org.memdesclab.store.ClassroomStore;
import org.memdesclab.store.ClassroomStore.Member;
import org.memdesclab.store.ClassroomStore.ProgressRow;
import org.memdesclab.store.StepProgress;

/**
 * A course's learners by steps, read from the progress table and the journal: each cell done, working
 * (the learner's current step), stuck (the current step after many failed statements or a long time),
 * or not started, with hints used and whether the solution was revealed; who is online; and per step
 * the wrong statements the class tried most.
 */
final class Dashboard {
    /** Statements run on one step without completing it, after which the learner counts as stuck. */
    static final int STUCK_ATTEMPTS = 8;
    /** Time on one step after which the learner counts as stuck. */
    static final Duration STUCK_TIME = Duration.ofMinutes(10);
    /** A learner seen (any lab request or journal row) this recently is online. */
    static final Duration ONLINE = Duration.ofMinutes(2);
    static final int TOP_MISTAKES = 3;

    record Column(String lessonId, String lessonTitle, int lessonOrder, int stepNo, String stepTitle) {}

    /** One learner on one step. Kept small: a class of 60 on all lessons is some 4,000 cells, polled every 5 seconds. */
    record Cell(String css, String label, String title) {}

    record Row(int no, String name, boolean online, String lastSeen, List<Cell> cells, int done) {}

    record Mistake(String statement, int times, int learners) {}

    record StepMistakes(String lessonTitle, String stepTitle, List<Mistake> mistakes) {}

    record View(List<Lesson> lessons, List<Column> columns, List<Row> rows, List<StepMistakes> mistakes, int online) {}

    private Dashboard() {}

    static View build(List<Lesson> lessons, List<Member> members, List<ProgressRow> progress, List<Activity> activity,
                      List<MistakeRow> mistakes, Map<String, Instant> presence, Instant now) {
        Map<String, Map<String, StepProgress>> prog = new HashMap<>(); // learner|lesson -> step -> progress
        for (ProgressRow r : progress) {
            prog.computeIfAbsent(r.learnerId() + "|" + r.lessonId(), k -> new HashMap<>()).put(r.progress().stepId(), r.progress());
        }
        Map<String, Activity> act = new HashMap<>();
        Map<String, Instant> lastByLearner = new HashMap<>();
        for (Activity a : activity) {
            act.put(a.learnerId() + "|" + a.lessonId(), a);
            lastByLearner.merge(a.learnerId(), a.last(), (x, y) -> x.isAfter(y) ? x : y);
        }
        List<Column> columns = new ArrayList<>();
        for (Lesson l : lessons) {
            int i = 1;
            for (Step s : l.steps()) columns.add(new Column(l.id(), l.title(), l.order(), i++, s.title()));
        }
        List<Row> rows = new ArrayList<>();
        int online = 0;
        for (Member m : members) {
            Instant seen = lastByLearner.get(m.learnerId());
            Instant p = presence.get(m.learnerId());
            if (p != null && (seen == null || p.isAfter(seen))) seen = p;
            boolean on = seen != null && Duration.between(seen, now).compareTo(ONLINE) <= 0;
            if (on) online++;
            List<Cell> cells = new ArrayList<>();
            int done = 0;
            for (Lesson l : lessons) {
                Map<String, StepProgress> lp = prog.getOrDefault(m.learnerId() + "|" + l.id(), Map.of());
                Activity a = act.get(m.learnerId() + "|" + l.id());
                boolean started = a != null || !lp.isEmpty();
                boolean currentFound = false;
                Instant stepStart = a == null ? null : a.first();
                for (Step s : l.steps()) {
                    StepProgress sp = lp.getOrDefault(s.id(), StepProgress.fresh(s.id()));
                    String state;
                    if (sp.completed()) {
                        state = "done";
                        done++;
                        if (stepStart == null || sp.completedAt().isAfter(stepStart)) stepStart = sp.completedAt();
                    } else if (started && !currentFound) {
                        currentFound = true;
                        boolean slow = stepStart != null && Duration.between(stepStart, now).compareTo(STUCK_TIME) >= 0;
                        state = sp.attempts() >= STUCK_ATTEMPTS || slow ? "stuck" : "working";
                    } else {
                        state = "todo";
                    }
                    cells.add(cell(state, sp));
                }
            }
            rows.add(new Row(m.no(), m.displayName(), on, seen == null ? "never" : ago(Duration.between(seen, now)), cells, done));
        }
        return new View(lessons, columns, rows, mistakes(lessons, mistakes), online);
    }

    private static Cell cell(String state, StepProgress sp) {
        StringBuilder label = new StringBuilder(switch (state) {
            case "done" -> "✓";
            case "stuck" -> "!";
            case "working" -> "…";
            default -> "";
        });
        if (sp.hintsRevealed() > 0) label.append(" h").append(sp.hintsRevealed());
        if (sp.solutionRevealed()) label.append(" S");
        // the step's title is in the column header; the cell says only what differs per learner
        String title = (state.equals("todo") ? "not started" : state) + ", " + sp.attempts() + " statements, "
                + sp.hintsRevealed() + " hints" + (sp.solutionRevealed() ? ", solution revealed" : "");
        String text = label.toString().strip();
        return new Cell("cell-" + state, text.isEmpty() ? "·" : text, title);
    }

    /** The steps of the course's lessons in course order, as {@link ClassroomStore#topMistakes} takes them. */
    static List<StepRef> steps(List<Lesson> lessons) {
        List<StepRef> out = new ArrayList<>();
        for (Lesson l : lessons) for (Step s : l.steps()) out.add(new StepRef(l.id(), s.id()));
        return out;
    }

    /** The store's rows (already counted, ranked and cut per step) under their lesson and step titles. */
    private static List<StepMistakes> mistakes(List<Lesson> lessons, List<MistakeRow> rows) {
        Map<String, List<Mistake>> byStep = new LinkedHashMap<>();
        for (MistakeRow r : rows) {
            byStep.computeIfAbsent(r.lessonId() + "|" + r.stepId(), k -> new ArrayList<>()).add(new Mistake(r.statement(), r.times(), r.learners()));
        }
        List<StepMistakes> out = new ArrayList<>();
        for (Lesson l : lessons) {
            for (Step s : l.steps()) {
                List<Mistake> ms = byStep.get(l.id() + "|" + s.id());
                if (ms != null) out.add(new StepMistakes(l.title(), s.title(), List.copyOf(ms)));
            }
        }
        return out;
    }

    static String ago(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 60) return s + " s ago";
        if (s < 3600) return (s / 60) + " min ago";
        if (s < 86400) return (s / 3600) + " h ago";
        return (s / 86400) + " days ago";
    }
}

package org.memdesclab.web;

import java.util.ArrayList;
import java.util.List;
import org.memdesclab.lesson.GoalContext;
import org.memdesclab.lesson.Lesson;
import org.memdesclab.sim.Machine;
import org.memdesclab.sim.MachineConfig;
import org.memdesclab.sim.TraceEvent;
import org.memdesclab.sim.lang.Console;
import org.memdesclab.store.JournalEntry;

/**
 * One learner's live machine in one lesson: a console over a machine, kept in step with the
 * {@link Timeline}. Moving back replays a prefix from a fresh machine (the machine is a pure function
 * of configuration and statements); moving forward runs the next statements. Not thread-safe: the
 * {@link LabService} holds a lock per (learner, lesson).
 */
public final class LiveLab {
    /** A statement that is in effect, with what it printed and what the kernel did. */
    public record Ran(String statement, boolean ok, List<String> output, List<TraceEvent> trace, List<String> notes) {}

    private final Lesson lesson;
    private final Timeline timeline;
    private Machine machine;
    private Console console;
    private final List<Ran> ran = new ArrayList<>();
    private List<String> setupErrors = List.of();
    /** The learner's step progress in this lesson, read once from the store and kept in step with it (LabService). */
    private java.util.Map<String, org.memdesclab.store.StepProgress> progress;

    private LiveLab(Lesson lesson, Timeline timeline) {
        this.lesson = lesson;
        this.timeline = timeline;
    }

    /** Rebuilds a lab from its journal: fold, then one replay of the statements in effect. */
    public static LiveLab rebuild(Lesson lesson, List<JournalEntry> journal) {
        LiveLab lab = new LiveLab(lesson, Timeline.fold(lesson.machine(), journal));
        lab.boot();
        lab.sync();
        return lab;
    }

    private void boot() {
        machine = new Machine(timeline.config());
        console = new Console(machine);
        List<String> errors = new ArrayList<>();
        for (String s : lesson.setup()) {
            var r = console.exec(s);
            if (!r.ok()) errors.add(s + ": " + String.join(" ", r.output()));
        }
        setupErrors = List.copyOf(errors);
        ran.clear();
    }

    /** Brings the machine to the timeline's position, replaying from boot only when it must go back. */
    private void sync() {
        List<String> st = timeline.statements();
        int common = 0;
        while (common < ran.size() && common < timeline.position() && ran.get(common).statement().equals(st.get(common))) common++;
        if (common < ran.size()) {
            boot();
            common = 0;
        }
        for (int i = common; i < timeline.position(); i++) run(st.get(i));
    }

    private Ran run(String statement) {
        var r = console.exec(statement);
        Ran x = new Ran(statement, r.ok(), List.copyOf(OutputLimit.cap(r.output())), List.copyOf(r.trace()), List.copyOf(r.notes()));
        ran.add(x);
        return x;
    }

    /** Runs one statement at the current position (dropping any undone statements) and returns it. */
    public Ran exec(String statement) {
        timeline.apply(JournalEntry.Kind.STATEMENT, statement, 0);
        return run(statement);
    }

    /** Applies an undo, redo, reset, goto or config row and brings the machine along. */
    public void move(JournalEntry.Kind kind, String statement, int target) {
        timeline.apply(kind, statement, target);
        if (kind == JournalEntry.Kind.CONFIG) boot();
        sync();
    }

    public Lesson lesson() { return lesson; }

    public Machine machine() { return machine; }

    public MachineConfig config() { return timeline.config(); }

    public Timeline timeline() { return timeline; }

    /** The statements in effect, oldest first. */
    public List<Ran> ran() { return List.copyOf(ran); }

    public Ran last() { return ran.isEmpty() ? null : ran.get(ran.size() - 1); }

    public List<String> setupErrors() { return setupErrors; }

    /** The cached step progress, or null before {@link LabService} first reads it. */
    java.util.Map<String, org.memdesclab.store.StepProgress> progress() { return progress; }

    void progress(java.util.Map<String, org.memdesclab.store.StepProgress> p) { progress = p; }

    /** Names the learner can complete with Tab: functions, constants, their variables, commands. */
    public List<String> completions() { return console.completions(); }

    public GoalContext goalContext() {
        List<GoalContext.RanStatement> h = new ArrayList<>();
        for (Ran r : ran) h.add(new GoalContext.RanStatement(r.statement(), r.ok(), r.output()));
        return new GoalContext(machine, h);
    }
}

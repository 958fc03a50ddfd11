package org.memdesclab.lesson;

import java.util.ArrayList;
import java.util.List;
import org.memdesclab.sim.Machine;
import org.memdesclab.sim.lang.Console;
import org.memdesclab.sim.lang.ExecResult;

/**
 * Builds a lesson's machine: boot the lesson's configuration, run its setup statements, then any
 * statements the learner ran. A machine is a pure function of these, so this is also how a machine
 * is rebuilt after an eviction or a restart.
 */
public final class LessonMachines {
    private LessonMachines() {}

    /** A console on a fresh machine for the lesson, after its setup. */
    public static Console boot(Lesson lesson) { return Console.replay(lesson.machine(), lesson.setup()); }

    /** A console after the setup and then {@code statements} (the learner's, oldest first). */
    public static Console replay(Lesson lesson, List<String> statements) {
        Console c = boot(lesson);
        for (String s : statements) c.exec(s);
        return c;
    }

    /** Runs statements on a console, recording each in a history a {@link GoalContext} can hold. */
    public static List<GoalContext.RanStatement> run(Console console, List<String> statements) {
        List<GoalContext.RanStatement> out = new ArrayList<>();
        for (String s : statements) out.add(ran(s, console.exec(s)));
        return out;
    }

    public static GoalContext.RanStatement ran(String statement, ExecResult r) {
        return new GoalContext.RanStatement(statement, r.ok(), r.output());
    }

    /** A goal context over a console's machine and a history. */
    public static GoalContext context(Console console, List<GoalContext.RanStatement> history) {
        return new GoalContext(console.machine(), List.copyOf(history));
    }

    /** The machine of {@link #boot} without the console. */
    public static Machine bootMachine(Lesson lesson) { return boot(lesson).machine(); }
}

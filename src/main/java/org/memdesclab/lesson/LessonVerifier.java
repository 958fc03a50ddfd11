package org.memdesclab.lesson;

import java.util.ArrayList;
import java.util.List;
import org.memdesclab.sim.lang.Console;
import org.memdesclab.sim.lang.ExecResult;

/**
 * Replays a lesson the way a perfect learner would: the setup, then each step's reference solution
 * in order. Reports every setup or solution statement that fails, every goal already met before its
 * solution runs (the step would complete the moment it appears), and every goal not met right after
 * its own solution. The directory catalog shows these to authors; LessonSolutionsTest holds the
 * packaged lessons to them.
 */
public final class LessonVerifier {
    private final GoalChecks checks;

    public LessonVerifier(GoalChecks checks) { this.checks = checks; }

    /** The problems found, in lesson order; empty when the lesson is sound. */
    public List<String> verify(Lesson lesson) {
        List<String> problems = new ArrayList<>();
        Console console;
        try {
            console = Console.replay(lesson.machine(), List.of());
        } catch (RuntimeException e) {
            return List.of("the machine does not boot: " + e.getMessage());
        }
        for (int i = 0; i < lesson.setup().size(); i++) {
            String s = lesson.setup().get(i);
            ExecResult r = console.exec(s);
            if (!r.ok()) problems.add("setup statement " + (i + 1) + " `" + s + "` fails: " + first(r));
        }
        List<GoalContext.RanStatement> history = new ArrayList<>();
        for (int n = 0; n < lesson.steps().size(); n++) {
            Step step = lesson.steps().get(n);
            String where = "step " + (n + 1) + " (\"" + step.id() + "\")";
            if (checks.evaluate(step.goal(), LessonMachines.context(console, history)).met()) {
                problems.add(where + ": the goal is already met before its solution runs, so the step would complete at once");
            }
            for (String s : step.solution()) {
                ExecResult r = console.exec(s);
                history.add(LessonMachines.ran(s, r));
                if (!r.ok()) problems.add(where + ": solution statement `" + s + "` fails: " + first(r));
            }
            GoalResult after = checks.evaluate(step.goal(), LessonMachines.context(console, history));
            if (!after.met()) problems.add(where + ": the goal is not met after its solution: " + after.reason());
        }
        return problems;
    }

    private static String first(ExecResult r) { return r.output().isEmpty() ? "(no message)" : r.output().get(0); }
}

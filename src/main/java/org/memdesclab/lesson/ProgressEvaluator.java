package org.memdesclab.lesson;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Decides progress after every statement. Steps complete in order: the first step not yet completed
 * is the current one; if its goal is met it completes, and the next step is checked against the same
 * state, so one statement can complete several steps. Completed steps stay completed even if the
 * machine later changes (undo does not take progress away).
 */
public final class ProgressEvaluator {
    private final GoalChecks checks;

    public ProgressEvaluator(GoalChecks checks) { this.checks = checks; }

    public ProgressEvaluator() { this(GoalChecks.standard()); }

    public Progress evaluate(Lesson lesson, Set<String> completed, GoalContext context) {
        List<Step> steps = lesson.steps();
        List<String> newly = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            if (completed.contains(s.id())) continue;
            GoalResult r = checks.evaluate(s.goal(), context);
            if (!r.met()) return new Progress(s, i, newly, r.reason());
            newly.add(s.id());
        }
        return new Progress(null, steps.size(), newly, "");
    }

    /** The current step without evaluating anything: the first step not in {@code completed}, or null. */
    public static Step currentStep(Lesson lesson, Set<String> completed) {
        for (Step s : lesson.steps()) if (!completed.contains(s.id())) return s;
        return null;
    }
}

package org.memdesclab.web;

import org.memdesclab.lesson.GoalContext;
import org.memdesclab.lesson.GoalResult;
import org.memdesclab.lesson.GoalSpec;

/** Decides a step's goal against a learner's machine; the lesson engine's goal-check registry plugs in here. */
@FunctionalInterface
public interface GoalEvaluator {
    GoalResult evaluate(GoalSpec goal, GoalContext context);
}

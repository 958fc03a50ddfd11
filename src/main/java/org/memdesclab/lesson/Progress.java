package org.memdesclab.lesson;

import java.util.List;

/**
 * Where a learner stands in a lesson after a statement.
 *
 * @param currentStep    the first step not completed, or null when every step is done (or the lesson has none)
 * @param currentIndex   its index in {@link Lesson#steps()} (0-based), or the number of steps when done
 * @param newlyCompleted ids of the steps this evaluation completed, in order (usually none or one)
 * @param reason         why the current step's goal is not met yet, in one sentence ("" when done)
 */
public record Progress(Step currentStep, int currentIndex, List<String> newlyCompleted, String reason) {
    public Progress {
        newlyCompleted = List.copyOf(newlyCompleted);
    }

    /** True when every step of the lesson is completed. */
    public boolean lessonComplete() { return currentStep == null; }
}

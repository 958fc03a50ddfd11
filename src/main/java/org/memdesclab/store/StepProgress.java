package org.memdesclab.store;

import java.time.Instant;

/**
 * A learner's progress on one step: when it was completed (null if not yet), how many hint tiers they
 * revealed, whether they revealed the solution, and how many statements they ran while on it.
 */
public record StepProgress(String stepId, Instant completedAt, int hintsRevealed, boolean solutionRevealed, int attempts) {
    public static StepProgress fresh(String stepId) { return new StepProgress(stepId, null, 0, false, 0); }

    public boolean completed() { return completedAt != null; }

    public StepProgress withCompleted(Instant at) { return new StepProgress(stepId, at, hintsRevealed, solutionRevealed, attempts); }

    public StepProgress withHints(int n) { return new StepProgress(stepId, completedAt, n, solutionRevealed, attempts); }

    public StepProgress withSolutionRevealed() { return new StepProgress(stepId, completedAt, hintsRevealed, true, attempts); }

    public StepProgress withAttempt() { return new StepProgress(stepId, completedAt, hintsRevealed, solutionRevealed, attempts + 1); }
}

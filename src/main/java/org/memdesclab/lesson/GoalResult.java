package org.memdesclab.lesson;

/** The outcome of a goal check; when not met, {@code reason} tells the learner why in one sentence. */
public record GoalResult(boolean met, String reason) {
    public static GoalResult ok() { return new GoalResult(true, ""); }

    public static GoalResult notMet(String reason) { return new GoalResult(false, reason); }
}

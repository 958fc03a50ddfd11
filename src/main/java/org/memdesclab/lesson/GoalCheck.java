package org.memdesclab.lesson;

import java.util.Map;

/** A named, tested strategy that decides whether a step's goal is met. Lessons only name and parameterise them. */
public interface GoalCheck {
    /** The name lessons use, e.g. "folio_exists". */
    String name();

    /** One line for the authoring guide: what it checks and its parameters. */
    String description();

    /**
     * Refuses parameters this check cannot use, with a message for the lesson author. Called once when
     * the lesson is loaded, so {@link #check} may assume valid parameters.
     */
    default void validate(Map<String, Object> params) {}

    /** Decides the goal; when it is not met, the result's reason tells the learner why in one sentence. */
    GoalResult check(GoalContext context, Map<String, Object> params);
}

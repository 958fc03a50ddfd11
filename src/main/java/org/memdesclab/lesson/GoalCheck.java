package org.memdesclab.lesson;

import java.util.Map;

/** A named, tested strategy that decides whether a step's goal is met. Lessons only name and parameterise them. */
public interface GoalCheck {
    /** The name lessons use, e.g. "folio_exists". */
    String name();

    /** One line for the authoring guide: what it checks and its parameters. */
    String description();

    GoalResult check(GoalContext context, Map<String, Object> params);
}

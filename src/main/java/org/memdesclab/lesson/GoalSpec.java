package org.memdesclab.lesson;

import java.util.Map;

/** A goal as lesson data: the name of a {@link GoalCheck} and its parameters, e.g. folio_exists {min_order: 2}. */
public record GoalSpec(String check, Map<String, Object> params) {
    public GoalSpec {
        params = Map.copyOf(params);
    }
}

package org.memdesclab.lesson;

import java.util.List;
import org.memdesclab.sim.Machine;

/**
 * What a goal check may look at: the learner's machine (read only, by convention), and the statements
 * the learner ran in this lesson (after the setup), with their output, oldest first.
 */
public record GoalContext(Machine machine, List<RanStatement> history) {
    /** One statement the learner ran and what it printed. */
    public record RanStatement(String statement, boolean ok, List<String> output) {}
}

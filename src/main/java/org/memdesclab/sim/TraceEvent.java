package org.memdesclab.sim;

/**
 * One thing the kernel did inside an operation, in call order: the kernel function and what it did,
 * for example {@code expand} / "put PFN 32 on free_area[5]".
 *
 * @param depth nesting below the entry point (0 = the call the learner made)
 */
public record TraceEvent(String function, String detail, int depth) {
    @Override
    public String toString() { return function + ": " + detail; }
}

package org.memdesclab.sim.lang;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

/** The one check every error-path test makes: a refused statement says so and changes nothing. */
final class RefusedStatements {
    private RefusedStatements() {}

    /**
     * Runs {@code statement} and asserts it changed nothing (machine, variables, invariants) and that its
     * first output line starts with one of {@code prefixes} (and is not an internal error).
     */
    static ExecResult assertRefusedUnchanged(Console c, String statement, List<String> prefixes) {
        long before = c.machine().digest();
        var vars = c.variables();
        ExecResult r = c.exec(statement);
        assertEquals(before, c.machine().digest(), statement + " changed the machine: " + r.output());
        assertEquals(vars, c.variables(), statement);
        assertFalse(r.output().isEmpty(), statement);
        String first = r.output().get(0);
        assertTrue(prefixes.stream().anyMatch(first::startsWith), statement + " -> " + r.output());
        assertFalse(first.startsWith("error: internal error"), statement + " -> " + first);
        assertTrue(c.machine().checkConsistency().isEmpty(), statement);
        return r;
    }
}

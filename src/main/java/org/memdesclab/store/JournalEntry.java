package org.memdesclab.store;

import java.time.Instant;
import java.util.List;

/**
 * One row of a learner's journal in one lesson. Rows are never updated or deleted: undo, redo, reset
 * and "go back to statement n" are rows of their own, so the journal replays to exactly what the
 * learner saw.
 *
 * @param seq       1, 2, ... per (learner, lesson)
 * @param statement the statement run (kind STATEMENT) or the machine configuration (kind CONFIG)
 * @param target    for GOTO: how many effective statements to keep
 * @param ok        for STATEMENT: whether it succeeded; true for the other kinds
 * @param output    for STATEMENT: the lines it printed
 */
public record JournalEntry(int seq, Kind kind, String statement, int target, boolean ok, List<String> output, Instant at) {
    public JournalEntry {
        output = List.copyOf(output);
    }

    /** What a journal row records. */
    public enum Kind {
        STATEMENT, UNDO, REDO, RESET, GOTO, CONFIG;

        public String dbName() { return name().toLowerCase(java.util.Locale.ROOT); }

        public static Kind fromDb(String s) { return valueOf(s.toUpperCase(java.util.Locale.ROOT)); }
    }
}

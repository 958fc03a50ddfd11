package org.memdesclab.web;

/**
 * What one request and one learner may ask of the server, with defaults far above what a person
 * typing needs and far below what would let one script take the server from everyone else.
 *
 * @param maxBodyBytes        largest request body; bigger ones get 413 before anything reads them
 * @param statementsPerSecond how fast a learner's statement allowance refills (statements, undo,
 *                            redo, goto, reset and quick operations all count)
 * @param statementBurst      how many a learner may send at once before the refill rate applies
 */
public record Limits(int maxBodyBytes, double statementsPerSecond, int statementBurst) {
    /** 64 KiB is 20 statements of 2,000 characters with room to spare. */
    public static final int DEFAULT_MAX_BODY = 64 * 1024;

    public Limits {
        if (maxBodyBytes < 1024) throw new IllegalArgumentException("maxBodyBytes must be at least 1024");
        if (!(statementsPerSecond > 0)) throw new IllegalArgumentException("statementsPerSecond must be positive");
        if (statementBurst < 1) throw new IllegalArgumentException("statementBurst must be at least 1");
    }

    public static Limits defaults() { return new Limits(DEFAULT_MAX_BODY, 20, 120); }

    public Limits withRate(double perSecond, int burst) { return new Limits(maxBodyBytes, perSecond, burst); }
}

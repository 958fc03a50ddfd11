package org.memdesclab.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Learners, the journal and progress, over plain JDBC. The clock lives here (and in web), never in
 * the simulator. Journal rows are appended, never changed.
 */
public final class Store {
    private final DataSource ds;
    private final Clock clock;

    public Store(DataSource ds, Clock clock) {
        this.ds = ds;
        this.clock = clock;
    }

    public Instant now() { return clock.instant(); }

    // ------------------------------------------------------------------ learners

    public boolean learnerExists(String id) {
        return query("SELECT 1 FROM learner WHERE id = ?", ps -> ps.setString(1, id), rs -> true).size() == 1;
    }

    public void createLearner(String id) {
        update("INSERT INTO learner (id, created_at) VALUES (?, ?)", ps -> {
            ps.setString(1, id);
            ps.setTimestamp(2, Timestamp.from(now()));
        });
    }

    // ------------------------------------------------------------------ journal

    /** output_text is VARCHAR(32000); the output is for the record only (replay reruns the statement). */
    static final int OUTPUT_COLUMN = 32_000;

    static String fitColumn(String text) {
        if (text.length() <= OUTPUT_COLUMN) return text;
        String cut = "\n[output cut to fit the journal]";
        return text.substring(0, OUTPUT_COLUMN - cut.length()) + cut;
    }

    /** Appends one row with the next sequence number and returns it. Callers serialise per (learner, lesson). */
    public JournalEntry append(String learner, String lesson, JournalEntry.Kind kind, String statement, int target, boolean ok,
                               List<String> output) {
        Instant at = now();
        try (Connection c = ds.getConnection()) {
            int seq;
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT COALESCE(MAX(seq), 0) FROM journal WHERE learner_id = ? AND lesson_id = ?")) {
                ps.setString(1, learner);
                ps.setString(2, lesson);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    seq = rs.getInt(1) + 1;
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO journal (learner_id, lesson_id, seq, kind, statement, "
                    + "target, ok, output_text, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, learner);
                ps.setString(2, lesson);
                ps.setInt(3, seq);
                ps.setString(4, kind.dbName());
                if (statement == null) ps.setNull(5, Types.VARCHAR); else ps.setString(5, statement);
                ps.setInt(6, target);
                ps.setBoolean(7, ok);
                ps.setString(8, fitColumn(String.join("\n", output)));
                ps.setTimestamp(9, Timestamp.from(at));
                ps.executeUpdate();
            }
            return new JournalEntry(seq, kind, statement, target, ok, output, at);
        } catch (SQLException e) {
            throw new StoreException("could not write the journal", e);
        }
    }

    /** The sequence number of the learner's newest journal row in a lesson (0 when there is none). */
    public int lastSeq(String learner, String lesson) {
        return query("SELECT COALESCE(MAX(seq), 0) FROM journal WHERE learner_id = ? AND lesson_id = ?", ps -> {
            ps.setString(1, learner);
            ps.setString(2, lesson);
        }, rs -> rs.getInt(1)).get(0);
    }

    /** A learner's journal in one lesson, oldest first. */
    public List<JournalEntry> journal(String learner, String lesson) {
        return query("SELECT seq, kind, statement, target, ok, output_text, created_at FROM journal "
                + "WHERE learner_id = ? AND lesson_id = ? ORDER BY seq", ps -> {
                    ps.setString(1, learner);
                    ps.setString(2, lesson);
                }, rs -> {
                    String out = rs.getString(6);
                    return new JournalEntry(rs.getInt(1), JournalEntry.Kind.fromDb(rs.getString(2)), rs.getString(3),
                            rs.getInt(4), rs.getBoolean(5), out == null || out.isEmpty() ? List.of() : List.of(out.split("\n", -1)),
                            rs.getTimestamp(7).toInstant());
                });
    }

    // ------------------------------------------------------------------ progress

    /** Progress per step id, for the steps the learner has touched. */
    public Map<String, StepProgress> progress(String learner, String lesson) {
        Map<String, StepProgress> out = new LinkedHashMap<>();
        for (StepProgress p : query("SELECT step_id, completed_at, hints_revealed, solution_revealed, attempts FROM progress "
                + "WHERE learner_id = ? AND lesson_id = ?", ps -> {
                    ps.setString(1, learner);
                    ps.setString(2, lesson);
                }, Store::readProgress)) {
            out.put(p.stepId(), p);
        }
        return out;
    }

    /** Completed steps per lesson for one learner (for the home page). */
    public Map<String, Integer> completedSteps(String learner) {
        Map<String, Integer> out = new HashMap<>();
        query("SELECT lesson_id, COUNT(*) FROM progress WHERE learner_id = ? AND completed_at IS NOT NULL GROUP BY lesson_id",
                ps -> ps.setString(1, learner), rs -> out.put(rs.getString(1), rs.getInt(2)));
        return out;
    }

    public void saveProgress(String learner, String lesson, StepProgress p) {
        int n = update("UPDATE progress SET completed_at = ?, hints_revealed = ?, solution_revealed = ?, attempts = ? "
                + "WHERE learner_id = ? AND lesson_id = ? AND step_id = ?", ps -> {
                    ps.setTimestamp(1, p.completedAt() == null ? null : Timestamp.from(p.completedAt()));
                    ps.setInt(2, p.hintsRevealed());
                    ps.setBoolean(3, p.solutionRevealed());
                    ps.setInt(4, p.attempts());
                    ps.setString(5, learner);
                    ps.setString(6, lesson);
                    ps.setString(7, p.stepId());
                });
        if (n == 0) {
            update("INSERT INTO progress (learner_id, lesson_id, step_id, completed_at, hints_revealed, solution_revealed, attempts) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?)", ps -> {
                        ps.setString(1, learner);
                        ps.setString(2, lesson);
                        ps.setString(3, p.stepId());
                        ps.setTimestamp(4, p.completedAt() == null ? null : Timestamp.from(p.completedAt()));
                        ps.setInt(5, p.hintsRevealed());
                        ps.setBoolean(6, p.solutionRevealed());
                        ps.setInt(7, p.attempts());
                    });
        }
    }

    private static StepProgress readProgress(ResultSet rs) throws SQLException {
        Timestamp t = rs.getTimestamp(2);
        return new StepProgress(rs.getString(1), t == null ? null : t.toInstant(), rs.getInt(3), rs.getBoolean(4), rs.getInt(5));
    }

    // ------------------------------------------------------------------ JDBC plumbing

    private interface Binder { void bind(PreparedStatement ps) throws SQLException; }

    private interface Reader<T> { T read(ResultSet rs) throws SQLException; }

    private <T> List<T> query(String sql, Binder b, Reader<T> r) {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            b.bind(ps);
            List<T> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(r.read(rs));
            }
            return out;
        } catch (SQLException e) {
            throw new StoreException("database query failed", e);
        }
    }

    private int update(String sql, Binder b) {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            b.bind(ps);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("database update failed", e);
        }
    }

    /** A database failure; the web layer answers 500 and the learner's machine is unchanged. */
    public static final class StoreException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StoreException(String message, Throwable cause) { super(message + ": " + cause.getMessage(), cause); }
    }
}

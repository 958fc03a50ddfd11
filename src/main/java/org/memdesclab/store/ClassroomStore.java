package org.memdesclab.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The classroom's tables (migrations V2-V4): resume codes, instructor accounts and sessions, courses,
 * their members and what instructors did. Like {@link Store}, plain JDBC on H2 or PostgreSQL; rows of
 * course_event are only ever added.
 */
public final class ClassroomStore {
    /** An instructor account. */
    public record Instructor(String username, String passwordHash, boolean admin) {}

    /** A course and its join code. */
    public record Course(String id, String title, String joinCode, String createdBy, Instant createdAt) {}

    /** A learner in a course, named in instructor pages by {@code no}. */
    public record Member(int no, String learnerId, String displayName, Instant joinedAt) {}

    /** A course as a learner sees it: the course and the name they joined with. */
    public record Membership(Course course, String displayName) {}

    /** One learner's progress row in one lesson. */
    public record ProgressRow(String learnerId, String lessonId, StepProgress progress) {}

    /** When a learner first and last wrote to a lesson's journal. */
    public record Activity(String learnerId, String lessonId, Instant first, Instant last) {}

    private final DataSource ds;
    private final Clock clock;

    public ClassroomStore(DataSource ds, Clock clock) {
        this.ds = ds;
        this.clock = clock;
    }

    public Instant now() { return clock.instant(); }

    // ------------------------------------------------------------------ resume codes

    public Optional<String> resumeCode(String learner) {
        return first(query("SELECT resume_code FROM learner WHERE id = ? AND resume_code IS NOT NULL",
                ps -> ps.setString(1, learner), rs -> rs.getString(1)));
    }

    /** Gives the learner this code if they have none; false if another learner holds the code already. */
    public boolean setResumeCode(String learner, String code) {
        try {
            return update("UPDATE learner SET resume_code = ? WHERE id = ? AND resume_code IS NULL", ps -> {
                ps.setString(1, code);
                ps.setString(2, learner);
            }) == 1;
        } catch (Store.StoreException e) {
            if (e.getCause() instanceof SQLException s && isUniqueViolation(s)) return false;
            throw e;
        }
    }

    public Optional<String> learnerByResumeCode(String code) {
        return first(query("SELECT id FROM learner WHERE resume_code = ?", ps -> ps.setString(1, code), rs -> rs.getString(1)));
    }

    // ------------------------------------------------------------------ instructors and sessions

    public int instructorCount() {
        return query("SELECT COUNT(*) FROM instructor", ps -> {}, rs -> rs.getInt(1)).get(0);
    }

    public Optional<Instructor> instructor(String username) {
        return first(query("SELECT username, password_hash, is_admin FROM instructor WHERE username = ?",
                ps -> ps.setString(1, username), rs -> new Instructor(rs.getString(1), rs.getString(2), rs.getBoolean(3))));
    }

    public List<Instructor> instructors() {
        return query("SELECT username, password_hash, is_admin FROM instructor ORDER BY username", ps -> {},
                rs -> new Instructor(rs.getString(1), rs.getString(2), rs.getBoolean(3)));
    }

    public void createInstructor(String username, String passwordHash, boolean admin) {
        update("INSERT INTO instructor (username, password_hash, is_admin, created_at) VALUES (?, ?, ?, ?)", ps -> {
            ps.setString(1, username);
            ps.setString(2, passwordHash);
            ps.setBoolean(3, admin);
            ps.setTimestamp(4, Timestamp.from(now()));
        });
    }

    public void createSession(String tokenHash, String username, Instant expires) {
        update("INSERT INTO instructor_session (token_hash, username, created_at, expires_at) VALUES (?, ?, ?, ?)", ps -> {
            ps.setString(1, tokenHash);
            ps.setString(2, username);
            ps.setTimestamp(3, Timestamp.from(now()));
            ps.setTimestamp(4, Timestamp.from(expires));
        });
    }

    /** The username of a session that has not expired. */
    public Optional<String> sessionUser(String tokenHash) {
        return first(query("SELECT username FROM instructor_session WHERE token_hash = ? AND expires_at > ?", ps -> {
            ps.setString(1, tokenHash);
            ps.setTimestamp(2, Timestamp.from(now()));
        }, rs -> rs.getString(1)));
    }

    public void deleteSession(String tokenHash) {
        update("DELETE FROM instructor_session WHERE token_hash = ?", ps -> ps.setString(1, tokenHash));
    }

    // ------------------------------------------------------------------ courses

    /** Creates a course with its instructors and lessons in one transaction. */
    public void createCourse(Course c, List<String> instructors, List<String> lessons) {
        inTransaction(conn -> {
            exec(conn, "INSERT INTO course (id, title, join_code, created_by, created_at) VALUES (?, ?, ?, ?, ?)", ps -> {
                ps.setString(1, c.id());
                ps.setString(2, c.title());
                ps.setString(3, c.joinCode());
                ps.setString(4, c.createdBy());
                ps.setTimestamp(5, Timestamp.from(c.createdAt()));
            });
            for (String u : instructors) {
                exec(conn, "INSERT INTO course_instructor (course_id, username) VALUES (?, ?)", ps -> {
                    ps.setString(1, c.id());
                    ps.setString(2, u);
                });
            }
            int pos = 0;
            for (String l : lessons) {
                int p = pos++;
                exec(conn, "INSERT INTO course_lesson (course_id, position, lesson_id) VALUES (?, ?, ?)", ps -> {
                    ps.setString(1, c.id());
                    ps.setInt(2, p);
                    ps.setString(3, l);
                });
            }
        });
    }

    /** Changes a course's title, instructors and lessons (its learners and their work are untouched). */
    public void updateCourse(String id, String title, List<String> instructors, List<String> lessons) {
        inTransaction(conn -> {
            exec(conn, "UPDATE course SET title = ? WHERE id = ?", ps -> {
                ps.setString(1, title);
                ps.setString(2, id);
            });
            exec(conn, "DELETE FROM course_instructor WHERE course_id = ?", ps -> ps.setString(1, id));
            exec(conn, "DELETE FROM course_lesson WHERE course_id = ?", ps -> ps.setString(1, id));
            for (String u : instructors) {
                exec(conn, "INSERT INTO course_instructor (course_id, username) VALUES (?, ?)", ps -> {
                    ps.setString(1, id);
                    ps.setString(2, u);
                });
            }
            int pos = 0;
            for (String l : lessons) {
                int p = pos++;
                exec(conn, "INSERT INTO course_lesson (course_id, position, lesson_id) VALUES (?, ?, ?)", ps -> {
                    ps.setString(1, id);
                    ps.setInt(2, p);
                    ps.setString(3, l);
                });
            }
        });
    }

    private static final String COURSE_COLS = "c.id, c.title, c.join_code, c.created_by, c.created_at";

    private static Course readCourse(ResultSet rs) throws SQLException {
        return new Course(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getTimestamp(5).toInstant());
    }

    public List<Course> courses() {
        return query("SELECT " + COURSE_COLS + " FROM course c ORDER BY c.created_at, c.id", ps -> {}, ClassroomStore::readCourse);
    }

    public List<Course> coursesOf(String username) {
        return query("SELECT " + COURSE_COLS + " FROM course c JOIN course_instructor i ON i.course_id = c.id "
                + "WHERE i.username = ? ORDER BY c.created_at, c.id", ps -> ps.setString(1, username), ClassroomStore::readCourse);
    }

    public Optional<Course> course(String id) {
        return first(query("SELECT " + COURSE_COLS + " FROM course c WHERE c.id = ?", ps -> ps.setString(1, id), ClassroomStore::readCourse));
    }

    public Optional<Course> courseByJoinCode(String code) {
        return first(query("SELECT " + COURSE_COLS + " FROM course c WHERE c.join_code = ?", ps -> ps.setString(1, code),
                ClassroomStore::readCourse));
    }

    public List<String> courseInstructors(String courseId) {
        return query("SELECT username FROM course_instructor WHERE course_id = ? ORDER BY username", ps -> ps.setString(1, courseId),
                rs -> rs.getString(1));
    }

    public List<String> courseLessons(String courseId) {
        return query("SELECT lesson_id FROM course_lesson WHERE course_id = ? ORDER BY position", ps -> ps.setString(1, courseId),
                rs -> rs.getString(1));
    }

    // ------------------------------------------------------------------ members

    /** Joins (or renames, if already a member) and returns the membership number. */
    public int join(String courseId, String learner, String displayName) {
        for (int attempt = 1; ; attempt++) {
            try {
                return joinOnce(courseId, learner, displayName);
            } catch (Store.StoreException e) {
                // two learners joining at once may pick the same member_no: the loser tries again
                if (attempt == 3 || !(e.getCause() instanceof SQLException s && isUniqueViolation(s))) throw e;
            }
        }
    }

    private int joinOnce(String courseId, String learner, String displayName) {
        int[] out = new int[1];
        inTransaction(conn -> {
            List<Integer> existing = select(conn, "SELECT member_no FROM course_member WHERE course_id = ? AND learner_id = ?", ps -> {
                ps.setString(1, courseId);
                ps.setString(2, learner);
            }, rs -> rs.getInt(1));
            if (!existing.isEmpty()) {
                exec(conn, "UPDATE course_member SET display_name = ? WHERE course_id = ? AND learner_id = ?", ps -> {
                    ps.setString(1, displayName);
                    ps.setString(2, courseId);
                    ps.setString(3, learner);
                });
                out[0] = existing.get(0);
                return;
            }
            int no = select(conn, "SELECT COALESCE(MAX(member_no), 0) + 1 FROM course_member WHERE course_id = ?",
                    ps -> ps.setString(1, courseId), rs -> rs.getInt(1)).get(0);
            exec(conn, "INSERT INTO course_member (course_id, learner_id, member_no, display_name, joined_at) VALUES (?, ?, ?, ?, ?)", ps -> {
                ps.setString(1, courseId);
                ps.setString(2, learner);
                ps.setInt(3, no);
                ps.setString(4, displayName);
                ps.setTimestamp(5, Timestamp.from(now()));
            });
            out[0] = no;
        });
        return out[0];
    }

    public List<Member> members(String courseId) {
        return query("SELECT member_no, learner_id, display_name, joined_at FROM course_member WHERE course_id = ? ORDER BY member_no",
                ps -> ps.setString(1, courseId),
                rs -> new Member(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getTimestamp(4).toInstant()));
    }

    public List<Membership> memberships(String learner) {
        return query("SELECT " + COURSE_COLS + ", m.display_name FROM course c JOIN course_member m ON m.course_id = c.id "
                + "WHERE m.learner_id = ? ORDER BY m.joined_at", ps -> ps.setString(1, learner),
                rs -> new Membership(readCourse(rs), rs.getString(6)));
    }

    // ------------------------------------------------------------------ presence

    /** Records that a learner made a lab request at {@code at} (never moves the time back). */
    public void markSeen(String learner, Instant at) {
        update("UPDATE learner SET last_seen = ? WHERE id = ? AND (last_seen IS NULL OR last_seen < ?)", ps -> {
            ps.setTimestamp(1, Timestamp.from(at));
            ps.setString(2, learner);
            ps.setTimestamp(3, Timestamp.from(at));
        });
    }

    /** The last recorded lab request of each member of the course who made one, by learner id. */
    public Map<String, Instant> lastSeen(String courseId) {
        Map<String, Instant> out = new HashMap<>();
        query("SELECT l.id, l.last_seen FROM learner l JOIN course_member m ON m.learner_id = l.id "
                + "WHERE m.course_id = ? AND l.last_seen IS NOT NULL", ps -> ps.setString(1, courseId), rs -> {
                    out.put(rs.getString(1), rs.getTimestamp(2).toInstant());
                    return null;
                });
        return out;
    }

    // ------------------------------------------------------------------ what the course's learners did

    public List<ProgressRow> progress(String courseId) {
        return query("SELECT p.learner_id, p.lesson_id, p.step_id, p.completed_at, p.hints_revealed, p.solution_revealed, p.attempts "
                + "FROM progress p JOIN course_member m ON m.learner_id = p.learner_id WHERE m.course_id = ?",
                ps -> ps.setString(1, courseId), rs -> {
                    Timestamp t = rs.getTimestamp(4);
                    return new ProgressRow(rs.getString(1), rs.getString(2), new StepProgress(rs.getString(3),
                            t == null ? null : t.toInstant(), rs.getInt(5), rs.getBoolean(6), rs.getInt(7)));
                });
    }

    /**
     * When each member first and last wrote to each of the course's lessons: two lookups per member and
     * lesson on the journal's primary key (seq grows with time), so the cost follows the size of the
     * course, not the length of its history.
     */
    public List<Activity> activity(String courseId) {
        String one = "(SELECT j.created_at FROM journal j WHERE j.learner_id = m.learner_id AND j.lesson_id = cl.lesson_id ORDER BY j.seq %s LIMIT 1)";
        List<Activity> out = new ArrayList<>();
        for (Activity a : query("SELECT m.learner_id, cl.lesson_id, " + one.formatted("ASC") + ", " + one.formatted("DESC")
                + " FROM course_member m JOIN course_lesson cl ON cl.course_id = m.course_id WHERE m.course_id = ?",
                ps -> ps.setString(1, courseId), rs -> {
                    Timestamp first = rs.getTimestamp(3);
                    Timestamp last = rs.getTimestamp(4);
                    return first == null ? null : new Activity(rs.getString(1), rs.getString(2), first.toInstant(), last.toInstant());
                })) {
            if (a != null) out.add(a);
        }
        return out;
    }

    /** A step of a course lesson, in course order, for {@link #topMistakes}. */
    public record StepRef(String lessonId, String stepId) {}

    /** A wrong statement tried on a step: how often and by how many learners. */
    public record MistakeRow(String lessonId, String stepId, String statement, int times, int learners) {}

    /**
     * Per step, the {@code top} failed statements the course's learners tried most (whitespace runs
     * folded to one space), most times first, then most learners, then by statement. A failed
     * statement belongs to the step the learner was on when they ran it: the first step, in
     * {@code steps} order, not completed by then; after the last step it belongs to none. Rows come in
     * {@code steps} order.
     *
     * <p>The database groups the failed rows by learner, lesson and statement, so a statement tried
     * 500 times is one row here, not 500. A group's rows all belong to one step unless the learner
     * completed a step between the group's first and last try; only then are its times read.
     */
    public List<MistakeRow> topMistakes(String courseId, List<StepRef> steps, int top) {
        if (steps.isEmpty()) return List.of();
        Map<String, List<StepRef>> byLesson = new LinkedHashMap<>();
        for (StepRef s : steps) byLesson.computeIfAbsent(s.lessonId(), k -> new ArrayList<>()).add(s);
        Map<String, Instant> completed = new HashMap<>(); // learner|lesson|step -> completed at
        for (ProgressRow r : progress(courseId)) {
            if (r.progress().completed()) completed.put(r.learnerId() + "|" + r.lessonId() + "|" + r.progress().stepId(), r.progress().completedAt());
        }
        Map<StepRef, Map<String, int[]>> times = new HashMap<>();
        Map<StepRef, Map<String, Set<String>>> who = new HashMap<>();
        List<FailedGroup> groups = query("SELECT j.learner_id, j.lesson_id, j.statement, COUNT(*), MIN(j.created_at), MAX(j.created_at) "
                + "FROM journal j JOIN course_member m ON m.learner_id = j.learner_id "
                + "WHERE m.course_id = ? AND j.kind = 'statement' AND j.ok = FALSE AND j.statement IS NOT NULL "
                + "AND j.lesson_id IN (SELECT lesson_id FROM course_lesson WHERE course_id = ?) "
                + "GROUP BY j.learner_id, j.lesson_id, j.statement", ps -> {
                    ps.setString(1, courseId);
                    ps.setString(2, courseId);
                }, rs -> new FailedGroup(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4),
                        rs.getTimestamp(5).toInstant(), rs.getTimestamp(6).toInstant()));
        for (FailedGroup g : groups) {
            List<StepRef> ls = byLesson.get(g.lessonId());
            if (ls == null) continue;
            String st = g.statement().strip().replaceAll("\\s+", " ");
            boolean stepDoneBetween = false;
            for (StepRef s : ls) {
                Instant c = completed.get(g.learnerId() + "|" + s.lessonId() + "|" + s.stepId());
                if (c != null && c.isAfter(g.first()) && !c.isAfter(g.last())) stepDoneBetween = true;
            }
            if (!stepDoneBetween) {
                count(times, who, stepAt(ls, g.learnerId(), g.first(), completed), st, g.times(), g.learnerId());
            } else {
                for (Instant t : failedTimes(g.learnerId(), g.lessonId(), g.statement())) {
                    count(times, who, stepAt(ls, g.learnerId(), t, completed), st, 1, g.learnerId());
                }
            }
        }
        List<MistakeRow> out = new ArrayList<>();
        for (StepRef s : steps) {
            Map<String, int[]> c = times.get(s);
            if (c == null) continue;
            List<MistakeRow> ms = new ArrayList<>();
            for (var e : c.entrySet()) ms.add(new MistakeRow(s.lessonId(), s.stepId(), e.getKey(), e.getValue()[0], who.get(s).get(e.getKey()).size()));
            ms.sort(Comparator.comparingInt(MistakeRow::times).reversed()
                    .thenComparing(Comparator.comparingInt(MistakeRow::learners).reversed()).thenComparing(MistakeRow::statement));
            out.addAll(ms.subList(0, Math.min(top, ms.size())));
        }
        return out;
    }

    private record FailedGroup(String learnerId, String lessonId, String statement, int times, Instant first, Instant last) {}

    /** The step a learner was on at {@code t}: the first not completed by then, or null after the last. */
    private static StepRef stepAt(List<StepRef> lessonSteps, String learner, Instant t, Map<String, Instant> completed) {
        for (StepRef s : lessonSteps) {
            Instant c = completed.get(learner + "|" + s.lessonId() + "|" + s.stepId());
            if (c == null || c.isAfter(t)) return s;
        }
        return null;
    }

    private static void count(Map<StepRef, Map<String, int[]>> times, Map<StepRef, Map<String, Set<String>>> who, StepRef step,
                              String statement, int n, String learner) {
        if (step == null) return; // after the last step: practice, not a step's mistake
        times.computeIfAbsent(step, k -> new HashMap<>()).computeIfAbsent(statement, k -> new int[1])[0] += n;
        who.computeIfAbsent(step, k -> new HashMap<>()).computeIfAbsent(statement, k -> new HashSet<>()).add(learner);
    }

    private List<Instant> failedTimes(String learner, String lesson, String statement) {
        return query("SELECT created_at FROM journal WHERE learner_id = ? AND lesson_id = ? AND kind = 'statement' AND ok = FALSE "
                + "AND statement = ?", ps -> {
                    ps.setString(1, learner);
                    ps.setString(2, lesson);
                    ps.setString(3, statement);
                }, rs -> rs.getTimestamp(1).toInstant());
    }

    /** Records what an instructor did to the course's learners. */
    public void addEvent(String courseId, String username, String kind, String detail) {
        inTransaction(conn -> {
            int seq = select(conn, "SELECT COALESCE(MAX(seq), 0) + 1 FROM course_event WHERE course_id = ?",
                    ps -> ps.setString(1, courseId), rs -> rs.getInt(1)).get(0);
            exec(conn, "INSERT INTO course_event (course_id, seq, username, kind, detail, created_at) VALUES (?, ?, ?, ?, ?, ?)", ps -> {
                ps.setString(1, courseId);
                ps.setInt(2, seq);
                ps.setString(3, username);
                ps.setString(4, kind);
                ps.setString(5, detail == null || detail.length() <= 8000 ? detail : detail.substring(0, 7997) + "...");
                ps.setTimestamp(6, Timestamp.from(now()));
            });
        });
    }

    public List<String> events(String courseId) {
        return query("SELECT created_at, username, kind, detail FROM course_event WHERE course_id = ? ORDER BY seq DESC",
                ps -> ps.setString(1, courseId),
                rs -> rs.getTimestamp(1).toInstant() + " " + rs.getString(2) + " " + rs.getString(3) + ": " + rs.getString(4));
    }

    // ------------------------------------------------------------------ JDBC plumbing

    private interface Binder { void bind(PreparedStatement ps) throws SQLException; }

    private interface Reader<T> { T read(ResultSet rs) throws SQLException; }

    private interface Work { void run(Connection c) throws SQLException; }

    private static <T> Optional<T> first(List<T> l) { return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0)); }

    private static <T> List<T> select(Connection c, String sql, Binder b, Reader<T> r) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            b.bind(ps);
            List<T> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(r.read(rs));
            }
            return out;
        }
    }

    private static int exec(Connection c, String sql, Binder b) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            b.bind(ps);
            return ps.executeUpdate();
        }
    }

    private <T> List<T> query(String sql, Binder b, Reader<T> r) {
        try (Connection c = ds.getConnection()) {
            return select(c, sql, b, r);
        } catch (SQLException e) {
            throw new Store.StoreException("database query failed", e);
        }
    }

    private int update(String sql, Binder b) {
        try (Connection c = ds.getConnection()) {
            return exec(c, sql, b);
        } catch (SQLException e) {
            throw new Store.StoreException("database update failed", e);
        }
    }

    private void inTransaction(Work w) {
        try (Connection c = ds.getConnection()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                w.run(c);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(auto);
            }
        } catch (SQLException e) {
            throw new Store.StoreException("database update failed", e);
        }
    }

    /** SQLState class 23 is an integrity constraint violation on both H2 and PostgreSQL. */
    public static boolean isUniqueViolation(SQLException e) {
        return e.getSQLState() != null && e.getSQLState().startsWith("23");
    }
}

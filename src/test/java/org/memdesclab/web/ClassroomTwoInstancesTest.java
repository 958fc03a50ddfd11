package org.memdesclab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.memdesclab.store.TestDatabases;

/**
 * Two instances on one embedded PostgreSQL: a learner working on the first shows as online on the
 * dashboard served by the second (the last_seen column, written at most every 30 seconds per learner).
 */
class ClassroomTwoInstancesTest {
    @TempDir
    Path dir;

    static Instant lastSeen(LabServer s, String learner) throws SQLException {
        try (Connection c = s.ds.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT last_seen FROM learner WHERE id = ?")) {
            ps.setString(1, learner);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getTimestamp(1) == null ? null : rs.getTimestamp(1).toInstant();
            }
        }
    }

    @Test
    void aLearnerOnOneInstanceIsOnlineOnTheDashboardOfTheOther() throws SQLException {
        String url = TestDatabases.freshPostgres();
        ClassroomTestSupport.MovableClock clock = new ClassroomTestSupport.MovableClock();
        App.Options options = App.Options.defaults().withClock(clock);
        try (LabServer a = LabServer.onDatabase(dir, url, options); LabServer b = LabServer.onDatabase(dir, url, options)) {
            LabServer.Client admin = ClassroomTestSupport.admin(b);
            String course = ClassroomTestSupport.course(admin, "OS 101", "first-folio", "");
            String code = ClassroomTestSupport.joinCode(admin, course);
            LabServer.Client ada = a.client();
            LabServer.Client bob = a.client();
            ClassroomTestSupport.join(ada, code, "Ada");
            ClassroomTestSupport.join(bob, code, "Bob");
            String grid = admin.get("/teach/courses/" + course + "/grid").body();
            assertTrue(grid.contains("0 of 2 learners online"), grid);

            // Ada only opens pages on instance a (no journal row): b's dashboard still sees her
            Instant first = clock.instant();
            assertEquals(200, ada.get("/labs/first-folio").statusCode());
            grid = admin.get("/teach/courses/" + course + "/grid").body();
            assertTrue(grid.contains("1 of 2 learners online"), grid);
            assertEquals(first, lastSeen(a, ada.learner()));

            // within 30 seconds a does not write again; after them it does
            clock.advance(Duration.ofSeconds(20));
            ada.get("/labs/sandbox");
            assertEquals(first, lastSeen(a, ada.learner()), "at most one write per 30 s per learner");
            clock.advance(Duration.ofSeconds(15));
            ada.get("/labs/sandbox");
            assertEquals(clock.instant(), lastSeen(a, ada.learner()));

            // three quiet minutes: offline on b, with when she was last seen
            clock.advance(Duration.ofMinutes(3));
            grid = admin.get("/teach/courses/" + course + "/grid").body();
            assertTrue(grid.contains("0 of 2 learners online") && grid.contains("3 min ago"), grid);
            bob.exec("sandbox", "p = alloc_pages(GFP_KERNEL, 0)"); // a lesson outside the course counts too
            grid = admin.get("/teach/courses/" + course + "/grid").body();
            assertTrue(grid.contains("1 of 2 learners online"), grid);
        }
    }
}

package org.memdesclab.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The store behaves the same on H2 and on PostgreSQL: same migrations, same rows back. */
class StoreDatabasesTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void learnersJournalAndProgressRoundTrip(TestDatabases db) {
        Instant t = Instant.parse("2026-12-04T10:15:30.123Z");
        try (HikariDataSource ds = Database.pool(db.freshUrl(dir))) {
            Database.migrate(ds);
            Store s = new Store(ds, Clock.fixed(t, ZoneOffset.UTC));
            assertFalse(s.learnerExists("a1"));
            s.createLearner("a1");
            assertTrue(s.learnerExists("a1"));
            s.append("a1", "sandbox", JournalEntry.Kind.CONFIG, "pages=64", 0, true, List.of());
            s.append("a1", "sandbox", JournalEntry.Kind.STATEMENT, "p = alloc_pages(GFP_KERNEL, 0)", 0, true, List.of("p = page 3", "ok"));
            s.append("a1", "sandbox", JournalEntry.Kind.GOTO, null, 1, true, List.of());
            List<JournalEntry> j = s.journal("a1", "sandbox");
            assertEquals(3, j.size());
            assertEquals(List.of(1, 2, 3), j.stream().map(JournalEntry::seq).toList());
            assertEquals(List.of("p = page 3", "ok"), j.get(1).output());
            assertEquals(List.of(), j.get(0).output());
            assertNull(j.get(2).statement());
            assertEquals(1, j.get(2).target());
            assertEquals(t, j.get(1).at(), "timestamps keep their milliseconds on " + db);
            assertEquals(List.of(), s.journal("a1", "other"));

            s.saveProgress("a1", "first-folio", StepProgress.fresh("s1").withAttempt().withAttempt());
            s.saveProgress("a1", "first-folio", StepProgress.fresh("s1").withAttempt().withAttempt().withHints(2).withCompleted(t));
            s.saveProgress("a1", "first-folio", StepProgress.fresh("s2").withSolutionRevealed());
            Map<String, StepProgress> p = s.progress("a1", "first-folio");
            assertEquals(2, p.size());
            assertEquals(2, p.get("s1").attempts());
            assertEquals(2, p.get("s1").hintsRevealed());
            assertEquals(t, p.get("s1").completedAt());
            assertTrue(p.get("s2").solutionRevealed());
            assertEquals(Map.of("first-folio", 1), s.completedSteps("a1"));
            // a journal row of an unknown learner is refused by the foreign key on both databases
            assertThrows(Store.StoreException.class,
                    () -> s.append("nobody", "sandbox", JournalEntry.Kind.STATEMENT, "x", 0, true, List.of()));
            assertEquals(List.of(), s.journal("nobody", "sandbox"));
        }
    }

    @org.junit.jupiter.api.Test
    void anUnsupportedDatabaseUrlIsRefusedWithAClearMessage() {
        for (String url : new String[] {"mysql://db/lab", "jdbc:mysql://db/lab", "", "postgresql://db/lab"}) {
            var e = assertThrows(IllegalArgumentException.class, () -> Database.pool(url));
            assertTrue(e.getMessage().startsWith("the database URL must start with jdbc:postgresql:// or jdbc:h2: (got '" + url + "')"),
                    e.getMessage());
        }
        assertTrue(Database.isSupported("jdbc:postgresql://localhost:5432/lab"));
        assertTrue(Database.isSupported(Database.h2Url(dir)));
    }
}

package org.memdesclab.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An online backup of the H2 file is taken while the pool is open, and restores to the same journal. */
class BackupTest {
    @TempDir
    Path dir;

    @Test
    void anOnlineBackupRestoresToTheSameJournalAndProgress() throws IOException {
        Path live = dir.resolve("live");
        String url = Database.h2Url(live);
        Path zip;
        List<JournalEntry> journal;
        try (HikariDataSource ds = Database.pool(url)) {
            Database.migrate(ds);
            Store s = new Store(ds, Clock.systemUTC());
            s.createLearner("b1");
            s.append("b1", "buddy", JournalEntry.Kind.STATEMENT, "p = alloc_pages(GFP_KERNEL, 2)", 0, true, List.of());
            s.append("b1", "buddy", JournalEntry.Kind.UNDO, null, 0, true, List.of());
            s.saveProgress("b1", "buddy", StepProgress.fresh("split").withAttempt());
            journal = s.journal("b1", "buddy");
            zip = Backup.h2(ds, url, dir.resolve("backups"), Instant.parse("2026-12-04T11:00:00Z"));
            // the lab keeps writing after the backup: the backup must not see it
            s.append("b1", "buddy", JournalEntry.Kind.REDO, null, 0, true, List.of());
        }
        assertEquals(dir.resolve("backups").toAbsolutePath().resolve("memdesc-lab-20261204-110000.zip"), zip);
        // restore: unzip into a fresh folder and open it like `serve --data` would
        Path restored = dir.resolve("restored");
        Files.createDirectories(restored);
        try (InputStream in = Files.newInputStream(zip); ZipInputStream z = new ZipInputStream(in)) {
            for (ZipEntry e; (e = z.getNextEntry()) != null; ) Files.copy(z, restored.resolve(Path.of(e.getName()).getFileName()));
        }
        assertTrue(Files.exists(restored.resolve("memdesc-lab.mv.db")), "the zip holds the database file");
        try (HikariDataSource ds = Database.pool(Database.h2Url(restored))) {
            Database.migrate(ds);
            Store s = new Store(ds, Clock.systemUTC());
            assertEquals(journal, s.journal("b1", "buddy"));
            assertEquals(1, s.progress("b1", "buddy").get("split").attempts());
        }
    }

    @Test
    void postgresqlIsRefusedWithAClearMessage() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Backup.h2(null, "jdbc:postgresql://localhost/lab", dir, Instant.EPOCH));
        assertEquals("online backup is for the embedded H2 database; back up PostgreSQL with pg_dump", e.getMessage());
    }
}

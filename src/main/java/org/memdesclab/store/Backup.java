package org.memdesclab.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import javax.sql.DataSource;

/**
 * Online backup of the embedded H2 database while the lab runs: H2's {@code BACKUP TO} writes a zip of
 * the database file from a consistent point, without stopping learners. PostgreSQL is backed up with
 * its own tools (pg_dump), so this refuses other databases.
 */
public final class Backup {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private Backup() {}

    /** Writes {@code dir/memdesc-lab-<UTC time>.zip} and returns its path. */
    public static Path h2(DataSource ds, String jdbcUrl, Path dir, Instant now) {
        if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:h2:")) {
            throw new IllegalArgumentException("online backup is for the embedded H2 database; back up PostgreSQL with pg_dump");
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the backup folder " + dir, e);
        }
        Path zip = dir.toAbsolutePath().resolve("memdesc-lab-" + STAMP.format(now) + ".zip");
        // BACKUP TO takes a string literal, not a parameter: quote it the SQL way
        String literal = "'" + zip.toString().replace("'", "''") + "'";
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("BACKUP TO " + literal);
        } catch (SQLException e) {
            throw new Store.StoreException("the backup to " + zip + " failed", e);
        }
        return zip;
    }
}

package org.memdesclab.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * Opens the connection pool (H2 file by default, PostgreSQL by URL) and migrates the schema. Both run the
 * same Flyway migrations from classpath:db/migration, so the SQL there sticks to types both understand.
 */
public final class Database {
    private Database() {}

    /**
     * The default embedded database: an H2 file {@code memdesc-lab} in {@code dataDir}. WRITE_DELAY=0 makes
     * every commit write its changes to the file before it returns: by default H2 writes them up to 500 ms
     * later, so a killed server lost statements it had already answered (CrashTest).
     */
    public static String h2Url(Path dataDir) {
        return "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("memdesc-lab") + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0";
    }

    /**
     * A connection pool for an H2 or PostgreSQL URL. Anything else is refused before a connection is tried,
     * with a message that names the two accepted forms.
     */
    public static HikariDataSource pool(String jdbcUrl) {
        if (!isSupported(jdbcUrl)) {
            throw new IllegalArgumentException("the database URL must start with jdbc:postgresql:// or jdbc:h2: (got '"
                    + jdbcUrl + "'), e.g. jdbc:postgresql://db.example.org:5432/memdesc?user=lab&password=secret");
        }
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(jdbcUrl);
        c.setMaximumPoolSize(8);
        c.setPoolName("memdesc-lab");
        c.setInitializationFailTimeout(1);
        return new HikariDataSource(c);
    }

    /** True for the URLs the lab runs on: an H2 database or a PostgreSQL server. */
    public static boolean isSupported(String jdbcUrl) {
        return jdbcUrl != null && (jdbcUrl.startsWith("jdbc:postgresql://") || jdbcUrl.startsWith("jdbc:h2:"));
    }

    /** Applies the Flyway migrations in classpath:db/migration (one set for H2 and PostgreSQL). */
    public static void migrate(DataSource ds) {
        Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
    }
}

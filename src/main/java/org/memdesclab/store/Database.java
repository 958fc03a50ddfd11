package org.memdesclab.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/** Opens the connection pool (H2 file by default, PostgreSQL by URL) and migrates the schema. */
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

    public static HikariDataSource pool(String jdbcUrl) {
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(jdbcUrl);
        c.setMaximumPoolSize(8);
        c.setPoolName("memdesc-lab");
        c.setInitializationFailTimeout(1);
        return new HikariDataSource(c);
    }

    /** Applies the Flyway migrations in classpath:db/migration (one set for H2 and PostgreSQL). */
    public static void migrate(DataSource ds) {
        Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
    }
}

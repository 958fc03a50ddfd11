package org.memdesclab.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The two databases the lab runs on, for tests: an H2 file in a folder, or a fresh database in one
 * embedded PostgreSQL 18 (zonky) that is started once per test JVM and stopped when it exits.
 * As root, zonky runs initdb and postgres in a user namespace ({@code unshare}), since PostgreSQL
 * refuses to run as root.
 */
public enum TestDatabases {
    H2, POSTGRESQL;

    private static EmbeddedPostgres postgres;
    private static final AtomicInteger NEXT = new AtomicInteger();

    /** A JDBC URL of an empty database of this kind ({@code dir} is used by H2 only). */
    public String freshUrl(Path dir) {
        return this == H2 ? Database.h2Url(dir) : freshPostgres();
    }

    /** A new, empty PostgreSQL database with its own name, so tests never see each other's rows. */
    public static synchronized String freshPostgres() {
        try {
            if (postgres == null) postgres = EmbeddedPostgres.builder().start();
            String name = "lab" + ProcessHandle.current().pid() + "_" + NEXT.incrementAndGet();
            try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE " + name);
            }
            return postgres.getJdbcUrl("postgres", name);
        } catch (IOException | RuntimeException e) {
            // PostgreSQL refuses to run as root; zonky then needs `unshare -U` (util-linux) and user namespaces
            throw new IllegalStateException("could not start embedded PostgreSQL"
                    + ("root".equals(System.getProperty("user.name"))
                            ? " as root: it runs initdb and postgres in a user namespace (unshare -U), so user namespaces must be enabled"
                            : "") + ": " + e.getMessage(), e);
        } catch (SQLException e) {
            throw new IllegalStateException("could not create a test database", e);
        }
    }
}

package org.memdesclab.web;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.memdesclab.store.TestDatabases;

/** Every test of {@link LabPagesTest} again, on embedded PostgreSQL instead of H2. */
class LabPagesOnPostgresqlTest extends LabPagesTest {
    /** Hides {@link LabPagesTest#start()}: the same server, on a fresh PostgreSQL database. */
    @BeforeAll
    static void start() { server = LabServer.onDatabase(dir, TestDatabases.freshPostgres(), App.Options.defaults()); }

    @Test
    void theseTestsRanOnPostgresql() {
        assertTrue(server.ds.getJdbcUrl().startsWith("jdbc:postgresql://"), server.ds.getJdbcUrl());
    }
}

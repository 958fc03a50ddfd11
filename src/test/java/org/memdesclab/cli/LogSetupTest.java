package org.memdesclab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Logback finds LogSetup through META-INF/services and configures what logback.xml used to. */
class LogSetupTest {
    @Test
    void theLibrariesAreQuietAndTheLabLogsAtInfoToTheConsole() {
        LoggerContext lc = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = lc.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        assertEquals(Level.INFO, root.getLevel());
        assertNotNull(root.getAppender("OUT"), "the console appender");
        for (String name : LogSetup.QUIET) assertEquals(Level.WARN, lc.getLogger(name).getLevel(), name);
        assertEquals(Level.INFO, lc.getLogger("org.memdesclab.web.App").getEffectiveLevel());
    }
}

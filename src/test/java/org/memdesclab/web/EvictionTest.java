package org.memdesclab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Idle machines and machines over the cap leave memory and come back from the journal, identical; the
 * journal is never touched by eviction. Time is a hand-moved clock, never a sleep.
 */
class EvictionTest {
    @TempDir
    Path dir;

    private static int journalRows(LabServer s, String learner) {
        return s.app.labs().store().journal(learner, "sandbox").size();
    }

    @Test
    void anIdleMachineLeavesMemoryAfterTheIdleTimeAndComesBackTheSame() {
        HandClock clock = new HandClock();
        App.Options o = App.Options.defaults().withClock(clock);
        assertEquals(Duration.ofMinutes(10), o.idle(), "the default idle time");
        try (LabServer s = LabServer.start(dir, o)) {
            var c = s.client();
            c.exec("sandbox", "p = alloc_pages(GFP_KERNEL, 2)");
            c.exec("sandbox", "f = folio_alloc(GFP_KERNEL, 1)");
            String state = c.get("/api/v1/labs/sandbox").body();
            int rows = journalRows(s, c.learner());
            LabService labs = s.app.labs();
            long rebuilt = labs.evictions().rebuilds();
            clock.advance(Duration.ofMinutes(9));
            assertEquals(1, labs.liveLabs(), "9 minutes idle: still in memory");
            clock.advance(Duration.ofMinutes(2));
            assertEquals(0, labs.liveLabs(), "11 minutes idle: gone from memory");
            assertEquals(1, labs.evictions().idle());
            assertEquals(rows, journalRows(s, c.learner()), "eviction deleted nothing");
            assertEquals(state, c.get("/api/v1/labs/sandbox").body(), "rebuilt from the journal, the same");
            assertEquals(rebuilt + 1, labs.evictions().rebuilds());
            assertEquals(1, labs.liveLabs());
        }
    }

    @Test
    void aMachineInUseIsNotIdle() {
        HandClock clock = new HandClock();
        try (LabServer s = LabServer.start(dir, App.Options.defaults().withClock(clock).withLimits(8L << 20, Duration.ofMinutes(3)))) {
            var c = s.client();
            for (int i = 0; i < 5; i++) {
                c.exec("sandbox", "p" + i + " = alloc_pages(GFP_KERNEL, 0)");
                clock.advance(Duration.ofMinutes(2));
            }
            assertEquals(1, s.app.labs().liveLabs());
            assertEquals(0, s.app.labs().evictions().idle(), "used every 2 minutes with a 3-minute idle time");
        }
    }

    @Test
    void overTheCapTheLeastRecentlyUsedMachinesLeaveAndComeBackTheSame() {
        HandClock clock = new HandClock();
        try (LabServer s = LabServer.start(dir, App.Options.defaults().withClock(clock).withMaxMachines(3))) {
            LabService labs = s.app.labs();
            List<LabServer.Client> learners = new ArrayList<>();
            List<String> states = new ArrayList<>();
            List<Integer> rows = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                var c = s.client();
                c.exec("sandbox", "p = alloc_pages(GFP_KERNEL, " + i + ")");
                states.add(c.get("/api/v1/labs/sandbox").body());
                rows.add(journalRows(s, c.learner()));
                learners.add(c);
                clock.advance(Duration.ofSeconds(1));
            }
            assertEquals(3, labs.liveLabs(), "the cap holds");
            assertEquals(2, labs.evictions().cap());
            long rebuilt = labs.evictions().rebuilds();
            // learners 2, 3, 4 were used last: still live, no rebuild
            for (int i = 4; i >= 2; i--) assertEquals(states.get(i), learners.get(i).get("/api/v1/labs/sandbox").body());
            assertEquals(rebuilt, labs.evictions().rebuilds(), "the three most recent were still in memory");
            // learner 0 was least recently used: evicted, rebuilt the same, and now learner 3 is the oldest
            assertEquals(states.get(0), learners.get(0).get("/api/v1/labs/sandbox").body());
            assertEquals(rebuilt + 1, labs.evictions().rebuilds());
            assertEquals(3, labs.liveLabs());
            for (int i = 0; i < 5; i++) {
                assertEquals(rows.get(i), journalRows(s, learners.get(i).learner()), "eviction deleted nothing of learner " + i);
                assertEquals(states.get(i), learners.get(i).get("/api/v1/labs/sandbox").body());
            }
        }
    }

    @Test
    void aCapBelowOneIsRefusedWithAClearMessage() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new LabService(null, LessonWiring.builtIn(), 1L << 20, 0, Duration.ofMinutes(10), java.time.Clock.systemUTC()));
        assertEquals("the cap on live machines must be at least 1, not 0", e.getMessage());
    }
}

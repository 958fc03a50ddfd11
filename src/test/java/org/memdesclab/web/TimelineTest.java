package org.memdesclab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.memdesclab.sim.MachineConfig;
import org.memdesclab.store.JournalEntry;
import org.memdesclab.store.JournalEntry.Kind;

/** Folding the journal: statements, undo, redo, reset, goto and config. */
class TimelineTest {
    final List<JournalEntry> j = new ArrayList<>();

    void add(Kind k, String s, int target) { j.add(new JournalEntry(j.size() + 1, k, s, target, true, List.of(), Instant.EPOCH)); }

    Timeline fold() { return Timeline.fold(MachineConfig.defaults(), j); }

    @Test
    void undoThenANewStatementStartsANewBranch() {
        add(Kind.STATEMENT, "a", 0);
        add(Kind.STATEMENT, "b", 0);
        add(Kind.UNDO, null, 0);
        assertEquals(List.of("a", "b"), fold().statements());
        assertEquals(1, fold().position());
        assertTrue(fold().canRedo());
        add(Kind.STATEMENT, "c", 0);
        assertEquals(List.of("a", "c"), fold().statements());
        assertEquals(2, fold().position());
        assertFalse(fold().canRedo());
    }

    @Test
    void redoAndGotoAreClampedToTheTimeline() {
        add(Kind.STATEMENT, "a", 0);
        add(Kind.REDO, null, 0);
        assertEquals(1, fold().position());
        add(Kind.GOTO, null, 7);
        assertEquals(1, fold().position());
        add(Kind.GOTO, null, 0);
        add(Kind.UNDO, null, 0);
        assertEquals(0, fold().position());
    }

    @Test
    void resetKeepsTheStatementsForRedoUntilTheNextStatement() {
        add(Kind.STATEMENT, "a", 0);
        add(Kind.STATEMENT, "b", 0);
        add(Kind.RESET, null, 0);
        assertEquals(0, fold().position());
        add(Kind.REDO, null, 0);
        assertEquals(1, fold().position());
    }

    @Test
    void aConfigRowStartsAFreshMachineOfThatShape() {
        add(Kind.STATEMENT, "a", 0);
        add(Kind.CONFIG, "pages=1024 cpus=2 pcp=1 profile=6.18", 0);
        Timeline t = fold();
        assertEquals(List.of(), t.statements());
        assertEquals(1024, t.config().pages());
        assertEquals(2, t.config().cpus());
        assertTrue(t.config().pcp());
        assertEquals("pages=1024 cpus=2 pcp=1 profile=6.18", Timeline.formatConfig(t.config()));
    }

    @Test
    void aSandboxConfigurationSurvivesTheJournalInEveryCombination() {
        for (String profile : List.of("6.18", "5.15", "memdesc", "memdesc2")) {
            for (boolean pcp : new boolean[] {false, true}) {
                for (boolean nomerge : new boolean[] {false, true}) {
                    MachineConfig c = MachineConfig.withPages(100).withCpus(3).withPcp(pcp).withProfile(profile)
                            .withSlabNomerge(nomerge);
                    assertEquals(c, Timeline.parseConfig(Timeline.formatConfig(c)), Timeline.formatConfig(c));
                }
            }
        }
        assertEquals(MachineConfig.withPages(100).withSlabNomerge(true),
                Timeline.parseConfig("slab_nomerge=1 pages=100"), "the order of the parts does not matter");
        assertEquals("pages=64 cpus=4 pcp=0 profile=6.18", Timeline.formatConfig(MachineConfig.defaults()),
                "rows written before slab_nomerge existed read the same");
    }
}

package org.memdesclab.sim.lang;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.memdesclab.sim.Machine;
import org.memdesclab.sim.MachineConfig;

/** for loops in the console: one statement, type-checked first, all or nothing, bounded. */
class ConsoleLoopsTest {

    private static Console console() { return new Console(new Machine(MachineConfig.defaults())); }

    @Test
    void theLoopsScriptPrintsExactlyTheExpectedOutputAndReplaysToTheSameMachine() throws Exception {
        SimScript s = SimScript.load("console-loops.sim");
        Console live = s.runAndCheck();
        List<String> statements = s.steps().stream().map(SimScript.Step::statement).collect(Collectors.toList());
        Console replayed = Console.replay(s.config(), statements);
        assertEquals(live.machine().digest(), replayed.machine().digest());
        assertEquals(live.variables(), replayed.variables());
    }

    @Test
    void aLoopIsTheSameAsItsStatementsWrittenOut() {
        Console loop = console();
        Console unrolled = console();
        assertTrue(loop.exec("for (i = 0; i < 12; i++) folio_alloc(GFP_KERNEL, i % 2)").ok());
        assertTrue(loop.exec("for (i = 0; i < 6; i += 3) folio_put(page_folio(pfn_to_page(i)))").ok());
        for (int i = 0; i < 12; i++) unrolled.exec("folio_alloc(GFP_KERNEL, " + (i % 2) + ")");
        for (int i = 0; i < 6; i += 3) assertTrue(unrolled.exec("folio_put(page_folio(pfn_to_page(" + i + ")))").ok());
        unrolled.exec("i = 6");
        assertEquals(unrolled.machine().digest(), loop.machine().digest());
        assertEquals(unrolled.variables(), loop.variables());
    }

    @Test
    void aFailureInALaterIterationChangesNothing() {
        Console c = console();
        c.exec("for (i = 0; i < 4; i++) alloc_pages(GFP_KERNEL, 0)");
        ExecResult r = RefusedStatements.assertRefusedUnchanged(c,
                "for (i = 3; i >= 0; i--) __free_pages(pfn_to_page(i == 1 ? 3 : i), 0)", List.of("BUG: Bad page state"));
        assertEquals("(in iteration 3 of the loop; the whole statement was refused and nothing was changed)",
                r.output().get(r.output().size() - 1));
    }

    @Test
    void aTypeErrorInTheBodyIsFoundBeforeAnyIterationRuns() {
        Console c = console();
        ExecResult r = RefusedStatements.assertRefusedUnchanged(c,
                "for (i = 0; i < 4; i++) { alloc_pages(GFP_KERNEL, 0); folio_put(pfn_to_page(i)) }", List.of("error:"));
        assertEquals(List.of("error: incompatible pointer types passing 'struct page *' to parameter of type 'struct folio *'"),
                r.output(), "no iteration ran, so no iteration is named");
        assertTrue(r.trace().isEmpty(), r.trace().toString());
    }

    @Test
    void theStepLimitCountsNestedIterationsAndRefusesTheWholeStatement() {
        Console c = console();
        c.exec("n = 0");
        RefusedStatements.assertRefusedUnchanged(c, "for (i = 0; i < 65; i++) for (k = 0; k < 64; k++) n = n + 1",
                List.of("error: the loop was stopped after " + Evaluator.MAX_LOOP_STEPS + " iterations"));
        ExecResult ok = c.exec("for (i = 0; i < 64; i++) for (k = 0; k < 63; k++) n = n + 1");
        assertTrue(ok.ok(), ok.output().toString());
        assertEquals("4032", c.exec("n").output().get(0));
        RefusedStatements.assertRefusedUnchanged(c, "for (;;) alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0)",
                List.of("error: the loop was stopped"));
    }

    @Test
    void aVariableDeclaredInTheLoopLivesOnlyInTheLoop() {
        Console c = console();
        c.exec("j = 7");
        c.exec("for (int j = 0; j < 3; j++) j");
        assertEquals("7", c.exec("j").output().get(0), "the outer j is back");
        c.exec("for (long m = 0; m < 3; m++) m");
        assertFalse(c.exec("m").ok(), "m is gone");
    }

    @Test
    void malformedLoopsAreRefusedWithAParserMessage() {
        Console c = console();
        for (String s : List.of("for (i = 0; i < 2; i++)", "for (i = 0; i < 2; i++) {", "for (i = 0; i < 2) i",
                "for (i = 0; i < 2; i++) int x = 1", "for i = 0; i < 2; i++) i", "for (i = 0; i < 2; i++) i; i")) {
            RefusedStatements.assertRefusedUnchanged(c, s, List.of("error:"));
        }
    }

    /** Random loops over page allocation and freeing; the invariants hold after every statement. */
    @Test
    void invariantsHoldAfterEveryLoopOfARandomSequence() {
        long seed = 0x100b5;
        SplittableRandom rnd = new SplittableRandom(seed);
        Console c = console();
        for (int step = 0; step < 200; step++) {
            int from = rnd.nextInt(64);
            int n = 1 + rnd.nextInt(16);
            int by = 1 + rnd.nextInt(3);
            String s = rnd.nextBoolean()
                    ? "for (i = 0; i < " + n + "; i++) alloc_pages(GFP_KERNEL | __GFP_NOWARN, " + rnd.nextInt(3) + ")"
                    : "for (i = " + from + "; i < " + Math.min(64, from + n) + "; i += " + by + ") __free_pages(pfn_to_page(i), 0)";
            long before = c.machine().digest();
            ExecResult r = c.exec(s);
            if (!r.ok()) assertEquals(before, c.machine().digest(), "seed " + seed + " step " + step + ": " + s);
            assertTrue(c.machine().checkConsistency().isEmpty(), "seed " + seed + " step " + step + ": " + s + ": "
                    + c.machine().checkConsistency());
        }
    }
}

package org.memdesclab.sim.lang;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.memdesclab.sim.Machine;

/**
 * kernel-facts.md section 10, scenarios 1-22, 24 and 25, run as sim scripts through the console with
 * their exact expected output (src/test/resources/scripts).
 */
class ScenarioScriptsTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"01-alloc-order0.sim", "02-alloc-three.sim", "03-alloc-order3.sim", "04-exhaustion.sim",
        "05-free-merges-back.sim", "06-lifo.sim", "07-merge-likely-tail.sim", "08-partial-merge.sim", "09-merge-chain.sim",
        "10-buddy-arithmetic.sim", "11-pcp.sim", "12-folio-layout.sim", "13-tail-queries.sim", "14-folio-refs.sim",
        "15-noncompound.sim", "16-split-page.sim", "17-free-upper-halves.sim", "18-large-kmalloc.sim", "19-slub-first-alloc.sim", "20-slub-cpu-freelist-lifo.sim",
        "21-slub-second-slab.sim", "22-kmalloc-sizes.sim", "24-proc-formats.sim", "25-dump-page.sim"})
    void scenarioScriptPrintsExactlyWhatKernelFactsExpect(String script) throws Exception {
        SimScript s = SimScript.load(script);
        assertFalse(s.steps().isEmpty(), "script has statements");
        s.runAndCheck();
    }

    @Test
    void scenarioScriptsEndingInI0LeaveTheSameMachineAsABootedOne() throws Exception {
        for (String name : List.of("05-free-merges-back.sim", "09-merge-chain.sim", "14-folio-refs.sim", "17-free-upper-halves.sim",
                "18-large-kmalloc.sim")) {
            SimScript s = SimScript.load(name);
            Console c = s.runAndCheck();
            // the free lists and counters are back to I0; struct page contents may keep harmless history
            assertEquals(new Machine(s.config()).zone().freePages(), c.machine().zone().freePages(), name);
        }
    }

    @Test
    void replayingAScriptsStatementsGivesAnIdenticalMachine() throws Exception {
        for (String name : List.of("07-merge-likely-tail.sim", "11-pcp.sim", "17-free-upper-halves.sim", "25-dump-page.sim",
                "20-slub-cpu-freelist-lifo.sim", "22-kmalloc-sizes.sim")) {
            SimScript s = SimScript.load(name);
            Console live = s.runAndCheck();
            List<String> statements = s.steps().stream().map(SimScript.Step::statement).collect(Collectors.toList());
            Console replayed = Console.replay(s.config(), statements);
            assertEquals(live.machine().digest(), replayed.machine().digest(), name);
            assertEquals(live.variables(), replayed.variables(), name);
        }
    }
}

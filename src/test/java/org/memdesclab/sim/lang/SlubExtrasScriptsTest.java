package org.memdesclab.sim.lang;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The SLUB extras as learners see them, with their exact output (src/test/resources/scripts/slub-*.sim):
 * s->name as a C string, cache merging and slab_nomerge, kmem_cache_shrink.
 */
class SlubExtrasScriptsTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"slub-strings.sim", "slub-merging.sim", "slub-nomerge.sim", "slub-shrink.sim"})
    void scriptPrintsExactlyTheExpectedOutput(String script) throws Exception {
        SimScript s = SimScript.load(script);
        assertFalse(s.steps().isEmpty(), "script has statements");
        s.runAndCheck();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"slub-strings.sim", "slub-merging.sim", "slub-nomerge.sim", "slub-shrink.sim"})
    void replayingTheScriptGivesAnIdenticalMachine(String script) throws Exception {
        SimScript s = SimScript.load(script);
        Console live = s.runAndCheck();
        List<String> statements = s.steps().stream().map(SimScript.Step::statement).collect(Collectors.toList());
        Console replayed = Console.replay(s.config(), statements);
        assertEquals(live.machine().digest(), replayed.machine().digest(), script);
        assertEquals(live.variables(), replayed.variables(), script);
    }
}

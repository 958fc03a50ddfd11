package org.memdesclab.sim.lang;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The exact console output of the memory types, memory_failure and compaction scripts. */
class KindsScriptsTest {
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"kinds-memory-types.sim", "kinds-memory-failure.sim", "kinds-compaction.sim", "kinds-guard-pages.sim", "kinds-anon-compaction.sim",
            "kinds-zone-device.sim", "kinds-driver-pages.sim", "kinds-balloon-migration.sim", "kinds-large-folio-failure.sim",
            "kinds-fsdax.sim"})
    void scriptPrintsExactlyWhatItExpects(String name) throws Exception {
        SimScript.load(name).runAndCheck();
    }
}

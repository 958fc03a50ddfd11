package org.memdesclab.sim.lang;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.memdesclab.sim.Machine;
import org.memdesclab.sim.MachineConfig;

/** One workload under every kernel profile, pinned as exact-output scripts, and the console's profile rules. */
class ProfileScriptsTest {
    private static final List<String> SAME_WORKLOAD = List.of("profile-618.sim", "profile-515.sim", "profile-memdesc.sim",
            "profile-memdesc2.sim");

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"profile-618.sim", "profile-515.sim", "profile-memdesc.sim", "profile-memdesc2.sim",
        "profile-memdesc-console.sim", "profile-515-console.sim"})
    void profileScriptPrintsExactlyTheEraWords(String script) throws Exception {
        SimScript.load(script).runAndCheck();
    }

    @Test
    void theFourWorkloadScriptsRunTheSameStatementsAndShowDifferentRawWords() throws Exception {
        List<String> statements = null;
        List<List<String>> rawLines = new ArrayList<>();
        for (String name : SAME_WORKLOAD) {
            SimScript s = SimScript.load(name);
            List<String> st = s.steps().stream().map(SimScript.Step::statement).toList();
            if (statements == null) statements = st;
            assertEquals(statements, st, name + " runs the same statements");
            List<String> raw = new ArrayList<>();
            for (SimScript.Step step : s.steps()) for (String l : step.expected()) if (l.startsWith("raw: ")) raw.add(l);
            rawLines.add(raw);
        }
        for (int i = 0; i < rawLines.size(); i++) {
            for (int j = i + 1; j < rawLines.size(); j++) {
                assertNotEquals(rawLines.get(i), rawLines.get(j), SAME_WORKLOAD.get(i) + " vs " + SAME_WORKLOAD.get(j));
            }
        }
    }

    @Test
    void memdescDescriptorAllocationShowsInSlabinfoAndBuddyinfo() {
        Console plain = new Console(new Machine(MachineConfig.defaults()));
        Console md = new Console(new Machine(MachineConfig.defaults().withProfile("memdesc")));
        for (Console c : List.of(plain, md)) c.exec("f = folio_alloc(GFP_KERNEL, 0)");
        List<String> slabinfo = md.exec("cat /proc/slabinfo").output();
        // a CPU slab counts all its objects as active, as the kernel's slabinfo does
        assertTrue(slabinfo.contains("folio                 23     23    176   23    1 : tunables    0    0    0 : slabdata      1      1      0"),
                String.join("\n", slabinfo));
        assertTrue(slabinfo.contains("slab                  51     51     80   51    1 : tunables    0    0    0 : slabdata      1      1      0"),
                String.join("\n", slabinfo));
        assertTrue(plain.exec("cat /proc/slabinfo").output().stream().noneMatch(l -> l.startsWith("folio ")));
        assertEquals(List.of("Node 0, zone   Normal      1      1      1      1      1      1      0      0      0      0      0 "),
                plain.exec("cat /proc/buddyinfo").output());
        assertEquals(List.of("Node 0, zone   Normal      1      0      1      1      1      1      0      0      0      0      0 "),
                md.exec("cat /proc/buddyinfo").output(), "two descriptor slab pages and the folio's page");
        assertEquals("2", md.exec("page_to_pfn(&f->page)").output().get(0));
    }

    @Test
    void compareProfilesDoesNotChangeTheMachineAndIsNotReplayedItself() {
        Console c = new Console(new Machine(MachineConfig.defaults()));
        c.exec("f = folio_alloc(GFP_KERNEL, 3)");
        long before = c.machine().digest();
        List<String> out = c.exec("compare_profiles").output();
        assertEquals(5, out.size());
        assertEquals(before, c.machine().digest());
        assertTrue(out.get(3).startsWith("memdesc             8          512             8256 "), out.get(3));
        assertEquals(out, c.exec("compare_profiles()").output(), "the second call replays the same one statement");
    }
}

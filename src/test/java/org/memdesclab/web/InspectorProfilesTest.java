package org.memdesclab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.memdesclab.sim.Gfp;
import org.memdesclab.sim.Machine;
import org.memdesclab.sim.MachineConfig;

/** The web inspector and the lab header under every kernel profile. */
class InspectorProfilesTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"6.18", "5.15", "memdesc", "memdesc2"})
    void everyPfnInspectsAndTheDumpShowsTheProfilesRawWords(String profile) {
        Machine m = new Machine(MachineConfig.defaults().withProfile(profile));
        m.folioAlloc(Gfp.GFP_KERNEL, 2);
        m.slub().kmalloc(100, Gfp.GFP_KERNEL);
        m.slub().kmalloc(10000, Gfp.GFP_KERNEL);
        for (long pfn = 0; pfn < m.nrPages(); pfn++) {
            InspectorView v = InspectorView.of(m, pfn);
            assertEquals(8, v.words().size(), "the canonical word rows");
            String first = v.dump().get(0);
            assertTrue(profile.startsWith("memdesc") ? first.startsWith("memdesc: ") : first.startsWith("page:"), first);
        }
        String header = LabModels.configText(m.config());
        assertTrue(header.endsWith(profile.startsWith("memdesc") ? "kernel profile " + profile + " (proposed memdescs)"
                : "Linux " + profile + " layout"), header);
    }
}

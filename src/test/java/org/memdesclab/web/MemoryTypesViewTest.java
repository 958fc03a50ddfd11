package org.memdesclab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.memdesclab.sim.Machine;
import org.memdesclab.sim.MachineConfig;
import org.memdesclab.sim.lang.Console;

/** The memmap letters and the inspector's readings for page_pool, balloon and guard pages. */
class MemoryTypesViewTest {
    @Test
    void pagePoolBalloonAndGuardPagesHaveTheirOwnLettersAndColours() {
        Console c = new Console(new Machine(MachineConfig.defaults()));
        assertTrue(c.exec("lab_boot_debug_guardpage_minorder(1)").ok());
        assertTrue(c.exec("q = page_pool_dev_alloc_pages(page_pool_create())").ok());
        assertTrue(c.exec("b = balloon_page_alloc()").ok());
        assertTrue(c.exec("balloon_page_enqueue(b)").ok());
        MemmapView v = MemmapView.of(c.machine(), 0);
        assertEquals("N", v.cells().get(0).letter());
        assertEquals("np", v.cells().get(0).kind());
        assertEquals("D", v.cells().get(1).letter());
        assertEquals("gd", v.cells().get(1).kind());
        assertEquals("O", v.cells().get(2).letter());
        assertEquals("of", v.cells().get(2).kind());
    }

    @Test
    void theInspectorReadsPpMagicOnAPagePoolPage() {
        Console c = new Console(new Machine(MachineConfig.defaults()));
        assertTrue(c.exec("q = page_pool_dev_alloc_pages(page_pool_create())").ok());
        InspectorView in = InspectorView.of(c.machine(), 0);
        InspectorView.Reading r = in.words().get(1).page().get(0);
        assertEquals("pp_magic", r.name());
        assertTrue(r.meaningful());
        assertEquals("0xdead000000000040", in.words().get(1).hex());
    }
}

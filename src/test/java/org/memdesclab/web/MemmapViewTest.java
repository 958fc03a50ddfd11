package org.memdesclab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.memdesclab.sim.Machine;
import org.memdesclab.sim.MachineConfig;
import org.memdesclab.sim.lang.Console;

/** The memmap view: letters, names, outlines, and what changes between two states. */
class MemmapViewTest {
    @Test
    void cellsAreLetteredAndNamedByOwner() {
        Console c = new Console(new Machine(MachineConfig.defaults()));
        c.exec("f = folio_alloc(GFP_KERNEL, 2)");
        c.exec("p = alloc_pages(GFP_KERNEL, 0)");
        MemmapView v = MemmapView.of(c.machine(), 0);
        assertEquals("H", v.cells().get(0).letter());
        assertEquals("PFN 1: tail page of the compound page at PFN 0", v.cells().get(1).ariaLabel());
        assertEquals("P", v.cells().get(4).letter());
        assertEquals("PFN 5: free, head of an order-0 block", v.cells().get(5).ariaLabel());
        assertEquals("B0", v.cells().get(5).letter());
        assertEquals("B1", v.cells().get(6).letter());
        assertEquals("PFN 9: free, inside the order-3 block at PFN 8", v.cells().get(9).ariaLabel());
        assertTrue(v.blocks().stream().anyMatch(b -> b.id().equals("blk0-2c") && b.colSpan() == 4));
        assertTrue(v.blocks().stream().anyMatch(b -> b.id().equals("blk32-5f") && b.rowSpan() == 2 && b.colSpan() == 16));
    }

    @Test
    void onlyChangedCellsAreReportedAndRunsCompressThem() {
        Console c = new Console(new Machine(MachineConfig.withPages(1024)));
        MemmapView before = MemmapView.of(c.machine(), 0);
        c.exec("p = alloc_pages(GFP_KERNEL, 0)");
        MemmapView after = MemmapView.of(c.machine(), 0);
        List<MemmapView.Cell> changed = before.changedCells(after);
        assertEquals(1024, changed.size(), "every cell's block changed: the order-10 block was split");
        List<MemmapView.Run> runs = MemmapView.runs(changed);
        assertEquals(20, runs.size(), "P, then per order a head run and an inside run");
        assertEquals(1, before.removedBlocks(after).size());
        assertEquals(10, before.addedOrChangedBlocks(after).size());
        c.exec("q = alloc_pages(GFP_KERNEL, 0)");
        assertEquals(List.of(1L), after.changedCells(MemmapView.of(c.machine(), 0)).stream().map(MemmapView.Cell::pfn).toList());
    }

    @Test
    void slabPagesAreLetteredSAndNamedAfterTheirCache() {
        Console c = new Console(new Machine(MachineConfig.defaults()));
        assertTrue(c.exec("s = kmem_cache_create(\"foo\", 700, 0, 0, NULL)").ok());
        assertTrue(c.exec("obj = kmem_cache_alloc(s, GFP_KERNEL)").ok());
        MemmapView v = MemmapView.of(c.machine(), 0);
        MemmapView.Cell head = v.cells().stream().filter(x -> x.letter().equals("S")).findFirst().orElseThrow();
        assertTrue(head.label().startsWith("slab page of foo, order "), head.label());
        assertTrue(v.blocks().stream().anyMatch(b -> b.kind().equals("slab") && b.start() == head.pfn()));
        assertTrue(TableViews.folios(c.machine()).stream().anyMatch(r -> r.kind().equals("slab foo")));
    }

    @Test
    void aCellsMarkupEscapesAndCarriesItsName() {
        MemmapView.Cell cell = new MemmapView.Cell(7, "B0", "fh", "free, \"odd\" <name>");
        assertEquals("<div role=\"gridcell\" id=\"c7\" class=\"cell k-fh\" tabindex=\"-1\" aria-label=\"PFN 7: free, &quot;odd&quot; "
                + "&lt;name&gt;\" data-pfn=\"7\" hx-swap-oob=\"true\"><b>B0</b><i>7</i></div>", cell.html(true, false));
    }

    @Test
    void theSummaryDescribesTheWholeMachineInWords() {
        Console c = new Console(new Machine(MachineConfig.defaults()));
        c.exec("f = folio_alloc(GFP_KERNEL, 2)");
        assertEquals("64 pages, 60 free. PFNs 0–3: order-2 compound page. PFNs 4–7: free order-2 block. PFNs 8–15: free order-3 block. "
                + "PFNs 16–31: free order-4 block. PFNs 32–63: free order-5 block.", MemmapView.summary(c.machine()));
    }
}

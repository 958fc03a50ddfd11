package org.memdesclab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.memdesclab.sim.Machine;
import org.memdesclab.sim.MachineConfig;
import org.memdesclab.sim.lang.Console;

/** Page tables, anonymous and page-cache folios in the memmap grid and the inspector. */
class UserMemoryViewsTest {
    private static Console withProcessAndFile() {
        Console c = new Console(new Machine(MachineConfig.defaults()));
        for (String s : List.of("mm = mm_alloc()", "a = lab_mmap(mm, 0, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS)",
                "handle_mm_fault(find_vma(mm, a), a, FAULT_FLAG_WRITE)", "f = lab_create_file(\"log\", 4096)",
                "b = lab_mmap(mm, 0, 4096, PROT_READ, MAP_SHARED, f, 0)", "handle_mm_fault(find_vma(mm, b), b, 0)")) {
            assertTrue(c.exec(s).ok(), s);
        }
        return c;
    }

    @Test
    void pageTablesAnonymousAndFileFoliosHaveTheirOwnLetters() {
        MemmapView v = MemmapView.of(withProcessAndFile().machine(), 0);
        assertEquals("G", v.cells().get(0).letter());
        assertEquals("G", v.cells().get(3).letter());
        assertEquals("A", v.cells().get(4).letter());
        assertEquals("F", v.cells().get(5).letter());
        assertEquals("PFN 4: anonymous folio, mapcount 1, refcount 1", v.cells().get(4).ariaLabel());
        assertEquals("PFN 5: page-cache folio, index 0, refcount 2", v.cells().get(5).ariaLabel());
    }

    @Test
    void theInspectorReadsAPageTableAsStructPtdesc() {
        Console c = withProcessAndFile();
        InspectorView v = InspectorView.of(c.machine(), 0);
        assertEquals("struct ptdesc (this page is a page table)", v.slabTitle());
        String word4 = v.words().get(4).slab().toString();
        assertTrue(word4.contains("pt_index") || word4.contains("pt_mm"), word4);
        assertTrue(v.words().get(6).slab().toString().contains("0xf2000000"), v.words().get(6).slab().toString());
        InspectorView anon = InspectorView.of(c.machine(), 4);
        assertEquals("struct folio (page[0] of an anonymous folio)", anon.folioTitle());
    }
}

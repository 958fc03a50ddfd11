package org.memdesclab.sim.lang;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.memdesclab.sim.Machine;
import org.memdesclab.sim.MachineConfig;

/** Regression tests for what ConsoleFuzzTest found: each was an internal error before its fix. */
class FuzzFindingsTest {
    private final Console c = new Console(new Machine(MachineConfig.defaults()));

    @Test
    void deepNestingIsRefusedWithAMessage() {
        for (String s : List.of("(".repeat(2000) + "1" + ")".repeat(2000), "- ".repeat(2000) + "1",
                "page_folio(".repeat(300) + "NULL" + ")".repeat(300), "for (i = 0; i < 1; i++) ".repeat(70) + "i")) {
            ExecResult r = RefusedStatements.assertRefusedUnchanged(c, s, List.of("error: statement nested too deeply"));
            assertTrue(r.output().get(0).contains("at most " + Parser.MAX_NESTING), r.output().toString());
        }
    }

    @Test
    void nestingUpToTheLimitStillWorks() {
        ExecResult r = c.exec("(".repeat(60) + "41 + 1" + ")".repeat(60));
        assertTrue(r.ok(), r.output().toString());
        assertEquals(List.of("42"), r.output());
    }

    @Test
    void kmallocOfANegativeSizeIsAHugeUnsignedSizeAndFails() {
        long before = c.machine().digest();
        ExecResult r = c.exec("kmalloc(-2147483648, GFP_KERNEL)");
        assertTrue(r.output().stream().noneMatch(l -> l.contains("internal error")), r.output().toString());
        assertEquals(before, c.machine().digest(), r.output().toString());
        ExecResult slab = c.exec("kmalloc_slab(-1, GFP_KERNEL)");
        assertTrue(slab.ok(), slab.output().toString());
        assertEquals("NULL", slab.output().get(slab.output().size() - 1));
    }

    @Test
    void aPutOfAReferenceTheOwnersHoldIsRefused() {
        for (String s : List.of("f = lab_create_file(\"log\", 16384)", "mm = mm_alloc()",
                "a = lab_mmap(mm, 0, 16384, PROT_READ|PROT_WRITE, MAP_SHARED, f, 0)", "handle_mm_fault(find_vma(mm, a), a, 0)",
                "fo = filemap_get_folio(f, 0)", "folio_put(fo)")) {
            assertTrue(c.exec(s).ok(), s);
        }
        assertEquals(List.of("2"), c.exec("folio_ref_count(fo)").output(), "the page cache's and the PTE's");
        for (String s : List.of("folio_put(fo)", "__free_pages(&fo->page, 0)")) {
            ExecResult r = RefusedStatements.assertRefusedUnchanged(c, s, List.of("error: folio_put(): PFN", "error: __free_pages(): PFN"));
            assertTrue(r.output().get(0).contains("drops a reference the caller never took"), r.output().toString());
        }
        assertTrue(c.exec("folio_get(fo)").ok());
        assertTrue(c.exec("folio_put(fo)").ok(), "a reference the caller took can be dropped");
    }
}

package org.memdesclab.sim.lang;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.memdesclab.sim.Machine;
import org.memdesclab.sim.MachineConfig;

/**
 * Processes, page tables, the page cache, LRU and GUP from the console: exact-output scripts, C type
 * errors, refused calls that change nothing, help.
 */
class MmConsoleTest {
    /** A process with an anonymous page at a (mapped), a file f with index 0 cached and mapped at b, a spare folio g. */
    private static Console prepared() {
        Console c = new Console(new Machine(MachineConfig.defaults()));
        for (String s : List.of("mm = mm_alloc()", "a = lab_mmap(mm, 0, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS)",
                "handle_mm_fault(find_vma(mm, a), a, FAULT_FLAG_WRITE)", "f = lab_create_file(\"log\", 8192)",
                "b = lab_mmap(mm, 0, 8192, PROT_READ, MAP_SHARED, f, 0)", "handle_mm_fault(find_vma(mm, b), b, 0)",
                "g = folio_alloc(GFP_KERNEL, 0)", "big = folio_alloc(GFP_KERNEL, 2)")) {
            ExecResult r = c.exec(s);
            assertTrue(r.ok(), s + " -> " + r.output());
        }
        return c;
    }

    @ParameterizedTest
    @ValueSource(strings = {"26-process-anon-fork.sim", "27-page-cache-gup.sim"})
    void scriptsPrintExactlyWhatTheKernelWouldShow(String name) throws Exception {
        SimScript s = SimScript.load(name);
        Console live = s.runAndCheck();
        List<String> statements = s.steps().stream().map(SimScript.Step::statement).collect(Collectors.toList());
        Console replayed = Console.replay(s.config(), statements);
        assertEquals(live.machine().digest(), replayed.machine().digest(), name);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "folio_put(mm)",                                        // C type errors
        "mmput(f)",
        "filemap_add_folio(f, pfn_to_page(5), 1, GFP_KERNEL)",
        "handle_mm_fault(mm, a, 0)",
        "mmput((struct mm_struct *)f)",                         // not a live mm
        "mmput(NULL)",
        "do_munmap(mm, a + 1, 4096)",                           // not page aligned
        "lab_mmap(mm, 0, 0, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS)",
        "lab_mmap(mm, 0, 4096, PROT_READ, MAP_SHARED|MAP_ANONYMOUS)",
        "lab_mmap(mm, 0, 4096, PROT_READ, MAP_PRIVATE)",
        "lab_mmap(mm, a, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED)",
        "put_page(pfn_to_page(0))",                             // a live page table
        "__free_pages(pfn_to_page(3), 0)",
        "filemap_add_folio(f, g, 1, GFP_KERNEL)",               // not locked
        "filemap_add_folio(f, folio_page(big, 1), 0, GFP_KERNEL)",
        "folio_add_lru(page_folio(pfn_to_page(0)))",            // a page table is not an LRU folio
        "unpin_user_page(pfn_to_page(4))",                      // not pinned
        "folio_end_writeback(g)",                               // not under writeback
        "folio_clear_dirty_for_io(g)",                          // not locked
        "handle_mm_fault(find_vma(mm, a), a, 7)",
        "lab_pin_user_page(mm, a, 0x40000)",
        "get_user_page_vma_remote(mm, a, FOLL_LONGTERM)",
        "truncate_inode_pages(f, -1)",
        "filemap_get_folio((struct address_space *)mm, 0)",
    })
    void badCallsAreRefusedAndChangeNothing(String statement) {
        RefusedStatements.assertRefusedUnchanged(prepared(), statement, List.of("error:", "BUG:"));
    }

    @Test
    void labVmasPrintsTheMapsLines() {
        assertEquals(List.of("7ffff7ffc000-7ffff7ffe000 r--s 00000000 00:00 0    log    vm_area_struct 0xffff888100c000c0",
                "7ffff7ffe000-7ffff7fff000 rw-p 00000000 00:00 0    vm_area_struct 0xffff888100c00000, anon_vma 0xffff888100e00000"),
                prepared().exec("lab_vmas(mm)").output());
    }

    @Test
    void confusingAnMmWithAFolioIsACTypeError() {
        ExecResult r = prepared().exec("folio_put(mm)");
        assertEquals("error: incompatible pointer types passing 'struct mm_struct *' to parameter of type 'struct folio *'", r.output().get(0));
    }

    @Test
    void gupOfAnUnmappedAddressIsErrPtrEfault() {
        Console c = prepared();
        ExecResult r = c.exec("get_user_page_vma_remote(mm, 0x1000, 0)");
        assertEquals(List.of("0xfffffffffffffff2"), r.output());
        assertTrue(r.notes().get(0).contains("-EFAULT"), r.notes().toString());
    }

    @Test
    void pinningASmallFolioAddsTheBiasAndUnpinningTakesItAway() {
        Console c = prepared();
        c.exec("q = lab_pin_user_page(mm, a, FOLL_WRITE)");
        assertEquals(List.of("1025"), c.exec("page_ref_count(q)").output());
        assertEquals(List.of("1"), c.exec("folio_maybe_dma_pinned(page_folio(q))").output());
        c.exec("unpin_user_page(q)");
        assertEquals(List.of("1"), c.exec("page_ref_count(q)").output());
        assertTrue(c.machine().checkConsistency().isEmpty());
    }

    @Test
    void helpDescribesEveryNewFunctionWithItsPrototype() {
        Console c = prepared();
        for (String fn : List.of("mm_alloc", "mmput", "dup_mm", "lab_mmap", "do_munmap", "find_vma", "handle_mm_fault", "lab_page_walk", "lab_vmas",
                "virt_to_ptdesc", "page_ptdesc", "ptdesc_page", "PageTable", "lab_create_file", "filemap_add_folio", "filemap_get_folio",
                "folio_mapping", "folio_mark_dirty", "set_page_dirty", "folio_clear_dirty_for_io", "folio_start_writeback",
                "folio_end_writeback", "truncate_inode_pages", "folio_add_lru", "folio_activate", "lab_reclaim",
                "get_user_page_vma_remote", "lab_pin_user_page", "unpin_user_page", "folio_maybe_dma_pinned")) {
            List<String> h = c.exec("help " + fn).output();
            assertTrue(h.get(0).contains(fn + "("), fn + ": " + h);
            assertTrue(h.size() >= 3, fn + ": " + h);
        }
        assertTrue(String.join("\n", c.exec("help lab_reclaim").output()).contains("shrink_folio_list also unmaps"));
        String all = String.join("\n", c.exec("help").output());
        assertTrue(all.contains("Processes and page tables:\n  mm_alloc  mmput  dup_mm  lab_mmap"), all);
    }
}

package org.memdesclab.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * get_page() on a page-table page is legal C: 6.18's get_page() only refuses slab and large-kmalloc
 * folios. The table then holds two references; when the process goes, pagetable_dtor_free() clears the
 * type and __free_pages() drops one, and the page is freed by the last put_page(). (A fuzzer found the
 * invariant checker demanding exactly one reference.)
 */
class PageTableRefsTest {
    private final Machine m = new Machine(MachineConfig.defaults());
    private final UserMemory u = m.userMemory();

    private void consistent() { assertEquals(List.of(), m.checkConsistency()); }

    @Test
    void anExtraReferenceOnATableKeepsItsPageUntilTheLastPut() {
        Mm mm = u.mmAlloc();
        long addr = u.mmap(mm, 0, 4096, UserMemory.PROT_READ | UserMemory.PROT_WRITE,
                UserMemory.MAP_PRIVATE | UserMemory.MAP_ANONYMOUS, 0, 0);
        u.handleMmFault(mm, mm.vmaAt(addr), addr, UserMemory.FAULT_FLAG_WRITE);
        long pgd = mm.pgd();
        m.getPage(pgd);
        assertEquals(2, m.memmap().refcount(pgd));
        consistent();
        u.mmput(mm);
        assertEquals(1, m.memmap().refcount(pgd), "the table is gone, the extra reference keeps the page");
        assertEquals(PageType.NO_TYPE, m.memmap().pageType(pgd), "pagetable_dtor cleared PGTY_table");
        consistent();
        m.putPage(pgd);
        assertEquals(0, m.memmap().refcount(pgd));
        consistent();
    }
}

package org.memdesclab.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Every refused operation leaves the machine exactly as it was and says what the kernel would say. */
class ErrorPathsTest {
    private static final int K = Gfp.GFP_KERNEL;

    private static KernelError refused(Machine m, Consumer<Machine> op) {
        long before = m.digest();
        KernelError e = assertThrows(KernelError.class, () -> op.accept(m));
        assertEquals(before, m.digest(), "the machine changed: " + e.lines());
        assertEquals(List.of(), m.checkConsistency());
        return e;
    }

    private static Machine withAllocations() {
        Machine m = new Machine(MachineConfig.defaults());
        m.allocPages(K, 0);           // PFN 0
        m.folioAlloc(K, 2);           // PFN 4..7
        m.allocPages(K, 1);           // PFN 2..3
        return m;
    }

    @Test
    void freeingAFreeBuddyPageIsABadPageState() {
        Machine m = withAllocations();
        KernelError e = refused(m, x -> x.freePages(1, 0));
        assertEquals("BUG: Bad page state in process lab  pfn:00001", e.lines().get(0));
        assertTrue(e.lines().contains("page_type: f0(buddy)"), e.lines().toString());
        assertEquals("page dumped because: nonzero mapcount", e.lines().get(e.lines().size() - 1));
    }

    @Test
    void doubleFreeOfAPageInsideAFreeBlockIsABadPageState() {
        Machine m = withAllocations();
        m.freePages(2, 1);            // PFN 2..3 become a free order-1 block (its buddy at 0 is busy)
        KernelError e = refused(m, x -> x.freePages(3, 0));
        assertEquals("BUG: Bad page state in process lab  pfn:00003", e.lines().get(0));
        assertEquals("page dumped because: VM_BUG_ON_PAGE(page_ref_count(page) == 0)", e.lines().get(e.lines().size() - 1));
    }

    @Test
    void freeingAnInnerPageOfAnAllocationTripsTheRefcountCheck() {
        Machine m = withAllocations();
        long p = m.allocPages(K, 3);
        KernelError e = refused(m, x -> x.freePages(p + 1, 0));
        assertTrue(e.lines().get(0).startsWith("error: __free_pages() of a page whose refcount is 0"), e.lines().get(0));
        assertEquals("page dumped because: VM_BUG_ON_PAGE(page_ref_count(page) == 0)", e.lines().get(e.lines().size() - 1));
    }

    @Test
    void wrongOrderForACompoundPage() {
        KernelError e = refused(withAllocations(), x -> x.freePages(4, 1));
        assertTrue(e.lines().get(0).startsWith("error: __free_pages() of an order-2 compound page with order 1"));
        assertEquals("page dumped because: VM_BUG_ON_PAGE(compound && compound_order(page) != order)",
                e.lines().get(e.lines().size() - 1));
    }

    @Test
    void freeingATailPage() {
        refused(withAllocations(), x -> x.freePages(5, 0));
    }

    @Test
    void freeingTooLargeAnOrderHitsAnAllocatedNeighbour() {
        KernelError e = refused(withAllocations(), x -> x.freePages(0, 1));
        assertTrue(e.lines().get(0).startsWith("BUG: Bad page state in process lab  pfn:00001"), e.lines().toString());
    }

    @Test
    void freeingAReservedPage() {
        Machine m = new Machine(MachineConfig.withPages(64).withReserved(List.of(3L)));
        KernelError e = refused(m, x -> x.freePages(3, 0));
        assertEquals("page dumped because: PAGE_FLAGS_CHECK_AT_FREE flag(s) set", e.lines().get(e.lines().size() - 1));
    }

    @Test
    void pfnOutsideTheMachine() {
        KernelError e = refused(withAllocations(), x -> x.getPage(64));
        assertTrue(e.lines().get(0).startsWith("BUG: unable to handle page fault for address: ffffea0000001000"));
        refused(withAllocations(), x -> x.putPage(-1));
    }

    @Test
    void getPageOnAFreePage() {
        refused(withAllocations(), x -> x.getPage(1));
    }

    @Test
    void folioPutOfAFreePage() {
        refused(withAllocations(), x -> x.folioPut(8));
    }

    @Test
    void splitOfACompoundPageOrBeyondTheAllocation() {
        refused(withAllocations(), x -> x.splitPage(4, 2));
        refused(withAllocations(), x -> x.splitPage(0, 1));
        refused(withAllocations(), x -> x.splitPage(8, 1));
    }

    @Test
    void negativeOrdersAndCpus() {
        refused(withAllocations(), x -> x.allocPages(K, -1));
        refused(withAllocations(), x -> x.freePages(0, 11));
        refused(withAllocations(), x -> x.setCpu(4));
    }

    @Test
    void readingUnmappedMemoryFaults() {
        KernelError e = refused(withAllocations(), x -> x.readMemory(0x10, 8));
        assertTrue(e.lines().get(0).startsWith("BUG: unable to handle page fault for address: 0000000000000010"));
    }

    @Test
    void orderAboveMaxWarnsAndReturnsNullWithoutChangingAnything() {
        Machine m = withAllocations();
        long before = m.digest();
        assertEquals(-1, m.allocPages(K, 11));
        assertEquals(before, m.digest());
        assertTrue(m.drainLog().get(0).startsWith("WARNING: CPU: 0 PID: 1 at mm/page_alloc.c"));
        assertEquals(-1, m.allocPages(K, 12));
        assertEquals(List.of(), m.drainLog(), "WARN_ON_ONCE warns only the first time");
    }
}

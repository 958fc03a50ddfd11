package org.memdesclab.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The 2 MiB hugetlb pool: PGTY_hugetlb folios that free back to the pool, and memory_failure on a free one. */
class HugetlbTest {
    private final Machine m = new Machine(MachineConfig.withPages(2048));
    private final MemoryTypes t = m.memoryTypes();
    private final Memmap mem = m.memmap();

    @Test
    void theGrownPoolHoldsFrozenHugetlbFoliosOutOfTheBuddyAllocator() {
        long free = m.freePagesTotal();
        assertEquals(2, t.hugetlbPoolGrow(2));
        assertEquals(free - 1024, m.freePagesTotal());
        assertEquals(2, t.nrHugepages());
        assertEquals(2, t.freeHugepages());
        long h = t.allocHugetlbFolio();
        assertEquals(0xf4000000, mem.pageType(h), "PGTY_hugetlb");
        assertEquals(9, m.compoundOrder(h));
        assertEquals(1, mem.refcount(h));
        assertEquals(PageOwnerType.Kind.HUGETLB, PageOwnerType.classify(m, h + 100));
        m.folioPut(h);
        assertEquals(0, mem.refcount(h));
        assertEquals(2, t.freeHugepages(), "free_huge_folio: back to the pool");
        assertEquals(free - 1024, m.freePagesTotal(), "not to the buddy allocator");
        assertEquals(List.of(), m.checkConsistency());
    }

    @Test
    void anEmptyPoolGivesNoFolioAndTheBuddyAllocatorIsNeverAsked() {
        assertEquals(-1, t.allocHugetlbFolio());
        Machine small = new Machine(MachineConfig.withPages(512));
        small.allocPages(Gfp.GFP_KERNEL, 0);
        assertEquals(0, small.memoryTypes().hugetlbPoolGrow(1), "no free order-9 block");
        long h = m.memoryTypes().hugetlbPoolGrow(1) == 1 ? t.allocHugetlbFolio() : -1;
        long digest = m.digest();
        assertThrows(KernelError.class, () -> m.freePages(h, 9));
        assertEquals(digest, m.digest());
    }

    @Test
    void memoryFailureOnAFreeHugePageDissolvesItAndKeepsOnlyThePoisonedPage() {
        t.hugetlbPoolGrow(1);
        long h = t.allocHugetlbFolio();
        m.folioPut(h);
        long free = m.freePagesTotal();
        MemoryFailure.Result r = MemoryFailure.run(m, h + 7);
        assertEquals(0, r.ret());
        assertEquals(List.of(String.format("Memory failure: %#x: recovery action for free huge page: Recovered", h + 7)), r.log());
        assertEquals(0, t.nrHugepages());
        assertEquals(free + 511, m.freePagesTotal(), "the 511 healthy pages went to the buddy allocator");
        assertTrue(mem.testFlag(h + 7, PageFlag.PG_hwpoison));
        assertEquals(1, mem.refcount(h + 7));
        assertFalse(mem.isHead(h));
        assertEquals(List.of(), m.checkConsistency());
        assertEquals(MemoryFailure.EHWPOISON, MemoryFailure.run(m, h + 7).ret());
    }

    @Test
    void memoryFailureOnAnInUseHugePageFailsAndKeepsTheFolioOutOfUse() {
        t.hugetlbPoolGrow(2);
        long h = t.allocHugetlbFolio();
        Memmap mem = m.memmap();
        MemoryFailure.Result r = MemoryFailure.run(m, h + 1);
        assertEquals(MemoryFailure.EBUSY, r.ret());
        assertEquals(List.of(String.format("Memory failure: %#x: recovery action for huge page: Failed", h + 1)), r.log());
        assertTrue(mem.testFlag(h, PageFlag.PG_hwpoison), "hugetlb_set_folio_hwpoison: the folio's flag");
        assertFalse(mem.testFlag(h + 1, PageFlag.PG_hwpoison), "the raw page is only on the _hugetlb_hwpoison list");
        assertEquals(1, mem.refcount(h), "memory_failure's own reference went back (me_huge_page: folio_put)");
        assertTrue(t.isHugetlbFolio(h), "still a pool folio while its owner holds it");
        assertEquals(List.of(), m.checkConsistency());
        assertEquals(MemoryFailure.EHWPOISON, MemoryFailure.run(m, h + 3).ret(), "a second hit: already poisoned");
        m.folioPut(h);
        assertEquals(2, t.freeHugepages(), "free_huge_folio: back on the free list");
        long other = t.allocHugetlbFolio();
        assertTrue(other >= 0 && other != h, "dequeue_hugetlb_folio_node_exact skips the poisoned folio");
        assertEquals(-1, t.allocHugetlbFolio(), "and never hands it out");
        assertEquals(List.of(), m.checkConsistency());
    }

    /** Pool operations at random with checkConsistency() after every step; prints its seed on failure. */
    @Test
    void generatedPoolSequencesKeepEveryInvariant() {
        long seed = System.nanoTime();
        Random r = new Random(seed);
        Machine mc = new Machine(MachineConfig.withPages(4096));
        java.util.List<Long> held = new java.util.ArrayList<>();
        for (int i = 0; i < 200; i++) {
            long before = mc.digest();
            try {
                switch (r.nextInt(5)) {
                    case 0 -> mc.memoryTypes().hugetlbPoolGrow(1 + r.nextInt(2));
                    case 1 -> { long h = mc.memoryTypes().allocHugetlbFolio(); if (h >= 0) held.add(h); }
                    case 2 -> { if (!held.isEmpty()) mc.folioPut(held.remove(r.nextInt(held.size()))); }
                    case 3 -> {
                        int o = r.nextInt(3);
                        long p = mc.allocPages(Gfp.GFP_KERNEL, o);
                        if (p >= 0 && r.nextBoolean()) mc.freePages(p, o);
                    }
                    default -> MemoryFailure.run(mc, r.nextInt(4096));
                }
            } catch (KernelError e) {
                assertEquals(before, mc.digest(), "seed " + seed + " step " + i + ": a refused call changed the machine");
            }
            assertEquals(List.of(), mc.checkConsistency(), "seed " + seed + " step " + i);
        }
    }
}

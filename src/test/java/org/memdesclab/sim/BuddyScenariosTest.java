package org.memdesclab.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** kernel-facts.md section 10, scenarios 1 to 17, checked on the Machine API directly. */
class BuddyScenariosTest {
    private static final int K = Gfp.GFP_KERNEL;

    private final Machine m = new Machine(MachineConfig.defaults());

    private long[] bi() {
        long[] out = new long[Zone.NR_PAGE_ORDERS];
        for (int o = 0; o < out.length; o++) out[o] = m.zone().nrFree(o);
        return out;
    }

    private void assertLists(long[]... expected) {
        for (int o = 0; o < Zone.NR_PAGE_ORDERS; o++) {
            long[] want = o < expected.length ? expected[o] : new long[0];
            assertArrayEquals(want, m.zone().freeList(o), "free_area[" + o + "]");
        }
        assertEquals(List.of(), m.checkConsistency());
    }

    private static long[] l(long... pfns) { return pfns; }

    @Test
    void bootLeavesOneOrder6BlockAtPfn0() {
        assertLists(l(), l(), l(), l(), l(), l(), l(0));
        assertEquals(0xf0000000, m.memmap().pageType(0));
        assertEquals(6, m.memmap().privateWord(0));
        assertEquals(0, m.memmap().refcount(0));
    }

    @Test
    void scenario1OrderZeroAllocSplitsDownToPfn0() {
        assertEquals(0, m.allocPages(K, 0));
        assertLists(l(1), l(2), l(4), l(8), l(16), l(32));
        assertArrayEquals(new long[] {1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0}, bi());
        assertEquals(1, m.memmap().refcount(0));
        assertEquals(-1, m.memmap().pageType(0));
        assertEquals(0, m.memmap().privateWord(0));
        for (int o = 0; o < 6; o++) assertEquals(o, m.memmap().privateWord(1L << o));
    }

    @Test
    void scenario2SmallestSufficientOrderFirst() {
        m.allocPages(K, 0);
        assertEquals(1, m.allocPages(K, 0));
        assertEquals(2, m.allocPages(K, 0));
        assertLists(l(3), l(), l(4), l(8), l(16), l(32));
    }

    @Test
    void scenario3Order3() {
        assertEquals(0, m.allocPages(K, 3));
        assertLists(l(), l(), l(), l(8), l(16), l(32));
    }

    @Test
    void scenario4ExhaustionAndTooLargeOrders() {
        assertEquals(0, m.allocPages(K, 6));
        assertEquals(-1, m.allocPages(K, 0));
        assertEquals(-1, m.allocPages(K, 7));
        m.drainLog();
        assertEquals(-1, m.allocPages(K, 11));
        assertTrue(m.drainLog().get(0).startsWith("WARNING:"));
        assertEquals(-1, m.allocPages(K | Gfp.__GFP_NOWARN, 11));
        assertEquals(List.of(), m.drainLog());
    }

    @Test
    void scenario5FreeMergesBackToI0() {
        long p = m.allocPages(K, 0);
        m.freePages(p, 0);
        assertLists(l(), l(), l(), l(), l(), l(), l(0));
    }

    @Test
    void scenario6HeadInsertionAndLifo() {
        for (int i = 0; i < 4; i++) assertEquals(i, m.allocPages(K, 0));
        m.freePages(1, 0);
        m.freePages(3, 0);
        assertArrayEquals(l(3, 1), m.zone().freeList(0));
        assertEquals(3, m.allocPages(K, 0));
    }

    @Test
    void scenario7BuddyMergeLikelyPutsBlockAtTail() {
        assertEquals(0, m.allocPages(K, 0));
        assertEquals(1, m.allocPages(K, 0));
        assertEquals(4, m.allocPages(K, 2));
        m.splitPage(4, 2);
        m.freePages(5, 0);
        assertArrayEquals(l(5), m.zone().freeList(0));
        m.freePages(1, 0);
        assertArrayEquals(l(5, 1), m.zone().freeList(0));
        assertEquals(5, m.allocPages(K, 0));
        assertLists(l(1), l(2), l(), l(8), l(16), l(32));
    }

    @Test
    void scenario8PartialMerge() {
        assertEquals(0, m.allocPages(K, 0));
        assertEquals(2, m.allocPages(K, 1));
        m.freePages(0, 0);
        assertLists(l(), l(0), l(4), l(8), l(16), l(32));
        assertEquals(1, m.memmap().privateWord(0));
        assertEquals(-1, m.memmap().pageType(1));
        assertEquals(0, m.memmap().privateWord(1));
    }

    @Test
    void scenario9MergeChainToZoneEdge() {
        assertEquals(0, m.allocPages(K, 2));
        assertEquals(4, m.allocPages(K, 2));
        m.freePages(0, 2);
        assertArrayEquals(l(0), m.zone().freeList(2));
        m.freePages(4, 2);
        assertLists(l(), l(), l(), l(), l(), l(), l(0));
    }

    @Test
    void scenario11PerCpuListsBatchFromTheBuddy() {
        Machine p = new Machine(MachineConfig.withPages(64).withPcp(4, 32));
        assertEquals(0, p.allocPages(K, 0));
        assertArrayEquals(l(1, 2, 3), p.pcpList(0, 0));
        assertArrayEquals(l(), p.zone().freeList(0));
        assertArrayEquals(l(4), p.zone().freeList(2));
        assertArrayEquals(l(32), p.zone().freeList(5));
        p.freePages(0, 0);
        assertArrayEquals(l(0, 1, 2, 3), p.pcpList(0, 0));
        assertArrayEquals(l(4), p.zone().freeList(2));
        assertEquals(4, p.pcp().count(0));
        assertEquals(List.of(), p.checkConsistency());
    }

    @Test
    void scenario12FolioAllocPreparesHeadAndTails() {
        long f = m.folioAlloc(K, 2);
        assertEquals(0, f);
        assertLists(l(), l(), l(4), l(8), l(16), l(32));
        assertTrue(m.memmap().isHead(0));
        assertEquals(1, m.memmap().refcount(0));
        assertEquals(0x202, m.memmap().flags(1) & 0x3ff);
        Folio folio = m.folio(0);
        assertEquals(4, folio.nrPages());
        assertEquals(-1, folio.field("_large_mapcount"));
        assertEquals(-1, folio.field("_entire_mapcount"));
        assertEquals(0, folio.field("_pincount"));
        assertEquals(Addresses.pageAddress(2) + 16, folio.field("_deferred_list.next"));
        for (long t = 1; t < 4; t++) {
            assertEquals(0xffffea0000000001L, m.memmap().compoundWord(t));
            assertEquals(0, m.memmap().refcount(t));
        }
        assertEquals(Addresses.TAIL_MAPPING, m.memmap().mapping(3));
    }

    @Test
    void scenario13TailQueries() {
        m.folioAlloc(K, 2);
        Page t = m.page(2);
        assertTrue(t.isTail());
        assertFalse(t.isHead());
        assertEquals(0, t.headPfn());
        assertEquals(0, t.compoundOrder());
        assertEquals(2, m.folio(0).order());
    }

    @Test
    void scenario14FolioPutFreesTheWholeFolio() {
        long before = new Machine(MachineConfig.defaults()).digest();
        m.folioAlloc(K, 2);
        m.folioGet(0);
        m.folioPut(0);
        assertEquals(1, m.memmap().refcount(0));
        m.folioPut(0);
        assertLists(l(), l(), l(), l(), l(), l(), l(0));
        assertEquals(0, m.memmap().flags(1) & PageFlag.PAGE_FLAGS_SECOND);
        assertEquals(0, m.memmap().compoundWord(2));
        assertFalse(m.memmap().isHead(0));
        assertTrue(before != 0);
    }

    @Test
    void scenario15And16NonCompoundHighOrderThenSplit() {
        assertEquals(0, m.allocPages(K, 2));
        assertEquals(0, m.memmap().refcount(2));
        assertEquals(2, m.compoundHeadPfn(2));
        m.splitPage(0, 2);
        for (int i = 0; i < 4; i++) assertEquals(1, m.memmap().refcount(i));
        m.freePages(2, 0);
        assertLists(l(2), l(), l(4), l(8), l(16), l(32));
    }

    @Test
    void scenario17FreePagesWithAnotherReferenceFreesUpperParts() {
        m.allocPages(K, 2);
        m.getPage(0);
        m.freePages(0, 2);
        assertLists(l(1), l(2), l(4), l(8), l(16), l(32));
        assertEquals(1, m.memmap().refcount(0));
        m.putPage(0);
        assertLists(l(), l(), l(), l(), l(), l(), l(0));
    }
}

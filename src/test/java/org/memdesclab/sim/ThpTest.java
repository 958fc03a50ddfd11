package org.memdesclab.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** PMD-mapped anonymous THPs, splitting PMDs and folios: the counts 6.18 keeps (CONFIG_PAGE_MAPCOUNT). */
class ThpTest {
    private static final int RW = UserMemory.PROT_READ | UserMemory.PROT_WRITE;
    private static final int ANON = UserMemory.MAP_PRIVATE | UserMemory.MAP_ANONYMOUS;
    private static final long A = 0x40000000L; // 1 GiB: 2 MiB aligned
    private static final long SZ = UserMemory.HPAGE_PMD_SIZE;

    private final Machine m = new Machine(MachineConfig.withPages(4096));
    private final UserMemory u = m.userMemory();
    private final Memmap mem = m.memmap();

    private Mm hugeMm(long len) {
        Mm mm = u.mmAlloc();
        assertEquals(A, u.mmap(mm, A, len, RW, ANON | UserMemory.MAP_FIXED, 0, 0));
        assertEquals(0, u.madvise(mm, A, UserMemory.MADV_HUGEPAGE));
        return mm;
    }

    private int fault(Mm mm, long addr, boolean write) {
        return u.handleMmFault(mm, mm.vmaAt(addr), addr, write ? UserMemory.FAULT_FLAG_WRITE : 0);
    }

    private long thpAt(Mm mm, long addr) {
        for (String l : u.walk(mm, addr)) {
            int at = l.indexOf("order-9 folio at PFN ");
            if (at >= 0) return Long.parseLong(l.substring(at + 21, l.indexOf(' ', at + 21)));
        }
        return -1;
    }

    private void consistent() { assertEquals(List.of(), m.checkConsistency()); }

    @Test
    void aFaultInAHugepageVmaMapsAnOrder9FolioWithOneHugePmd() {
        Mm mm = hugeMm(SZ);
        long tablesBefore = u.nrPageTables();
        assertEquals(0, fault(mm, A + 5 * 4096 + 17, true));
        long head = thpAt(mm, A);
        assertTrue(head >= 0 && head % 512 == 0, "a THP at an order-9 aligned PFN");
        Folio f = m.folio(head);
        assertEquals(9, f.order());
        assertEquals(1, f.refcount());
        assertEquals(1, f.mapcount(), "folio_mapcount: _large_mapcount 0 + 1");
        assertEquals(1, f.entireMapcount(), "_entire_mapcount 0: one PMD");
        assertEquals(UserMemory.ENTIRELY_MAPPED, f.nrPagesMapped());
        assertEquals(-1, mem.pageType(head + 5), "a PMD mapping leaves each page's _mapcount at -1");
        assertTrue(mem.testFlag(head, PageFlag.PG_owner_2), "PG_anon_exclusive on the first page only");
        assertFalse(mem.testFlag(head + 1, PageFlag.PG_owner_2));
        assertEquals(A >>> 12, f.index());
        assertEquals(1, f.mapping() & 1);
        assertEquals(512, u.lruSize(0));
        // PUD and PMD tables plus the deposited PTE table; no PTE table hooked up
        assertEquals(tablesBefore + 3, u.nrPageTables());
        List<String> walk = u.walk(mm, A + 5 * 4096);
        assertTrue(walk.get(2).startsWith("pmd: "));
        assertTrue(walk.get(3).startsWith("huge PMD (_PAGE_PSE): no PTE table"), walk.toString());
        assertTrue(walk.get(4).startsWith("deposited PTE table"));
        assertEquals(0, fault(mm, A + SZ - 1, false), "a second access finds the huge PMD");
        assertEquals(1, f.refcount());
        consistent();
    }

    @Test
    void withoutAFreeOrder9BlockTheFaultFallsBackToOrder0() {
        Machine small = new Machine(MachineConfig.withPages(512));
        UserMemory us = small.userMemory();
        Mm mm = us.mmAlloc();
        us.mmap(mm, A, SZ, RW, ANON | UserMemory.MAP_FIXED, 0, 0);
        us.madvise(mm, A, UserMemory.MADV_HUGEPAGE);
        assertEquals(0, us.handleMmFault(mm, mm.vmaAt(A), A, UserMemory.FAULT_FLAG_WRITE));
        List<String> walk = us.walk(mm, A);
        assertTrue(walk.get(3).startsWith("pte: "), walk.toString());
        assertFalse(small.memmap().isHead(small.compoundHeadPfn(0)));
        assertEquals(List.of(), small.checkConsistency());
    }

    @Test
    void withoutMadviseOrWhenThe2MiBIsNotInsideTheVmaThereIsNoThp() {
        Mm mm = u.mmAlloc();
        u.mmap(mm, A, SZ, RW, ANON | UserMemory.MAP_FIXED, 0, 0);
        fault(mm, A, true);
        assertEquals(-1, thpAt(mm, A));
        Mm mm2 = u.mmAlloc();
        u.mmap(mm2, A + 4096, SZ, RW, ANON | UserMemory.MAP_FIXED, 0, 0);
        assertEquals(0, u.madvise(mm2, A + 4096, UserMemory.MADV_HUGEPAGE));
        fault(mm2, A + 8192, true);
        assertEquals(-1, thpAt(mm2, A + 8192));
        assertEquals(-UserMemory.EINVAL, u.madvise(mm2, A, UserMemory.MADV_HUGEPAGE), "no VMA starts there");
        consistent();
    }

    @Test
    void munmapOfTheWholeThpFreesItAndTheDepositedTable() {
        long free = m.freePagesTotal();
        Mm mm = hugeMm(SZ);
        fault(mm, A, true);
        u.munmap(mm, A, SZ);
        u.mmput(mm);
        assertEquals(free, m.freePagesTotal());
        consistent();
    }

    @Test
    void munmapOfPartOfAThpSplitsThePmdAndUnmapsOnlyThosePages() {
        Mm mm = hugeMm(SZ);
        fault(mm, A, true);
        long head = thpAt(mm, A);
        u.munmap(mm, A + 510 * 4096L, 2 * 4096L);
        Folio f = m.folio(head);
        assertEquals(9, f.order(), "the folio stays large; only the PMD was split");
        assertEquals(510, f.refcount(), "one reference per remaining PTE");
        assertEquals(510, f.mapcount());
        assertEquals(0, f.entireMapcount());
        assertEquals(510, f.nrPagesMapped());
        assertEquals(0, mem.pageType(head), "page _mapcount 0: mapped by one PTE");
        assertEquals(-1, mem.pageType(head + 511));
        assertTrue(mem.testFlag(head + 7, PageFlag.PG_owner_2), "the exclusive PMD gave every page PG_anon_exclusive");
        assertTrue(u.walk(mm, A).get(3).startsWith("pte: "));
        consistent();
    }

    @Test
    void forkSharesTheHugePmdAndAWriteSplitsItAndCopiesOnePage() {
        Mm mm = hugeMm(SZ);
        fault(mm, A, true);
        long head = thpAt(mm, A);
        Mm child = u.dupMm(mm);
        assertNotNull(child);
        Folio f = m.folio(head);
        assertEquals(2, f.refcount());
        assertEquals(2, f.entireMapcount());
        assertEquals(2, f.mapcount());
        assertFalse(mem.testFlag(head, PageFlag.PG_owner_2));
        assertEquals(head, thpAt(child, A));
        assertTrue(u.walk(child, A).get(3).contains("PMD read-only"));
        consistent();
        assertEquals(0, fault(child, A + 3 * 4096, true));
        // the child's PMD became 512 PTEs, one of which now maps a copy
        assertEquals(1, f.entireMapcount());
        assertEquals(1 + 511, f.mapcount());
        assertEquals(1 + 511, f.refcount());
        assertEquals(head, thpAt(mm, A), "the parent keeps its huge PMD");
        assertEquals(0, fault(mm, A, true), "the parent's write: mapped twice, so split and copy too");
        consistent();
        u.mmput(child);
        u.mmput(mm);
        consistent();
    }

    @Test
    void splitFolioGivesEachPageItsOwnReferenceMappingIndexAndLruPlace() {
        Mm mm = hugeMm(SZ);
        fault(mm, A, true);
        long head = thpAt(mm, A);
        long av = mem.mapping(head);
        assertEquals(0, u.splitFolio(head + 100));
        for (long p : new long[] {head, head + 1, head + 2, head + 511}) {
            assertFalse(mem.isHead(p) || mem.isTail(p), "PFN " + p + " is an order-0 folio");
            assertEquals(1, mem.refcount(p));
            assertEquals(0, mem.pageType(p));
            assertEquals(av, mem.mapping(p));
            assertEquals((A >>> 12) + (p - head), mem.word(p, Memmap.W_INDEX));
            assertTrue(mem.testFlag(p, PageFlag.PG_lru));
            assertTrue(mem.testFlag(p, PageFlag.PG_swapbacked));
            assertTrue(mem.testFlag(p, PageFlag.PG_uptodate));
            assertTrue(mem.testFlag(p, PageFlag.PG_owner_2));
        }
        assertEquals(512, u.lruSize(0));
        assertEquals(-UserMemory.EINVAL, u.splitFolio(head), "an order-0 folio");
        consistent();
        u.mmput(mm);
        consistent();
    }

    @Test
    void splitFolioFreesAnonymousPagesNoPteMaps() {
        Mm mm = hugeMm(SZ);
        fault(mm, A, true);
        long head = thpAt(mm, A);
        u.munmap(mm, A + SZ / 2, SZ / 2);
        long free = m.freePagesTotal();
        assertEquals(0, u.splitFolio(head));
        assertEquals(free + 256, m.freePagesTotal());
        assertEquals(256, u.lruSize(0));
        consistent();
    }

    @Test
    void aPinnedOrReferencedThpIsNotSplit() {
        Mm mm = hugeMm(SZ);
        fault(mm, A, true);
        long head = thpAt(mm, A);
        long p = u.gup(mm, A + 4096, UserMemory.FOLL_WRITE, true);
        assertEquals(head + 1, p, "pin_user_pages through the huge PMD");
        assertEquals(1, m.folio(head).pincount());
        assertEquals(2, m.folio(head).refcount());
        long digest = m.digest();
        assertEquals(-UserMemory.EAGAIN, u.splitFolio(head));
        assertEquals(digest, m.digest(), "a refused split changes nothing");
        u.unpinUserPage(p);
        long g = u.gup(mm, A, 0, false);
        assertEquals(-UserMemory.EAGAIN, u.splitFolio(head));
        m.putPage(g);
        assertEquals(0, u.splitFolio(head));
        consistent();
    }

    @Test
    void memoryFailureOnAThpSplitsItAndHandlesOnlyThePoisonedPage() {
        Mm mm = hugeMm(SZ);
        fault(mm, A, true);
        long head = thpAt(mm, A);
        MemoryFailure.Result r = MemoryFailure.run(m, head + 3);
        assertEquals(0, r.ret(), r.log().toString());
        assertTrue(mem.testFlag(head + 3, PageFlag.PG_hwpoison));
        assertFalse(mem.isHead(head));
        assertEquals(1, mem.refcount(head + 3), "memory_failure's reference keeps the page");
        assertTrue(r.log().get(r.log().size() - 1).endsWith("recovery action for dirty LRU page: Recovered")
                || r.log().get(r.log().size() - 1).endsWith("recovery action for clean LRU page: Recovered"), r.log().toString());
        consistent();
    }

    @Test
    void aPinnedThpIsCopiedPageByPageAtFork() {
        Mm mm = hugeMm(SZ);
        fault(mm, A, true);
        long head = thpAt(mm, A);
        long p = u.gup(mm, A, UserMemory.FOLL_WRITE | UserMemory.FOLL_LONGTERM, true);
        assertEquals(head, p);
        Mm child = u.dupMm(mm);
        assertNotNull(child);
        assertEquals(0, m.folio(head).entireMapcount(), "copy_huge_pmd split the parent's PMD of a pinned folio");
        assertTrue(thpAt(child, A) < 0);
        consistent();
    }

    @Test
    void memoryFailureSplitsALargePageCacheFolioAndDropsOnlyThePoisonedPage() {
        AddressSpace f = u.createFile("big", 16384);
        long fo = m.folioAlloc(Gfp.GFP_KERNEL, 2);
        u.folioLock(fo, "__folio_set_locked");
        assertEquals(0, u.filemapAddFolio(f, fo, 0));
        u.folioUnlock(fo);
        m.folioPut(fo);
        MemoryFailure.Result r = MemoryFailure.run(m, fo + 2);
        assertEquals(0, r.ret(), r.log().toString());
        assertEquals(String.format("Memory failure: %#x: recovery action for clean LRU page: Recovered", fo + 2), r.log().get(r.log().size() - 1));
        assertEquals(3, f.pages().size(), "indexes 0, 1 and 3 stay cached as order-0 folios");
        assertEquals(fo + 3, f.pages().get(3L));
        assertEquals(1, mem.refcount(fo + 1), "the page cache's reference");
        assertEquals(1, mem.refcount(fo + 2), "memory_failure's reference keeps the poisoned page");
        consistent();
    }

    /**
     * 6.18's __free_pages_prepare keeps only an order-0 PageHWPoison page off the free lists; in a high-order
     * block the poisoned page goes back with the rest, PG_hwpoison still set (PAGE_FLAGS_CHECK_AT_PREP leaves
     * it), and PG_has_hwpoisoned goes with PAGE_FLAGS_SECOND.
     */
    @Test
    void aPoisonedPageInAFreedHighOrderBlockGoesBackToTheBuddyListsAs618Does() {
        AddressSpace f = u.createFile("big", 16384);
        long fo = m.folioAlloc(Gfp.GFP_KERNEL, 2);
        u.folioLock(fo, "__folio_set_locked");
        u.filemapAddFolio(f, fo, 0);
        u.folioUnlock(fo);
        m.folioPut(fo);
        m.folioGet(fo); // a driver's reference: the split fails, the folio stays whole
        assertEquals(MemoryFailure.EHWPOISON, MemoryFailure.run(m, fo + 2).ret());
        assertTrue((mem.flags(fo + 1) & (1L << PageFlag.PG_has_hwpoisoned)) != 0);
        m.folioPut(fo); // the driver lets go; the page cache's references remain
        long free = m.freePagesTotal();
        u.truncate(f, 0);
        assertEquals(free + 4, m.freePagesTotal(), "all four pages are free again, the poisoned one too");
        assertTrue(m.freeBlockHead(fo + 2) >= 0, "PFN fo+2 is inside a free buddy block");
        assertTrue(mem.testFlag(fo + 2, PageFlag.PG_hwpoison), "PG_hwpoison survives the free");
        assertEquals(0, mem.flags(fo + 1) & (1L << PageFlag.PG_has_hwpoisoned));
        consistent();
        // an order-0 poisoned page, by contrast, never reaches the free lists
        long p = m.allocPages(Gfp.GFP_KERNEL, 0);
        mem.setFlag(p, PageFlag.PG_hwpoison);
        long before = m.freePagesTotal();
        m.freePages(p, 0);
        assertEquals(before, m.freePagesTotal());
        assertTrue(m.freeBlockHead(p) < 0);
    }

    @Test
    void aReadPinOfAnExclusiveThpPinsInPlaceAndOfASharedOneUnsharesOnePage() {
        Mm mm = hugeMm(SZ);
        fault(mm, A, true);
        long head = thpAt(mm, A);
        assertEquals(head + 9, u.gup(mm, A + 9 * 4096, 0, true), "PG_anon_exclusive on the first page covers the PMD");
        assertEquals(1, m.folio(head).pincount());
        u.unpinUserPage(head + 9);
        Mm child = u.dupMm(mm);
        assertNotNull(child);
        long p = u.gup(child, A + 9 * 4096, 0, true);
        assertTrue(p >= 0 && m.compoundHeadPfn(p) != head, "FAULT_FLAG_UNSHARE split the child's PMD and copied the page");
        assertEquals(1, m.folio(head).entireMapcount(), "the parent's PMD remains");
        consistent();
    }

    /** THP operations mixed at random, checkConsistency() after every step; prints its seed on failure. */
    @Test
    void generatedThpSequencesKeepEveryInvariant() {
        long base = System.nanoTime();
        for (int run = 0; run < 8; run++) {
            long seed = base + run;
            try {
                generated(seed, 120);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("seed " + seed + ": " + e.getMessage(), e);
            }
        }
        assertTrue(hugeSeen > 0 && splits > 0, "the sequences mapped " + hugeSeen + " huge PMDs and split " + splits + " folios");
    }

    private int hugeSeen, splits;

    private void generated(long seed, int steps) {
        Random r = new Random(seed);
        Machine mc = new Machine(MachineConfig.withPages(2048).withCpus(2).withPcp(r.nextBoolean()));
        UserMemory um = mc.userMemory();
        List<Long> pins = new ArrayList<>();
        List<Long> gets = new ArrayList<>();
        for (int i = 0; i < steps; i++) {
            int op = r.nextInt(11);
            String what = "step " + i + " op " + op;
            long before = mc.digest();
            try {
                List<Mm> mms = um.mms();
                Mm mm = mms.isEmpty() ? null : mms.get(r.nextInt(mms.size()));
                long addr = 0;
                if (mm != null && !mm.vmas().isEmpty()) {
                    List<Mm.Vma> vs = new ArrayList<>(mm.vmas().values());
                    Mm.Vma v = vs.get(r.nextInt(vs.size()));
                    addr = v.start() + (long) r.nextInt((int) ((v.end() - v.start()) >>> 12)) * 4096;
                }
                switch (op) {
                    case 0 -> { if (mms.size() < 3) um.mmAlloc(); }
                    case 1 -> {
                        if (mm != null) {
                            long at = A + SZ * 2 * r.nextInt(4);
                            if (mm.vmaAt(at) == null && mm.vmaAt(at + SZ) == null) {
                                um.mmap(mm, at, SZ * (1 + r.nextInt(2)), RW, ANON | UserMemory.MAP_FIXED, 0, 0);
                                um.madvise(mm, at, UserMemory.MADV_HUGEPAGE);
                            }
                        }
                    }
                    case 2, 3 -> { if (addr != 0) um.handleMmFault(mm, mm.vmaAt(addr), addr, r.nextBoolean() ? UserMemory.FAULT_FLAG_WRITE : 0); }
                    case 4 -> { if (addr != 0) um.munmap(mm, addr, 4096L * (1 + r.nextInt(600))); }
                    case 5 -> { if (mm != null && r.nextInt(3) == 0) um.mmput(mm); }
                    case 6 -> { if (mm != null && mms.size() < 4) um.dupMm(mm); }
                    case 7 -> {
                        if (addr != 0) {
                            boolean pin = r.nextBoolean();
                            long p = um.gup(mm, addr, r.nextBoolean() ? UserMemory.FOLL_WRITE : 0, pin);
                            if (p >= 0) (pin ? pins : gets).add(p);
                        }
                    }
                    case 8 -> {
                        if (!pins.isEmpty()) um.unpinUserPage(pins.remove(r.nextInt(pins.size())));
                        else if (!gets.isEmpty()) mc.putPage(gets.remove(r.nextInt(gets.size())));
                    }
                    case 9 -> {
                        long p = addr == 0 ? -1 : entryOf(um, mm, addr);
                        if (p >= 0 && um.splitFolio(p) == 0) splits++;
                    }
                    default -> {
                        if (addr != 0 && r.nextInt(4) == 0) {
                            long p = entryOf(um, mm, addr);
                            if (p >= 0 && !pins.contains(p) && !gets.contains(p)) {
                                MemoryFailure.run(mc, p);
                                pins.removeIf(x -> !mc.validPfn(x) || mc.memmap().refcount(mc.compoundHeadPfn(x)) <= 0);
                            }
                        }
                    }
                }
            } catch (KernelError e) {
                assertEquals(before, mc.digest(), what + ": a refused call changed the machine: " + e.getMessage());
            }
            assertEquals(List.of(), mc.checkConsistency(), what);
        }
    }

    /** The PFN mapped at addr, or -1. */
    private long entryOf(UserMemory um, Mm mm, long addr) {
        List<String> w = um.walk(mm, addr);
        String last = w.get(w.size() - 1);
        for (String l : w) {
            int at = l.indexOf("), page ");
            if (l.startsWith("huge PMD") && at >= 0) {
                hugeSeen++;
                int p = l.indexOf("(PFN ", at);
                return Long.parseLong(l.substring(p + 5, l.indexOf(')', p)));
            }
        }
        int at = last.indexOf("(PFN ");
        if (!last.startsWith("page ") || at < 0) return -1;
        return Long.parseLong(last.substring(at + 5, last.indexOf(')', at)));
    }
}

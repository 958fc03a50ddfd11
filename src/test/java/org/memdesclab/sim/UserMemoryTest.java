package org.memdesclab.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.memdesclab.sim.layout.Layouts618;
import org.memdesclab.sim.layout.MatchAssertion;
import org.memdesclab.sim.layout.StructLayout;

/** Processes, page tables, the page cache, LRU and GUP: the values the kernel would show. */
class UserMemoryTest {
    private static final int RW = UserMemory.PROT_READ | UserMemory.PROT_WRITE;
    private static final int ANON = UserMemory.MAP_PRIVATE | UserMemory.MAP_ANONYMOUS;

    private final Machine m = new Machine(MachineConfig.defaults());
    private final UserMemory u = m.userMemory();

    private int fault(Mm mm, long addr, boolean write) {
        return u.handleMmFault(mm, mm.vmaAt(addr), addr, write ? UserMemory.FAULT_FLAG_WRITE : 0);
    }

    private long ptePfn(Mm mm, long addr) {
        List<String> w = u.walk(mm, addr);
        String last = w.get(w.size() - 1);
        int at = last.indexOf("(PFN ");
        return Long.parseLong(last.substring(at + 5, last.indexOf(')', at)));
    }

    private void consistent() { assertEquals(List.of(), m.checkConsistency()); }

    @Test
    void everyTableMatchPairHolds() {
        KernelProfile p = KernelProfile.LINUX_6_18;
        assertEquals(9, Layouts618.TABLE_MATCH.size());
        StructLayout pt = p.layout("ptdesc");
        assertEquals(64, pt.size());
        for (MatchAssertion a : Layouts618.TABLE_MATCH) {
            assertNotNull(pt.field(a.overlayField()), a.spelling());
            assertEquals(p.page().offsetof(a.pageField()), pt.offsetof(a.overlayField()), a.spelling());
        }
        assertEquals(32, pt.offsetof("pt_mm"));
        assertEquals(40, pt.offsetof("ptl"));
        assertTrue(p.matches().containsAll(Layouts618.TABLE_MATCH));
    }

    @Test
    void mmAllocTakesOnePgdPageThatIsAPtdescPointingBackAtTheMm() {
        Mm mm = u.mmAlloc();
        long pgd = mm.pgd();
        assertEquals(0xf2000000, m.memmap().pageType(pgd));
        assertEquals(1, m.memmap().refcount(pgd));
        assertEquals(mm.address(), m.memmap().word(pgd, Memmap.W_INDEX));
        assertEquals(Owner.PAGE_TABLE, m.owner(pgd));
        assertEquals(63, m.zone().freePages());
        consistent();
    }

    @Test
    void anAnonymousWriteFaultBuildsFourLevelsAndAnExclusiveFolio() {
        Mm mm = u.mmAlloc();
        long a = u.mmap(mm, 0, 8192, RW, ANON, 0, 0);
        assertEquals(UserMemory.MMAP_BASE - 8192, a);
        assertEquals(0, fault(mm, a, true));
        assertEquals(4, u.nrPageTables());
        long pfn = ptePfn(mm, a);
        Memmap mem = m.memmap();
        assertEquals(1, mem.refcount(pfn));
        assertEquals(0, mem.pageType(pfn), "_mapcount 0 is one mapping");
        assertEquals(1, u.mapcount(pfn));
        assertEquals(1, mem.mapping(pfn) & UserMemory.FOLIO_MAPPING_ANON);
        assertEquals(a >>> 12, mem.word(pfn, Memmap.W_INDEX), "vm_pgoff of private anon memory is start >> PAGE_SHIFT");
        assertTrue(mem.testFlag(pfn, PageFlag.PG_lru));
        assertTrue(mem.testFlag(pfn, PageFlag.PG_swapbacked));
        assertTrue(mem.testFlag(pfn, PageFlag.PG_uptodate));
        assertTrue(mem.testFlag(pfn, PageFlag.PG_owner_2), "PG_anon_exclusive");
        assertEquals(Owner.ANON, m.owner(pfn));
        assertEquals(1, u.lruSize(0));
        consistent();
    }

    @Test
    void munmapFreesTheFolioAndTheEmptyTablesButKeepsThePgd() {
        Mm mm = u.mmAlloc();
        long a = u.mmap(mm, 0, 4096, RW, ANON, 0, 0);
        fault(mm, a, true);
        assertEquals(59, m.zone().freePages());
        u.munmap(mm, a, 4096);
        assertEquals(63, m.zone().freePages());
        assertEquals(1, u.nrPageTables());
        assertEquals(0, u.lruSize(0));
        u.mmput(mm);
        assertEquals(64, m.zone().freePages());
        consistent();
    }

    @Test
    void unmappingTheWholeUserAddressSpaceFreesEveryTableButThePgd() {
        Mm mm = u.mmAlloc();
        long a = u.mmap(mm, 0, 4096, RW, ANON, 0, 0);
        long b = u.mmap(mm, 0x10000, 4096, RW, ANON, 0, 0);
        fault(mm, a, true);
        fault(mm, b, true);
        assertEquals(7, u.nrPageTables(), "two PUD/PMD/PTE chains under one PGD");
        assertEquals(0, u.munmap(mm, 4096, UserMemory.TASK_SIZE - 4096));
        assertEquals(1, u.nrPageTables());
        assertEquals(63, m.zone().freePages());
        consistent();
    }

    @Test
    void aTableStaysWhileAVmaStillCoversItsSpan() {
        Mm mm = u.mmAlloc();
        long a = u.mmap(mm, 0, 8192, RW, ANON, 0, 0);
        fault(mm, a, true);
        fault(mm, a + 4096, true);
        u.munmap(mm, a, 4096);
        assertEquals(4, u.nrPageTables(), "the PTE table still serves the other page");
        consistent();
    }

    @Test
    void forkSharesTheFolioWriteProtectedAndCopyOnWriteSplitsIt() {
        Mm mm = u.mmAlloc();
        long a = u.mmap(mm, 0, 4096, RW, ANON, 0, 0);
        fault(mm, a, true);
        long pfn = ptePfn(mm, a);
        Mm child = u.dupMm(mm);
        assertEquals(2, u.mapcount(pfn));
        assertEquals(2, m.memmap().refcount(pfn));
        assertFalse(m.memmap().testFlag(pfn, PageFlag.PG_owner_2), "no longer exclusive");
        assertTrue(u.walk(mm, a).get(4).endsWith("PTE read-only"));
        assertTrue(u.walk(child, a).get(4).endsWith("PTE read-only"));
        consistent();
        assertEquals(0, fault(child, a, true));
        long copy = ptePfn(child, a);
        assertTrue(copy != pfn);
        assertEquals(1, u.mapcount(pfn));
        assertEquals(1, m.memmap().refcount(pfn));
        assertEquals(1, u.mapcount(copy));
        consistent();
        long before = m.zone().freePages();
        assertEquals(0, fault(mm, a, true));
        assertEquals(pfn, ptePfn(mm, a), "the last mapper reuses its folio");
        assertEquals(before, m.zone().freePages());
        assertTrue(m.memmap().testFlag(pfn, PageFlag.PG_owner_2));
        consistent();
    }

    @Test
    void aPinnedExclusiveFolioIsCopiedForTheChildAtFork() {
        Mm mm = u.mmAlloc();
        long a = u.mmap(mm, 0, 4096, RW, ANON, 0, 0);
        long pfn = u.gup(mm, a, UserMemory.FOLL_WRITE, true);
        assertEquals(1 + UserMemory.GUP_PIN_COUNTING_BIAS, m.memmap().refcount(pfn));
        assertTrue(u.maybeDmaPinned(pfn));
        Mm child = u.dupMm(mm);
        assertTrue(ptePfn(child, a) != pfn);
        assertEquals(1, u.mapcount(pfn));
        u.unpinUserPage(pfn);
        assertEquals(1, m.memmap().refcount(pfn));
        assertThrows(KernelError.class, () -> u.unpinUserPage(pfn));
        consistent();
    }

    @Test
    void getUserPagesTakesOneReferenceAndBreaksCowForAWrite() {
        Mm mm = u.mmAlloc();
        long a = u.mmap(mm, 0, 4096, RW, ANON, 0, 0);
        fault(mm, a, true);
        long pfn = ptePfn(mm, a);
        Mm child = u.dupMm(mm);
        long got = u.gup(child, a, 0, false);
        assertEquals(pfn, got);
        assertEquals(3, m.memmap().refcount(pfn));
        long w = u.gup(child, a, UserMemory.FOLL_WRITE, false);
        assertTrue(w != pfn, "FOLL_WRITE breaks COW");
        assertEquals(2, m.memmap().refcount(w));
        consistent();
    }

    @Test
    void pinningALargeFolioCountsInPincount() {
        AddressSpace f = u.createFile("big", 4 * 4096);
        long folio = m.folioAlloc(Gfp.GFP_KERNEL, 2);
        u.folioLock(folio, "__folio_set_locked");
        assertEquals(0, u.filemapAddFolio(f, folio, 0));
        u.folioUnlock(folio);
        m.folioPut(folio);
        assertEquals(4, m.memmap().refcount(folio), "one cache reference per page");
        Mm mm = u.mmAlloc();
        long a = u.mmap(mm, 0, 4 * 4096, UserMemory.PROT_READ, UserMemory.MAP_SHARED, f.address(), 0);
        long p = u.gup(mm, a + 4096, 0, true);
        assertEquals(folio + 1, p);
        assertEquals(1, m.folioField(folio, "_pincount"));
        assertEquals(6, m.memmap().refcount(folio), "4 cache + 1 mapping + 1 pin");
        assertEquals(0, m.folioField(folio, "_large_mapcount"));
        assertEquals(0, m.memmap().pageType(folio + 1));
        consistent();
        u.unpinUserPage(p);
        u.mmput(mm);
        assertEquals(0, m.folioField(folio, "_pincount"));
        assertEquals(-1, m.folioField(folio, "_large_mapcount"));
        consistent();
    }

    @Test
    void aFileReadFaultCachesTheFolioWithTheCacheAndThePteEachHoldingAReference() {
        AddressSpace f = u.createFile("log", 8192);
        Mm mm = u.mmAlloc();
        long a = u.mmap(mm, 0, 3 * 4096, RW, UserMemory.MAP_SHARED, f.address(), 0);
        assertEquals(0, fault(mm, a, false));
        long pfn = f.pages().get(0L);
        assertEquals(2, m.memmap().refcount(pfn));
        assertEquals(1, u.mapcount(pfn));
        assertEquals(f.address(), m.memmap().mapping(pfn));
        assertEquals(Owner.FILE, m.owner(pfn));
        assertFalse(m.memmap().testFlag(pfn, PageFlag.PG_dirty));
        assertEquals(UserMemory.VM_FAULT_SIGBUS, fault(mm, a + 8192, false), "beyond the end of the file");
        assertEquals(0, fault(mm, a, true));
        assertTrue(m.memmap().testFlag(pfn, PageFlag.PG_dirty), "a shared write dirties through filemap_dirty_folio");
        consistent();
    }

    @Test
    void writebackMovesDirtyToWritebackAndTruncationWaitsForIt() {
        AddressSpace f = u.createFile("log", 4096);
        Mm mm = u.mmAlloc();
        long a = u.mmap(mm, 0, 4096, RW, UserMemory.MAP_SHARED, f.address(), 0);
        fault(mm, a, true);
        long pfn = f.pages().get(0L);
        u.folioLock(pfn, "folio_lock");
        assertTrue(u.folioClearDirtyForIo(pfn));
        assertFalse(m.memmap().testFlag(pfn, PageFlag.PG_dirty));
        assertTrue(u.walk(mm, a).get(4).endsWith("PTE read-only"), "folio_mkclean write-protects");
        u.folioStartWriteback(pfn);
        u.folioUnlock(pfn);
        assertTrue(m.memmap().testFlag(pfn, PageFlag.PG_writeback));
        assertEquals("under writeback (PG_writeback)", u.whyUnmovable(pfn));
        long d = m.digest();
        assertThrows(KernelError.class, () -> u.truncate(f, 0));
        assertEquals(d, m.digest());
        u.folioEndWriteback(pfn);
        assertEquals(1, u.truncate(f, 0));
        assertEquals(0, f.pages().size());
        assertEquals(0, u.mapcount(pfn));
        assertTrue(m.memmap().isBuddy(pfn) || m.freeBlockHead(pfn) >= 0, "nobody held it: freed");
        consistent();
    }

    @Test
    void reclaimFreesCleanUnmappedCacheFirstAndKeepsDirtyAndMapped() {
        AddressSpace f = u.createFile("log", 3 * 4096);
        Mm mm = u.mmAlloc();
        long a = u.mmap(mm, 0, 3 * 4096, RW, UserMemory.MAP_SHARED, f.address(), 0);
        fault(mm, a, false);
        fault(mm, a + 4096, true);
        fault(mm, a + 8192, false);
        u.munmap(mm, a + 8192, 4096);
        u.munmap(mm, a + 4096, 4096);
        assertEquals(3, u.lruSize(2));
        assertEquals(1, u.reclaim(3), "index 2: clean and unmapped; index 1 dirty; index 0 mapped");
        assertEquals(2, f.pages().size());
        assertTrue(f.pages().containsKey(0L) && f.pages().containsKey(1L));
        consistent();
    }

    @Test
    void activationMovesAFolioToTheActiveList() {
        AddressSpace f = u.createFile("log", 4096);
        long g = m.folioAlloc(Gfp.GFP_KERNEL, 0);
        u.folioLock(g, "__folio_set_locked");
        u.filemapAddFolio(f, g, 0);
        assertTrue(u.folioActivate(g));
        assertTrue(m.memmap().testFlag(g, PageFlag.PG_active));
        assertEquals(1, u.lruSize(3));
        assertEquals(0, u.lruSize(2));
        long other = lockedNew();
        long d = m.digest();
        assertEquals(-UserMemory.EEXIST, u.filemapAddFolio(f, other, 0));
        assertEquals(d, m.digest());
        consistent();
    }

    private long lockedNew() {
        long n = m.folioAlloc(Gfp.GFP_KERNEL, 0);
        u.folioLock(n, "__folio_set_locked");
        return n;
    }

    @Test
    void setPageDirtyFindsTheOwnerFromThePageAlone() {
        AddressSpace f = u.createFile("log", 4096);
        Mm mm = u.mmAlloc();
        long file = u.mmap(mm, 0, 4096, UserMemory.PROT_READ, UserMemory.MAP_SHARED, f.address(), 0);
        long anon = u.mmap(mm, 0, 4096, RW, ANON, 0, 0);
        long fp = u.gup(mm, file, 0, false);
        long ap = u.gup(mm, anon, UserMemory.FOLL_WRITE, false);
        assertEquals(f, u.folioFile(m.compoundHeadPfn(fp)));
        assertNull(u.folioFile(m.compoundHeadPfn(ap)));
        assertTrue(u.folioMarkDirty(fp));
        assertTrue(u.folioMarkDirty(ap));
        assertFalse(u.folioMarkDirty(ap));
        consistent();
    }

    @Test
    void migrationMovesPtesCacheSlotAndLru() {
        AddressSpace f = u.createFile("log", 4096);
        Mm mm = u.mmAlloc();
        long a = u.mmap(mm, 0, 4096, UserMemory.PROT_READ, UserMemory.MAP_SHARED, f.address(), 0);
        fault(mm, a, false);
        long old = f.pages().get(0L);
        assertTrue(u.owns(old));
        assertNull(u.whyUnmovable(old));
        m.folioGet(old);
        long fresh = m.folioAlloc(Gfp.GFP_HIGHUSER_MOVABLE, 0);
        u.migrate(old, fresh);
        assertEquals(fresh, f.pages().get(0L));
        assertEquals(fresh, ptePfn(mm, a));
        assertEquals(2, m.memmap().refcount(fresh));
        assertEquals(1, m.memmap().refcount(old));
        assertTrue(m.memmap().testFlag(fresh, PageFlag.PG_lru));
        assertFalse(m.memmap().testFlag(old, PageFlag.PG_lru));
        m.folioPut(old);
        consistent();
    }

    @Test
    void memoryFailureOfAnAnonymousFolioKillsItsProcesses() {
        Mm mm = u.mmAlloc();
        long a = u.mmap(mm, 0, 4096, RW, ANON, 0, 0);
        fault(mm, a, true);
        long pfn = ptePfn(mm, a);
        m.memmap().setFlag(pfn, PageFlag.PG_hwpoison);
        List<String> log = u.memoryFailure(pfn);
        assertEquals(List.of(String.format("Memory failure: %#x: Sending SIGBUS to lab:%d due to hardware memory corruption", pfn, mm.pid()),
                String.format("Memory failure: %#x: recovery action for dirty LRU page: Recovered", pfn)), log);
        assertNull(u.mmAt(mm.address()));
        assertEquals(1, m.memmap().refcount(pfn), "memory_failure keeps its reference");
        assertFalse(m.memmap().testFlag(pfn, PageFlag.PG_lru));
        consistent();
    }

    @Test
    void memoryFailureOfADirtyFileFolioReportsTheErrorToTheFile() {
        AddressSpace f = u.createFile("log", 4096);
        long g = lockedNew();
        u.filemapAddFolio(f, g, 0);
        u.folioUnlock(g);
        m.folioPut(g);
        u.folioMarkDirty(g);
        List<String> log = u.memoryFailure(g);
        assertEquals(List.of(String.format("Memory failure: %#x: recovery action for dirty LRU page: Recovered", g)), log);
        assertEquals(0, f.pages().size());
        assertEquals(-5, u.takeError(f));
        assertEquals(0, u.takeError(f));
        consistent();
    }

    @Test
    void refusedCallsChangeNothing() {
        Mm mm = u.mmAlloc();
        long d = m.digest();
        assertThrows(KernelError.class, () -> u.mmap(mm, 0, 0, RW, ANON, 0, 0));
        assertThrows(KernelError.class, () -> u.mmap(mm, 0, 4096, RW, UserMemory.MAP_SHARED | UserMemory.MAP_ANONYMOUS, 0, 0));
        assertThrows(KernelError.class, () -> u.munmap(mm, 123, 4096));
        assertThrows(KernelError.class, () -> u.folioAddLru(mm.pgd()));
        assertThrows(KernelError.class, () -> u.requireMm(0x1234, "mmput"));
        assertEquals(d, m.digest());
        consistent();
    }

    @Test
    void aMachineCopyIsIndependentAndEqual() {
        Mm mm = u.mmAlloc();
        long a = u.mmap(mm, 0, 4096, RW, ANON, 0, 0);
        fault(mm, a, true);
        Machine c = m.copy();
        assertEquals(m.digest(), c.digest());
        c.userMemory().mmput(c.userMemory().mmAt(mm.address()));
        assertTrue(m.digest() != c.digest());
        assertNotNull(u.mmAt(mm.address()));
        consistent();
        assertEquals(List.of(), c.checkConsistency());
    }

    /** Every operation, randomly, with checkConsistency() after each step; prints its seed on failure. */
    @Test
    void generatedSequencesKeepEveryInvariant() {
        long base = System.nanoTime();
        for (int run = 0; run < 30; run++) {
            long seed = base + run;
            try {
                generated(seed, 250);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("seed " + seed + ": " + e.getMessage(), e);
            }
        }
    }

    private void generated(long seed, int steps) {
        Random r = new Random(seed);
        Machine mc = new Machine(MachineConfig.defaults().withCpus(2).withPcp(r.nextBoolean()));
        UserMemory um = mc.userMemory();
        List<Long> pins = new ArrayList<>();
        List<Long> gets = new ArrayList<>();
        List<AddressSpace> fs = new ArrayList<>();
        for (int i = 0; i < steps; i++) {
            int op = r.nextInt(16);
            String what = "step " + i + " op " + op;
            long before = mc.digest();
            try {
                List<Mm> mms = um.mms();
                Mm mm = mms.isEmpty() ? null : mms.get(r.nextInt(mms.size()));
                long addr = mm == null || mm.vmas().isEmpty() ? 0 : randomAddr(r, mm);
                switch (op) {
                    case 0 -> um.mmAlloc();
                    case 1 -> { if (mm != null) um.mmap(mm, 0, (1 + r.nextInt(4)) * 4096L, RW, ANON, 0, 0); }
                    case 2 -> {
                        if (mm != null && !fs.isEmpty()) {
                            AddressSpace f = fs.get(r.nextInt(fs.size()));
                            um.mmap(mm, 0, (1 + r.nextInt(3)) * 4096L, RW, r.nextBoolean() ? UserMemory.MAP_SHARED : UserMemory.MAP_PRIVATE,
                                    f.address(), r.nextInt(2));
                        }
                    }
                    case 3, 4 -> { if (addr != 0) um.handleMmFault(mm, mm.vmaAt(addr), addr, r.nextBoolean() ? UserMemory.FAULT_FLAG_WRITE : 0); }
                    case 5 -> { if (addr != 0) um.munmap(mm, addr & ~4095L, 4096L * (1 + r.nextInt(2))); }
                    case 6 -> { if (mm != null && r.nextInt(3) == 0) um.mmput(mm); }
                    case 7 -> { if (mm != null) um.dupMm(mm); }
                    case 8 -> { if (fs.size() < 3) fs.add(um.createFile("f" + fs.size() + "-" + i, 4096L * (1 + r.nextInt(4)))); }
                    case 9 -> {
                        if (addr != 0) {
                            boolean pin = r.nextBoolean();
                            long p = um.gup(mm, addr, r.nextBoolean() ? UserMemory.FOLL_WRITE : 0, pin);
                            if (p >= 0) (pin ? pins : gets).add(p);
                        }
                    }
                    case 10 -> {
                        if (!pins.isEmpty()) um.unpinUserPage(pins.remove(r.nextInt(pins.size())));
                        else if (!gets.isEmpty()) mc.putPage(gets.remove(r.nextInt(gets.size())));
                    }
                    case 11 -> { if (!fs.isEmpty()) um.reclaim(1 + r.nextInt(4)); }
                    case 12 -> { if (!fs.isEmpty()) um.truncate(fs.get(r.nextInt(fs.size())), r.nextInt(3)); }
                    case 13 -> {
                        List<Long> file = new ArrayList<>();
                        for (AddressSpace f : fs) file.addAll(f.pages().values());
                        if (!file.isEmpty()) {
                            long h = file.get(r.nextInt(file.size()));
                            switch (r.nextInt(4)) {
                                case 0 -> um.folioMarkDirty(h);
                                case 1 -> {
                                    if (mc.memmap().testFlag(h, PageFlag.PG_writeback) || mc.memmap().testFlag(h, PageFlag.PG_locked)) break;
                                    um.folioLock(h, "folio_lock");
                                    um.folioClearDirtyForIo(h);
                                    um.folioStartWriteback(h);
                                    um.folioUnlock(h);
                                }
                                case 2 -> { if (mc.memmap().testFlag(h, PageFlag.PG_writeback)) um.folioEndWriteback(h); }
                                default -> um.folioActivate(h);
                            }
                        }
                    }
                    case 14 -> {
                        if (!fs.isEmpty()) {
                            long n = mc.folioAlloc(Gfp.GFP_KERNEL, r.nextInt(2));
                            if (n >= 0) {
                                um.folioLock(n, "__folio_set_locked");
                                um.filemapAddFolio(fs.get(r.nextInt(fs.size())), n, r.nextInt(2) * 2L);
                                um.folioUnlock(n);
                                mc.folioPut(n);
                            }
                        }
                    }
                    default -> {
                        List<Long> owned = new ArrayList<>();
                        for (long p = 0; p < mc.nrPages(); p++) if (um.owns(p)) owned.add(p);
                        if (!owned.isEmpty()) {
                            long h = owned.get(r.nextInt(owned.size()));
                            if (um.whyUnmovable(h) == null && !mc.memmap().isHead(h)) {
                                long n = mc.folioAlloc(Gfp.GFP_HIGHUSER_MOVABLE, 0);
                                if (n >= 0) {
                                    mc.folioGet(h);
                                    um.migrate(h, n);
                                    mc.folioPut(h);
                                }
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

    private static long randomAddr(Random r, Mm mm) {
        List<Mm.Vma> vs = new ArrayList<>(mm.vmas().values());
        Mm.Vma v = vs.get(r.nextInt(vs.size()));
        return v.start() + (long) r.nextInt((int) ((v.end() - v.start()) >>> 12)) * 4096 + r.nextInt(4096);
    }
}

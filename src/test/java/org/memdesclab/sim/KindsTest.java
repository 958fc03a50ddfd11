package org.memdesclab.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Memory types, page_owner_type, memory_failure and compaction through the Java API. */
class KindsTest {
    private static Machine machine(int pages) { return new Machine(MachineConfig.withPages(pages)); }

    @Test
    void everyKindOfPageIsRecognisedFromTheMemmapAlone() {
        Machine m = new Machine(MachineConfig.withPages(64).withReserved(List.of(63L)));
        long v = m.memoryTypes().vmalloc(4096);
        long vp = m.memoryTypes().vmallocToPfn(v);
        long pp = m.memoryTypes().pagePoolAlloc(m.memoryTypes().pagePoolCreate());
        long b = m.memoryTypes().balloonPageAlloc();
        m.memoryTypes().balloonPageEnqueue(b);
        long slab = m.compoundHeadPfn((m.slub().kmalloc(64, Gfp.GFP_KERNEL) - Addresses.PAGE_OFFSET) >>> Addresses.PAGE_SHIFT);
        Zsmalloc.Pool pool = m.zsmalloc().createPool("t");
        long zsPfn = Zsmalloc.objToPfn(m.zsmalloc().handleToObj(m.zsmalloc().malloc(pool, 100, Gfp.GFP_KERNEL, 0)));
        long big = m.allocPages(Gfp.GFP_KERNEL, 1);
        assertEquals(PageOwnerType.Kind.KERNEL, PageOwnerType.classify(m, vp));
        assertEquals(PageOwnerType.Kind.NET_POOL, PageOwnerType.classify(m, pp));
        assertEquals(PageOwnerType.Kind.OFFLINE, PageOwnerType.classify(m, b));
        assertEquals(PageOwnerType.Kind.SLAB, PageOwnerType.classify(m, slab));
        assertEquals(PageOwnerType.Kind.ZSMALLOC, PageOwnerType.classify(m, zsPfn));
        assertEquals(PageOwnerType.Kind.RESERVED, PageOwnerType.classify(m, 63));
        assertEquals(PageOwnerType.Kind.INSIDE, PageOwnerType.classify(m, big + 1));
        assertEquals(PageOwnerType.Kind.FREE, PageOwnerType.classify(m, 40));
        assertEquals(Owner.NET_POOL, m.owner(pp));
        assertEquals(Owner.OFFLINE, m.owner(b));
        assertEquals(MemoryTypes.PP_SIGNATURE, m.memmap().word(pp, Memmap.W_LRU_NEXT));
        assertEquals(0xdead000000000040L, MemoryTypes.PP_SIGNATURE);
        assertEquals(0xf1000000, m.memmap().pageType(b));
        assertTrue(PageOwnerType.pageOwnerNote(m, vp).contains("vmalloc"));
        assertEquals(null, PageOwnerType.pageOwnerNote(m, pp));
        assertTrue(m.checkConsistency().isEmpty(), m.checkConsistency().toString());
    }

    @Test
    void anAnonymousOrFileMappingIsReadFromTheMappingWord() {
        Machine m = machine(64);
        long p = m.allocPages(Gfp.GFP_KERNEL, 0);
        m.memmap().setWord(p, Memmap.W_MAPPING, 0xffff888001234561L);
        assertEquals(PageOwnerType.Kind.ANON, PageOwnerType.classify(m, p));
        m.memmap().setWord(p, Memmap.W_MAPPING, 0xffff888001234560L);
        assertEquals(PageOwnerType.Kind.FILE, PageOwnerType.classify(m, p));
    }

    @Test
    void aFreeBuddyPageIsTakenOffItsListAndNeverAllocatedAgain() {
        Machine m = machine(64);
        MemoryFailure.Result r = MemoryFailure.run(m, 5);
        assertEquals(0, r.ret());
        assertEquals(List.of("Memory failure: 0x5: recovery action for free buddy page: Recovered"), r.log());
        assertEquals(1, m.memmap().refcount(5));
        assertTrue(m.memmap().testFlag(5, PageFlag.PG_hwpoison));
        assertEquals(63, m.zone().freePages());
        for (int i = 0; i < 63; i++) assertNotEquals(5, m.allocPages(Gfp.GFP_KERNEL, 0));
        assertEquals(-1, m.allocPages(Gfp.GFP_KERNEL | Gfp.__GFP_NOWARN, 0));
        assertTrue(m.checkConsistency().isEmpty(), m.checkConsistency().toString());
    }

    @Test
    void kernelPagesAreUnhandlableAndASecondHitIsEhwpoison() {
        Machine m = new Machine(MachineConfig.withPages(64).withReserved(List.of(60L)));
        long slab = (m.slub().kmalloc(64, Gfp.GFP_KERNEL) - Addresses.PAGE_OFFSET) >>> Addresses.PAGE_SHIFT;
        for (long pfn : new long[] {slab, 60}) {
            MemoryFailure.Result r = MemoryFailure.run(m, pfn);
            assertEquals(MemoryFailure.EBUSY, r.ret());
            assertEquals(String.format("Memory failure: %#x: recovery action for get hwpoison page: Ignored", pfn), r.log().get(1));
            assertEquals(MemoryFailure.EHWPOISON, MemoryFailure.run(m, pfn).ret());
        }
        assertEquals(MemoryFailure.ENXIO, MemoryFailure.run(m, 64).ret());
    }

    @Test
    void aPoisonedPageThatIsFreedStaysOffTheFreeLists() {
        Machine m = machine(64);
        long p = m.allocPages(Gfp.GFP_KERNEL, 0);
        MemoryFailure.run(m, p);
        long free = m.zone().freePages();
        m.putPage(p);
        assertEquals(free, m.zone().freePages());
        assertFalse(m.memmap().isBuddy(p));
        assertTrue(m.checkConsistency().isEmpty(), m.checkConsistency().toString());
    }

    @Test
    void compactionMovesZsmallocPagesAndTheirHandlesFollow() {
        Machine m = machine(64);
        Zsmalloc.Pool pool = m.zsmalloc().createPool("t");
        List<Long> handles = new ArrayList<>();
        for (int i = 0; i < 40; i++) handles.add(m.zsmalloc().malloc(pool, 4000, Gfp.GFP_KERNEL, 0));
        while (m.allocPages(Gfp.GFP_KERNEL | Gfp.__GFP_NOWARN, 0) >= 0) { /* the rest of the zone is kernel memory */ }
        for (int i = 0; i < 40; i += 2) m.zsmalloc().free(pool, handles.get(i));
        assertEquals(20, m.zone().nrFree(0));
        long before = m.zone().nrFree(3);
        Compaction.Result r = Compaction.compactZone(m, 3);
        assertEquals(Compaction.COMPACT_SUCCESS, r.result());
        assertEquals(before + 1, m.zone().nrFree(3));
        assertEquals(8, m.zone().freeList(3)[0]);
        assertEquals(7, r.migrated());
        for (int i = 1; i < 40; i += 2) {
            long pfn = Zsmalloc.objToPfn(m.zsmalloc().handleToObj(handles.get(i)));
            assertEquals(PageType.PGTY_zsmalloc.value(), m.memmap().pageType(pfn) >>> 24);
        }
        assertTrue(m.checkConsistency().isEmpty(), m.checkConsistency().toString());
    }

    @Test
    void compactionSaysWhatStayedWhenItFails() {
        Machine m = machine(64);
        List<Long> pages = new ArrayList<>();
        for (int i = 0; i < 64; i++) pages.add(m.allocPages(Gfp.GFP_KERNEL, 0));
        for (int i = 0; i < 64; i += 2) m.putPage(pages.get(i));
        Compaction.Result r = Compaction.compactZone(m, 1);
        assertEquals(Compaction.COMPACT_COMPLETE, r.result());
        assertEquals(0, r.migrated());
        assertEquals("PFN 1: kernel page (unmovable)", r.unmovable().get(0));
        assertThrows(KernelError.class, () -> Compaction.compactZone(m, 11));
    }

    @Test
    void aRefusedCallChangesNothing() {
        Machine m = machine(64);
        long v = m.memoryTypes().vmalloc(8192);
        long d = m.digest();
        assertThrows(KernelError.class, () -> m.memoryTypes().vfree(v + 4096, "vfree"));
        assertThrows(KernelError.class, () -> m.memoryTypes().vfree(v, "free_thread_stack"));
        assertThrows(KernelError.class, () -> m.memoryTypes().balloonPageEnqueue(m.memoryTypes().vmallocToPfn(v) + 40));
        assertThrows(KernelError.class, () -> m.memoryTypes().pagePoolPut(MemoryTypes.PAGE_POOL_BASE, 3));
        assertEquals(d, m.digest());
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 0x5eed, 0xbeef})
    void generatedSequencesKeepTheInvariants(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Machine m = new Machine(MachineConfig.withPages(rnd.nextBoolean() ? 64 : 256).withReserved(List.of(7L)));
        int guard = rnd.nextInt(3);
        m.memoryTypes().bootDebugGuardpageMinorder(guard);
        Zsmalloc.Pool pool = m.zsmalloc().createPool("g");
        long ppool = m.memoryTypes().pagePoolCreate();
        List<Long> areas = new ArrayList<>(), stacks = new ArrayList<>(), pp = new ArrayList<>(), handles = new ArrayList<>(),
                pages = new ArrayList<>();
        UserMemory um = m.userMemory();
        long mmAddr = 0, base = 0;
        for (int step = 0; step < 400; step++) {
            int op = rnd.nextInt(13);
            String what = "op " + op;
            long digest = m.digest();
            try {
                switch (op) {
                    case 0 -> { long a = m.memoryTypes().vmalloc(1 + rnd.nextInt(5 * 4096)); if (a != 0) areas.add(a); }
                    case 1 -> { if (!areas.isEmpty()) m.memoryTypes().vfree(areas.remove(rnd.nextInt(areas.size())), "vfree"); }
                    case 2 -> { long s = m.memoryTypes().allocThreadStack(); if (s != 0) stacks.add(s); }
                    case 3 -> { if (!stacks.isEmpty()) m.memoryTypes().vfree(stacks.remove(0), "free_thread_stack"); }
                    case 4 -> { long p = m.memoryTypes().pagePoolAlloc(ppool); if (p >= 0) pp.add(p); }
                    case 5 -> { if (!pp.isEmpty()) m.memoryTypes().pagePoolPut(ppool, pp.remove(rnd.nextInt(pp.size()))); }
                    case 6 -> { long b = m.memoryTypes().balloonPageAlloc(); if (b >= 0) m.memoryTypes().balloonPageEnqueue(b); }
                    case 7 -> { long b = m.memoryTypes().balloonDeflate(); if (b >= 0) m.putPage(b); }
                    case 8 -> {
                        long h = m.zsmalloc().malloc(pool, 32 + rnd.nextInt(4064), Gfp.GFP_KERNEL | Gfp.__GFP_NOWARN, 0);
                        if (Long.compareUnsigned(h, -4095L) < 0) handles.add(h);
                        else if (!handles.isEmpty()) m.zsmalloc().free(pool, handles.remove(rnd.nextInt(handles.size())));
                    }
                    case 9 -> {
                        long p = m.allocPages(Gfp.GFP_KERNEL | Gfp.__GFP_NOWARN, rnd.nextInt(3));
                        if (p >= 0) pages.add(p);
                        if (pages.size() > 6) {
                            long q = pages.remove(rnd.nextInt(pages.size()));
                            if (m.memmap().refcount(q) > 0) m.putPage(q);
                        }
                    }
                    case 10 -> { what = "compact"; Compaction.compactZone(m, rnd.nextInt(-1, 6)); }
                    case 11 -> {
                        // a process faulting in and unmapping anonymous pages (memory_failure may kill it: start another)
                        Mm mm = mmAddr == 0 ? null : um.mmAt(mmAddr);
                        if (mm == null) {
                            mm = um.mmAlloc();
                            if (mm == null) break;
                            mmAddr = mm.address();
                            base = um.mmap(mm, 0, 32 * 4096L, UserMemory.PROT_READ | UserMemory.PROT_WRITE,
                                    UserMemory.MAP_PRIVATE | UserMemory.MAP_ANONYMOUS, 0, 0);
                        }
                        long addr = base + rnd.nextInt(32) * 4096L;
                        what = "user memory at " + Long.toHexString(addr);
                        if (rnd.nextInt(3) == 0) {
                            um.munmap(mm, addr, 4096);
                        } else {
                            Mm.Vma v = mm.vmaAt(addr);
                            if (v != null) um.handleMmFault(mm, v, addr, UserMemory.FAULT_FLAG_WRITE);
                        }
                    }
                    default -> {
                        long pfn = rnd.nextInt(m.nrPages());
                        what = "memory_failure(" + pfn + ")";
                        MemoryFailure.run(m, pfn);
                        // a poisoned page a test list still holds must not be handed back as if healthy
                        pp.remove(pfn);
                    }
                }
            } catch (KernelError e) {
                assertEquals(digest, m.digest(), "seed " + seed + " step " + step + " " + what + ": a refused call changed the machine");
            }
            List<String> problems = m.checkConsistency();
            if (!problems.isEmpty()) fail("seed " + seed + " (guard order " + guard + ") step " + step + " (" + what + "): " + problems);
            if (step % 50 == 0) assertEquals(m.digest(), m.copy().digest(), "seed " + seed + " step " + step + ": copy differs");
        }
    }
}

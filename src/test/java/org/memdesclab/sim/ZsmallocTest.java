package org.memdesclab.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.memdesclab.sim.layout.Layouts618;
import org.memdesclab.sim.layout.MatchAssertion;
import org.memdesclab.sim.layout.StructLayout;

/** zsmalloc: size classes (kernel-facts.md 4.3), zpdesc layout and ZPDESC_MATCH, zspages, compaction, invariants. */
class ZsmallocTest {
    private static final KernelProfile P = KernelProfile.LINUX_6_18;

    private static Machine machine() { return new Machine(MachineConfig.defaults()); }

    private static void consistent(Machine m, String where) {
        List<String> problems = m.checkConsistency();
        assertTrue(problems.isEmpty(), where + ": " + problems);
    }

    @Test
    void everyZpdescMatchPairHolds() {
        assertEquals(8, Layouts618.ZPDESC_MATCH.size());
        StructLayout zp = P.layout("zpdesc");
        for (MatchAssertion a : Layouts618.ZPDESC_MATCH) {
            assertNotNull(zp.field(a.overlayField()), a.spelling());
            assertEquals(P.page().offsetof(a.pageField()), zp.offsetof(a.overlayField()), a.spelling());
            assertTrue(P.matches().contains(a), a.spelling() + " is in the profile's match list");
        }
        assertTrue(zp.size() <= P.page().size(), "sizeof(struct zpdesc) <= sizeof(struct page)");
    }

    @Test
    void zpdescAndZspageLayoutsAreThe618Btfs() {
        StructLayout zp = P.layout("zpdesc");
        assertEquals(56, zp.size());
        assertEquals(24, zp.offsetof("movable_ops"));
        assertEquals(32, zp.offsetof("next"));
        assertEquals(32, zp.offsetof("handle"));
        assertEquals(40, zp.offsetof("zspage"));
        assertEquals(48, zp.offsetof("first_obj_offset"));
        assertEquals(24, zp.field("first_obj_offset").bitWidth());
        assertEquals(52, zp.offsetof("_refcount"));
        StructLayout zs = P.layout("zspage");
        assertEquals(56, zs.size());
        assertEquals(1, zs.field("fullness").bitShift());
        assertEquals(5, zs.field("class").bitShift());
        assertEquals(9, zs.field("class").bitWidth());
        assertEquals(14, zs.field("magic").bitShift());
        assertEquals(4, zs.offsetof("inuse"));
        assertEquals(8, zs.offsetof("freeobj"));
        assertEquals(16, zs.offsetof("first_zpdesc"));
        assertEquals(24, zs.offsetof("list"));
        assertEquals(40, zs.offsetof("pool"));
        assertEquals(48, zs.offsetof("zsl"));
    }

    /** kernel-facts.md 4.3 examples: request -> (class index used, class size, pages per zspage, objects). */
    @ParameterizedTest
    @CsvSource({
        "100, 5, 112, 7, 256",
        "500, 30, 512, 1, 8",
        "1000, 62, 1024, 1, 4",     // index 61 (1008 B) merged into the 1024 B class
        "3000, 190, 3072, 3, 4",
        "3624, 225, 3632, 8, 9",    // the largest class that is not huge
        "3625, 254, 4096, 1, 1",    // huge_class_size: every 1-page 1-object class merged into the 4096 B one
        "4089, 254, 4096, 1, 1",
        "4096, 254, 4096, 1, 1",
        "1, 0, 32, 1, 128",
    })
    void sizeClassTable(long request, int index, int size, int pages, int objs) {
        Machine m = machine();
        Zsmalloc.Pool p = m.zsmalloc().createPool("t");
        Zsmalloc.SizeClass c = p.sizeClass(Zsmalloc.sizeClassIndex(request + Zsmalloc.ZS_HANDLE_SIZE));
        assertEquals(index, c.index());
        assertEquals(size, c.size());
        assertEquals(pages, c.pagesPerZspage());
        assertEquals(objs, c.objsPerZspage());
        assertEquals(3625, p.hugeClassSize());
        assertEquals(61, Zsmalloc.sizeClassIndex(1008));
        assertEquals(255, Zsmalloc.ZS_SIZE_CLASSES);
    }

    @Test
    void zeroAndOversizedRequestsGiveErrPtrs() {
        Machine m = machine();
        Zsmalloc.Pool p = m.zsmalloc().createPool("t");
        long before = m.digest();
        assertEquals(-22, m.zsmalloc().malloc(p, 0, Gfp.GFP_KERNEL, 0));
        assertEquals(-28, m.zsmalloc().malloc(p, 4097, Gfp.GFP_KERNEL, 0));
        assertEquals(before, m.digest());
    }

    @Test
    void scenario23WithTheHandleAndZspageCachesShiftedByTwo() {
        Machine m = machine();
        Zsmalloc zs = m.zsmalloc();
        Zsmalloc.Pool p = zs.createPool("zram0");
        long h = zs.malloc(p, 100, Gfp.GFP_KERNEL, -1);
        long obj = zs.handleToObj(h);
        assertEquals((2L << 24) | 0, obj);
        int[] types = {0xf6000000, 0xf6000030, 0xf6000060, 0xf6000020, 0xf6000050, 0xf6000010, 0xf6000040};
        for (int i = 0; i < 7; i++) {
            assertEquals(types[i], m.memmap().pageType(2 + i), "PFN " + (2 + i));
            assertEquals(1, m.memmap().refcount(2 + i));
            assertEquals(i == 0, m.memmap().testFlag(2 + i, PageFlag.PG_private));
            assertEquals(Owner.ZSMALLOC, m.owner(2 + i));
        }
        assertEquals(Owner.SLAB, m.owner(0));
        assertEquals(Owner.SLAB, m.owner(1));
        Zsmalloc.Zspage z = zs.zspageOfPfn(2);
        assertEquals(1, z.inuse());
        assertEquals(1, z.freeobj());
        assertEquals(1, z.fullness());
        assertEquals(h | 1, m.readMemory(Addresses.directMapAddress(2), 8));
        assertEquals(7, p.pagesAllocated());
        consistent(m, "after zs_malloc");
        zs.free(p, h);
        assertEquals(0, p.pagesAllocated());
        assertEquals(62, m.zone().freePages());
        consistent(m, "after zs_free");
    }

    @Test
    void allocationTakesTheFullestNonFullZspageFirst() {
        Machine m = machine();
        Zsmalloc zs = m.zsmalloc();
        Zsmalloc.Pool p = zs.createPool("t");
        List<Long> hs = new ArrayList<>();
        for (int i = 0; i < 16; i++) hs.add(zs.malloc(p, 500, Gfp.GFP_KERNEL, 0)); // class 512: 8 per 1-page zspage
        long pfnA = Zsmalloc.objToPfn(zs.handleToObj(hs.get(0)));
        long pfnB = Zsmalloc.objToPfn(zs.handleToObj(hs.get(8)));
        assertNotEquals(pfnA, pfnB);
        // A down to 7 of 8 (group 10), B down to 2 (group 3): the next object goes to A
        zs.free(p, hs.get(0));
        for (int i = 8; i < 14; i++) zs.free(p, hs.get(i));
        long h = zs.malloc(p, 500, Gfp.GFP_KERNEL, 0);
        assertEquals(pfnA, Zsmalloc.objToPfn(zs.handleToObj(h)));
        assertEquals(0, Zsmalloc.objToIdx(zs.handleToObj(h)), "the freed object 0 heads A's free list");
        consistent(m, "end");
    }

    @Test
    void compactionMovesObjectsIntoOneZspageAndFreesTheEmptiedPages() {
        Machine m = machine();
        Zsmalloc zs = m.zsmalloc();
        Zsmalloc.Pool p = zs.createPool("t");
        List<Long> hs = new ArrayList<>();
        for (int i = 0; i < 24; i++) hs.add(zs.malloc(p, 500, Gfp.GFP_KERNEL, 0));
        long[] pfns = {Zsmalloc.objToPfn(zs.handleToObj(hs.get(0))), Zsmalloc.objToPfn(zs.handleToObj(hs.get(8))),
            Zsmalloc.objToPfn(zs.handleToObj(hs.get(16)))};
        List<Long> kept = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            if (i % 8 < 2) kept.add(hs.get(i));
            else zs.free(p, hs.get(i));
        }
        Zsmalloc.SizeClass c = p.sizeClass(30);
        assertEquals(3, c.group(3).size(), "three zspages at 25 %");
        assertEquals(2, Zsmalloc.canCompact(c));
        long free = m.zone().freePages();
        assertEquals(3, p.pagesAllocated());
        long freed = zs.compact(p);
        assertEquals(2, freed);
        assertEquals(free + 2, m.zone().freePages(), "the emptied zspages' pages went back to the buddy allocator");
        assertEquals(1, p.pagesAllocated());
        assertEquals(6, c.objsInuse());
        assertEquals(8, c.objsAllocated());
        assertEquals(1, c.group(8).size(), "6 of 8 objects: ratio 75 % -> group 8");
        // the destination is the first zspage of the highest group: the head of group 3, the last one to enter it
        long dst = c.group(8).get(0).pfns()[0];
        assertTrue(LongStream.of(pfns).anyMatch(x -> x == dst));
        for (long h : kept) {
            assertEquals(dst, Zsmalloc.objToPfn(zs.handleToObj(h)), "every handle now points into the surviving zspage");
            long header = m.readMemory(Addresses.directMapAddress(dst) + Zsmalloc.objToIdx(zs.handleToObj(h)) * 512, 8);
            assertEquals(h | 1, header);
        }
        for (long pfn : pfns) if (pfn != dst) assertNotEquals(Owner.ZSMALLOC, m.owner(pfn));
        consistent(m, "after compaction");
        assertEquals(0, zs.compact(p), "nothing more to compact");
        for (long h : kept) zs.free(p, h);
        assertEquals(0, p.pagesAllocated());
        consistent(m, "all freed");
    }

    @Test
    void hugeObjectsKeepTheirHandleInZpdescHandle() {
        Machine m = machine();
        Zsmalloc zs = m.zsmalloc();
        Zsmalloc.Pool p = zs.createPool("t");
        long h = zs.malloc(p, 4000, Gfp.GFP_KERNEL, 0);
        long pfn = Zsmalloc.objToPfn(zs.handleToObj(h));
        Zsmalloc.Zspage z = zs.zspageOfPfn(pfn);
        assertTrue(z.huge());
        assertEquals(Zsmalloc.ZS_INUSE_RATIO_100, z.fullness());
        assertEquals(h | 1, m.memmap().word(pfn, Memmap.W_INDEX), "zpdesc->handle = handle | OBJ_ALLOCATED_TAG");
        assertEquals(Addresses.directMapAddress(pfn), zs.objReadBegin(p, h, 0), "no header in a huge object");
        consistent(m, "huge");
        zs.free(p, h);
        assertTrue(m.owner(pfn) == Owner.FREE_HEAD || m.owner(pfn) == Owner.FREE_INSIDE, "the page went back to the buddy allocator");
        consistent(m, "huge freed");
    }

    @Test
    void refusedCallsChangeNothing() {
        Machine m = machine();
        Zsmalloc zs = m.zsmalloc();
        Zsmalloc.Pool p = zs.createPool("t");
        Zsmalloc.Pool q = zs.createPool("u");
        long h = zs.malloc(p, 100, Gfp.GFP_KERNEL, 0);
        long g = zs.malloc(p, 100, Gfp.GFP_KERNEL, 0);
        zs.free(p, g);
        long before = m.digest();
        assertThrows(KernelError.class, () -> zs.free(p, g), "double free");
        assertThrows(KernelError.class, () -> zs.free(p, h + 8), "not a handle");
        assertThrows(KernelError.class, () -> zs.free(q, h), "another pool's handle");
        assertThrows(KernelError.class, () -> zs.destroyPool(p), "objects remain");
        assertThrows(KernelError.class, () -> zs.malloc(p, 10, Gfp.GFP_KERNEL, 3), "no node 3");
        assertThrows(KernelError.class, () -> zs.objWrite(p, h, 200), "too long");
        assertThrows(KernelError.class, () -> zs.createPool("t"), "name taken");
        assertEquals(before, m.digest());
        zs.free(p, 0);
        assertEquals(before, m.digest(), "zs_free(pool, 0) does nothing");
        zs.destroyPool(q);
        assertThrows(KernelError.class, () -> zs.malloc(q, 10, Gfp.GFP_KERNEL, 0), "destroyed pool");
        consistent(m, "end");
    }

    @Test
    void outOfMemoryGivesEnomemAndGivesBackWhatItTook() {
        Machine m = machine();
        Zsmalloc zs = m.zsmalloc();
        Zsmalloc.Pool p = zs.createPool("t");
        long h = zs.malloc(p, 100, Gfp.GFP_KERNEL, 0); // caches' slabs exist now
        while (m.zone().freePages() > 2) m.allocPages(Gfp.GFP_KERNEL, 0);
        long free = m.zone().freePages();
        assertEquals(Zsmalloc.ERR_ENOMEM, zs.malloc(p, 3000, Gfp.GFP_KERNEL | Gfp.__GFP_NOWARN, 0)); // 3 pages wanted, 2 free
        assertEquals(free, m.zone().freePages());
        consistent(m, "after ENOMEM");
        zs.free(p, h);
        consistent(m, "end");
    }

    @Test
    void copiesAreIndependent() {
        Machine m = machine();
        Zsmalloc.Pool p = m.zsmalloc().createPool("t");
        long h = m.zsmalloc().malloc(p, 300, Gfp.GFP_KERNEL, 0);
        Machine c = m.copy();
        assertEquals(m.digest(), c.digest());
        c.zsmalloc().free(c.zsmalloc().poolAt(p.address()), h);
        assertNotEquals(m.digest(), c.digest());
        assertTrue(m.zsmalloc().isLiveHandle(h));
        consistent(m, "original");
        consistent(c, "copy");
    }

    @Test
    void classesFileHasTheKernelsFormat() {
        Machine m = machine();
        Zsmalloc.Pool p = m.zsmalloc().createPool("zram0");
        m.zsmalloc().malloc(p, 100, Gfp.GFP_KERNEL, 0);
        List<String> f = m.zsmalloc().classesFile(p);
        assertEquals(" class  size       10%       20%       30%       40%       50%       60%       70%       80%       90%       99%"
                + "      100% obj_allocated   obj_used pages_used pages_per_zspage freeable", f.get(0));
        assertEquals("     5   112         1         0         0         0         0         0         0         0         0         0"
                + "         0           256          1          7                7        0", f.get(6));
        assertEquals("", f.get(f.size() - 2));
        assertEquals(" Total               1         0         0         0         0         0         0         0         0         0"
                + "         0           256          1          7                         0", f.get(f.size() - 1));
    }

    private static final long[] FEW_SIZES = {20, 100, 200, 500, 3000};
    private static long compacted;

    /** The generated sequences do reach compaction that frees pages (checked after they ran). */
    @org.junit.jupiter.api.AfterAll
    static void compactionWasExercised() {
        if (compacted == 0) throw new AssertionError("no generated sequence freed a page by compaction");
    }

    static Stream<Long> seeds() { return LongStream.range(0, 12).map(i -> 0x25a110cL + i).boxed(); }

    /** Generated sequences mixing zs_malloc, zs_free, zs_compact and page allocations; invariants after every step. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void invariantsHoldAfterEveryStep(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        MachineConfig cfg = MachineConfig.withPages(seed % 2 == 0 ? 64 : 256).withCpus(1 + (int) (seed % 4));
        if (seed % 3 == 0) cfg = cfg.withPcp(4, 32);
        Machine m = new Machine(cfg);
        Zsmalloc zs = m.zsmalloc();
        Zsmalloc.Pool p = zs.createPool("gen");
        List<Long> handles = new ArrayList<>();
        List<long[]> pages = new ArrayList<>();
        for (int step = 0; step < 300; step++) {
            int dice = rnd.nextInt(100);
            String op;
            if (dice < 45) {
                // half the requests share a few classes, so zspages of one class fill, empty and compact
                int kind = rnd.nextInt(4);
                long size = kind < 2 ? FEW_SIZES[rnd.nextInt(FEW_SIZES.length)] : kind == 2 ? 1 + rnd.nextInt(600) : 1 + rnd.nextInt(4096);
                long h = zs.malloc(p, size, Gfp.GFP_KERNEL | Gfp.__GFP_NOWARN, 0);
                if (Long.compareUnsigned(h, -4095L) < 0) handles.add(h);
                op = "zs_malloc " + size + " -> " + Long.toHexString(h);
            } else if (dice < 80 && !handles.isEmpty()) {
                long h = handles.remove(rnd.nextInt(handles.size()));
                zs.free(p, h);
                op = "zs_free " + Long.toHexString(h);
            } else if (dice < 85) {
                long freed = zs.compact(p);
                compacted += freed;
                op = "zs_compact -> " + freed;
            } else if (dice < 93) {
                int order = rnd.nextInt(2);
                long pfn = m.allocPages(Gfp.GFP_KERNEL | Gfp.__GFP_NOWARN, order);
                if (pfn >= 0) pages.add(new long[] {pfn, order});
                op = "alloc_pages -> " + pfn;
            } else if (!pages.isEmpty()) {
                long[] pg = pages.remove(rnd.nextInt(pages.size()));
                m.freePages(pg[0], (int) pg[1]);
                op = "free_pages " + pg[0] + " order " + pg[1];
            } else {
                op = "nothing";
            }
            List<String> problems = m.checkConsistency();
            assertTrue(problems.isEmpty(), "seed " + seed + " step " + step + " (" + op + "): " + problems);
            for (long h : handles) {
                Zsmalloc.Zspage z = zs.zspageOfPfn(Zsmalloc.objToPfn(zs.handleToObj(h)));
                assertNotNull(z, "seed " + seed + " step " + step + ": handle lost its zspage");
            }
        }
        for (long h : handles) zs.free(p, h);
        zs.destroyPool(p);
        assertEquals(0, p.pagesAllocated());
        assertFalse(m.checkConsistency().size() > 0, "seed " + seed + ": " + m.checkConsistency());
    }
}

package org.memdesclab.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.memdesclab.sim.layout.Layouts618;
import org.memdesclab.sim.layout.MatchAssertion;
import org.memdesclab.sim.layout.StructLayout;

/** SLUB: calculate_order's table, struct slab's layout and SLAB_MATCH, the allocator's paths and its invariants. */
class SlubTest {
    private static final int[] CPUS = {1, 2, 4, 8, 16, 64};

    /** kernel-facts.md section 3.4: order / objects / wasted bytes for 1, 2, 4, 8, 16 and 64 CPUs. */
    @ParameterizedTest(name = "size {0}")
    @CsvSource(delimiter = '|', value = {
        "64   | 0/64/0   | 0/64/0   | 0/64/0   | 0/64/0   | 0/64/0   | 0/64/0",
        "96   | 0/42/64  | 0/42/64  | 0/42/64  | 0/42/64  | 0/42/64  | 0/42/64",
        "192  | 0/21/64  | 0/21/64  | 0/21/64  | 0/21/64  | 1/42/128 | 1/42/128",
        "256  | 0/16/0   | 0/16/0   | 0/16/0   | 1/32/0   | 1/32/0   | 1/32/0",
        "512  | 0/8/0    | 1/16/0   | 1/16/0   | 2/32/0   | 2/32/0   | 2/32/0",
        "1024 | 1/8/0    | 2/16/0   | 2/16/0   | 3/32/0   | 3/32/0   | 3/32/0",
        "2048 | 2/8/0    | 3/16/0   | 3/16/0   | 3/16/0   | 3/16/0   | 3/16/0",
        "4096 | 3/8/0    | 3/8/0    | 3/8/0    | 3/8/0    | 3/8/0    | 3/8/0",
        "8192 | 3/4/0    | 3/4/0    | 3/4/0    | 3/4/0    | 3/4/0    | 3/4/0",
        "704  | 1/11/448 | 2/23/192 | 2/23/192 | 2/23/192 | 3/46/384 | 3/46/384",
    })
    void calculateOrderMatchesTheTableForEveryCpuCount(int size, String c1, String c2, String c4, String c8, String c16, String c64) {
        String[] expected = {c1, c2, c4, c8, c16, c64};
        for (int i = 0; i < CPUS.length; i++) {
            int order = KmemCache.calculateOrder(size, CPUS[i]);
            long slab = Addresses.PAGE_SIZE << order;
            assertEquals(expected[i].trim(), order + "/" + slab / size + "/" + slab % size, size + " bytes, " + CPUS[i] + " CPUs");
        }
    }

    @Test
    void aCacheOf700BytesIsLaidOutAsScenario19SaysOnEveryCpuCount() {
        String[] expected = {"1/11", "2/23", "2/23", "2/23", "3/46", "3/46"};
        for (int i = 0; i < CPUS.length; i++) {
            Machine m = new Machine(MachineConfig.defaults().withCpus(CPUS[i]));
            KmemCache k = m.slub().create("foo", 700, 0, 0, false);
            assertEquals(704, k.size());
            assertEquals(344, k.offset());
            assertEquals(expected[i], k.order() + "/" + k.objectsPerSlab());
            assertEquals(0, k.minOrder());
            assertEquals(5, k.minObjects());
            assertEquals(5, k.minPartial());
        }
    }

    @Test
    void kmallocCachesGetTheirSizesAlignmentsAndOrders() {
        Machine m = new Machine(MachineConfig.defaults());
        String[] names = {"kmalloc-96", "kmalloc-192", "kmalloc-8", "kmalloc-16", "kmalloc-32", "kmalloc-64", "kmalloc-128",
            "kmalloc-256", "kmalloc-512", "kmalloc-1k", "kmalloc-2k", "kmalloc-4k", "kmalloc-8k"};
        List<KmemCache> caches = m.slub().caches();
        assertEquals(names.length, caches.size());
        for (int i = 0; i < names.length; i++) assertEquals(names[i], caches.get(i).name());
        assertEquals(64, caches.get(1).align());
        assertEquals(192, caches.get(1).size());
        assertEquals(32, caches.get(0).align());
        assertEquals(96, m.slub().kmallocSlab(150).offset());
        long[][] sizes = {{1, 8}, {8, 8}, {9, 16}, {17, 32}, {33, 64}, {65, 96}, {96, 96}, {97, 128}, {129, 192}, {150, 192},
            {192, 192}, {193, 256}, {257, 512}, {4097, 8192}, {8192, 8192}};
        for (long[] s : sizes) assertEquals(s[1], m.slub().kmallocSlab(s[0]).size(), "kmalloc(" + s[0] + ")");
        assertEquals(null, m.slub().kmallocSlab(8193));
        assertEquals(null, m.slub().kmallocSlab(0));
    }

    @Test
    void hwcacheAlignAndTypesafeByRcuChangeTheLayout() {
        Machine m = new Machine(MachineConfig.defaults());
        KmemCache small = m.slub().create("small", 20, 0, Slub.SLAB_HWCACHE_ALIGN, false);
        assertEquals(32, small.align());
        assertEquals(32, small.size());
        assertEquals(8, small.offset());
        KmemCache hw = m.slub().create("hw", 100, 0, Slub.SLAB_HWCACHE_ALIGN, false);
        assertEquals(64, hw.align());
        assertEquals(128, hw.size());
        KmemCache rcu = m.slub().create("rcu", 700, 0, Slub.SLAB_TYPESAFE_BY_RCU, false);
        assertEquals(704, rcu.offset());
        assertEquals(712, rcu.size());
        long obj = m.slub().alloc(rcu, Gfp.GFP_KERNEL);
        assertEquals(704, m.slub().ksize(obj));
        KmemCache aligned = m.slub().create("a", 24, 16, 0, false);
        assertEquals(32, aligned.size());
        assertEquals(8, aligned.offset());
    }

    @Test
    void everySlabMatchPairHoldsAndStructSlabMatchesTheBtf() {
        KernelProfile p = KernelProfile.LINUX_6_18;
        StructLayout slab = p.layout("slab");
        assertNotNull(slab);
        assertEquals(64, slab.size());
        assertEquals(4, Layouts618.SLAB_MATCH.size());
        for (MatchAssertion a : Layouts618.SLAB_MATCH) {
            assertEquals(p.page().offsetof(a.pageField()), slab.offsetof(a.overlayField()), a.spelling());
            assertTrue(p.matches().contains(a), a.spelling() + " is in the profile's match list");
        }
        assertEquals(8, slab.offsetof("slab_cache"));
        assertEquals(16, slab.offsetof("slab_list"));
        assertEquals(16, slab.offsetof("next"));
        assertEquals(24, slab.offsetof("slabs"));
        assertEquals(32, slab.offsetof("freelist"));
        assertEquals(40, slab.offsetof("counters"));
        assertEquals(16, slab.field("objects").bitShift());
        assertEquals(15, slab.field("objects").bitWidth());
        assertEquals(31, slab.field("frozen").bitShift());
        assertEquals(48, slab.offsetof("__page_type"));
        assertEquals(52, slab.offsetof("__page_refcount"));
        assertEquals(56, slab.offsetof("obj_exts"));
        StructLayout kc = p.layout("kmem_cache");
        assertEquals(32, kc.offsetof("size"));
        assertEquals(48, kc.offsetof("offset"));
        assertEquals(64, kc.offsetof("oo"));
        assertEquals(104, kc.offsetof("name"));
        assertEquals(224, kc.offsetof("node"));
        assertEquals(16, p.layout("kmem_cache_cpu").offsetof("slab"));
    }

    @Test
    void aFreshMachineHasCachesButNoSlabPages() {
        Machine m = new Machine(MachineConfig.defaults());
        assertEquals(64, m.zone().freePages());
        assertEquals(1, m.zone().nrFree(6));
        for (KmemCache k : m.slub().caches()) assertEquals(0, k.nrSlabs());
        assertEquals(15, m.slub().slabinfo().size());
        assertTrue(m.checkConsistency().isEmpty());
    }

    @Test
    void slabPagesAreFrozenTypedAndOwnedBySlab() {
        Machine m = new Machine(MachineConfig.defaults());
        KmemCache k = m.slub().create("foo", 700, 0, 0, false);
        long obj = m.slub().alloc(k, Gfp.GFP_KERNEL);
        assertEquals(Addresses.directMapAddress(0), obj);
        assertEquals(0, m.memmap().refcount(0));
        assertEquals(0xf5000000, m.memmap().pageType(0));
        assertEquals(k.address(), m.memmap().word(0, Memmap.W_LRU_NEXT));
        for (long pfn = 0; pfn < 4; pfn++) assertEquals(Owner.SLAB, m.owner(pfn));
        assertEquals('S', m.owner(3).letter());
        long big = m.slub().kmalloc(10000, Gfp.GFP_KERNEL);
        long pfn = (big - Addresses.PAGE_OFFSET) >> Addresses.PAGE_SHIFT;
        assertEquals(4, pfn);
        for (long p = 4; p < 8; p++) assertEquals(Owner.LARGE_KMALLOC, m.owner(p));
        assertEquals('K', m.owner(5).letter());
        // put_page is a no-op, get_page WARNs once and does nothing
        long d = m.digest();
        m.putPage(1);
        m.putPage(5);
        assertEquals(d, m.digest());
        m.getPage(0);
        assertEquals(1, m.drainLog().stream().filter(l -> l.startsWith("WARNING:")).count());
        m.getPage(2);
        assertTrue(m.drainLog().isEmpty(), "WARN_ON_ONCE warns once");
        assertEquals(0, m.memmap().refcount(0));
        assertEquals(List.of("page_type: f5(slab)"), DumpPage.dump(m, 0).stream().filter(l -> l.startsWith("page_type")).toList());
        assertEquals(List.of("page_type: f8(unknown)"), DumpPage.dump(m, 4).stream().filter(l -> l.startsWith("page_type")).toList());
        assertTrue(m.checkConsistency().isEmpty(), m.checkConsistency().toString());
    }

    @Test
    void refusedCallsChangeNothing() {
        Machine m = new Machine(MachineConfig.defaults());
        KmemCache k = m.slub().create("foo", 700, 0, 0, false);
        long o0 = m.slub().alloc(k, Gfp.GFP_KERNEL);
        long o1 = m.slub().alloc(k, Gfp.GFP_KERNEL);
        m.slub().free(k, o0, "kmem_cache_free");
        long page = m.allocPages(Gfp.GFP_KERNEL, 0);
        long d = m.digest();
        List<Runnable> bad = List.of(
                () -> m.slub().free(k, o0, "kmem_cache_free"),
                () -> m.slub().kfree(o0),
                () -> m.slub().free(k, o1 + 8, "kmem_cache_free"),
                () -> m.slub().free(k, 0, "kmem_cache_free"),
                () -> m.slub().free(k, Addresses.directMapAddress(page), "kmem_cache_free"),
                () -> m.slub().kfree(Addresses.directMapAddress(page)),
                () -> m.slub().kfree(Addresses.directMapAddress(1000)),
                () -> m.slub().destroy(k),
                () -> m.slub().destroy(m.slub().kmallocSlab(64)),
                () -> m.slub().create("bad", 0, 0, 0, false),
                () -> m.slub().create("bad", 64, 3, 0, false),
                () -> m.freePages(0, 2),
                () -> m.folioPut(0));
        for (Runnable r : bad) {
            assertThrows(KernelError.class, r::run);
            assertEquals(d, m.digest());
            assertTrue(m.checkConsistency().isEmpty());
        }
    }

    @Test
    void destroyFreesEverySlabAndTheCacheIsGone() {
        Machine m = new Machine(MachineConfig.defaults().withCpus(2));
        KmemCache k = m.slub().create("foo", 700, 0, 0, false);
        List<Long> objs = new ArrayList<>();
        for (int i = 0; i < 30; i++) objs.add(m.slub().alloc(k, Gfp.GFP_KERNEL));
        m.setCpu(1);
        for (int i = 0; i < 30; i += 2) m.slub().free(k, objs.get(i), "kmem_cache_free");
        m.setCpu(0);
        for (int i = 1; i < 30; i += 2) m.slub().free(k, objs.get(i), "kmem_cache_free");
        assertTrue(m.checkConsistency().isEmpty(), m.checkConsistency().toString());
        m.slub().destroy(k);
        assertEquals(64, m.zone().freePages());
        assertEquals(null, m.slub().cacheAt(k.address()));
        assertTrue(m.checkConsistency().isEmpty(), m.checkConsistency().toString());
    }

    @Test
    void emptySlabsGoBackOnlyWhenTheNodeHasMinPartialSlabs() {
        Machine m = new Machine(MachineConfig.withPages(1024).withCpus(2));
        KmemCache k = m.slub().create("t", 2048, 0, 0, false);
        assertEquals(3, k.order());
        assertEquals(16, k.objectsPerSlab());
        assertEquals(5, k.minPartial());
        assertEquals(3, k.cpuPartialSlabs());
        List<Long> objs = new ArrayList<>();
        for (int i = 0; i < 16 * 12; i++) objs.add(m.slub().alloc(k, Gfp.GFP_KERNEL));
        assertEquals(12, k.nrSlabs());
        long free0 = m.zone().freePages();
        m.setCpu(1);
        for (long o : objs) {
            m.slub().free(k, o, "kmem_cache_free");
            List<String> bad = m.checkConsistency();
            if (!bad.isEmpty()) fail(bad.toString());
        }
        assertTrue(m.zone().freePages() > free0, "some empty slabs went back to the page allocator");
        assertTrue(k.nodePartial().size() >= k.minPartial(), "the node keeps min_partial slabs");
        assertTrue(k.cpuPartialSlabsOf(1).size() <= k.cpuPartialSlabs());
        assertEquals(0, m.slub().objectsInUse(k));
    }

    /**
     * put_cpu_partial with drain: a full slab that gets a free goes on the freeing CPU's partial list;
     * when that list already holds cpu_partial_slabs slabs, the old ones move to the node list's tail
     * first. get_partial_node then gives the first node slab to the CPU and up to half of
     * cpu_partial_slabs more to its partial list (pushed at the head).
     */
    @Test
    void cpuPartialListsDrainToTheNodeAndRefillFromIt() {
        Machine m = new Machine(MachineConfig.withPages(1024).withCpus(2));
        KmemCache k = m.slub().create("t", 2048, 0, 0, false);
        assertEquals(3, k.cpuPartialSlabs());
        List<Long> objs = new ArrayList<>();
        for (int i = 0; i < 16 * 6; i++) objs.add(m.slub().alloc(k, Gfp.GFP_KERNEL));
        long a = 0, b = 8, c = 16, d = 24;
        assertEquals(40, k.cpuSlab(0));
        m.setCpu(1);
        for (int slab = 0; slab < 4; slab++) m.slub().free(k, objs.get(slab * 16 + 5), "kmem_cache_free");
        assertEquals(List.of(c, b, a), k.nodePartial());
        assertEquals(List.of(d), k.cpuPartialSlabsOf(1));
        assertEquals(1, m.memmap().word(d, Memmap.W_MAPPING), "slab->slabs of the new chain head");
        assertTrue(m.memmap().testFlag(c, PageFlag.PG_workingset), "SL_partial marks node partial slabs");
        assertTrue(m.checkConsistency().isEmpty(), m.checkConsistency().toString());
        m.setCpu(0);
        long obj = m.slub().alloc(k, Gfp.GFP_KERNEL);
        assertEquals(objs.get(2 * 16 + 5), obj, "the object freed into slab C");
        assertEquals(c, k.cpuSlab(0));
        assertEquals(List.of(a, b), k.cpuPartialSlabsOf(0));
        assertEquals(List.of(), k.nodePartial());
        assertFalse(m.memmap().testFlag(a, PageFlag.PG_workingset));
        assertEquals(Addresses.pageAddress(b), m.memmap().word(a, Memmap.W_LRU_PREV), "slab->next links the CPU partial chain");
        assertTrue(m.checkConsistency().isEmpty(), m.checkConsistency().toString());
    }

    @Test
    void aMergeableCacheIsAnAliasAndDestroyDropsItsRefcount() {
        Machine m = new Machine(MachineConfig.defaults());
        KmemCache foo = m.slub().create("foo", 700, 0, 0, false);
        KmemCache bar = m.slub().create("bar", 701, 0, 0, false);
        assertTrue(foo == bar, "find_mergeable() returns the existing cache");
        assertEquals(2, foo.refcount());
        assertEquals(701, foo.objectSize(), "object_size grows to cover the alias's objects");
        assertEquals("foo", foo.name());
        long before = m.digest();
        Machine copy = m.copy();
        copy.slub().create("baz", 700, 0, 0, false);
        assertEquals(3, copy.slub().cacheAt(foo.address()).refcount());
        assertEquals(2, foo.refcount(), "a copy's merges do not reach the original");
        assertEquals(before, m.digest());
        m.slub().destroy(bar);
        assertEquals(1, foo.refcount());
        assertFalse(foo.isDestroyed());
        assertTrue(m.digest() != before, "the refcount is part of the machine");
        m.slub().destroy(foo);
        assertTrue(foo.isDestroyed());
        assertTrue(m.checkConsistency().isEmpty(), m.checkConsistency().toString());
    }

    @Test
    void slabNomergeGivesEveryCallItsOwnCache() {
        Machine m = new Machine(MachineConfig.defaults().withSlabNomerge(true));
        KmemCache foo = m.slub().create("foo", 700, 0, 0, false);
        KmemCache bar = m.slub().create("bar", 700, 0, 0, false);
        assertTrue(foo != bar);
        assertEquals(1, foo.refcount());
        assertEquals(1, bar.refcount());
    }

    @Test
    void nothingMergesIntoTheKmallocCachesOrAcrossNeverMergeFlags() {
        Machine m = new Machine(MachineConfig.defaults());
        for (int size : new int[] {8, 64, 96, 192, 1024, 8192}) {
            assertTrue(m.slub().create("k" + size, size, 0, 0, false) != m.slub().kmallocSlab(size), size + " bytes");
        }
        KmemCache base = m.slub().create("base", 512, 0, 0, false);
        assertTrue(m.slub().create("rcu", 512, 0, Slub.SLAB_TYPESAFE_BY_RCU, false) != base);
        assertTrue(m.slub().create("nomerge", 512, 0, Slub.SLAB_NO_MERGE, false) != base);
        assertTrue(m.slub().create("acct", 512, 0, Slub.SLAB_ACCOUNT, false) != base);
        assertTrue(m.slub().create("ctor", 512, 0, 0, true) != base);
        assertTrue(m.slub().create("waste", 504, 0, 0, false) != base, "8 bytes of waste per object is too much");
        assertTrue(m.slub().create("fits", 505, 0, 0, false) == base, "505 rounds to 512: no waste");
        assertTrue(m.slub().create("align", 512, 256, 0, false) == base, "512 is a multiple of 256");
        assertTrue(m.slub().create("align2", 512, 1024, 0, false) != base, "512 is not 1024-aligned");
    }

    @Test
    void shrinkFreesEmptySlabsThatMinPartialWouldKeepAndPutsTheFullestFirst() {
        Machine m = new Machine(MachineConfig.defaults());
        KmemCache k = m.slub().create("big", 8192, 0, 0, false);
        long[] o = new long[9];
        for (int i = 0; i < o.length; i++) o[i] = m.slub().alloc(k, Gfp.GFP_KERNEL);
        for (int i : new int[] {0, 4, 5, 6, 7}) m.slub().free(k, o[i], "kmem_cache_free");
        assertEquals(3, k.nrSlabs(), "the empty slab stays: it is on the CPU partial list");
        long free = m.freePagesTotal();
        m.trace().setEnabled(true);
        assertEquals(1, m.slub().shrink(k));
        List<TraceEvent> events = m.trace().drain();
        assertTrue(events.stream().anyMatch(e -> e.toString().contains("slab PFN 8 is empty: free it")), events.toString());
        assertEquals(2, k.nrSlabs());
        assertEquals(free + 8, m.freePagesTotal());
        assertEquals(List.of(0L, 16L), k.nodePartial(), "PFN 0 has 1 free object, PFN 16 has 3: fullest first");
        assertEquals(-1, k.cpuSlab(0), "flush_all took the CPU slab");
        assertTrue(m.checkConsistency().isEmpty(), m.checkConsistency().toString());
        Machine copy = m.copy();
        for (int i : new int[] {1, 2, 3, 8}) m.slub().free(k, o[i], "kmem_cache_free");
        assertEquals(0, m.slub().shrink(k));
        assertEquals(0, k.nrSlabs());
        assertEquals(2, copy.slub().cacheAt(k.address()).nrSlabs(), "the copy kept its slabs");
        assertTrue(m.checkConsistency().isEmpty(), m.checkConsistency().toString());
    }

    static List<Arguments> machines() {
        List<Arguments> out = new ArrayList<>();
        long seed = 0x51ab;
        for (int pages : new int[] {64, 256, 1024}) {
            for (int cpus : new int[] {1, 2, 4}) {
                out.add(Arguments.of(pages, cpus, false, seed++));
                out.add(Arguments.of(pages, cpus, true, seed++));
            }
        }
        return out;
    }

    private record Held(long addr, int kind, KmemCache cache, int order) {}

    /** Page allocations, kmalloc/kfree and kmem_cache_alloc/free mixed, on random CPUs, checked after every step. */
    @ParameterizedTest(name = "{0} pages, {1} CPUs, pcp={2}, seed={3}")
    @MethodSource("machines")
    void invariantsHoldAfterEveryStepOfAMixedSequence(int pages, int cpus, boolean pcp, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        MachineConfig cfg = MachineConfig.withPages(pages).withCpus(cpus);
        if (pcp) cfg = cfg.withPcp(1 + rnd.nextInt(8), 8 + rnd.nextInt(32));
        Machine m = new Machine(cfg);
        long total = m.freePagesTotal();
        KmemCache a = m.slub().create("a", 1 + rnd.nextInt(700), 0, rnd.nextBoolean() ? Slub.SLAB_HWCACHE_ALIGN : 0, false);
        KmemCache b = m.slub().create("b", 1 + rnd.nextInt(3000), 0, rnd.nextBoolean() ? Slub.SLAB_TYPESAFE_BY_RCU : 0, false);
        List<Held> held = new ArrayList<>();
        for (int step = 0; step < 2000; step++) {
            String what = "";
            try {
                int op = rnd.nextInt(100);
                if (op < 5) {
                    m.setCpu(rnd.nextInt(cpus));
                    what = "set_cpu";
                } else if (op < 15) {
                    int order = rnd.nextInt(3);
                    what = "alloc_pages " + order;
                    long pfn = m.allocPages(Gfp.GFP_KERNEL | Gfp.__GFP_NOWARN, order);
                    if (pfn >= 0) held.add(new Held(pfn, 0, null, order));
                } else if (op < 35) {
                    long size = rnd.nextInt(10) == 0 ? 8193 + rnd.nextInt(20000) : 1 + rnd.nextInt(8192);
                    what = "kmalloc " + size;
                    long x = m.slub().kmalloc(size, Gfp.GFP_KERNEL | Gfp.__GFP_NOWARN);
                    if (x != 0) held.add(new Held(x, 1, null, 0));
                } else if (op < 60) {
                    KmemCache k = rnd.nextBoolean() ? a : b;
                    what = "kmem_cache_alloc " + k.name();
                    long x = m.slub().alloc(k, Gfp.GFP_KERNEL | Gfp.__GFP_NOWARN);
                    if (x != 0) held.add(new Held(x, 2, k, 0));
                } else if (op < 63) {
                    KmemCache k = rnd.nextInt(3) == 0 ? m.slub().kmallocSlab(1 + rnd.nextInt(8192)) : rnd.nextBoolean() ? a : b;
                    what = "kmem_cache_shrink " + k.name();
                    long inUse = m.slub().objectsInUse(k);
                    int r = m.slub().shrink(k);
                    assertEquals(inUse, m.slub().objectsInUse(k), "seed " + seed + ": shrink frees no object in use");
                    assertEquals(k.nrSlabs() > 0 ? 1 : 0, r, "seed " + seed + ": shrink's return value");
                    assertTrue(k.nodePartial().stream().noneMatch(p -> m.slub().inuse(p) == 0),
                            "seed " + seed + ": no empty slab survives a shrink");
                } else if (!held.isEmpty()) {
                    Held h = held.remove(rnd.nextInt(held.size()));
                    what = "free " + h;
                    if (h.kind == 0) m.freePages(h.addr, h.order);
                    else if (h.kind == 1 || rnd.nextInt(4) == 0) m.slub().kfree(h.addr);
                    else m.slub().free(h.cache, h.addr, "kmem_cache_free");
                }
                m.drainLog();
            } catch (KernelError e) {
                fail("seed " + seed + " step " + step + " (" + what + "): unexpected " + e.getMessage());
            }
            List<String> bad = m.checkConsistency();
            if (!bad.isEmpty()) fail("seed " + seed + " step " + step + " (" + what + "): " + bad);
        }
        for (Held h : held) {
            if (h.kind == 0) m.freePages(h.addr, h.order);
            else m.slub().kfree(h.addr);
            List<String> bad = m.checkConsistency();
            if (!bad.isEmpty()) fail("seed " + seed + " final free: " + bad);
        }
        m.slub().destroy(a);
        m.slub().destroy(b);
        assertFalse(m.slub().caches().stream().anyMatch(k -> !k.isKmalloc() && !k.isDestroyed()));
        long inKmallocSlabs = 0;
        for (KmemCache k : m.slub().caches()) {
            if (k.isKmalloc()) {
                assertEquals(0, m.slub().objectsInUse(k), "seed " + seed + ": " + k.name());
                for (long pfn : m.slub().slabsOf(k)) inKmallocSlabs += 1L << m.compoundOrder(pfn);
            }
        }
        assertEquals(total, m.freePagesTotal() + inKmallocSlabs, "seed " + seed + ": only kmalloc caches keep (empty) slabs");
        assertTrue(m.checkConsistency().isEmpty());
    }
}

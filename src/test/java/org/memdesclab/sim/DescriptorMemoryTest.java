package org.memdesclab.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.memdesclab.sim.layout.Field;
import org.memdesclab.sim.layout.LayoutsMemdesc;

/**
 * Under memdesc a descriptor's memory holds its owner's state in the descriptor's own layout: following
 * {@code p->memdesc & ~0xf} and reading there gives the folio's refcount, mapping and index (the slab's
 * slab_cache and counters, the zpdesc's zspage), not slab object bytes.
 */
class DescriptorMemoryTest {

    private static long descOf(Machine m, long pfn) {
        return m.profile().encoding().words(m, pfn)[0] & ~LayoutsMemdesc.TYPE_MASK;
    }

    @ParameterizedTest
    @ValueSource(strings = {"memdesc", "memdesc2"})
    void aPageCacheFolioDescriptorHoldsRefcountMappingAndIndexAtTheDocumentedOffsets(String profile) {
        Machine m = new Machine(MachineConfig.withPages(128).withProfile(profile));
        UserMemory um = m.userMemory();
        AddressSpace file = um.createFile("data", 8 * 4096L);
        long head = m.folioAlloc(Gfp.GFP_KERNEL, 2);
        um.folioLock(head, "__folio_set_locked");
        assertEquals(0, um.filemapAddFolio(file, head, 4));
        m.folioGet(head);
        long desc = descOf(m, head + 3); // a tail page points at the same descriptor
        assertEquals(desc, descOf(m, head));
        assertEquals(m.memdescs().folio(head), desc);
        assertEquals(file.address(), m.readMemory(desc + 24, 8), "mapping at 24");
        assertEquals(4, m.readMemory(desc + 32, 8), "index at 32");
        int ref = (int) m.readMemory(desc + 52, 4);
        assertEquals(m.memmap().refcount(head), ref, "_refcount at 52");
        assertTrue(ref >= 2, "the allocation's reference, the page cache's and ours: " + ref);
        assertEquals(-1, (int) m.readMemory(desc + 48, 4), "_mapcount at 48: not mapped");
        assertEquals(2, m.readMemory(desc + 64, 8) & 0xff, "the order in the low byte of _flags_1");
        assertEquals(0, m.readMemory(desc, 8) & (1L << PageFlag.PG_head.bit()), "no PG_head in a descriptor");
        m.folioPut(head);
        assertEquals(ref - 1, (int) m.readMemory(desc + 52, 4), "the bytes follow the canonical state");
        assertEquals(160, Memdescs.Kind.FOLIO.size());
        assertEquals(List.of(), m.checkConsistency());
    }

    @Test
    void everyFieldOfEveryDescriptorReadsAsItsLayoutSays() {
        Machine m = new Machine(MachineConfig.withPages(256).withProfile("memdesc"));
        UserMemory um = m.userMemory();
        Mm mm = um.mmAlloc();
        long a = um.mmap(mm, 0, 4096L, UserMemory.PROT_READ | UserMemory.PROT_WRITE, UserMemory.MAP_PRIVATE | UserMemory.MAP_ANONYMOUS, 0, 0);
        assertEquals(0, um.handleMmFault(mm, mm.vmaAt(a), a, UserMemory.FAULT_FLAG_WRITE));
        assertTrue(m.memoryTypes().pagePoolAlloc(m.memoryTypes().pagePoolCreate()) >= 0);
        Zsmalloc.Pool zs = m.zsmalloc().createPool("z");
        assertNotEquals(0, m.zsmalloc().malloc(zs, 100, Gfp.GFP_KERNEL, 0));
        int checked = 0;
        for (Memdescs.Kind k : Memdescs.Kind.values()) {
            for (Map.Entry<Long, Long> e : m.memdescs().all(k).entrySet()) {
                long[] w = Memdescs.words(m, k, e.getKey());
                for (Field f : k.layout().fields()) {
                    if (f.size() > 8 || f.isBitField()) continue;
                    long raw = m.readMemory(e.getValue() + f.offset(), f.size());
                    long want = (w[f.offset() >>> 3] >>> ((f.offset() & 7) * 8)) & (f.size() == 8 ? -1L : (1L << (8 * f.size())) - 1);
                    assertEquals(want, raw, k + " " + f.name());
                }
                checked++;
            }
        }
        assertTrue(checked >= 5, "descriptors of every kind: " + checked);
        // struct slab: slab_cache at 8 names the cache, the counters at 40 count the objects in use
        long slabPfn = m.memdescs().all(Memdescs.Kind.SLAB).keySet().iterator().next();
        long sd = m.memdescs().slab(slabPfn);
        KmemCache c = m.slub().cacheAt(m.readMemory(sd + 8, 8));
        assertNotNull(c, "slab_cache at 8");
        assertEquals(m.memmap().word(slabPfn, 5) & 0xffff, m.readMemory(sd + 40, 2), "inuse at 40");
        // struct zpdesc: zspage at 40, first_obj_offset's word at 48 holds PGTY_zsmalloc
        long zp = m.memdescs().all(Memdescs.Kind.ZPDESC).keySet().iterator().next();
        long zd = m.memdescs().desc(Memdescs.Kind.ZPDESC, zp);
        assertEquals(m.memmap().privateWord(zp), m.readMemory(zd + 40, 8), "zspage at 40");
        assertEquals(0xf6, m.readMemory(zd + 48, 4) >>> 24);
        // past the end of a descriptor is the slab's own memory again, not the owner's state
        assertNull(m.memdescs().at(zd + 56, 8));
    }

    @Test
    void aFreedDescriptorNoLongerReadsAsItsOwner() {
        Machine m = new Machine(MachineConfig.withPages(64).withProfile("memdesc"));
        long head = m.folioAlloc(Gfp.GFP_KERNEL, 0);
        long desc = m.memdescs().folio(head);
        assertEquals(1, m.readMemory(desc + 52, 4));
        m.folioPut(head);
        assertNull(m.memdescs().at(desc, 8));
    }

    @Test
    void theCostChargesEachKindItsOwnSize() {
        assertEquals(160, Memdescs.Kind.FOLIO.size());
        assertEquals(64, Memdescs.Kind.SLAB.size());
        assertEquals(64, Memdescs.Kind.PTDESC.size());
        assertEquals(48, Memdescs.Kind.NETMEM.size());
        assertEquals(56, Memdescs.Kind.ZPDESC.size());
        Machine m = new Machine(MachineConfig.withPages(256).withProfile("memdesc"));
        MemdescCost before = MemdescCost.of(m);
        long f = m.folioAlloc(Gfp.GFP_KERNEL, 0);
        MemdescCost one = MemdescCost.of(m);
        long g = m.folioAlloc(Gfp.GFP_KERNEL, 0);
        MemdescCost two = MemdescCost.of(m);
        assertEquals(160, two.objectBytes() - one.objectBytes(), "a second folio in the same slab costs 160 bytes");
        assertTrue(one.objectBytes() - before.objectBytes() >= 160);
        Zsmalloc.Pool zs = m.zsmalloc().createPool("z");
        MemdescCost pool = MemdescCost.of(m);
        m.zsmalloc().malloc(zs, 3000, Gfp.GFP_KERNEL, 0); // a class whose zspage has more than one page
        MemdescCost zsm = MemdescCost.of(m);
        long zpdescs = zsm.zpdescs() - pool.zpdescs();
        assertTrue(zpdescs >= 1);
        assertEquals(zpdescs, zs.pagesAllocated());
        assertTrue(zsm.lines().get(2).contains(zpdescs + " struct zpdesc"), zsm.lines().get(2));
        m.folioPut(f);
        m.folioPut(g);
        assertEquals(List.of(), m.checkConsistency());
    }

    @Test
    void zsmallocPagesPointAtAZpdescThatPointsAtTheirZspage() {
        for (String profile : List.of("memdesc", "memdesc2")) {
            Machine m = new Machine(MachineConfig.withPages(128).withProfile(profile));
            Zsmalloc.Pool zs = m.zsmalloc().createPool("zram0");
            long h = m.zsmalloc().malloc(zs, 100, Gfp.GFP_KERNEL, 0);
            int pages = 0;
            for (long pfn = 0; pfn < m.nrPages(); pfn++) {
                if (m.owner(pfn) != Owner.ZSMALLOC) continue;
                long word = m.profile().encoding().words(m, pfn)[0];
                assertEquals(LayoutsMemdesc.MEMDESC_MOVABLE, word & LayoutsMemdesc.TYPE_MASK);
                long zd = word & ~LayoutsMemdesc.TYPE_MASK;
                assertEquals("zpdesc", m.slub().cacheAt(m.readMemory(Addresses.pageAddress(
                        (zd - Addresses.PAGE_OFFSET) >>> Addresses.PAGE_SHIFT) + 8, 8)).name(), profile);
                assertEquals(m.memmap().privateWord(pfn), m.readMemory(zd + 40, 8), "zpdesc->zspage");
                pages++;
            }
            assertEquals(7, pages, profile);
            m.zsmalloc().free(zs, h);
            assertEquals(0, m.memdescs().count(Memdescs.Kind.ZPDESC), "freed zspage pages give their zpdescs back");
            assertEquals(List.of(), m.checkConsistency());
        }
    }

    @Test
    void theSixEighteenProfileHasNoDescriptorMemory() {
        Machine m = new Machine(MachineConfig.withPages(64));
        long head = m.folioAlloc(Gfp.GFP_KERNEL, 0);
        assertNull(m.memdescs());
        assertThrows(KernelError.class, () -> m.readMemory(Addresses.directMapAddress(head), 8));
    }

    /** Seeded mixes of folios, zsmalloc, page_pool and compaction: invariants and descriptor bytes after every step. */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {21, 22, 23, 24})
    void generatedSequencesKeepDescriptorBytesAndConsistency(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        String profile = rnd.nextBoolean() ? "memdesc" : "memdesc2";
        Machine m = new Machine(MachineConfig.withPages(rnd.nextBoolean() ? 64 : 192).withProfile(profile));
        Zsmalloc.Pool zs = m.zsmalloc().createPool("z");
        long pool = m.memoryTypes().pagePoolCreate();
        List<Long> handles = new ArrayList<>(), folios = new ArrayList<>(), pp = new ArrayList<>();
        for (int step = 0; step < 200; step++) {
            int op = rnd.nextInt(7);
            String what = profile + " seed " + seed + " step " + step + " op " + op;
            try {
                switch (op) {
                    case 0, 1 -> { long h = m.zsmalloc().malloc(zs, 32 + rnd.nextInt(3000), Gfp.GFP_KERNEL | Gfp.__GFP_NOWARN, 0);
                        if (h != 0) handles.add(h); }
                    case 2 -> { if (!handles.isEmpty()) m.zsmalloc().free(zs, handles.remove(rnd.nextInt(handles.size()))); }
                    case 3 -> { long f = m.folioAlloc(Gfp.GFP_KERNEL | Gfp.__GFP_NOWARN, rnd.nextInt(3));
                        if (f >= 0) folios.add(f);
                        if (folios.size() > 3) m.folioPut(folios.remove(0)); }
                    case 4 -> { long p = m.memoryTypes().pagePoolAlloc(pool); if (p >= 0) pp.add(p);
                        if (pp.size() > 3) m.memoryTypes().pagePoolPut(pool, pp.remove(0)); }
                    case 5 -> m.zsmalloc().compact(zs);
                    default -> Compaction.compactZone(m, rnd.nextInt(-1, 3));
                }
            } catch (KernelError e) {
                // out of memory in a small machine is an answer, not a failure; the invariants below still hold
            }
            List<String> problems = m.checkConsistency();
            if (!problems.isEmpty()) fail(what + ": " + problems);
            for (Memdescs.Kind k : Memdescs.Kind.values()) {
                for (Map.Entry<Long, Long> e : m.memdescs().all(k).entrySet()) {
                    long pfn = e.getKey();
                    if (k.size() < 56) continue; // struct netmem_desc (48 bytes) has no refcount of its own
                    assertEquals(m.memmap().refcount(pfn), (int) m.readMemory(e.getValue() + 52, 4), what + ": " + k + " of PFN " + pfn);
                    assertEquals(m.memmap().flags(pfn) & ~(1L << PageFlag.PG_head.bit()),
                            m.readMemory(e.getValue(), 8) & ~(1L << PageFlag.PG_head.bit()), what + ": " + k + " flags");
                }
            }
        }
    }
}

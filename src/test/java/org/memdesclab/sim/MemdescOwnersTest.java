package org.memdesclab.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.memdesclab.sim.layout.LayoutsMemdesc;

/**
 * Under the memdesc profiles every owner whose 6.18 state overlays struct page (folios, also the
 * anonymous and page-cache folios of user memory, slabs, page tables, page_pool pages) points at a
 * descriptor of its own, allocated from its descriptor cache when the owner is created and freed
 * with it, and the cost report counts them.
 */
class MemdescOwnersTest {

    /** The slab cache an object address lies in (slab_cache of the slab page holding it), or null. */
    private static KmemCache cacheOf(Machine m, long obj) {
        long off = obj - Addresses.PAGE_OFFSET;
        if (off < 0 || off >= (long) m.nrPages() << Addresses.PAGE_SHIFT) return null;
        long head = m.compoundHeadPfn(off >>> Addresses.PAGE_SHIFT);
        if ((m.memmap().pageType(head) >>> 24) != PageType.PGTY_slab.value()) return null;
        return m.slub().cacheAt(m.memmap().word(head, Memmap.W_LRU_NEXT));
    }

    private static Machine everyOwner(String profile) {
        Machine m = new Machine(MachineConfig.withPages(256).withProfile(profile));
        UserMemory um = m.userMemory();
        Mm mm = um.mmAlloc();
        long anon = um.mmap(mm, 0, 4 * 4096L, UserMemory.PROT_READ | UserMemory.PROT_WRITE,
                UserMemory.MAP_PRIVATE | UserMemory.MAP_ANONYMOUS, 0, 0);
        for (int i = 0; i < 3; i++) assertEquals(0, um.handleMmFault(mm, mm.vmaAt(anon + i * 4096L), anon + i * 4096L, UserMemory.FAULT_FLAG_WRITE));
        AddressSpace f = um.createFile("data", 3 * 4096L);
        long file = um.mmap(mm, 0, 3 * 4096L, UserMemory.PROT_READ, UserMemory.MAP_SHARED, f.address(), 0);
        for (int i = 0; i < 2; i++) assertEquals(0, um.handleMmFault(mm, mm.vmaAt(file + i * 4096L), file + i * 4096L, 0));
        long pool = m.memoryTypes().pagePoolCreate();
        assertTrue(m.memoryTypes().pagePoolAlloc(pool) >= 0);
        assertTrue(m.memoryTypes().pagePoolAlloc(pool) >= 0);
        assertTrue(m.folioAlloc(Gfp.GFP_KERNEL, 1) >= 0);
        assertTrue(m.slub().kmalloc(64, Gfp.GFP_KERNEL) != 0);
        assertTrue(m.memoryTypes().vmalloc(8192) != 0);
        Zsmalloc.Pool zs = m.zsmalloc().createPool("z");
        m.zsmalloc().malloc(zs, 100, Gfp.GFP_KERNEL, 0);
        assertEquals(List.of(), m.checkConsistency());
        return m;
    }

    @ParameterizedTest
    @ValueSource(strings = {"memdesc", "memdesc2"})
    void everyOwnerPointsAtItsOwnDescriptorFromItsOwnCache(String profile) {
        Machine m = everyOwner(profile);
        Map<Long, Long> ownerOfDesc = new HashMap<>();
        Map<Owner, Integer> seen = new HashMap<>();
        for (long pfn = 0; pfn < m.nrPages(); pfn++) {
            long word = m.profile().encoding().words(m, pfn)[0];
            int type = (int) (word & LayoutsMemdesc.TYPE_MASK);
            if (type == LayoutsMemdesc.MEMDESC_MISC || type == LayoutsMemdesc.MEMDESC_BUDDY) continue;
            Owner o = m.owner(pfn);
            long desc = word & ~LayoutsMemdesc.TYPE_MASK;
            assertFalse(Addresses.inVmemmap(desc), profile + ": " + o + " PFN " + pfn + " points at a struct page: " + Long.toHexString(word));
            String want = switch (o) {
                case ANON, FILE, HEAD, TAIL, PAGE -> "folio";
                case SLAB -> "slab";
                case PAGE_TABLE -> "ptdesc";
                case NET_POOL -> "netmem_desc";
                case ZSMALLOC -> "zpdesc";
                default -> null;
            };
            if (want == null) fail(profile + ": PFN " + pfn + " (" + o + ") has pointer type " + type);
            KmemCache c = cacheOf(m, desc);
            boolean bootSlab = o == Owner.SLAB && Long.compareUnsigned(desc, Memdescs.BOOT_SLAB_DESC_BASE) >= 0;
            String got = c == null ? null : c.name();
            if (!bootSlab) assertEquals(want, got, profile + ": PFN " + pfn + " (" + o + ")");
            assertEquals(0, desc % Memdescs.DESC_ALIGN, "16-byte aligned");
            long owner = m.compoundHeadPfn(pfn);
            Long prev = ownerOfDesc.putIfAbsent(desc, owner);
            assertTrue(prev == null || prev == owner, profile + ": PFN " + pfn + " shares descriptor " + Long.toHexString(desc)
                    + " with the owner at PFN " + prev);
            seen.merge(o, 1, Integer::sum);
        }
        for (Owner o : List.of(Owner.ANON, Owner.FILE, Owner.PAGE_TABLE, Owner.NET_POOL, Owner.SLAB, Owner.ZSMALLOC)) {
            assertTrue(seen.containsKey(o), profile + ": no " + o + " page was made: " + seen);
        }
        assertEquals(4, seen.get(Owner.PAGE_TABLE), "PGD, PUD, PMD and one PTE table");
        Memdescs d = m.memdescs();
        assertEquals(4, d.count(Memdescs.Kind.PTDESC));
        assertEquals(2, d.count(Memdescs.Kind.NETMEM));
        assertEquals(3 + 2 + 1, d.count(Memdescs.Kind.FOLIO), "three anonymous, two page-cache and one kernel folio");
    }

    @Test
    void ownersGiveTheirDescriptorsBackAndTheCostFollowsTheDescriptorSizes() {
        Machine m = new Machine(MachineConfig.withPages(256).withProfile("memdesc"));
        MemdescCost boot = MemdescCost.of(m);
        UserMemory um = m.userMemory();
        Mm mm = um.mmAlloc();
        long a = um.mmap(mm, 0, 4096L, UserMemory.PROT_READ | UserMemory.PROT_WRITE, UserMemory.MAP_PRIVATE | UserMemory.MAP_ANONYMOUS, 0, 0);
        assertEquals(0, um.handleMmFault(mm, mm.vmaAt(a), a, UserMemory.FAULT_FLAG_WRITE));
        long pool = m.memoryTypes().pagePoolCreate();
        long pp = m.memoryTypes().pagePoolAlloc(pool);
        MemdescCost c = MemdescCost.of(m);
        assertEquals(4, c.ptdescs() - boot.ptdescs());
        assertEquals(1, c.netmems() - boot.netmems());
        assertEquals(1, c.folios() - boot.folios());
        // three descriptor caches got a slab each, and each a struct slab from the slab cache, whose own new slab
        // is described by the boot array: four struct slabs
        assertEquals(4, c.slabs() - boot.slabs());
        assertEquals(1, c.bootBytes() / Memdescs.SLAB_DESC_SIZE);
        // the per-type sizes: struct ptdesc 64, struct netmem_desc 48, struct folio 160, struct slab 64
        assertEquals(4 * 64 + 48 + 160 + 4 * 64, c.objectBytes() - boot.objectBytes());
        assertEquals(3 + 1, c.slabPages() - boot.slabPages(), "a slab for folio, ptdesc and netmem_desc, one for the slab cache");
        assertEquals(c.slabPages() * 4096 + c.bootBytes(), c.descriptorBytes());

        m.memoryTypes().pagePoolPut(pool, pp);
        um.mmput(mm);
        MemdescCost after = MemdescCost.of(m);
        assertEquals(0, after.ptdescs());
        assertEquals(0, after.netmems());
        assertEquals(0, after.folios());
        assertEquals(List.of(), m.checkConsistency());
    }

    @Test
    void vmallocPagesAreMiscVmallocWithoutADescriptor() {
        Machine m = everyOwner("memdesc");
        int vmalloc = 0;
        for (long pfn = 0; pfn < m.nrPages(); pfn++) {
            long w = m.profile().encoding().words(m, pfn)[0];
            boolean inArea = m.memoryTypes().areaOfPfn(pfn) != null;
            boolean miscVmalloc = (w & LayoutsMemdesc.TYPE_MASK) == LayoutsMemdesc.MEMDESC_MISC
                    && ((w >>> LayoutsMemdesc.MISC_SUBTYPE_SHIFT) & 0x7f) == LayoutsMemdesc.MISC_VMALLOC;
            assertEquals(inArea, miscVmalloc, "PFN " + pfn + ": " + Long.toHexString(w));
            if (miscVmalloc) vmalloc++;
        }
        assertEquals(2, vmalloc, "vmalloc(8192) took two pages");
    }

    @Test
    void theSixEighteenProfileAllocatesNoDescriptors() {
        Machine m = everyOwner("6.18");
        assertEquals(null, m.memdescs());
        assertEquals(0, MemdescCost.of(m).descriptorBytes());
    }

    @Test
    void aMigratedFolioTakesItsDescriptorAlong() {
        Machine m = new Machine(MachineConfig.withPages(64).withProfile("memdesc"));
        UserMemory um = m.userMemory();
        Mm mm = um.mmAlloc();
        long a = um.mmap(mm, 0, 8 * 4096L, UserMemory.PROT_READ | UserMemory.PROT_WRITE, UserMemory.MAP_PRIVATE | UserMemory.MAP_ANONYMOUS, 0, 0);
        for (int i = 0; i < 8; i++) um.handleMmFault(mm, mm.vmaAt(a + i * 4096L), a + i * 4096L, UserMemory.FAULT_FLAG_WRITE);
        Map<Long, Long> before = new HashMap<>(m.memdescs().all(Memdescs.Kind.FOLIO));
        Compaction.Result r = Compaction.compactZone(m, -1);
        assertTrue(r.migrated() > 0, "compaction moved nothing: " + r);
        Map<Long, Long> after = m.memdescs().all(Memdescs.Kind.FOLIO);
        assertEquals(before.size(), after.size());
        assertEquals(new java.util.HashSet<>(before.values()), new java.util.HashSet<>(after.values()), "the same descriptors, re-pointed");
        assertNotEquals(before.keySet(), after.keySet());
        for (long head : after.keySet()) assertEquals(Owner.ANON, m.owner(head));
        assertEquals(List.of(), m.checkConsistency());
    }

    static List<Arguments> sequences() {
        List<Arguments> out = new ArrayList<>();
        for (String p : KernelProfile.ids()) for (long seed : new long[] {11, 12, 13}) out.add(Arguments.of(p, seed));
        return out;
    }

    /** Seeded mixes of every owner, with compaction and memory_failure; invariants after every step. */
    @ParameterizedTest(name = "{0}, seed {1}")
    @MethodSource("sequences")
    void generatedOwnerSequencesKeepEveryDescriptorLive(String profile, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Machine m = new Machine(MachineConfig.withPages(rnd.nextBoolean() ? 64 : 192).withProfile(profile));
        UserMemory um = m.userMemory();
        long pool = m.memoryTypes().pagePoolCreate();
        AddressSpace file = um.createFile("f", 16 * 4096L);
        List<Long> pp = new ArrayList<>(), folios = new ArrayList<>();
        Mm mm = null;
        long anon = 0, mapped = 0;
        for (int step = 0; step < 300; step++) {
            int op = rnd.nextInt(8);
            String what = "op " + op;
            long digest = m.digest();
            try {
                if (mm == null || um.mmAt(mm.address()) == null) {
                    mm = um.mmAlloc();
                    if (mm != null) {
                        anon = um.mmap(mm, 0, 16 * 4096L, UserMemory.PROT_READ | UserMemory.PROT_WRITE,
                                UserMemory.MAP_PRIVATE | UserMemory.MAP_ANONYMOUS, 0, 0);
                        mapped = um.mmap(mm, 0, 16 * 4096L, UserMemory.PROT_READ | UserMemory.PROT_WRITE, UserMemory.MAP_PRIVATE,
                                file.address(), 0);
                    }
                }
                switch (op) {
                    case 0, 1 -> {
                        if (mm == null) break;
                        long addr = (rnd.nextBoolean() ? anon : mapped) + rnd.nextInt(16) * 4096L;
                        what = "fault at " + Long.toHexString(addr);
                        if (mm.vmaAt(addr) == null) break;
                        um.handleMmFault(mm, mm.vmaAt(addr), addr, rnd.nextBoolean() ? UserMemory.FAULT_FLAG_WRITE : 0);
                    }
                    case 2 -> {
                        if (mm == null) break;
                        long addr = (rnd.nextBoolean() ? anon : mapped) + rnd.nextInt(16) * 4096L;
                        what = "munmap " + Long.toHexString(addr);
                        um.munmap(mm, addr, 4096);
                    }
                    case 3 -> { long p = m.memoryTypes().pagePoolAlloc(pool); if (p >= 0) pp.add(p); }
                    case 4 -> { if (!pp.isEmpty()) m.memoryTypes().pagePoolPut(pool, pp.remove(rnd.nextInt(pp.size()))); }
                    case 5 -> {
                        long f = m.folioAlloc(Gfp.GFP_KERNEL | Gfp.__GFP_NOWARN, rnd.nextInt(2));
                        if (f >= 0) folios.add(f);
                        if (folios.size() > 4) m.folioPut(folios.remove(0));
                    }
                    case 6 -> { what = "compact"; Compaction.compactZone(m, rnd.nextInt(-1, 4)); }
                    default -> {
                        if (rnd.nextInt(4) == 0) {
                            long pfn = rnd.nextInt(m.nrPages());
                            what = "memory_failure(" + pfn + ")";
                            MemoryFailure.run(m, pfn);
                            pp.remove(pfn);
                            folios.remove(pfn);
                        } else if (mm != null && rnd.nextInt(3) == 0) {
                            what = "mmput";
                            um.mmput(mm);
                            mm = null;
                        }
                    }
                }
            } catch (KernelError e) {
                assertEquals(digest, m.digest(), profile + " seed " + seed + " step " + step + " " + what + ": a refused call changed the machine");
            }
            List<String> problems = m.checkConsistency();
            if (!problems.isEmpty()) fail(profile + " seed " + seed + " step " + step + " (" + what + "): " + problems);
            if (m.memdescs() != null) {
                for (long pfn = 0; pfn < m.nrPages(); pfn++) {
                    long w = m.profile().encoding().words(m, pfn)[0];
                    if (Addresses.inVmemmap(w & ~LayoutsMemdesc.TYPE_MASK)) {
                        fail(profile + " seed " + seed + " step " + step + " (" + what + "): PFN " + pfn + " (" + m.owner(pfn)
                                + ") points at a struct page");
                    }
                }
            }
        }
    }
}

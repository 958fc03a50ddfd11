package org.memdesclab.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** ZONE_DEVICE ranges, a driver's pages mapped with vm_insert_page, and balloon pages moved by compaction. */
class DevicePagesTest {
    private static Machine machine(int pages) { return new Machine(MachineConfig.withPages(pages)); }

    private static void assertConsistent(Machine m) { assertTrue(m.checkConsistency().isEmpty(), m.checkConsistency().toString()); }

    @Test
    void theZoneFieldHasThreeBitsAndNormalStillReadsAsTheFamiliarWord() {
        assertEquals(0x17ffffc0000000L, FlagsWord.INITIAL);
        assertEquals(3, FlagsWord.ZONES_WIDTH);
        assertEquals(0x27ffffc0000000L, FlagsWord.withZone(FlagsWord.INITIAL, FlagsWord.ZONE_DEVICE));
        assertEquals(FlagsWord.ZONE_DEVICE, FlagsWord.zone(0x27ffffc0000000L));
        assertEquals(0, FlagsWord.node(0x27ffffc0000000L));
        assertEquals(1, FlagsWord.node(0x67ffffc0000000L), "node 1 starts at bit 54");
    }

    @Test
    void devicePagesAreInZoneDeviceWithTheirPgmapAndNeverFree() {
        Machine m = machine(64);
        long pg = m.zoneDevice().devmMemremapPages(8, ZoneDevice.Type.MEMORY_DEVICE_GENERIC);
        Memmap mm = m.memmap();
        assertEquals(56, m.zone().freePages());
        for (long pfn = 56; pfn < 64; pfn++) {
            assertEquals(0x27ffffc0002000L, mm.flags(pfn), "zone 4 and PG_reserved");
            assertEquals(pg, mm.word(pfn, Memmap.W_LRU_NEXT), "pgmap at offset 8");
            assertEquals(0, mm.word(pfn, Memmap.W_LRU_PREV), "zone_device_data");
            assertEquals(1, mm.refcount(pfn), "MEMORY_DEVICE_GENERIC keeps refcount 1");
            assertEquals(PageType.NO_TYPE, mm.pageType(pfn));
            assertEquals(PageOwnerType.Kind.ZONE_DEVICE, PageOwnerType.classify(m, pfn));
            assertEquals(Owner.ZONE_DEVICE, m.owner(pfn));
        }
        assertTrue(PageOwnerType.describe(m, 60).contains("may be mapped to user space (e.g. DAX/HMM)"));
        long priv = m.zoneDevice().devmMemremapPages(4, ZoneDevice.Type.MEMORY_DEVICE_PRIVATE);
        assertEquals(0, mm.refcount(52), "a driver-allocated type starts at refcount 0");
        assertEquals(priv, m.zoneDevice().pgmapOf(53).addr());
        assertNull(m.zoneDevice().pgmapOf(51));
        for (int i = 0; i < 52; i++) assertTrue(m.allocPages(Gfp.GFP_KERNEL, 0) < 52);
        assertEquals(-1, m.allocPages(Gfp.GFP_KERNEL | Gfp.__GFP_NOWARN, 0));
        assertConsistent(m);
    }

    @Test
    void memunmapPagesGivesTheRangeBackAndBadCallsChangeNothing() {
        Machine m = machine(64);
        long pg = m.zoneDevice().devmMemremapPages(16, ZoneDevice.Type.MEMORY_DEVICE_FS_DAX);
        long x = m.allocPages(Gfp.GFP_KERNEL, 4);
        long d = m.digest();
        assertThrows(KernelError.class, () -> m.zoneDevice().devmMemremapPages(0, ZoneDevice.Type.MEMORY_DEVICE_GENERIC));
        assertThrows(KernelError.class, () -> m.zoneDevice().devmMemremapPages(40, ZoneDevice.Type.MEMORY_DEVICE_GENERIC));
        assertThrows(KernelError.class, () -> m.zoneDevice().devmMemremapPages(100, ZoneDevice.Type.MEMORY_DEVICE_GENERIC));
        assertThrows(KernelError.class, () -> m.zoneDevice().memunmapPages(pg + 0x100));
        assertEquals(d, m.digest());
        m.zoneDevice().memunmapPages(pg);
        assertEquals(FlagsWord.INITIAL, m.memmap().flags(50));
        assertEquals(64 - 16, m.zone().freePages());
        assertEquals(1, m.zone().nrFree(5), "PFNs 32-63 merge again: " + x);
        assertConsistent(m);
    }

    @Test
    void memoryFailureOnDeviceMemoryTakesTheDevPagemapPath() {
        Machine m = machine(64);
        m.zoneDevice().devmMemremapPages(8, ZoneDevice.Type.MEMORY_DEVICE_GENERIC);
        MemoryFailure.Result r = MemoryFailure.run(m, 60);
        assertEquals(MemoryFailure.EBUSY, r.ret());
        assertEquals(List.of("Memory failure: 0x3c: recovery action for dax page: Failed"), r.log());
        assertFalse(m.memmap().testFlag(60, PageFlag.PG_hwpoison), "mf_generic_kill_procs fails before SetPageHWPoison");
        assertConsistent(m);
    }

    @Test
    void compactionStopsBelowDeviceMemory() {
        Machine m = machine(64);
        m.zoneDevice().devmMemremapPages(8, ZoneDevice.Type.MEMORY_DEVICE_GENERIC);
        Compaction.Result r = Compaction.compactZone(m, -1);
        assertTrue(r.freePfn() < 56, "free scanner started at " + r.freePfn());
        for (String u : r.unmovable()) assertFalse(u.contains("ZONE_DEVICE"), u);
        assertConsistent(m);
    }

    private record Proc(Mm mm, Mm.Vma vma, long addr) {}

    private static Proc driverVma(Machine m) {
        UserMemory um = m.userMemory();
        Mm mm = um.mmAlloc();
        long a = um.mmap(mm, 0, 2 * 4096L, UserMemory.PROT_READ | UserMemory.PROT_WRITE, UserMemory.MAP_PRIVATE | UserMemory.MAP_ANONYMOUS,
                0, 0);
        return new Proc(mm, mm.vmaAt(a), a);
    }

    @Test
    void aDriverPageMappedWithVmInsertPageIsToldApartFromTheMemmap() {
        Machine m = machine(64);
        UserMemory um = m.userMemory();
        Proc pr = driverVma(m);
        long p = m.allocPages(Gfp.GFP_KERNEL, 0);
        assertEquals(PageOwnerType.Kind.KERNEL, PageOwnerType.classify(m, p));
        assertEquals(Owner.PAGE, m.owner(p));
        assertEquals(0, um.vmInsertPage(pr.mm, pr.vma, pr.addr, p));
        assertEquals(2, m.memmap().refcount(p));
        assertEquals(0, m.memmap().pageType(p), "_mapcount 0: one mapping");
        assertEquals(1, um.mapcount(p));
        assertEquals(PageOwnerType.Kind.KERNEL_MAPPED, PageOwnerType.classify(m, p));
        assertEquals(Owner.DRIVER_MAPPED, m.owner(p));
        assertTrue(um.isMixedMap(pr.vma));
        assertEquals(-16, um.vmInsertPage(pr.mm, pr.vma, pr.addr, p), "-EBUSY: a PTE is there");
        assertEquals(-14, um.vmInsertPage(pr.mm, pr.vma, pr.addr + 8192, p), "-EFAULT: outside the VMA");
        assertEquals(UserMemory.VM_FAULT_SIGBUS, um.handleMmFault(pr.mm, pr.vma, pr.addr + 4096, 0), "no vm_ops->fault");
        assertEquals(0, um.handleMmFault(pr.mm, pr.vma, pr.addr, UserMemory.FAULT_FLAG_WRITE));
        Mm child = um.dupMm(pr.mm);
        assertEquals(2, um.mapcount(p), "copy_page_range copies VM_MIXEDMAP PTEs");
        assertEquals(3, m.memmap().refcount(p));
        assertConsistent(m);
        um.munmap(pr.mm, pr.addr, 8192);
        um.mmput(child);
        assertEquals(1, m.memmap().refcount(p));
        assertEquals(PageType.NO_TYPE, m.memmap().pageType(p));
        assertFalse(m.memmap().testFlag(p, PageFlag.PG_dirty), "a driver page has no address_space to dirty");
        assertEquals(PageOwnerType.Kind.KERNEL, PageOwnerType.classify(m, p));
        assertConsistent(m);
    }

    @Test
    void vmInsertPageRefusesSlabTypedAndAnonymousPages() {
        Machine m = machine(64);
        UserMemory um = m.userMemory();
        Proc pr = driverVma(m);
        long slab = (m.slub().kmalloc(64, Gfp.GFP_KERNEL) - Addresses.PAGE_OFFSET) >>> Addresses.PAGE_SHIFT;
        long b = m.memoryTypes().balloonPageAlloc();
        m.memoryTypes().balloonPageEnqueue(b);
        long d = m.digest();
        assertEquals(-22, um.vmInsertPage(pr.mm, pr.vma, pr.addr, slab));
        assertEquals(-22, um.vmInsertPage(pr.mm, pr.vma, pr.addr, b));
        assertThrows(KernelError.class, () -> um.vmInsertPage(pr.mm, pr.vma, pr.addr, 50), "a free page");
        assertEquals(d, m.digest());
        // an anonymous VMA that already has anonymous memory is not a driver's VMA
        Proc other = driverVma(m);
        um.handleMmFault(other.mm, other.vma, other.addr, UserMemory.FAULT_FLAG_WRITE);
        Mm.Vma faulted = other.mm.vmaAt(other.addr);
        long p = m.allocPages(Gfp.GFP_KERNEL, 0);
        long d2 = m.digest();
        assertThrows(KernelError.class, () -> um.vmInsertPage(other.mm, faulted, other.addr + 4096, p));
        assertEquals(d2, m.digest());
        assertConsistent(m);
    }

    @Test
    void compactionMigratesBalloonPages() {
        Machine m = machine(16);
        for (int i = 0; i < 16; i++) assertEquals(i, m.allocPages(Gfp.GFP_KERNEL, 0));
        m.memoryTypes().balloonPageEnqueue(2);
        assertTrue(MemoryTypes.isMovableBalloonPage(m.memmap(), 2));
        assertEquals(0x17ffffc0000008L, m.memmap().flags(2), "PG_movable_ops is bit 3");
        for (long pfn = 0; pfn < 8; pfn++) if (pfn != 2) m.putPage(pfn);
        m.putPage(15);
        assertEquals(0, m.zone().nrFree(3));
        Compaction.Result r = Compaction.compactZone(m, 3);
        assertEquals(Compaction.COMPACT_SUCCESS, r.result());
        assertEquals(1, r.migrated());
        assertEquals(1, m.zone().nrFree(3));
        assertEquals(0, m.memmap().refcount(2));
        assertEquals(0xf1000000, m.memmap().pageType(15));
        assertEquals(1, m.memmap().refcount(15));
        assertEquals(MemoryTypes.BALLOON_DEV, m.memmap().word(15, Memmap.W_PRIVATE));
        assertTrue(MemoryTypes.isMovableBalloonPage(m.memmap(), 15));
        assertEquals(15, m.memoryTypes().balloonDeflate());
        assertConsistent(m);
    }

    @Test
    void memoryFailureOnALargeFolioTakesTheUnsplitPath() {
        Machine m = machine(64);
        UserMemory um = m.userMemory();
        AddressSpace f = um.createFile("big", 16384);
        long fo = m.folioAlloc(Gfp.GFP_KERNEL, 2);
        um.folioLock(fo, "__folio_set_locked");
        assertEquals(0, um.filemapAddFolio(f, fo, 0));
        um.folioUnlock(fo);
        m.folioPut(fo);
        Mm mm = um.mmAlloc();
        long a = um.mmap(mm, 0, 16384, UserMemory.PROT_READ, UserMemory.MAP_SHARED, f.address(), 0);
        assertEquals(0, um.handleMmFault(mm, mm.vmaAt(a), a + 8192, 0));
        m.folioGet(fo); // someone else's reference: can_split_folio() fails, so try_to_split_thp_page() does
        int ref = m.memmap().refcount(fo);
        MemoryFailure.Result r = MemoryFailure.run(m, fo + 2);
        assertEquals(MemoryFailure.EHWPOISON, r.ret());
        assertEquals(String.format("Memory failure: %#x: Sending SIGBUS to lab:%d due to hardware memory corruption", fo + 2, mm.pid()),
                r.log().get(0));
        assertEquals(String.format("Memory failure: %#x: recovery action for unsplit thp: Failed", fo + 2), r.log().get(1));
        assertNull(um.mmAt(mm.address()), "the mapper was killed");
        assertTrue(m.memmap().testFlag(fo + 2, PageFlag.PG_hwpoison));
        assertTrue((m.memmap().flags(fo + 1) & (1L << PageFlag.PG_has_hwpoisoned)) != 0);
        assertEquals(ref - 1, m.memmap().refcount(fo), "only the mapping's reference went");
        assertTrue(m.memmap().isHead(fo), "the folio was not split");
        assertConsistent(m);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 0xd1ce, 0x5eed})
    void generatedSequencesKeepTheInvariants(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Machine m = machine(rnd.nextBoolean() ? 64 : 256);
        UserMemory um = m.userMemory();
        List<Long> pgmaps = new ArrayList<>(), driverPages = new ArrayList<>(), pages = new ArrayList<>();
        List<Mm> mms = new ArrayList<>();
        for (int step = 0; step < 400; step++) {
            int op = rnd.nextInt(12);
            String what = "op " + op;
            long digest = m.digest();
            try {
                switch (op) {
                    case 0 -> {
                        what = "devm_memremap_pages";
                        ZoneDevice.Type[] types = ZoneDevice.Type.values();
                        pgmaps.add(0, m.zoneDevice().devmMemremapPages(1 + rnd.nextInt(12), types[rnd.nextInt(types.length)]));
                    }
                    case 1 -> {
                        what = "memunmap_pages";
                        if (!pgmaps.isEmpty()) m.zoneDevice().memunmapPages(pgmaps.get(rnd.nextInt(pgmaps.size())));
                        pgmaps.removeIf(a -> m.zoneDevice().pgmapAt(a) == null);
                    }
                    case 2 -> { long p = m.allocPages(Gfp.GFP_KERNEL | Gfp.__GFP_NOWARN, 0); if (p >= 0) driverPages.add(p); }
                    case 3 -> {
                        what = "vm_insert_page";
                        if (driverPages.isEmpty()) break;
                        if (mms.isEmpty() || rnd.nextInt(4) == 0) {
                            Mm mm = um.mmAlloc();
                            if (mm == null) break;
                            um.mmap(mm, 0, 8 * 4096L, UserMemory.PROT_READ | UserMemory.PROT_WRITE,
                                    UserMemory.MAP_PRIVATE | UserMemory.MAP_ANONYMOUS, 0, 0);
                            mms.add(mm);
                        }
                        Mm mm = mms.get(rnd.nextInt(mms.size()));
                        Mm.Vma v = mm.vmaTree().isEmpty() ? null : mm.vmaTree().firstEntry().getValue();
                        if (v == null) break;
                        um.vmInsertPage(mm, v, v.start() + rnd.nextInt((int) ((v.end() - v.start()) >>> 12)) * 4096L,
                                driverPages.get(rnd.nextInt(driverPages.size())));
                    }
                    case 4 -> {
                        what = "munmap";
                        if (mms.isEmpty()) break;
                        Mm mm = mms.get(rnd.nextInt(mms.size()));
                        if (!mm.vmas().isEmpty()) um.munmap(mm, mm.vmaTree().firstKey() + rnd.nextInt(8) * 4096L, 4096);
                    }
                    case 5 -> {
                        what = "dup_mm";
                        if (!mms.isEmpty()) { Mm c = um.dupMm(mms.get(rnd.nextInt(mms.size()))); if (c != null) mms.add(c); }
                    }
                    case 6 -> { what = "mmput"; if (!mms.isEmpty()) um.mmput(mms.remove(rnd.nextInt(mms.size()))); }
                    case 7 -> {
                        what = "put driver page";
                        if (!driverPages.isEmpty()) {
                            long p = driverPages.remove(rnd.nextInt(driverPages.size()));
                            if (m.memmap().refcount(p) > 0) m.putPage(p);
                        }
                    }
                    case 8 -> { what = "balloon"; long b = m.memoryTypes().balloonPageAlloc(); if (b >= 0) m.memoryTypes().balloonPageEnqueue(b); }
                    case 9 -> { what = "deflate"; long b = m.memoryTypes().balloonDeflate(); if (b >= 0) m.putPage(b); }
                    case 10 -> { what = "compact"; Compaction.compactZone(m, rnd.nextInt(-1, 5)); }
                    default -> {
                        long pfn = rnd.nextInt(m.nrPages());
                        what = "memory_failure(" + pfn + ")";
                        MemoryFailure.run(m, pfn);
                        if (m.memmap().testFlag(pfn, PageFlag.PG_hwpoison)) {
                            driverPages.remove(pfn);
                            pages.add(pfn);
                        }
                    }
                }
            } catch (KernelError e) {
                assertEquals(digest, m.digest(), "seed " + seed + " step " + step + " " + what + ": a refused call changed the machine");
            }
            mms.removeIf(mm -> um.mmAt(mm.address()) == null);
            List<String> problems = m.checkConsistency();
            if (!problems.isEmpty()) fail("seed " + seed + " step " + step + " (" + what + "): " + problems);
            for (long pfn = 0; pfn < m.nrPages(); pfn++) {
                if (m.zoneDevice().pgmapOf(pfn) != null) assertNotEquals(Owner.FREE_HEAD, m.owner(pfn), "seed " + seed);
            }
            if (step % 50 == 0) assertEquals(m.digest(), m.copy().digest(), "seed " + seed + " step " + step + ": copy differs");
        }
    }
}

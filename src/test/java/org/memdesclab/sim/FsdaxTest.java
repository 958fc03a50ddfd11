package org.memdesclab.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** A DAX file over a MEMORY_DEVICE_FS_DAX range: faults map the device pages, unmapping returns them to the pgmap. */
class FsdaxTest {
    private static final int RW = UserMemory.PROT_READ | UserMemory.PROT_WRITE;

    private static void assertConsistent(Machine m) { assertTrue(m.checkConsistency().isEmpty(), m.checkConsistency().toString()); }

    private record Setup(Machine m, long pgmap, AddressSpace file) {}

    private static Setup setup() {
        Machine m = new Machine(MachineConfig.withPages(128));
        long pg = m.zoneDevice().devmMemremapPages(16, ZoneDevice.Type.MEMORY_DEVICE_FS_DAX);
        return new Setup(m, pg, m.userMemory().createDaxFile("pmem-file", pg));
    }

    @Test
    void aFaultMapsTheDevicePageWithARefcountAMapcountAndTheFilesMapping() {
        Setup s = setup();
        Machine m = s.m();
        UserMemory um = m.userMemory();
        Memmap mem = m.memmap();
        long freeBefore = m.zone().freePages();
        Mm mm = um.mmAlloc();
        long va = um.mmap(mm, 0, 4 * 4096L, RW, UserMemory.MAP_SHARED, s.file().address(), 2);
        Mm.Vma v = mm.vmaAt(va);
        assertTrue(um.isDax(v));
        long pfn = 112 + 3; // pgoff 2, second page of the VMA: file index 3
        assertEquals(0, mem.refcount(pfn), "FS DAX pages wait at refcount 0 in their pgmap");
        assertEquals(0, um.handleMmFault(mm, v, va + 4096, UserMemory.FAULT_FLAG_WRITE));
        assertEquals(1, mem.refcount(pfn), "insert_page: folio_get");
        assertEquals(1, um.mapcount(pfn), "folio_add_file_rmap_pte");
        assertEquals(s.file().address(), mem.mapping(pfn), "dax_associate_entry: mapping");
        assertEquals(3, mem.word(pfn, Memmap.W_INDEX), "dax_associate_entry: index = pgoff");
        assertEquals(0x27ffffc0002000L, mem.flags(pfn), "zone 4 and PG_reserved; no PG_lru, no PG_dirty");
        assertEquals(PageOwnerType.Kind.ZONE_DEVICE_FSDAX_MAPPED, PageOwnerType.classify(m, pfn));
        assertEquals(freeBefore - um.nrPageTables(), m.zone().freePages(), "only page tables came from the buddy allocator");
        Mm child = um.dupMm(mm);
        assertEquals(1, mem.refcount(pfn), "fork copies no PTEs of a shared file VMA (vma_needs_copy): the child faults");
        assertEquals(0, um.handleMmFault(child, child.vmaAt(va), va + 4096, 0));
        assertEquals(2, mem.refcount(pfn));
        assertEquals(2, um.mapcount(pfn));
        um.mmput(child);
        assertEquals(0, um.munmap(mm, va, 4 * 4096L));
        assertEquals(0, mem.refcount(pfn), "the last reference went to free_zone_device_folio");
        assertEquals(-1, mem.pageType(pfn), "mapcount back to -1");
        assertEquals(s.file().address(), mem.mapping(pfn), "FS DAX keeps folio->mapping: the DAX entry still names the block");
        assertEquals(PageOwnerType.Kind.ZONE_DEVICE, PageOwnerType.classify(m, pfn));
        assertEquals(s.pgmap(), m.zoneDevice().pgmapOf(pfn).addr());
        assertTrue(m.freeBlockHead(pfn) < 0, "never on a free list");
        assertConsistent(m);
    }

    @Test
    void aReadFaultIsReadOnlyAndAWriteMakesItWritableInPlace() {
        Setup s = setup();
        UserMemory um = s.m().userMemory();
        Mm mm = um.mmAlloc();
        long va = um.mmap(mm, 0, 4096, RW, UserMemory.MAP_SHARED, s.file().address(), 0);
        Mm.Vma v = mm.vmaAt(va);
        assertEquals(0, um.handleMmFault(mm, v, va, 0));
        assertTrue(um.walk(mm, va).toString().contains("PFN 112"), um.walk(mm, va).toString());
        assertEquals(0, um.handleMmFault(mm, v, va, UserMemory.FAULT_FLAG_WRITE));
        assertEquals(1, s.m().memmap().refcount(112), "the same page, no second reference");
        long tail = um.mmap(mm, 0, 2 * 4096L, RW, UserMemory.MAP_SHARED, s.file().address(), 15);
        assertEquals(0, um.handleMmFault(mm, mm.vmaAt(tail), tail, 0));
        assertEquals(UserMemory.VM_FAULT_SIGBUS, um.handleMmFault(mm, mm.vmaAt(tail), tail + 4096, 0), "beyond the end of the file");
        assertConsistent(s.m());
    }

    @Test
    void aPrivateWriteCopiesTheBlockAndLeavesTheDevicePageAlone() {
        Setup s = setup();
        Machine m = s.m();
        UserMemory um = m.userMemory();
        Mm mm = um.mmAlloc();
        long va = um.mmap(mm, 0, 2 * 4096L, RW, UserMemory.MAP_PRIVATE, s.file().address(), 0);
        Mm.Vma v = mm.vmaAt(va);
        assertEquals(0, um.handleMmFault(mm, v, va, 0));
        assertEquals(1, m.memmap().refcount(112));
        assertEquals(0, um.handleMmFault(mm, mm.vmaAt(va), va, UserMemory.FAULT_FLAG_WRITE));
        assertEquals(0, m.memmap().refcount(112), "the read-only mapping of the block went");
        assertEquals(0, um.handleMmFault(mm, mm.vmaAt(va), va + 4096, UserMemory.FAULT_FLAG_WRITE));
        assertEquals(0, m.memmap().refcount(113), "a first private write never maps the block");
        assertConsistent(m);
    }

    @Test
    void processExitReturnsThePagesToThePgmapAndBadCallsChangeNothing() {
        Setup s = setup();
        Machine m = s.m();
        UserMemory um = m.userMemory();
        Mm mm = um.mmAlloc();
        long va = um.mmap(mm, 0, 16 * 4096L, RW, UserMemory.MAP_SHARED, s.file().address(), 0);
        for (int i = 0; i < 16; i++) assertEquals(0, um.handleMmFault(mm, mm.vmaAt(va), va + i * 4096L, i % 2));
        assertEquals(UserMemory.VM_FAULT_SIGSEGV, um.handleMmFault(mm, mm.vmaAt(va), va + 16 * 4096L, 0));
        long digest = m.digest();
        assertThrows(KernelError.class, () -> m.putPage(112), "a put below the mappings' references");
        assertThrows(KernelError.class, () -> m.zoneDevice().memunmapPages(s.pgmap()));
        assertThrows(KernelError.class, () -> um.createDaxFile("second", s.pgmap()));
        assertThrows(KernelError.class, () -> um.truncate(s.file(), 0));
        assertEquals(digest, m.digest(), "refused calls changed nothing");
        assertEquals(-95, um.gup(mm, va, UserMemory.FOLL_LONGTERM, true), "FOLL_LONGTERM on fsdax: -EOPNOTSUPP");
        long p = um.gup(mm, va, 0, false);
        assertEquals(112, p);
        assertEquals(2, m.memmap().refcount(112));
        um.mmput(mm);
        assertEquals(1, m.memmap().refcount(112), "GUP's reference outlives the process");
        m.putPage(112);
        for (long pfn = 112; pfn < 128; pfn++) {
            assertEquals(0, m.memmap().refcount(pfn));
            assertEquals(-1, m.memmap().pageType(pfn));
            assertEquals(ZoneDevice.Type.MEMORY_DEVICE_FS_DAX, m.zoneDevice().pgmapOf(pfn).type());
        }
        assertThrows(KernelError.class, () -> m.putPage(112), "refcount 0: nothing to drop");
        Machine other = new Machine(MachineConfig.withPages(64));
        long gen = other.zoneDevice().devmMemremapPages(4, ZoneDevice.Type.MEMORY_DEVICE_GENERIC);
        assertThrows(KernelError.class, () -> other.userMemory().createDaxFile("x", gen), "a DAX file needs an FS_DAX pgmap");
        assertConsistent(m);
    }

    @Test
    void memoryFailureOnAMappedFsdaxPageKillsTheMappersAndKeepsThePageInItsPgmap() {
        Setup s = setup();
        Machine m = s.m();
        UserMemory um = m.userMemory();
        Mm a = um.mmAlloc(), b = um.mmAlloc(), c = um.mmAlloc();
        for (Mm mm : List.of(a, b)) {
            long va = um.mmap(mm, 0, 4096, RW, UserMemory.MAP_SHARED, s.file().address(), 5);
            assertEquals(0, um.handleMmFault(mm, mm.vmaAt(va), va, 0));
        }
        long vc = um.mmap(c, 0, 4096, RW, UserMemory.MAP_SHARED, s.file().address(), 6);
        assertEquals(0, um.handleMmFault(c, c.vmaAt(vc), vc, 0));
        MemoryFailure.Result r = MemoryFailure.run(m, 117);
        assertEquals(0, r.ret());
        assertEquals(List.of("Memory failure: 0x75: Sending SIGBUS to lab:" + a.pid() + " due to hardware memory corruption",
                "Memory failure: 0x75: Sending SIGBUS to lab:" + b.pid() + " due to hardware memory corruption",
                "Memory failure: 0x75: recovery action for dax page: Recovered"), r.log());
        assertFalse(um.mms().contains(a));
        assertEquals(null, um.mmAt(a.address()));
        assertEquals(null, um.mmAt(b.address()));
        assertTrue(um.mmAt(c.address()) != null, "a process mapping another block lives");
        assertTrue(m.memmap().testFlag(117, PageFlag.PG_hwpoison));
        assertEquals(0, m.memmap().refcount(117));
        assertEquals(s.pgmap(), m.zoneDevice().pgmapOf(117).addr());
        Mm d = um.mmAlloc();
        long vd = um.mmap(d, 0, 4096, RW, UserMemory.MAP_SHARED, s.file().address(), 5);
        assertEquals(UserMemory.VM_FAULT_SIGBUS, um.handleMmFault(d, d.vmaAt(vd), vd, 0), "the poisoned block is a bad block now");
        MemoryFailure.Result unused = MemoryFailure.run(m, 120);
        assertEquals(MemoryFailure.EBUSY, unused.ret(), "a block the file never used has no mapping: dax_lock_folio fails");
        assertEquals(List.of("Memory failure: 0x78: recovery action for dax page: Failed"), unused.log());
        assertFalse(m.memmap().testFlag(120, PageFlag.PG_hwpoison));
        assertConsistent(m);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 0xda0, 0x5eed, 77})
    void generatedSequencesKeepTheInvariants(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Machine m = new Machine(MachineConfig.withPages(rnd.nextBoolean() ? 128 : 256));
        UserMemory um = m.userMemory();
        long pg = m.zoneDevice().devmMemremapPages(8 + rnd.nextInt(24), ZoneDevice.Type.MEMORY_DEVICE_FS_DAX);
        AddressSpace dax = um.createDaxFile("pmem", pg);
        AddressSpace plain = um.createFile("plain", 16 * 4096L);
        List<Mm> mms = new ArrayList<>();
        List<Long> gups = new ArrayList<>();
        long daxMapped = 0;
        for (int step = 0; step < 400; step++) {
            int op = rnd.nextInt(11);
            String what = "op " + op;
            long digest = m.digest();
            try {
                switch (op) {
                    case 0 -> {
                        what = "mmap";
                        Mm mm = mms.isEmpty() || rnd.nextInt(3) == 0 ? um.mmAlloc() : mms.get(rnd.nextInt(mms.size()));
                        if (mm == null) break;
                        if (!mms.contains(mm)) mms.add(mm);
                        int kind = rnd.nextInt(4);
                        long len = (1 + rnd.nextInt(6)) * 4096L;
                        if (kind == 0) um.mmap(mm, 0, len, RW, UserMemory.MAP_PRIVATE | UserMemory.MAP_ANONYMOUS, 0, 0);
                        else if (kind == 1) um.mmap(mm, 0, len, RW, UserMemory.MAP_SHARED, plain.address(), rnd.nextInt(8));
                        else um.mmap(mm, 0, len, RW, kind == 2 ? UserMemory.MAP_SHARED : UserMemory.MAP_PRIVATE, dax.address(),
                                rnd.nextInt((int) dax.sizePages()));
                    }
                    case 1, 2, 3 -> {
                        what = "fault";
                        if (mms.isEmpty()) break;
                        Mm mm = mms.get(rnd.nextInt(mms.size()));
                        if (mm.vmas().isEmpty()) break;
                        List<Mm.Vma> vs = new ArrayList<>(mm.vmas().values());
                        Mm.Vma v = vs.get(rnd.nextInt(vs.size()));
                        long addr = v.start() + rnd.nextLong((v.end() - v.start()) >>> 12) * 4096L;
                        um.handleMmFault(mm, v, addr, rnd.nextInt(2));
                    }
                    case 4 -> {
                        what = "munmap";
                        if (mms.isEmpty()) break;
                        Mm mm = mms.get(rnd.nextInt(mms.size()));
                        if (!mm.vmas().isEmpty()) um.munmap(mm, mm.vmaTree().firstKey() + rnd.nextInt(4) * 4096L, (1 + rnd.nextInt(3)) * 4096L);
                    }
                    case 5 -> { what = "dup_mm"; if (!mms.isEmpty()) { Mm c = um.dupMm(mms.get(rnd.nextInt(mms.size()))); if (c != null) mms.add(c); } }
                    case 6 -> { what = "mmput"; if (!mms.isEmpty()) um.mmput(mms.remove(rnd.nextInt(mms.size()))); }
                    case 7 -> {
                        what = "gup";
                        if (mms.isEmpty()) break;
                        Mm mm = mms.get(rnd.nextInt(mms.size()));
                        if (mm.vmas().isEmpty()) break;
                        long p = um.gup(mm, mm.vmaTree().firstKey(), rnd.nextInt(2) * UserMemory.FOLL_WRITE, false);
                        if (p >= 0) gups.add(p);
                    }
                    case 8 -> { what = "put_page"; if (!gups.isEmpty()) m.putPage(gups.remove(rnd.nextInt(gups.size()))); }
                    case 9 -> { what = "compact"; Compaction.compactZone(m, rnd.nextInt(-1, 4)); }
                    default -> {
                        long pfn = rnd.nextInt(m.nrPages());
                        what = "memory_failure(" + pfn + ")";
                        if (!gups.contains(pfn)) MemoryFailure.run(m, pfn);
                    }
                }
            } catch (KernelError e) {
                assertEquals(digest, m.digest(), "seed " + seed + " step " + step + " " + what + ": a refused call changed the machine");
            }
            mms.removeIf(mm -> um.mmAt(mm.address()) == null);
            List<String> problems = m.checkConsistency();
            if (!problems.isEmpty()) fail("seed " + seed + " step " + step + " (" + what + "): " + problems);
            for (long pfn = m.zoneDevice().pgmapAt(pg).start(); pfn < m.nrPages(); pfn++) {
                assertTrue(m.freeBlockHead(pfn) < 0 && !m.onPcpList(pfn), "seed " + seed + ": device PFN " + pfn + " reached the allocator");
            }
            if (step % 50 == 0) assertEquals(m.digest(), m.copy().digest(), "seed " + seed + " step " + step + ": copy differs");
            for (long pfn = m.zoneDevice().pgmapAt(pg).start(); pfn < m.nrPages(); pfn++) daxMapped += m.memmap().pageType(pfn) + 1;
        }
        assertTrue(daxMapped > 0, "seed " + seed + ": the sequence never mapped a DAX page");
    }
}

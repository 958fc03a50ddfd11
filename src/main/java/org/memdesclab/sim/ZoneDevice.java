package org.memdesclab.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * ZONE_DEVICE memory (mm/memremap.c, mm/mm_init.c): device memory (persistent memory, a GPU's memory,
 * a PCI BAR) that a driver gives struct pages with {@code devm_memremap_pages()}, so that the rest of
 * the kernel can take references on it, map it to user space (DAX, HMM) and DMA to it. The pages are
 * never handed to the buddy allocator. {@code __init_zone_device_page()} sets each struct page up:
 * zone ZONE_DEVICE in the flags word, PG_reserved, {@code pgmap} (over {@code lru.next}, offset 8)
 * pointing at the driver's {@code struct dev_pagemap}, {@code zone_device_data} (offset 16) NULL, and a
 * refcount of 1 for MEMORY_DEVICE_GENERIC but 0 for the types whose driver has its own page allocator
 * (private, coherent, FS DAX, P2PDMA).
 *
 * <p>The lab's simplification: the machine has one memmap, so a device range is carved from the top of
 * the machine's PFNs (below any earlier device range), which must be free; those pages leave the buddy
 * allocator for good, as if the machine had been booted with that range as device memory (what
 * {@code memmap=nn!ss} or a soft-reserved EFI range does on a real machine). {@code memunmap_pages()}
 * gives the range back to the page allocator, as {@code daxctl reconfigure-device --mode=system-ram}
 * would after hot-adding it as ordinary memory. Pages of a MEMORY_DEVICE_FS_DAX range are mapped to user space
 * through a DAX file ({@link UserMemory#createDaxFile}); no other type's pages are.
 */
public final class ZoneDevice {
    /** enum memory_type (include/linux/memremap.h); 0 is left unused to catch an uninitialised pgmap. */
    public enum Type {
        MEMORY_DEVICE_PRIVATE(1), MEMORY_DEVICE_COHERENT(2), MEMORY_DEVICE_FS_DAX(3), MEMORY_DEVICE_GENERIC(4), MEMORY_DEVICE_PCI_P2PDMA(5);

        private final int value;

        Type(int value) { this.value = value; }

        public int value() { return value; }

        /** The refcount __init_zone_device_page() leaves: only GENERIC keeps __init_single_page's 1. */
        public int initialRefcount() { return this == MEMORY_DEVICE_GENERIC ? 1 : 0; }

        public static Type of(int value) {
            for (Type t : values()) if (t.value == value) return t;
            return null;
        }
    }

    /** One struct dev_pagemap: where it lives, its type, and its range of PFNs. */
    public record Pgmap(long addr, Type type, long start, long nr) {
        public long end() { return start + nr; }

        public boolean contains(long pfn) { return pfn >= start && pfn < start + nr; }
    }

    /** struct dev_pagemap i lives at PGMAP_BASE + i * 0x100 (the driver's devm_kzalloc; outside the zone in the lab). */
    public static final long PGMAP_BASE = 0xffffffff84c00000L;
    public static final int MAX_PGMAPS = 64;

    private final Machine m;
    private final Memmap mm;
    private final Trace trace;
    /** Live pgmaps by their first PFN. */
    private final TreeMap<Long, Pgmap> pgmaps = new TreeMap<>();
    private int nextPgmap;

    ZoneDevice(Machine m, Memmap mm, Trace trace) {
        this.m = m;
        this.mm = mm;
        this.trace = trace;
    }

    ZoneDevice copy(Machine m2, Memmap mm2, Trace t2) {
        ZoneDevice c = new ZoneDevice(m2, mm2, t2);
        c.pgmaps.putAll(pgmaps);
        c.nextPgmap = nextPgmap;
        return c;
    }

    /** The live pgmaps, lowest PFN first. */
    public List<Pgmap> pgmaps() { return List.copyOf(pgmaps.values()); }

    /** get_dev_pagemap(pfn): the pgmap whose range holds the PFN, or null. */
    public Pgmap pgmapOf(long pfn) {
        var e = pgmaps.floorEntry(pfn);
        return e != null && e.getValue().contains(pfn) ? e.getValue() : null;
    }

    /** The pgmap at a struct dev_pagemap address, or null. */
    public Pgmap pgmapAt(long addr) {
        for (Pgmap p : pgmaps.values()) if (p.addr == addr) return p;
        return null;
    }

    /** The first PFN of the device memory (the zone's end), or nrPages when there is none. */
    public long lowestDevicePfn() { return pgmaps.isEmpty() ? m.nrPages() : pgmaps.firstKey(); }

    /**
     * devm_memremap_pages(): {@code nr} pages of device memory of the given type get struct pages in
     * ZONE_DEVICE. Returns the struct dev_pagemap's address. Refuses (changing nothing) a bad count, a
     * range that is not entirely free, or a machine booted with guard pages.
     */
    public long devmMemremapPages(long nr, Type type) {
        long end = lowestDevicePfn();
        if (nr <= 0) throw KernelError.error("devm_memremap_pages(): nr_pages must be at least 1, not " + nr);
        if (nr > end) {
            throw KernelError.error("devm_memremap_pages(): " + nr + " pages do not fit: the lab takes device memory from the top "
                    + "of the machine, and PFNs 0-" + (end - 1) + " are left");
        }
        if (nextPgmap >= MAX_PGMAPS) throw KernelError.error("devm_memremap_pages(): the lab has room for " + MAX_PGMAPS + " pgmaps");
        if (m.zone().guardMinOrder() > 0) {
            throw KernelError.error("devm_memremap_pages(): the lab does not carve device memory out of a machine booted with "
                    + "debug_guardpage_minorder");
        }
        long start = end - nr;
        for (long pfn = start; pfn < end; pfn++) {
            if (m.freeBlockHead(pfn) < 0 || m.onPcpList(pfn) || mm.testFlag(pfn, PageFlag.PG_hwpoison)) {
                throw KernelError.error(String.format("devm_memremap_pages(): PFN %d is in use (%s); the lab's device range "
                        + "(PFNs %d-%d, the top of the machine) must be free", pfn, PageOwnerType.classify(m, pfn).label(),
                        start, end - 1));
            }
        }
        long addr = PGMAP_BASE + 0x100L * nextPgmap++;
        Pgmap pg = new Pgmap(addr, type, start, nr);
        takeOffBuddy(start, end);
        for (long pfn = start; pfn < end; pfn++) initZoneDevicePage(pfn, pg);
        pgmaps.put(start, pg);
        if (trace.on()) {
            trace.emit("devm_memremap_pages", String.format("%s: PFNs %d-%d in ZONE_DEVICE, pgmap %s, refcount %d", type, start, end - 1,
                    Machine.hex(addr), type.initialRefcount()), 0);
        }
        return addr;
    }

    /** The free blocks covering [start, end) leave the free lists; a block that reaches below start is split first. */
    private void takeOffBuddy(long start, long end) {
        Zone z = m.zone();
        for (long pfn = start; pfn < end; ) {
            long block = m.freeBlockHead(pfn);
            int order = z.buddyOrder(block);
            long size = 1L << order;
            if (block >= start && block + size <= end) {
                z.delFromFreeList(block, order);
                pfn = block + size;
            } else {
                MemoryFailure.takePageOffBuddy(m, block, pfn);
                pfn++;
            }
        }
    }

    /** __init_zone_device_page(): __init_single_page with ZONE_DEVICE, PG_reserved, pgmap, zone_device_data. */
    private void initZoneDevicePage(long pfn, Pgmap pg) {
        for (int w = 0; w < Memmap.WORDS; w++) mm.setWord(pfn, w, 0);
        mm.setFlags(pfn, FlagsWord.withZone(FlagsWord.INITIAL, FlagsWord.ZONE_DEVICE) | PageFlag.PG_reserved.mask());
        mm.setWord(pfn, Memmap.W_LRU_NEXT, pg.addr);
        mm.setWord(pfn, Memmap.W_LRU_PREV, 0);
        mm.setWord(pfn, Memmap.W_TYPE_REF, ((long) pg.type.initialRefcount() << 32) | 0xffffffffL);
    }

    /**
     * memunmap_pages(pgmap), then the range back to the page allocator (the lab's stand-in for hot-adding it
     * as System RAM). Refused while any page is in use (the kernel would wait for the pgmap's references).
     */
    public void memunmapPages(long addr) {
        Pgmap pg = pgmapAt(addr);
        if (pg == null) throw KernelError.error(String.format("memunmap_pages(): 0x%016x is not a live struct dev_pagemap", addr));
        if (pg.start != lowestDevicePfn()) {
            throw KernelError.error("memunmap_pages(): unmap the lowest device range first (PFN " + lowestDevicePfn() + "); the lab's "
                    + "device memory is one block at the top of the machine");
        }
        if (m.userMemory().daxFileOn(addr) != 0) {
            throw KernelError.error("memunmap_pages(): the DAX file " + m.userMemory().fileAt(m.userMemory().daxFileOn(addr)).name()
                    + " still lives on this pgmap (the filesystem is mounted; the lab cannot unmount it)");
        }
        for (long pfn = pg.start; pfn < pg.end(); pfn++) {
            if (mm.refcount(pfn) != pg.type.initialRefcount() || mm.pageType(pfn) != PageType.NO_TYPE) {
                throw KernelError.error(String.format("memunmap_pages(): PFN %d is still in use (refcount %d); the kernel would wait "
                        + "for its last reference", pfn, mm.refcount(pfn)));
            }
        }
        pgmaps.remove(pg.start);
        Zone z = m.zone();
        for (long pfn = pg.start; pfn < pg.end(); pfn++) {
            long self = ListHeads.entryOf(pfn);
            for (int w = 0; w < Memmap.WORDS; w++) mm.setWord(pfn, w, 0);
            mm.setFlags(pfn, FlagsWord.INITIAL);
            mm.setWord(pfn, Memmap.W_LRU_NEXT, self);
            mm.setWord(pfn, Memmap.W_LRU_PREV, self);
            mm.setWord(pfn, Memmap.W_TYPE_REF, 0xffffffffL);
            z.freeOnePage(pfn, 0, true);
        }
        if (trace.on()) trace.emit("memunmap_pages", "PFNs " + pg.start + "-" + (pg.end() - 1) + " leave ZONE_DEVICE and go to the buddy allocator", 0);
    }

    /**
     * folio_put() of a ZONE_DEVICE page: __folio_put() sends the last reference to free_zone_device_folio(),
     * never to the buddy allocator. Refuses (changing nothing) a put of a page at refcount 0 or one that
     * would leave fewer references than its mappings hold.
     */
    void folioPut(long pfn) {
        int ref = mm.refcount(pfn);
        int t = mm.pageType(pfn);
        int mapcount = PageType.hasType(t) ? 0 : t + 1;
        if (ref <= 0) {
            throw KernelError.error("folio_put(): ZONE_DEVICE PFN " + pfn + " has refcount " + ref + ": nobody holds a reference to drop "
                    + "(the kernel's VM_BUG_ON_PAGE(page_ref_count(page) == 0))");
        }
        if (ref - 1 < mapcount) {
            throw KernelError.error("folio_put(): ZONE_DEVICE PFN " + pfn + " is mapped " + mapcount + " time(s) and each mapping holds a "
                    + "reference; refcount " + ref + " cannot drop. Nothing changed");
        }
        mm.setRefcount(pfn, ref - 1);
        if (trace.on()) trace.emit("folio_put", "refcount of ZONE_DEVICE PFN " + pfn + " is now " + (ref - 1), 0);
        if (ref == 1) freeZoneDeviceFolio(pfn);
    }

    /**
     * free_zone_device_folio() (mm/memremap.c, 6.15+): the page stays in its pgmap. FS DAX keeps folio->mapping
     * (the DAX entry still names the file's block) and only wakes waiters (wake_up_var: dax_break_layout waits
     * for idle pages); GENERIC goes back to refcount 1; the driver-allocated types clear mapping and call the
     * driver's page_free.
     */
    private void freeZoneDeviceFolio(long pfn) {
        Pgmap pg = pgmapOf(pfn);
        String what;
        switch (pg.type) {
            case MEMORY_DEVICE_FS_DAX -> what = "FS DAX: the page is idle in its pgmap (mapping kept), wake_up_var";
            case MEMORY_DEVICE_GENERIC -> {
                mm.setWord(pfn, Memmap.W_MAPPING, 0);
                mm.setRefcount(pfn, 1);
                what = "GENERIC: page_free, folio_set_count(folio, 1)";
            }
            default -> {
                mm.setWord(pfn, Memmap.W_MAPPING, 0);
                what = pg.type + ": mapping = NULL, pgmap->ops->page_free gives it to the driver's allocator";
            }
        }
        if (trace.on()) trace.emit("free_zone_device_folio", "PFN " + pfn + ": " + what, 0);
    }

    // ---------------------------------------------------------------- invariants

    void check(List<String> problems) {
        List<String> local = new ArrayList<>();
        for (long pfn = 0; pfn < m.nrPages() && local.size() < 8; pfn++) {
            Pgmap pg = pgmapOf(pfn);
            boolean device = FlagsWord.isZoneDevice(mm.flags(pfn));
            if (device != (pg != null)) {
                local.add("PFN " + pfn + (device ? " is in ZONE_DEVICE but in no pgmap" : " is in a pgmap but not in ZONE_DEVICE"));
            } else if (pg != null) {
                if (mm.word(pfn, Memmap.W_LRU_NEXT) != pg.addr) local.add("ZONE_DEVICE PFN " + pfn + " has the wrong pgmap");
                if (mm.isBuddy(pfn) || m.onPcpList(pfn)) local.add("ZONE_DEVICE PFN " + pfn + " is on a free list");
                if (!mm.testFlag(pfn, PageFlag.PG_reserved)) local.add("ZONE_DEVICE PFN " + pfn + " lacks PG_reserved");
            }
        }
        problems.addAll(local);
    }

    long digest() {
        long h = nextPgmap;
        for (Pgmap p : pgmaps.values()) h = h * 31 + p.addr + p.start * 7 + p.nr * 13 + p.type.value;
        return h;
    }
}

package org.memdesclab.sim;

/**
 * "What is this page for, and may it be mapped to user space?", answered from the memmap alone, the
 * way the kernel's PFN walkers (compaction, memory_failure, GUP's set_page_dirty; seed 004) must: the
 * head's page type, the folio's mapping bits, pp_magic, PG_reserved, PG_lru and the counts. Where the
 * memmap cannot tell two rows of seed 000's table apart (vmalloc, a kernel stack and a driver's
 * alloc_pages all look the same), the answer says so; {@link #pageOwnerNote} adds what the lab's
 * allocation records know, as the kernel's optional page_owner (CONFIG_PAGE_OWNER) would.
 */
public final class PageOwnerType {
    /** The rows of seed 000's MemoryTypes table that the memmap can distinguish. */
    public enum Kind {
        FREE("free", "no: it belongs to the buddy allocator"),
        FREE_PCP("free (per-CPU list)", "no: it belongs to the page allocator"),
        SLAB("slab", "no"),
        LARGE_KMALLOC("kmalloc (large)", "no: kmalloc memory is kernel-only"),
        ZSMALLOC("zsmalloc", "no"),
        PAGE_TABLE("page table", "no"),
        OFFLINE("offline", "no: logically offline (a balloon gave it to the host)"),
        GUARD("guard", "no: debug_pagealloc unmapped it to catch stray accesses"),
        HUGETLB("hugetlb", "yes"),
        UNACCEPTED("unaccepted", "no: not yet accepted from the hypervisor"),
        NET_POOL("net pool", "yes: TCP zero-copy receive maps page_pool pages"),
        ANON("anonymous", "yes"),
        FILE("file cache", "yes"),
        RESERVED("kernel text/data (reserved)", "no: mapping kernel text or data to user space is a security hole (STRICT_DEVMEM)"),
        KERNEL("kernel page", "maybe: vmalloc memory may be mapped (remap_vmalloc_range), a kernel stack never, a driver's pages if it chooses"),
        KERNEL_MAPPED("driver page mapped to user space", "yes: it is mapped now (its mapcount is not -1)"),
        ZONE_DEVICE("ZONE_DEVICE", "may be mapped to user space (e.g. DAX/HMM): device memory with struct pages, never in the buddy allocator"),
        ZONE_DEVICE_FSDAX_MAPPED("ZONE_DEVICE (fsdax), mapped to user space", "yes: a DAX file's block, mapped now (its mapcount is not -1); "
                + "it goes back to its pgmap, never to the buddy allocator"),
        INSIDE("part of a non-compound allocation", "as the allocation's first page"),
        UNKNOWN("unknown", "unknown");

        private final String label;
        private final String mappable;

        Kind(String label, String mappable) { this.label = label; this.mappable = mappable; }

        public String label() { return label; }

        /** May pages of this kind be mapped to user space (seed 000's "Notes" column, in short)? */
        public String mappable() { return mappable; }
    }

    /** FOLIO_MAPPING_ANON and FOLIO_MAPPING_KSM bits of folio->mapping (PAGE_MAPPING_ANON in older kernels). */
    public static final long FOLIO_MAPPING_ANON = 0x1, FOLIO_MAPPING_FLAGS = 0x3;

    private PageOwnerType() {}

    /** The kind of a page from its struct page (and its head's), reading nothing but the memmap. */
    public static Kind classify(Machine m, long pfn) {
        Memmap mm = m.memmap();
        long flags = mm.flags(pfn);
        // is_zone_device_page() first: ZONE_DEVICE pages also carry PG_reserved
        if (FlagsWord.isZoneDevice(flags)) {
            // folio->pgmap->type says FS DAX; a mapcount of 0 or more says a process maps it
            ZoneDevice.Pgmap pg = m.zoneDevice().pgmapAt(mm.word(pfn, Memmap.W_LRU_NEXT));
            boolean fsdax = pg != null && pg.type() == ZoneDevice.Type.MEMORY_DEVICE_FS_DAX;
            return fsdax && mm.pageType(pfn) >= 0 && !PageType.hasType(mm.pageType(pfn)) ? Kind.ZONE_DEVICE_FSDAX_MAPPED : Kind.ZONE_DEVICE;
        }
        if ((flags & PageFlag.PG_reserved.mask()) != 0) return Kind.RESERVED;
        long head = m.compoundHeadPfn(pfn);
        if (!m.validPfn(head)) return Kind.UNKNOWN;
        PageType t = PageType.of(mm.pageType(head));
        if (t != null) {
            switch (t) {
                case PGTY_buddy: return Kind.FREE;
                case PGTY_offline: return Kind.OFFLINE;
                case PGTY_table: return Kind.PAGE_TABLE;
                case PGTY_guard: return Kind.GUARD;
                case PGTY_hugetlb: return Kind.HUGETLB;
                case PGTY_slab: return Kind.SLAB;
                case PGTY_zsmalloc: return Kind.ZSMALLOC;
                case PGTY_unaccepted: return Kind.UNACCEPTED;
                case PGTY_large_kmalloc: return Kind.LARGE_KMALLOC;
                default: return Kind.UNKNOWN;
            }
        }
        if (m.onPcpList(pfn)) return Kind.FREE_PCP;
        int ref = mm.refcount(head);
        if (ref == 0) return m.freeBlockHead(pfn) >= 0 ? Kind.FREE : Kind.INSIDE;
        if (MemoryTypes.isPpPage(mm, head)) return Kind.NET_POOL;
        long mapping = mm.mapping(head);
        if ((mapping & FOLIO_MAPPING_ANON) != 0) return Kind.ANON;
        if (mapping != 0 && (mapping & FOLIO_MAPPING_FLAGS) == 0) return Kind.FILE;
        if (mm.pageType(head) != PageType.NO_TYPE) return Kind.KERNEL_MAPPED;
        return Kind.KERNEL;
    }

    /** The learner-facing answer: one line. */
    public static String describe(Machine m, long pfn) {
        Kind k = classify(m, pfn);
        StringBuilder sb = new StringBuilder("PFN ").append(pfn).append(": ").append(k.label());
        long head = m.compoundHeadPfn(pfn);
        if (head != pfn && m.validPfn(head)) sb.append(" (tail of PFN ").append(head).append(")");
        sb.append("; mappable to user space: ").append(k.mappable());
        if (m.memmap().testFlag(pfn, PageFlag.PG_hwpoison)) sb.append("; PG_hwpoison: memory_failure() has taken it");
        return sb.toString();
    }

    /**
     * What the memmap cannot say but the lab's allocation records can (the kernel keeps such records
     * only with page_owner), or null.
     */
    public static String pageOwnerNote(Machine m, long pfn) {
        ZoneDevice.Pgmap pg = m.zoneDevice().pgmapOf(pfn);
        if (pg != null) {
            return String.format("pgmap 0x%016x: %s, PFNs %d-%d (the struct page names its pgmap; the pgmap says what the device is)",
                    pg.addr(), pg.type(), pg.start(), pg.end() - 1);
        }
        if (classify(m, pfn) == Kind.KERNEL_MAPPED) {
            return "page_owner: a driver's alloc_pages(); vm_insert_page() mapped it " + (m.memmap().pageType(m.compoundHeadPfn(pfn)) + 1)
                    + " time(s) (the mapcount is all struct page says)";
        }
        MemoryTypes.VmArea a = m.memoryTypes().areaOfPfn(pfn);
        if (a == null && classify(m, pfn) == Kind.KERNEL && !m.memmap().testFlag(pfn, PageFlag.PG_hwpoison)) {
            return "page_owner: allocated with alloc_pages() (a driver's page, or the console's), not vmalloc; no process maps it "
                    + "(mapcount -1)";
        }
        if (a == null) return null;
        String what = a.caller().equals("alloc_thread_stack_node") ? "a kernel stack" : "vmalloc memory";
        return String.format("page_owner: allocated by %s() for %s at 0x%016x (the struct page itself does not say so)", a.caller(),
                what, a.addr());
    }
}

package org.memdesclab.sim;

/**
 * Where things live in the simulated x86_64 kernel address space (4-level paging, no KASLR).
 * struct page of PFN n sits in the vmemmap at {@code VMEMMAP_BASE + 64 n}; the page's contents sit in
 * the direct map at {@code PAGE_OFFSET + 4096 n}, and its physical address is {@code 4096 n}.
 */
public final class Addresses {
    public static final long VMEMMAP_BASE = 0xffffea0000000000L;
    public static final long PAGE_OFFSET = 0xffff888000000000L;
    public static final int PAGE_SHIFT = 12;
    public static final long PAGE_SIZE = 1L << PAGE_SHIFT;
    public static final int STRUCT_PAGE_SIZE = 64;

    /** POISON_POINTER_DELTA on x86_64. */
    public static final long POISON_POINTER_DELTA = 0xdead000000000000L;
    /** list_del() leaves these in a removed entry's next and prev. */
    public static final long LIST_POISON1 = 0x100 + POISON_POINTER_DELTA;
    public static final long LIST_POISON2 = 0x122 + POISON_POINTER_DELTA;
    /** Poison in ->mapping of the tail pages of a compound page. */
    public static final long TAIL_MAPPING = 0x400 + POISON_POINTER_DELTA;

    /**
     * Statically allocated kernel structures (struct zone and its free_area, per-CPU pagesets, caches)
     * live here, far from the zone's own pages, so they never disturb the learner's buddy state.
     */
    public static final long ZONE_NORMAL_ADDR = 0xffffffff82e1c680L;
    /** offsetof(struct zone, free_area) in the simulated struct zone. */
    public static final long FREE_AREA_OFFSET = 0xc0;
    /** sizeof(struct free_area) on 6.18 (five list heads, nr_free, nr_unreported[5]). */
    public static final long FREE_AREA_SIZE = 128;
    /** Per-CPU areas: struct per_cpu_pages of CPU c at PERCPU_BASE + c * PERCPU_STRIDE. */
    public static final long PERCPU_BASE = 0xffff88c07fa00000L;
    public static final long PERCPU_STRIDE = 0x40000L;

    private Addresses() {}

    public static long pageAddress(long pfn) { return VMEMMAP_BASE + ((long) STRUCT_PAGE_SIZE) * pfn; }

    public static long directMapAddress(long pfn) { return PAGE_OFFSET + (pfn << PAGE_SHIFT); }

    public static long physAddress(long pfn) { return pfn << PAGE_SHIFT; }

    /** True if {@code addr} lies inside the vmemmap region (struct pages), whatever the machine size. */
    public static boolean inVmemmap(long addr) {
        return Long.compareUnsigned(addr, VMEMMAP_BASE) >= 0 && Long.compareUnsigned(addr, 0xffffeb0000000000L) < 0;
    }

    /** True if {@code addr} lies in the direct map of physical memory. */
    public static boolean inDirectMap(long addr) {
        return Long.compareUnsigned(addr, PAGE_OFFSET) >= 0 && Long.compareUnsigned(addr, 0xffffc88000000000L) < 0;
    }
}

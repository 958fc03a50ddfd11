package org.memdesclab.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The rows of the MemoryTypes table (seed 000) that no other allocator of the lab owns: vmalloc areas
 * (mm/vmalloc.c), kernel stacks (kernel/fork.c with CONFIG_VMAP_STACK), page_pool pages
 * (net/core/page_pool.c) and balloon pages (mm/balloon_compaction.c, PGTY_offline). Kernel text and
 * data are the machine's reserved PFNs; pages a driver allocates are plain {@code alloc_pages}.
 *
 * <p>What the memmap records and what it does not: page_pool pages carry {@code pp_magic} and {@code pp}
 * in struct page, balloon pages carry PGTY_offline, but a vmalloc page, a kernel stack page and a
 * driver's page all look alike (refcount 1, no type, no mapping). Only the vmalloc area list (and the
 * kernel's optional page_owner, CONFIG_PAGE_OWNER) knows which is which; {@link PageOwnerType} says so.
 */
public final class MemoryTypes {
    /** VMALLOC_START on x86_64 with 4-level page tables (no KASLR of the vmalloc base in the lab). */
    public static final long VMALLOC_START = 0xffffc90000000000L;
    /** THREAD_SIZE on x86_64 without KASAN: 16 KiB (THREAD_SIZE_ORDER 2). */
    public static final long THREAD_SIZE = 4 * Addresses.PAGE_SIZE;
    /** PP_SIGNATURE in include/linux/poison.h: 0x40 + POISON_POINTER_DELTA; bit 0 clear, so never a tail. */
    public static final long PP_SIGNATURE = 0x40 + Addresses.POISON_POINTER_DELTA;
    /** page_pool_page_is_pp() ignores the two low bits of pp_magic (6.18 also keeps a DMA index there: not modelled). */
    public static final long PP_MAGIC_MASK = ~0x3L;
    /** struct page_pool i lives at PAGE_POOL_BASE + i * 0x1000 (kzalloc'd in the kernel; outside the zone here). */
    public static final long PAGE_POOL_BASE = 0xffffffff84800000L;
    public static final int MAX_PAGE_POOLS = 64;
    /** Word of pp_magic (offset 8) and pp (offset 16) in struct page; pp_ref_count is at 40. */
    static final int W_PP_MAGIC = Memmap.W_LRU_NEXT, W_PP = Memmap.W_LRU_PREV, W_PP_REF = Memmap.W_PRIVATE;

    /** One vm_struct: its address, its pages in order, and who asked (vmalloc or alloc_thread_stack_node). */
    public record VmArea(long addr, long[] pfns, String caller) {
        /** The virtual size including the guard page vmalloc leaves after every area (no VM_NO_GUARD). */
        long span() { return (pfns.length + 1L) * Addresses.PAGE_SIZE; }

        public long size() { return pfns.length * Addresses.PAGE_SIZE; }

        @Override public long[] pfns() { return pfns.clone(); }
    }

    private final Machine m;
    private final Memmap mm;
    private final Trace trace;
    private final TreeMap<Long, VmArea> areas;
    private int pagePools;
    /** The hstate for 2 MiB pages: every folio of the pool, and the free ones (hugepage_freelists) in order. */
    private final java.util.TreeSet<Long> hugetlbPool = new java.util.TreeSet<>();
    private final java.util.ArrayDeque<Long> hugetlbFree = new java.util.ArrayDeque<>();

    MemoryTypes(Machine m, Memmap mm, Trace trace) {
        this.m = m;
        this.mm = mm;
        this.trace = trace;
        this.areas = new TreeMap<>();
    }

    MemoryTypes copy(Machine m2, Memmap mm2, Trace t2) {
        MemoryTypes c = new MemoryTypes(m2, mm2, t2);
        for (Map.Entry<Long, VmArea> e : areas.entrySet()) {
            VmArea a = e.getValue();
            c.areas.put(e.getKey(), new VmArea(a.addr, a.pfns.clone(), a.caller));
        }
        c.pagePools = pagePools;
        c.hugetlbPool.addAll(hugetlbPool);
        c.hugetlbFree.addAll(hugetlbFree);
        return c;
    }

    // ---------------------------------------------------------------- vmalloc

    /** The live vmalloc areas, lowest address first. */
    public List<VmArea> areas() { return List.copyOf(areas.values()); }

    /** The area a PFN backs, or null: what page_owner would tell, not the memmap. */
    public VmArea areaOfPfn(long pfn) {
        for (VmArea a : areas.values()) for (long p : a.pfns) if (p == pfn) return a;
        return null;
    }

    /**
     * vmalloc(size): a virtually contiguous area of order-0 pages from anywhere in the zone. Returns the
     * area's address, or 0 (NULL) with the kernel's warn_alloc line when the size is 0 or too large or
     * the pages are not there (checked before any page is taken).
     */
    public long vmalloc(long size) { return vmallocNode(size, "vmalloc"); }

    /** alloc_thread_stack_node() with CONFIG_VMAP_STACK: a THREAD_SIZE vmalloc area (__vmalloc_node_range). */
    public long allocThreadStack() { return vmallocNode(THREAD_SIZE, "alloc_thread_stack_node"); }

    private long vmallocNode(long size, String caller) {
        long nr = (size + Addresses.PAGE_SIZE - 1) >>> Addresses.PAGE_SHIFT;
        if (size <= 0 || nr > m.nrPages()) {
            m.log("lab: vmalloc error: size " + size + ", invalid size, mode:0xcc0(GFP_KERNEL), nodemask=(null)");
            return 0;
        }
        if (m.freePagesTotal() < nr) {
            m.log("lab: vmalloc error: size " + nr * Addresses.PAGE_SIZE + ", failed to allocate pages, mode:0xcc0(GFP_KERNEL), "
                    + "nodemask=(null)");
            return 0;
        }
        long addr = findVmapArea((nr + 1) * Addresses.PAGE_SIZE);
        if (trace.on()) trace.emit(caller, nr + " page(s) at " + Machine.hex(addr), 0);
        long[] pfns = new long[(int) nr];
        for (int i = 0; i < nr; i++) {
            // vm_area_alloc_pages(): order-0 pages one by one, from wherever the buddy allocator has them
            pfns[i] = m.allocPages(Gfp.GFP_KERNEL | Gfp.__GFP_HIGHMEM | Gfp.__GFP_NOWARN, 0);
            if (pfns[i] < 0) {
                // free pages can still run out (guard pages take split-off halves): give back what was taken
                for (int j = 0; j < i; j++) m.putPage(pfns[j]);
                m.log("lab: vmalloc error: size " + nr * Addresses.PAGE_SIZE + ", failed to allocate pages, mode:0xcc0(GFP_KERNEL), "
                        + "nodemask=(null)");
                return 0;
            }
        }
        areas.put(addr, new VmArea(addr, pfns, caller));
        if (trace.on()) trace.emit("__vmalloc_area_node", "mapped PFNs " + join(pfns) + " at " + Machine.hex(addr));
        return addr;
    }

    /** alloc_vmap_area(): the lowest gap in the vmalloc space that fits (first fit). */
    private long findVmapArea(long span) {
        long at = VMALLOC_START;
        for (VmArea a : areas.values()) {
            if (a.addr - at >= span) return at;
            at = a.addr + a.span();
        }
        return at;
    }

    /** vfree(addr) / the stack's free: every page back to the buddy allocator, then the area. */
    public void vfree(long addr, String fn) {
        if (addr == 0) return;
        VmArea a = areas.get(addr);
        if (a == null) {
            throw new KernelError(List.of("WARNING: CPU: " + m.cpu() + " PID: 1 at mm/vmalloc.c vfree",
                    String.format("Trying to vfree() nonexistent vm area (%016x)", addr)));
        }
        boolean stack = a.caller.equals("alloc_thread_stack_node");
        if (stack != fn.equals("free_thread_stack")) {
            throw KernelError.error(String.format("%s(): 0x%016x is %s, free it with %s()", fn, addr,
                    stack ? "a kernel stack" : "a vmalloc area", stack ? "free_thread_stack" : "vfree"));
        }
        for (long pfn : a.pfns) {
            if (mm.refcount(pfn) != 1 || mm.isBuddy(pfn)) {
                throw KernelError.error(String.format("%s(): PFN %d of the area at 0x%016x has refcount %d: someone freed it behind "
                        + "vmalloc's back; the kernel's __free_page would now report a Bad page state", fn, pfn, addr, mm.refcount(pfn)));
            }
        }
        if (trace.on()) trace.emit(fn, a.pfns.length + " page(s) of the area at " + Machine.hex(addr), 0);
        areas.remove(addr);
        for (long pfn : a.pfns) m.putPage(pfn);
    }

    /** vmalloc_to_page(addr): the page behind a vmalloc address, or -1 (NULL). */
    public long vmallocToPfn(long addr) {
        Map.Entry<Long, VmArea> e = areas.floorEntry(addr);
        if (e == null) return -1;
        long off = addr - e.getKey();
        if (off >= e.getValue().size()) return -1;
        return e.getValue().pfns[(int) (off >>> Addresses.PAGE_SHIFT)];
    }

    /** is_vmalloc_addr(). */
    public static boolean isVmallocAddr(long addr) {
        return Long.compareUnsigned(addr, VMALLOC_START) >= 0 && Long.compareUnsigned(addr, VMALLOC_START + (32L << 40)) < 0;
    }

    // ---------------------------------------------------------------- page_pool

    /** page_pool_create(): a pool descriptor outside the zone (the lab takes no params). */
    public long pagePoolCreate() {
        if (pagePools >= MAX_PAGE_POOLS) throw KernelError.error("page_pool_create(): the lab has room for " + MAX_PAGE_POOLS + " pools");
        return PAGE_POOL_BASE + (pagePools++) * 0x1000L;
    }

    public boolean isPagePool(long addr) {
        long off = addr - PAGE_POOL_BASE;
        return off >= 0 && off % 0x1000 == 0 && off / 0x1000 < pagePools;
    }

    /**
     * page_pool_dev_alloc_pages(pool): an order-0 page with page_pool_set_pp_info(): {@code pp = pool},
     * {@code pp_magic |= PP_SIGNATURE}, {@code pp_ref_count = 1}. Returns the PFN or -1.
     */
    public long pagePoolAlloc(long pool) {
        long pfn = Memdescs.allocPages(m, Memdescs.Kind.NETMEM, Gfp.GFP_ATOMIC | Gfp.__GFP_NOWARN, 0); // memdesc: a netmem_desc first
        if (pfn < 0) return -1;
        mm.setWord(pfn, W_PP_MAGIC, PP_SIGNATURE);
        mm.setWord(pfn, W_PP, pool);
        mm.setWord(pfn, W_PP_REF, 1);
        if (trace.on()) trace.emit("page_pool_set_pp_info", "PFN " + pfn + ": pp_magic = PP_SIGNATURE, pp = " + Machine.hex(pool));
        return pfn;
    }

    /** page_pool_page_is_pp(): {@code (pp_magic & ~0x3) == PP_SIGNATURE}. */
    public static boolean isPpPage(Memmap mm, long pfn) { return (mm.word(pfn, W_PP_MAGIC) & PP_MAGIC_MASK) == PP_SIGNATURE; }

    /**
     * page_pool_put_full_page(pool, page): the lab has no recycling ring, so this is page_pool_return_page():
     * page_pool_clear_pp_info() (pp_magic and pp cleared) and put_page.
     */
    public void pagePoolPut(long pool, long pfn) {
        if (!isPpPage(mm, pfn) || mm.word(pfn, W_PP) != pool || mm.refcount(pfn) != 1) {
            throw KernelError.error(String.format("page_pool_put_full_page(): PFN %d is not a page of the pool at 0x%016x "
                    + "(pp_magic %#x, pp 0x%016x, refcount %d)", pfn, pool, mm.word(pfn, W_PP_MAGIC), mm.word(pfn, W_PP), mm.refcount(pfn)));
        }
        mm.setWord(pfn, W_PP_MAGIC, 0);
        mm.setWord(pfn, W_PP, 0);
        mm.setWord(pfn, W_PP_REF, 0);
        if (trace.on()) trace.emit("page_pool_return_page", "PFN " + pfn + ": pp_magic and pp cleared", 0);
        m.putPage(pfn);
    }

    // ---------------------------------------------------------------- balloon

    /** balloon_page_alloc(): balloon_mapping_gfp_mask() | __GFP_NOMEMALLOC | __GFP_NORETRY | __GFP_NOWARN, order 0. */
    public long balloonPageAlloc() {
        return m.allocPages(Gfp.GFP_HIGHUSER_MOVABLE | Gfp.__GFP_NOMEMALLOC | Gfp.__GFP_NORETRY | Gfp.__GFP_NOWARN, 0);
    }

    /** The lab's one struct balloon_dev_info (the driver's, e.g. virtio_balloon's vb_dev_info; outside the zone). */
    public static final long BALLOON_DEV = 0xffffffff84d00000L;

    /**
     * balloon_page_enqueue() → balloon_page_insert(): the page goes to the host, marked logically offline
     * (__SetPageOffline) and, with CONFIG_BALLOON_COMPACTION, movable: PG_movable_ops (bit 3, shared with
     * PG_uptodate) and private = the balloon_dev_info, so compaction can find the balloon's migratepage.
     */
    public void balloonPageEnqueue(long pfn) {
        if (mm.refcount(pfn) != 1 || mm.pageType(pfn) != PageType.NO_TYPE || mm.isTail(pfn) || mm.isHead(pfn)
                || mm.testFlag(pfn, PageFlag.PG_reserved)) {
            throw KernelError.error("balloon_page_enqueue(): PFN " + pfn + " is not a page from balloon_page_alloc() (it needs "
                    + "refcount 1, no page type and no mappings; it has refcount " + mm.refcount(pfn) + String.format(", page_type %#x)",
                    mm.pageType(pfn)));
        }
        mm.setPageType(pfn, PageType.PGTY_offline.word());
        mm.setFlags(pfn, mm.flags(pfn) | (1L << PageFlag.PG_movable_ops));
        mm.setWord(pfn, Memmap.W_PRIVATE, BALLOON_DEV);
        if (trace.on()) trace.emit("balloon_page_enqueue", "PFN " + pfn + " is in the balloon: __SetPageOffline, SetPageMovableOps", 0);
    }

    /** balloon_page_dequeue(): the lowest PGTY_offline page leaves the balloon (type cleared; the caller frees it). */
    public long balloonDeflate() {
        for (long pfn = 0; pfn < m.nrPages(); pfn++) {
            if ((mm.pageType(pfn) >>> 24) == PageType.PGTY_offline.value() && mm.refcount(pfn) > 0) {
                mm.setPageType(pfn, PageType.NO_TYPE);
                mm.setFlags(pfn, mm.flags(pfn) & ~(1L << PageFlag.PG_movable_ops));
                mm.setWord(pfn, Memmap.W_PRIVATE, 0);
                if (trace.on()) trace.emit("balloon_page_dequeue", "PFN " + pfn + " leaves the balloon: __ClearPageOffline");
                return pfn;
            }
        }
        return -1;
    }

    /** A balloon page compaction may move: PGTY_offline with PG_movable_ops (balloon_page_isolate's test). */
    public static boolean isMovableBalloonPage(Memmap mm, long pfn) {
        return (mm.pageType(pfn) >>> 24) == PageType.PGTY_offline.value() && (mm.flags(pfn) & (1L << PageFlag.PG_movable_ops)) != 0
                && mm.word(pfn, Memmap.W_PRIVATE) == BALLOON_DEV;
    }

    /**
     * balloon_page_migrate() → the driver's migratepage (virtballoon_migratepage): the new page (one reference
     * from compaction_alloc) joins the balloon (balloon_page_insert) and is inflated on the host; the old page
     * is deflated, leaves the balloon (private cleared, balloon_page_finalize) and its balloon reference is put,
     * which frees it (its type and PG_movable_ops go as it reaches the buddy allocator).
     */
    void balloonPageMigrate(long oldPfn, long newPfn) {
        if (!isMovableBalloonPage(mm, oldPfn)) throw KernelError.error("balloon_page_migrate(): PFN " + oldPfn + " is not a balloon page");
        mm.setPageType(newPfn, PageType.PGTY_offline.word());
        mm.setFlags(newPfn, mm.flags(newPfn) | (1L << PageFlag.PG_movable_ops));
        mm.setWord(newPfn, Memmap.W_PRIVATE, BALLOON_DEV);
        mm.setWord(oldPfn, Memmap.W_PRIVATE, 0);
        if (trace.on()) trace.emit("balloon_page_migrate", "the balloon page at PFN " + oldPfn + " moves to PFN " + newPfn + " (host told)");
        m.putPage(oldPfn);
    }

    // ---------------------------------------------------------------- guard pages

    /**
     * The boot parameters {@code debug_pagealloc=on debug_guardpage_minorder=N}: from now on, when the buddy
     * allocator splits a block, halves of an order below N become guard pages (PGTY_guard) instead of free
     * blocks, so a stray access next to an allocation faults. The kernel reads them at boot; the lab takes
     * them while nothing has been allocated yet.
     */
    public void bootDebugGuardpageMinorder(int order) {
        if (order < 0 || order > Zone.MAX_PAGE_ORDER / 2) {
            throw KernelError.error("Bad debug_guardpage_minorder value (the kernel accepts 0.." + Zone.MAX_PAGE_ORDER / 2 + ")");
        }
        if (m.freePagesTotal() != m.nrPages() - m.config().reserved().size()) {
            throw KernelError.error("debug_guardpage_minorder is a boot parameter: set it before anything is allocated");
        }
        m.zone().setGuardMinOrder(order);
        if (trace.on()) trace.emit("debug_guardpage_minorder", "guard pages for split-off blocks below order " + order, 0);
    }

    // ---------------------------------------------------------------- invariants

    void check(List<String> problems) {
        for (long h : hugetlbPool) {
            if ((mm.pageType(h) >>> 24) != PageType.PGTY_hugetlb.value() || m.compoundOrder(h) != HUGETLB_ORDER) {
                problems.add("hugetlb pool folio PFN " + h + " is not an order-9 PGTY_hugetlb folio");
            }
            boolean free = hugetlbFree.contains(h);
            if (free != (mm.refcount(h) == 0)) problems.add("hugetlb folio PFN " + h + " has refcount " + mm.refcount(h)
                    + (free ? " on the free list" : " but is not on the free list"));
        }
        for (long h : hugetlbFree) if (!hugetlbPool.contains(h)) problems.add("free hugetlb folio PFN " + h + " is not in the pool");
        List<Long> seen = new ArrayList<>();
        long end = VMALLOC_START;
        for (VmArea a : areas.values()) {
            if (Long.compareUnsigned(a.addr, end) < 0) problems.add(String.format("vmalloc area 0x%016x overlaps the one before", a.addr));
            end = a.addr + a.span();
            for (long pfn : a.pfns) {
                if (seen.contains(pfn)) problems.add("PFN " + pfn + " backs two vmalloc areas");
                seen.add(pfn);
            }
        }
    }

    // ---------------------------------------------------------------- hugetlb

    /** HUGETLB_PAGE_ORDER on x86_64: 2 MiB pages. */
    public static final int HUGETLB_ORDER = 9;

    /** True if the folio at {@code head} belongs to the hugetlb pool (in use or free). */
    public boolean isHugetlbFolio(long head) { return hugetlbPool.contains(head); }

    /** nr_hugepages and free_hugepages of the 2 MiB hstate. */
    public int nrHugepages() { return hugetlbPool.size(); }

    public int freeHugepages() { return hugetlbFree.size(); }

    /**
     * Growing nr_hugepages by {@code n} (echo to /proc/sys/vm/nr_hugepages): alloc_pool_huge_folio takes
     * order-9 compound pages from the buddy allocator (__GFP_COMP | __GFP_RETRY_MAYFAIL | __GFP_NOWARN),
     * __folio_set_hugetlb gives them PGTY_hugetlb, and they wait on the free list with refcount 0.
     * Returns how many were added (fewer when no order-9 block is free).
     */
    public int hugetlbPoolGrow(int n) {
        if (n <= 0 || n > 1024) throw KernelError.error("hugetlb_pool_grow(): n must be 1..1024 (got " + n + ")");
        int got = 0;
        for (; got < n; got++) {
            long h = m.allocPages(Gfp.GFP_HIGHUSER_MOVABLE | Gfp.__GFP_COMP | Gfp.__GFP_NOWARN, HUGETLB_ORDER);
            if (h < 0) break;
            mm.setPageType(h, PageType.PGTY_hugetlb.word());
            mm.setRefcount(h, 0);
            hugetlbPool.add(h);
            hugetlbFree.addLast(h);
            if (trace.on()) trace.emit("alloc_pool_huge_folio", "order-9 folio at PFN " + h + ": PGTY_hugetlb, refcount 0, on the free list", 0);
        }
        return got;
    }

    /**
     * alloc_hugetlb_folio(): the first free folio of the pool leaves the free list with refcount 1, or
     * -1 (the kernel's -ENOSPC) when none is free. Never from the buddy allocator (no surplus pages).
     */
    public long allocHugetlbFolio() {
        // dequeue_hugetlb_folio_node_exact() skips a folio memory_failure() poisoned while it was in use
        Long h = null;
        for (long f : hugetlbFree) {
            if (!mm.testFlag(f, PageFlag.PG_hwpoison)) { h = f; break; }
        }
        if (h != null) hugetlbFree.remove(h);
        if (h == null) {
            if (trace.on()) trace.emit("alloc_hugetlb_folio", "no free huge page in the pool: -ENOSPC", 0);
            return -1;
        }
        mm.setRefcount(h, 1);
        if (trace.on()) trace.emit("alloc_hugetlb_folio", "PFN " + h + " leaves the hugetlb free list: refcount 1", 0);
        return h;
    }

    /** free_huge_folio(), from folio_put's last reference: back on the pool's free list, not to the buddy allocator. */
    void freeHugeFolio(long head) {
        mm.setRefcount(head, 0);
        hugetlbFree.addLast(head);
        if (trace.on()) trace.emit("free_huge_folio", "PFN " + head + " goes back to the hugetlb free list (nr_hugepages unchanged)", 0);
    }

    /**
     * dissolve_free_hugetlb_folio(): a free pool folio leaves the pool, loses PGTY_hugetlb and its compound
     * metadata, and is freed to the buddy allocator as an order-9 block.
     */
    void dissolveFreeHugetlbFolio(long head) {
        hugetlbFree.remove(head);
        hugetlbPool.remove(head);
        mm.setPageType(head, PageType.NO_TYPE);
        mm.setRefcount(head, 1);
        m.folioPut(head);
        if (trace.on()) trace.emit("dissolve_free_hugetlb_folio", "PFN " + head + " leaves the pool for the buddy allocator", 0);
    }

    long digest() {
        long h = pagePools + 31L * hugetlbPool.hashCode() + 17L * List.copyOf(hugetlbFree).hashCode();
        for (VmArea a : areas.values()) {
            h = h * 31 + a.addr + a.caller.hashCode();
            for (long p : a.pfns) h = h * 7 + p;
        }
        return h;
    }

    private static String join(long[] pfns) {
        StringBuilder sb = new StringBuilder();
        for (long p : pfns) sb.append(sb.length() == 0 ? "" : " ").append(p);
        return sb.toString();
    }
}

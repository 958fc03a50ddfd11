package org.memdesclab.sim;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * A simulated machine: one node, one zone, a memmap of 64-byte struct pages, the buddy allocator,
 * optional per-CPU page lists, compound pages and folios. Every public operation validates first and
 * then mutates: a refused call throws {@link KernelError} and leaves the machine exactly as it was.
 * Every operation records what the kernel did in {@link #trace()} and anything the kernel would print
 * (warnings) in {@link #drainLog()}. Deterministic: no clock, no randomness, no threads.
 */
public final class Machine {
    private final MachineConfig config;
    private final KernelProfile profile;
    private final Memmap memmap;
    private final ListHeads lists;
    private final Zone zone;
    private final PerCpuPages pcp;
    private final Slub slub;
    private final Zsmalloc zsmalloc;
    /** Profile hook: the separately allocated descriptors of the memdesc profiles, else null. */
    private final Memdescs memdescs;
    private final MemoryTypes memoryTypes;
    private final BitSet onPcp;
    private final Trace trace;
    private final List<String> log;
    private int cpu;
    /** Processes, page tables, the page cache and the LRU: the user memory the PFN walkers reach. */
    private final UserMemory user;
    /** Device memory with struct pages in ZONE_DEVICE (devm_memremap_pages). */
    private final ZoneDevice zoneDevice;
    /** WARN_ON_ONCE state of the order check in __alloc_frozen_pages_noprof: warns once per boot. */
    private boolean warnedOrder;

    /** Boots a machine: every page initialised, then all non-reserved pages freed as __free_pages_core does. */
    public Machine(MachineConfig config) {
        this.config = config;
        this.profile = KernelProfile.byId(config.profile());
        this.memmap = new Memmap(config.pages());
        int zoneAnchors = Zone.NR_PAGE_ORDERS * Zone.MIGRATE_TYPES;
        int pcpAnchors = config.pcp() ? config.cpus() * PerCpuPages.NR_PCP_LISTS : 0;
        long[] anchors = new long[zoneAnchors + pcpAnchors];
        for (int o = 0; o < Zone.NR_PAGE_ORDERS; o++) {
            for (int mt = 0; mt < Zone.MIGRATE_TYPES; mt++) anchors[Zone.listId(o, mt)] = Zone.freeListAddress(o, mt);
        }
        for (int c = 0; c < (config.pcp() ? config.cpus() : 0); c++) {
            for (int i = 0; i < PerCpuPages.NR_PCP_LISTS; i++) {
                anchors[zoneAnchors + c * PerCpuPages.NR_PCP_LISTS + i] = PerCpuPages.listAddress(c, i);
            }
        }
        this.lists = new ListHeads(memmap, anchors);
        this.trace = new Trace();
        this.zone = new Zone(memmap, lists, trace);
        this.pcp = config.pcp() ? new PerCpuPages(config.cpus(), config.pcpBatch(), config.pcpHigh(), zoneAnchors) : null;
        this.onPcp = new BitSet();
        this.log = new ArrayList<>();
        this.slub = new Slub(this, memmap, trace, config.cpus());
        this.zsmalloc = new Zsmalloc(this, memmap, trace);
        this.memdescs = profile.allocatesDescriptors() ? bootDescriptorCaches() : null;
        this.user = new UserMemory(this, memmap, trace);
        this.memoryTypes = new MemoryTypes(this, memmap, trace);
        this.zoneDevice = new ZoneDevice(this, memmap, trace);
        boot();
    }

    private Machine(Machine o) {
        this.config = o.config;
        this.profile = o.profile;
        this.memmap = o.memmap.copy();
        this.lists = o.lists.copy(memmap);
        this.trace = new Trace();
        this.trace.setEnabled(o.trace.on());
        this.zone = o.zone.copy(memmap, lists, trace);
        this.pcp = o.pcp == null ? null : o.pcp.copy();
        this.onPcp = (BitSet) o.onPcp.clone();
        this.log = new ArrayList<>();
        this.slub = o.slub.copy(this, memmap, trace);
        this.zsmalloc = o.zsmalloc.copy(this, memmap, trace);
        this.memdescs = o.memdescs == null ? null : o.memdescs.copy();
        this.user = o.user.copy(this, memmap, trace);
        this.memoryTypes = o.memoryTypes.copy(this, memmap, trace);
        this.zoneDevice = o.zoneDevice.copy(this, memmap, trace);
        this.cpu = o.cpu;
        this.warnedOrder = o.warnedOrder;
    }

    /** A deep copy: same state, its own trace and log. Used for undo snapshots. */
    public Machine copy() { return new Machine(this); }

    private Memdescs bootDescriptorCaches() {
        boolean tracing = trace.on();
        trace.setEnabled(false);
        Memdescs d = Memdescs.boot(slub);
        trace.setEnabled(tracing);
        return d;
    }

    private void boot() {
        int n = config.pages();
        for (long pfn = 0; pfn < n; pfn++) {
            // __init_single_page: flags with zone and node, refcount 1, mapcount -1, lru pointing at itself
            long self = ListHeads.entryOf(pfn);
            memmap.setWord(pfn, Memmap.W_FLAGS, FlagsWord.INITIAL);
            memmap.setWord(pfn, Memmap.W_LRU_NEXT, self);
            memmap.setWord(pfn, Memmap.W_LRU_PREV, self);
            memmap.setWord(pfn, Memmap.W_TYPE_REF, (1L << 32) | 0xffffffffL);
        }
        for (long r : config.reserved()) memmap.setFlag(r, PageFlag.PG_reserved);
        boolean tracing = trace.on();
        trace.setEnabled(false);
        long start = 0;
        while (start < n) {
            while (start < n && config.reserved().contains(start)) start++;
            long end = start;
            while (end < n && !config.reserved().contains(end)) end++;
            freePagesMemory(start, end);
            start = end;
        }
        trace.setEnabled(tracing);
    }

    /** __free_pages_memory(): the largest naturally aligned blocks, in PFN order, to the tail. */
    private void freePagesMemory(long start, long end) {
        while (start < end) {
            int order = start == 0 ? Zone.MAX_PAGE_ORDER : Math.min(Zone.MAX_PAGE_ORDER, Long.numberOfTrailingZeros(start));
            while (start + (1L << order) > end) order--;
            for (long p = start; p < start + (1L << order); p++) memmap.setRefcount(p, 0);
            splitLargeBuddy(start, order, true);
            start += 1L << order;
        }
    }

    // ---------------------------------------------------------------- accessors

    public MachineConfig config() { return config; }

    public KernelProfile profile() { return profile; }

    public Memmap memmap() { return memmap; }

    public Zone zone() { return zone; }

    public int nrPages() { return config.pages(); }

    public Trace trace() { return trace; }

    /** The per-CPU lists, or null when the machine runs without them. */
    public PerCpuPages pcp() { return pcp; }

    /** The CPU the next operation runs on. */
    public int cpu() { return cpu; }

    /** The slab allocator (SLUB) of this machine. */
    public Slub slub() { return slub; }

    /** The zsmalloc allocator of this machine (its pools). */
    public Zsmalloc zsmalloc() { return zsmalloc; }

    /** Profile hook: the memdesc profiles' descriptors, or null in profiles whose descriptors overlay struct page. */
    public Memdescs memdescs() { return memdescs; }
    /** vmalloc areas, kernel stacks, page_pool and balloon pages (the other rows of seed 000's table). */
    public MemoryTypes memoryTypes() { return memoryTypes; }

    /** ZONE_DEVICE ranges (devm_memremap_pages). */
    public ZoneDevice zoneDevice() { return zoneDevice; }

    /** The owners of user memory (processes, the page cache), for compaction and memory_failure. */
    public UserFolios userFolios() { return user; }

    /** Processes, page tables, the page cache and the LRU lists of this machine. */
    public UserMemory userMemory() { return user; }

    /** Adds a line the kernel printed (used by the slab allocator). */
    void log(String line) { log.add(line); }

    /** Moves the learner's "current task" to another CPU (matters only with per-CPU lists). */
    public void setCpu(int c) {
        if (c < 0 || c >= config.cpus()) {
            throw KernelError.error("CPU " + c + " does not exist (this machine has CPUs 0 to " + (config.cpus() - 1) + ")");
        }
        cpu = c;
    }

    /** Lines the kernel printed (warnings, allocation failures) since the last call; clears them. */
    public List<String> drainLog() {
        List<String> out = List.copyOf(log);
        log.clear();
        return out;
    }

    public boolean validPfn(long pfn) { return pfn >= 0 && pfn < config.pages(); }

    public Page page(long pfn) { return new Page(this, pfn); }

    public Folio folio(long pfn) { return new Folio(this, pfn); }

    /** True if the page sits on some CPU's per-CPU free list. */
    public boolean onPcpList(long pfn) { return onPcp.get((int) pfn); }

    /** PFNs on one CPU's per-CPU list of the given order, head first. */
    public long[] pcpList(int c, int order) {
        if (pcp == null) return new long[0];
        int id = pcp.listId(c, order);
        List<Long> out = new ArrayList<>();
        for (long p = lists.first(id); p >= 0; p = lists.nextPfn(p, id)) out.add(p);
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    /** Pages held on per-CPU lists across all CPUs. */
    public long pcpPages() {
        if (pcp == null) return 0;
        long n = 0;
        for (int c = 0; c < config.cpus(); c++) n += pcp.count(c);
        return n;
    }

    /** Free pages: on the buddy lists plus on per-CPU lists. */
    public long freePagesTotal() { return zone.freePages() + pcpPages(); }

    // ---------------------------------------------------------------- allocation

    /**
     * alloc_pages(gfp, order): returns the first PFN of a 2^order block, or -1 (NULL). Mirrors
     * {@code __alloc_pages_noprof}: the WARN for order > MAX_PAGE_ORDER, get_page_from_freelist via
     * the per-CPU lists or {@code __rmqueue_smallest}, prep_new_page (compound pages with
     * __GFP_COMP), and set_page_refcounted on the first page. There is no reclaim or compaction: a
     * request that finds no block fails as the kernel's slow path eventually would.
     */
    public long allocPages(int gfp, int order) {
        long pfn = allocFrozenPages(gfp, order, "alloc_pages");
        if (pfn >= 0) memmap.setRefcount(pfn, 1);
        return pfn;
    }

    /**
     * alloc_frozen_pages(gfp, order): alloc_pages without set_page_refcounted, so the first page keeps
     * refcount 0. Slab pages and large kmalloc come from here (6.18 slub.c alloc_slab_page).
     */
    long allocFrozenPages(int gfp, int order) { return allocFrozenPages(gfp, order, "alloc_frozen_pages"); }

    private long allocFrozenPages(int gfp, int order, String fn) {
        if (order < 0) throw KernelError.error("order must not be negative (got " + order + ")");
        if (trace.on()) trace.emit(fn, "order " + order + ", gfp " + Gfp.format(gfp), 0);
        if (order > Zone.MAX_PAGE_ORDER) {
            if ((gfp & Gfp.__GFP_NOWARN) == 0 && !warnedOrder) warnOrder(order);
            if (trace.on()) trace.emit(fn, "order " + order + " exceeds MAX_PAGE_ORDER (10): NULL");
            return -1;
        }
        long pfn = rmqueue(order);
        if (pfn < 0) {
            if ((gfp & Gfp.__GFP_NOWARN) == 0) {
                log.add(String.format("lab: page allocation failure: order:%d, mode:%#x(%s), nodemask=(null)", order, gfp,
                        Gfp.format(gfp)));
            }
            return -1;
        }
        prepNewPage(pfn, order, gfp);
        return pfn;
    }

    private void warnOrder(int order) {
        warnedOrder = true;
        log.add("WARNING: CPU: " + cpu + " PID: 1 at mm/page_alloc.c __alloc_frozen_pages_noprof");
        log.add("(lab: order " + order + " > MAX_PAGE_ORDER " + Zone.MAX_PAGE_ORDER
                + " trips WARN_ON_ONCE_GFP(order > MAX_PAGE_ORDER, gfp), which warns once per boot)");
    }

    /** rmqueue(): per-CPU lists for small orders when enabled, else the buddy lists directly. */
    private long rmqueue(int order) {
        if (pcp != null && PerCpuPages.allowedOrder(order)) return rmqueuePcplist(order);
        return zone.rmqueueSmallest(order);
    }

    private long rmqueuePcplist(int order) {
        int id = pcp.listId(cpu, order);
        if (lists.isEmpty(id)) {
            int batch = pcp.nrPcpAlloc(cpu, order);
            int got = 0;
            for (int i = 0; i < batch; i++) {
                long p = zone.rmqueueSmallest(order);
                if (p < 0) break;
                lists.addTail(p, id);
                onPcp.set((int) p);
                got++;
            }
            pcp.noteBulkAdded(cpu, got, order);
            if (trace.on()) {
                trace.emit("rmqueue_bulk", "moved " + got + " order-" + order + " block(s) to CPU " + cpu + "'s per-CPU list");
            }
            if (got == 0) return -1;
        }
        long pfn = lists.first(id);
        lists.del(pfn, id);
        onPcp.clear((int) pfn);
        pcp.noteAlloc(cpu, order);
        if (trace.on()) trace.emit("rmqueue_pcplist", "took PFN " + pfn + " from the head of CPU " + cpu + "'s order-" + order + " list");
        return pfn;
    }

    /** post_alloc_hook + prep_new_page. */
    private void prepNewPage(long pfn, int order, int gfp) {
        memmap.setWord(pfn, Memmap.W_PRIVATE, 0);
        if ((gfp & Gfp.__GFP_ZERO) != 0 && trace.on()) trace.emit("clear_highpage", (1 << order) + " page(s) zeroed");
        if (order > 0 && (gfp & Gfp.__GFP_COMP) != 0) prepCompoundPage(pfn, order);
    }

    /** prep_compound_page(): PG_head, tails pointing at the head, then the folio fields in page[1] and page[2]. */
    private void prepCompoundPage(long head, int order) {
        memmap.setFlag(head, PageFlag.PG_head);
        long headWord = Addresses.pageAddress(head) | 1;
        long nr = 1L << order;
        for (long i = 1; i < nr; i++) {
            long t = head + i;
            memmap.setWord(t, Memmap.W_MAPPING, Addresses.TAIL_MAPPING);
            memmap.setWord(t, Memmap.W_LRU_NEXT, headWord);
            memmap.setWord(t, Memmap.W_PRIVATE, 0);
        }
        // prep_compound_head: folio_set_order, _large_mapcount, _nr_pages_mapped, mm ids, pincount, entire mapcount
        long p1 = head + 1;
        memmap.setWord(p1, Memmap.W_FLAGS, (memmap.flags(p1) & ~0xffL) | order);
        setFolioField(head, "_nr_pages", nr);
        setFolioField(head, "_large_mapcount", -1);
        setFolioField(head, "_nr_pages_mapped", 0);
        setFolioField(head, "_mm_ids", 0);
        setFolioField(head, "_mm_id_mapcount[0]", -1);
        setFolioField(head, "_mm_id_mapcount[1]", -1);
        setFolioField(head, "_pincount", 0);
        setFolioField(head, "_entire_mapcount", -1);
        if (order > 1) {
            long list = Addresses.pageAddress(head) + profile.folio().offsetof("_deferred_list");
            setFolioField(head, "_deferred_list.next", list);
            setFolioField(head, "_deferred_list.prev", list);
        }
        if (trace.on()) {
            trace.emit("prep_compound_page", "PFN " + head + " is the head, PFNs " + (head + 1) + "-" + (head + nr - 1)
                    + " are tails (compound_head = " + hex(headWord) + ")");
        }
    }

    /**
     * What compaction_alloc() does to the free block it hands out: prep_new_page(), the reference the
     * migration holds and, for a folio target, its compound metadata and PG_large_rmappable.
     */
    void prepCompactionTarget(long pfn, int order, boolean folio) {
        prepNewPage(pfn, order, folio ? Gfp.__GFP_COMP : 0);
        memmap.setRefcount(pfn, 1);
        if (folio && order > 0) memmap.setWord(pfn + 1, Memmap.W_FLAGS, memmap.flags(pfn + 1) | (1L << PageFlag.PG_large_rmappable));
    }

    void setFolioField(long head, String field, long value) {
        var f = profile.folio().field(field);
        memmap.writeBytes(head * Addresses.STRUCT_PAGE_SIZE + f.offset(), f.size(), value);
    }

    long folioField(long head, String field) {
        var f = profile.folio().field(field);
        return f.decode(memmap.readBytes(head * Addresses.STRUCT_PAGE_SIZE + f.offset(), f.size()));
    }

    /**
     * folio_alloc(gfp, order): alloc_pages with __GFP_COMP, then page_rmappable_folio (PG_large_rmappable
     * in _flags_1 for a large folio). Returns the head PFN or -1.
     */
    public long folioAlloc(int gfp, int order) {
        long pfn = memdescs == null ? allocPages(gfp | Gfp.__GFP_COMP, order)
                : memdescs.folioAlloc(this, gfp, order, o -> allocPages(gfp | Gfp.__GFP_COMP, o)); // profile hook
        if (pfn >= 0 && order > 0) {
            memmap.setWord(pfn + 1, Memmap.W_FLAGS, memmap.flags(pfn + 1) | (1L << PageFlag.PG_large_rmappable));
        }
        return pfn;
    }

    // ---------------------------------------------------------------- references

    /** get_page(): folio_get(page_folio(page)). */
    public void getPage(long pfn) {
        requirePage(pfn, "get_page");
        if (slub.getPageRefused(compoundHeadPfn(pfn))) return;
        folioGet(compoundHeadPfn(pfn));
    }

    /** folio_get(): one more reference on the head. */
    public void folioGet(long head) {
        requirePage(head, "folio_get");
        int ref = memmap.refcount(head);
        if (ref <= 0) {
            throw vmBug(head, "VM_BUG_ON_FOLIO(folio_ref_zero_or_close_to_overflow(folio))",
                    "folio_get() on a folio whose refcount is " + ref + " (it is free, or a tail page cast to a folio)");
        }
        memmap.setRefcount(head, ref + 1);
        if (trace.on()) trace.emit("folio_get", "refcount of PFN " + head + " is now " + (ref + 1), 0);
    }

    /** put_page(): folio_put(page_folio(page)). */
    public void putPage(long pfn) {
        requirePage(pfn, "put_page");
        if (slub.putPageIgnored(compoundHeadPfn(pfn))) return;
        folioPut(compoundHeadPfn(pfn));
    }

    /** folio_put(): drop a reference; the last one frees the whole folio (__folio_put). */
    public void folioPut(long head) {
        requirePage(head, "folio_put");
        if (FlagsWord.isZoneDevice(memmap.flags(head))) { // __folio_put: zone-device pages go to their pgmap
            zoneDevice.folioPut(head);
            return;
        }
        int ref = memmap.refcount(head);
        if (ref <= 0) {
            if (memmap.isBuddy(head) || ref == 0) throw badFree(head, "folio_put");
        }
        int order = memmap.isHead(head) ? (int) (memmap.flags(head + 1) & 0xff) : 0;
        if (ref == 1 && memoryTypes.isHugetlbFolio(head)) { // __folio_put: hugetlb folios go back to their pool
            memoryTypes.freeHugeFolio(head);
            return;
        }
        if (ref == 1) refuseFreeingLiveTable(head, "folio_put");
        if (ref == 1) checkFree(head, order, memmap.isHead(head), true);
        if (ref > 1) refuseDroppingOwnersRef(head, ref, "folio_put");
        memmap.setRefcount(head, ref - 1);
        if (trace.on()) trace.emit("folio_put", "refcount of PFN " + head + " is now " + (ref - 1), 0);
        if (ref == 1) {
            if (trace.on()) trace.emit("__folio_put", "last reference gone: free the order-" + order + " folio");
            freeFrozenPages(head, order);
        }
    }

    /**
     * Refuses a put that would leave fewer references than the folio's owners (its PTEs and the page
     * cache) hold. The kernel has no such check: the put succeeds and the bug shows later, when an owner
     * drops its reference on a freed folio (a refcount underflow, a use-after-free). The lab stops it at
     * the put so the machine stays consistent, and says why.
     */
    private void refuseDroppingOwnersRef(long head, int ref, String fn) {
        int owners = user.ownersRefs(head);
        if (owners > 0 && ref - 1 < owners) {
            throw KernelError.error(fn + "(): PFN " + head + " has refcount " + ref + " and its page-table mappings and the page cache "
                    + "hold " + owners + " of them: this put drops a reference the caller never took. In the kernel the folio "
                    + "would be freed while still mapped or cached (found later as a refcount underflow); the lab refuses it, "
                    + "and nothing changed");
        }
    }

    /**
     * __free_pages(page, order): drop a reference; if it was the last, free the whole block. If others
     * still hold the first page and it is not a compound head, free the upper parts now (scenario 17).
     */
    public void freePages(long pfn, int order) {
        requirePage(pfn, "__free_pages");
        if (order < 0 || order > Zone.MAX_PAGE_ORDER) {
            throw KernelError.error("__free_pages(): order " + order + " is outside 0.." + Zone.MAX_PAGE_ORDER);
        }
        int ref = memmap.refcount(pfn);
        if (ref <= 0) throw badFree(pfn, "__free_pages");
        if (memoryTypes.isHugetlbFolio(pfn)) {
            throw KernelError.error("__free_pages(): PFN " + pfn + " is a hugetlb folio; folio_put() returns it to the hugetlb pool");
        }
        boolean head = memmap.isHead(pfn);
        if (head && compoundOrder(pfn) != order) {
            throw vmBug(pfn, "VM_BUG_ON_PAGE(compound && compound_order(page) != order)",
                    "__free_pages() of an order-" + compoundOrder(pfn) + " compound page with order " + order);
        }
        if (!head && memmap.isTail(pfn)) {
            throw vmBug(pfn, "VM_BUG_ON_PAGE(PageTail(page))", "__free_pages() of a tail page; free the head (or use folio_put)");
        }
        if (pfn + (1L << order) > config.pages()) {
            throw KernelError.error("__free_pages(): the order-" + order + " block at PFN " + pfn + " runs past the end of memory");
        }
        if (ref == 1) {
            refuseFreeingLiveTable(pfn, "__free_pages");
            checkFree(pfn, order, head, true);
        } else {
            refuseDroppingOwnersRef(pfn, ref, "__free_pages");
            if (!head) for (int o = order - 1; o >= 0; o--) checkFree(pfn + (1L << o), o, false, false);
        }
        memmap.setRefcount(pfn, ref - 1);
        if (trace.on()) trace.emit("__free_pages", "PFN " + pfn + " order " + order + ": refcount now " + (ref - 1), 0);
        if (ref == 1) {
            freeFrozenPages(pfn, order);
        } else if (!head) {
            int o = order;
            while (o-- > 0) {
                if (trace.on()) trace.emit("__free_pages", "others hold PFN " + pfn + ": free PFN " + (pfn + (1L << o)) + " at order " + o);
                freeFrozenPages(pfn + (1L << o), o);
            }
        }
    }

    /**
     * split_page(): turn a non-compound order-n allocation into 2^n order-0 pages, each with its own
     * reference.
     */
    public void splitPage(long pfn, int order) {
        requirePage(pfn, "split_page");
        if (order < 0 || order > Zone.MAX_PAGE_ORDER) throw KernelError.error("split_page(): bad order " + order);
        if (memmap.isHead(pfn) || memmap.isTail(pfn)) {
            throw vmBug(pfn, "VM_BUG_ON_PAGE(PageCompound(page))", "split_page() of a compound page (use split_folio for folios)");
        }
        if (memmap.refcount(pfn) == 0) {
            throw vmBug(pfn, "VM_BUG_ON_PAGE(!page_count(page))", "split_page() of a page nobody holds (refcount 0)");
        }
        if (pfn + (1L << order) > config.pages()) {
            throw KernelError.error("split_page(): the order-" + order + " block at PFN " + pfn + " runs past the end of memory");
        }
        for (long p = pfn + 1; p < pfn + (1L << order); p++) {
            if (memmap.refcount(p) != 0 || memmap.isTail(p) || memmap.isBuddy(p) || onPcp.get((int) p)) {
                throw vmBug(p, "VM_BUG_ON_PAGE(page_ref_count(page))", "split_page(): PFN " + p
                        + " is not an unreferenced part of this allocation (wrong order?)");
            }
        }
        for (long p = pfn + 1; p < pfn + (1L << order); p++) memmap.setRefcount(p, 1);
        if (trace.on()) trace.emit("split_page", "PFNs " + pfn + "-" + (pfn + (1L << order) - 1) + " now each have refcount 1", 0);
    }

    // ---------------------------------------------------------------- freeing internals

    /**
     * The checks of free_pages_prepare() (free_page_is_bad and free_tail_page_prepare), run before
     * anything changes. {@code headDropping}: the head's refcount is about to reach zero, so it is
     * not counted.
     */
    private void checkFree(long pfn, int order, boolean compound, boolean headDropping) {
        if (pfn + (1L << order) > config.pages()) {
            throw KernelError.error("the order-" + order + " block at PFN " + pfn + " runs past the end of memory");
        }
        long nr = 1L << order;
        for (long i = 1; i < nr; i++) {
            long p = pfn + i;
            String reason = compound ? tailBadReason(pfn, p, i) : null;
            if (reason == null && !compound) reason = pageBadReason(p, false);
            if (reason == null && onPcp.get((int) p)) reason = "page is free (on a per-CPU list)";
            if (reason != null) throw badPage(p, reason);
        }
        String reason = pageBadReason(pfn, headDropping);
        if (reason != null) throw badPage(pfn, reason);
    }

    /** page_bad_reason(page, PAGE_FLAGS_CHECK_AT_FREE): the last failing check wins, as in the kernel. */
    private String pageBadReason(long pfn, boolean ignoreRef) {
        String reason = null;
        long typeRef = memmap.word(pfn, Memmap.W_TYPE_REF);
        int type = (int) typeRef;
        boolean typed = PageType.hasType(type) && (type >>> 24) != PageType.PGTY_buddy.value();
        if (type != -1 && !typed) reason = "nonzero mapcount";
        long mapping = memmap.mapping(pfn);
        if (mapping != 0 && (mapping & 1) == 0) reason = "non-NULL mapping";
        if (!ignoreRef && (int) (typeRef >>> 32) != 0) reason = "nonzero _refcount";
        if ((memmap.flags(pfn) & PageFlag.PAGE_FLAGS_CHECK_AT_FREE) != 0) reason = "PAGE_FLAGS_CHECK_AT_FREE flag(s) set";
        if (memmap.word(pfn, Memmap.W_MEMCG) != 0) reason = "page still charged to cgroup";
        return reason;
    }

    /** free_tail_page_prepare(): what each tail must look like when its folio is freed. */
    private String tailBadReason(long head, long p, long i) {
        if (i == 1) {
            if (folioField(head, "_large_mapcount") != -1) return "nonzero large_mapcount";
            if (folioField(head, "_nr_pages_mapped") != 0) return "nonzero nr_pages_mapped";
            if (folioField(head, "_mm_id_mapcount[0]") != -1) return "nonzero mm mapcount 0";
            if (folioField(head, "_mm_id_mapcount[1]") != -1) return "nonzero mm mapcount 1";
            if (folioField(head, "_entire_mapcount") != -1) return "nonzero entire_mapcount";
            if (folioField(head, "_pincount") != 0) return "nonzero pincount";
        } else if (i == 2) {
            long list = Addresses.pageAddress(head) + profile.folio().offsetof("_deferred_list");
            if (folioField(head, "_deferred_list.next") != list) return "on deferred list";
        } else if (i > 3 || !hugetlbConfigured()) {
            if (memmap.mapping(p) != Addresses.TAIL_MAPPING) return "corrupted mapping in tail page";
        }
        if (!memmap.isTail(p)) return "PageTail not set";
        if (memmap.compoundWord(p) - 1 != Addresses.pageAddress(head)) return "compound_head not consistent";
        return null;
    }

    /** free_frozen_pages() with the free-time checks: how slab pages and large kmalloc go back (refcount already 0). */
    void freeFrozen(long pfn, int order) {
        checkFree(pfn, order, memmap.isHead(pfn), true);
        freeFrozenPages(pfn, order);
    }

    /** The 6.18 profile models a distribution kernel: CONFIG_HUGETLB_PAGE is set, so page[3] is not checked. */
    private static boolean hugetlbConfigured() { return true; }

    /**
     * free_frozen_pages() after the checks passed: __free_pages_prepare's clearing, then the per-CPU
     * list or free_one_page.
     */
    private void freeFrozenPages(long pfn, int order) {
        if (order == 0 && memmap.testFlag(pfn, PageFlag.PG_hwpoison)) {
            // free_pages_prepare(): "Do not let hwpoison pages hit pcplists/buddy"; the lab also drops the type
            if (PageType.hasType(memmap.pageType(pfn))) memmap.setPageType(pfn, PageType.NO_TYPE);
            if (trace.on()) trace.emit("free_pages_prepare", "PFN " + pfn + " is PageHWPoison: it never goes back to the free lists");
            if (memdescs != null) memdescs.release(this, pfn); // profile hook: the descriptor goes with the owner
            return;
        }
        boolean compound = memmap.isHead(pfn);
        if (order > 0) {
            if (compound) {
                memmap.setWord(pfn + 1, Memmap.W_FLAGS, memmap.flags(pfn + 1) & ~PageFlag.PAGE_FLAGS_SECOND);
                setFolioField(pfn, "_nr_pages", 0);
            }
            for (long i = 1; i < (1L << order); i++) {
                long p = pfn + i;
                if (compound) {
                    memmap.setWord(p, Memmap.W_MAPPING, 0);
                    memmap.setWord(p, Memmap.W_LRU_NEXT, 0);
                }
                memmap.setFlags(p, memmap.flags(p) & ~PageFlag.PAGE_FLAGS_CHECK_AT_PREP);
            }
        }
        if ((memmap.mapping(pfn) & 1) != 0) memmap.setWord(pfn, Memmap.W_MAPPING, 0);
        int type = memmap.pageType(pfn);
        if (PageType.hasType(type)) memmap.setPageType(pfn, PageType.NO_TYPE);
        memmap.setFlags(pfn, memmap.flags(pfn) & ~PageFlag.PAGE_FLAGS_CHECK_AT_PREP);
        if (pcp != null && PerCpuPages.allowedOrder(order)) {
            freeToPcp(pfn, order);
        } else {
            splitLargeBuddy(pfn, order, false);
        }
        if (memdescs != null) memdescs.release(this, pfn); // profile hook: the descriptor follows its pages
    }

    /** free_one_page → split_large_buddy: blocks above pageblock_order are freed a pageblock at a time. */
    private void splitLargeBuddy(long pfn, int order, boolean toTail) {
        int chunk = Math.min(order, Zone.PAGEBLOCK_ORDER);
        long end = pfn + (1L << order);
        for (long p = pfn; p < end; p += 1L << chunk) zone.freeOnePage(p, chunk, toTail);
    }

    private void freeToPcp(long pfn, int order) {
        int id = pcp.listId(cpu, order);
        lists.add(pfn, id);
        onPcp.set((int) pfn);
        int toFree = pcp.noteFreeAndComputeDrain(cpu, order);
        if (trace.on()) trace.emit("free_frozen_page_commit", "put PFN " + pfn + " at the head of CPU " + cpu + "'s order-" + order + " list");
        if (toFree > 0) freePcppagesBulk(cpu, toFree, PerCpuPages.pindex(order));
    }

    /** free_pcppages_bulk(): return pages from list tails, round-robin over the lists, to the buddy lists. */
    private void freePcppagesBulk(int c, int count, int pindex) {
        if (trace.on()) trace.emit("free_pcppages_bulk", "CPU " + c + " has too many pages: return " + count + " to the buddy lists");
        pindex = pindex - 1;
        while (count > 0) {
            int order;
            int id;
            int guard = 0;
            do {
                if (++pindex > PerCpuPages.NR_PCP_LISTS - 1) pindex = 0;
                order = pindex / PerCpuPages.MIGRATE_PCPTYPES;
                id = pindex % PerCpuPages.MIGRATE_PCPTYPES == 0 && order <= PerCpuPages.PCP_MAX_ORDER ? pcp.listId(c, order) : -1;
                if (++guard > 2 * PerCpuPages.NR_PCP_LISTS) return;
            } while (id < 0 || lists.isEmpty(id));
            int nr = 1 << order;
            do {
                long p = lists.last(id);
                lists.del(p, id);
                onPcp.clear((int) p);
                count -= nr;
                pcp.noteDrained(c, nr);
                zone.freeOnePage(p, order, false);
            } while (count > 0 && !lists.isEmpty(id));
        }
    }

    /** drain_all_pages(): every CPU's per-CPU lists back to the buddy allocator. */
    public void drainAllPages() {
        if (pcp == null) return;
        for (int c = 0; c < config.cpus(); c++) {
            if (pcp.count(c) > 0) freePcppagesBulk(c, pcp.count(c), 0);
        }
    }

    // ---------------------------------------------------------------- compound pages and folios

    /** compound_head() as a PFN: the head for a tail page, the page itself otherwise. */
    public long compoundHeadPfn(long pfn) {
        long w = memmap.compoundWord(pfn);
        if ((w & 1) == 0) return pfn;
        return (w - 1 - Addresses.VMEMMAP_BASE) / Addresses.STRUCT_PAGE_SIZE;
    }

    /** compound_order(): 0 unless the page is a head (so 0 for a tail page). */
    public int compoundOrder(long pfn) {
        if (!memmap.isHead(pfn)) return 0;
        if (pfn + 1 >= config.pages()) return 0;
        return (int) (memmap.flags(pfn + 1) & 0xff);
    }

    /**
     * Classifies one PFN from the memmap alone, walking up to find a free block that covers it.
     */
    public Owner owner(long pfn) {
        if (FlagsWord.isZoneDevice(memmap.flags(pfn))) return Owner.ZONE_DEVICE;
        if (memmap.testFlag(pfn, PageFlag.PG_reserved)) return Owner.RESERVED;
        if (memmap.isBuddy(pfn)) return Owner.FREE_HEAD;
        if (onPcp.get((int) pfn)) return Owner.FREE_PCP;
        long head = compoundHeadPfn(pfn);
        if (validPfn(head)) {
            int type = memmap.pageType(head) >>> 24;
            if (type == PageType.PGTY_slab.value()) return Owner.SLAB;
            if (type == PageType.PGTY_large_kmalloc.value()) return Owner.LARGE_KMALLOC;
            if (type == PageType.PGTY_zsmalloc.value()) return Owner.ZSMALLOC;
            if (type == PageType.PGTY_table.value()) return Owner.PAGE_TABLE;
            if (type == PageType.PGTY_offline.value()) return Owner.OFFLINE;
            if (type == PageType.PGTY_guard.value()) return Owner.GUARD;
        }
        if (memmap.isTail(pfn)) return Owner.TAIL;
        Owner user = userOwner(pfn);
        if (user != null) return user;
        if (memmap.isHead(pfn)) return Owner.HEAD;
        if (memmap.refcount(pfn) > 0) {
            if (MemoryTypes.isPpPage(memmap, pfn)) return Owner.NET_POOL;
            int t = memmap.pageType(pfn);
            return t == PageType.NO_TYPE || PageType.hasType(t) ? Owner.PAGE : Owner.DRIVER_MAPPED; // a mapcount: vm_insert_page
        }
        if (freeBlockHead(pfn) >= 0) return Owner.FREE_INSIDE;
        return Owner.PAGE_INSIDE;
    }

    /** An anonymous folio (anon bit in mapping) or a page-cache folio (mapping names a file), from the memmap. */
    private Owner userOwner(long pfn) {
        long mapping = memmap.mapping(pfn);
        if (mapping == 0 || memmap.refcount(pfn) <= 0) return null;
        if ((mapping & UserMemory.FOLIO_MAPPING_ANON) != 0 && (mapping & 2) == 0) return Owner.ANON;
        if ((mapping & 3) == 0 && user.fileAt(mapping) != null) return Owner.FILE;
        return null;
    }

    /** The head PFN of the free buddy block containing {@code pfn}, or -1 if it is not in one. */
    public long freeBlockHead(long pfn) {
        for (int order = 0; order < Zone.NR_PAGE_ORDERS; order++) {
            long start = pfn & ~((1L << order) - 1);
            if (memmap.isBuddy(start) && zone.buddyOrder(start) >= order && start + (1L << zone.buddyOrder(start)) > pfn) {
                return start;
            }
        }
        return -1;
    }

    /**
     * Reads {@code size} bytes of kernel memory at {@code addr}, as a C dereference would. Only the
     * memmap (struct pages) is simulated; anything else is a page fault, as it would be for an address
     * nothing maps, or a clear "not simulated" error for real kernel data the lab does not model.
     */
    public long readMemory(long addr, int size) {
        long off = addr - Addresses.VMEMMAP_BASE;
        if (Addresses.inVmemmap(addr) && off >= 0 && off + size <= memmap.byteSize()) return memmap.readBytes(off, size);
        if (Addresses.inVmemmap(addr) || addr == 0 || Long.compareUnsigned(addr, 4096) < 0
                || (addr & 0xffff800000000000L) != 0xffff800000000000L) {
            throw new KernelError(List.of(
                    String.format("BUG: unable to handle page fault for address: %016x", addr),
                    "#PF: supervisor read access in kernel mode",
                    "#PF: error_code(0x0000) - not-present page"));
        }
        if (memdescs != null) { // profile hook: a descriptor's bytes encode its owner's state
            Long v = memdescs.read(this, addr, size);
            if (v != null) return v;
        }
        if (zsmalloc.readable(addr)) return zsmalloc.read(addr, size);
        if (slub.readable(addr)) return slub.read(addr, size);
        throw KernelError.error(String.format("the lab does not simulate the memory at 0x%016x (only struct pages are readable)", addr));
    }

    // ---------------------------------------------------------------- errors

    private void requirePage(long pfn, String fn) {
        if (!validPfn(pfn)) {
            throw new KernelError(List.of(
                    String.format("BUG: unable to handle page fault for address: %016x", Addresses.pageAddress(pfn)),
                    "#PF: supervisor read access in kernel mode",
                    "#PF: error_code(0x0000) - not-present page",
                    "(" + fn + "() was given a struct page outside this machine's memmap, PFNs 0.." + (config.pages() - 1) + ")"));
        }
    }

    /** bad_page(): the kernel's splat for a page that should not be freed in its state. */
    KernelError badPage(long pfn, String reason) {
        List<String> lines = new ArrayList<>();
        lines.add(String.format("BUG: Bad page state in process lab  pfn:%05x", pfn));
        lines.addAll(DumpPage.dump(this, pfn));
        lines.add("page dumped because: " + reason);
        return new KernelError(lines);
    }

    /**
     * Freeing a page nobody holds. A free page (the design's double free) is a Bad page state: a buddy
     * head's type reads as a mapcount. A tail, or an inner page of an allocation, trips the
     * VM_BUG_ON in put_page_testzero, as a CONFIG_DEBUG_VM kernel would.
     */
    private KernelError badFree(long pfn, String fn) {
        if (memmap.isBuddy(pfn)) return badPage(pfn, "nonzero mapcount");
        String condition = "VM_BUG_ON_PAGE(page_ref_count(page) == 0)";
        if (memmap.isTail(pfn)) {
            return vmBug(pfn, condition, fn + "() of a tail page, whose refcount is 0: the folio's reference is on its head");
        }
        if (freeBlockHead(pfn) < 0 && !onPcp.get((int) pfn)) {
            return vmBug(pfn, condition, fn + "() of a page whose refcount is 0: the first page of its allocation holds the reference");
        }
        return badPage(pfn, condition);
    }

    /**
     * The kernel resets page_type when it frees a page, so a stray put_page() on a live page table frees
     * it silently and the process walks freed memory; the lab refuses instead.
     */
    private void refuseFreeingLiveTable(long pfn, String fn) {
        if (user.isTable(pfn)) {
            throw KernelError.error(fn + "() would free PFN " + pfn + ", a page table still in use by a process: the kernel "
                    + "would free it (free resets page_type) and leave the process's tables pointing at a free page; page "
                    + "tables are freed by do_munmap() and mmput()");
        }
    }

    /** A VM_BUG_ON that a CONFIG_DEBUG_VM kernel would hit: an explanation, then the kernel's dump. */
    KernelError vmBug(long pfn, String condition, String explanation) {
        List<String> lines = new ArrayList<>();
        lines.add("error: " + explanation + "; a CONFIG_DEBUG_VM kernel stops here:");
        lines.addAll(DumpPage.dump(this, pfn));
        lines.add("page dumped because: " + condition);
        return new KernelError(lines);
    }

    static String hex(long v) { return String.format("0x%016x", v); }

    // ---------------------------------------------------------------- whole-machine views

    /** A hash of the memmap and all allocator state: equal digests mean nothing changed. */
    public long digest() {
        long h = memmap.digest();
        h = h * 31 + lists.digest();
        h = h * 31 + zone.digest();
        h = h * 31 + (pcp == null ? 0 : pcp.digest());
        h = h * 31 + onPcp.hashCode();
        h = h * 31 + cpu;
        h = h * 31 + slub.digest();
        h = h * 31 + zsmalloc.digest();
        h = h * 31 + (memdescs == null ? 0 : memdescs.digest());
        h = h * 31 + user.digest();
        h = h * 31 + memoryTypes.digest();
        h = h * 31 + zoneDevice.digest();
        return h;
    }

    /** The invariants of design.md section 2; an empty list means all hold. */
    public List<String> checkConsistency() {
        List<String> problems = new Consistency(this, lists).check();
        if (memdescs == null) return problems;
        List<String> all = new ArrayList<>(problems); // profile hook
        all.addAll(memdescs.check(this));
        return all;
    }

    /**
     * Profile hook: reads {@code size} bytes of a struct page as the profile's era stores it (the
     * console's {@code p->member}); anything outside the memmap reads as {@link #readMemory}. Struct
     * pages keep the lab's 64-byte vmemmap stride in every profile; a smaller era struct page occupies
     * the start of its slot and the rest of the slot does not exist.
     */
    public long readPageView(long addr, int size) {
        long off = addr - Addresses.VMEMMAP_BASE;
        if (!Addresses.inVmemmap(addr) || off < 0 || off + size > memmap.byteSize()) return readMemory(addr, size);
        if (profile.encoding() == PageEncoding.CANONICAL) return memmap.readBytes(off, size);
        long pfn = off / Addresses.STRUCT_PAGE_SIZE;
        int in = (int) (off % Addresses.STRUCT_PAGE_SIZE);
        int structSize = profile.structPageSize();
        if (in + size > structSize) {
            throw KernelError.error(String.format("the %s profile's struct page is %d bytes: offset %d of PFN %d's struct page "
                    + "does not exist", profile.id(), structSize, in, pfn));
        }
        long[] w = profile.encoding().words(this, pfn);
        long v = 0;
        for (int b = size - 1; b >= 0; b--) {
            int at = in + b;
            v = (v << 8) | ((w[at >>> 3] >>> ((at & 7) * 8)) & 0xff);
        }
        return v;
    }
}

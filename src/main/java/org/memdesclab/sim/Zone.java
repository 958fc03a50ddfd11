package org.memdesclab.sim;

/**
 * One zone ("Normal", node 0) and its buddy allocator. The algorithms mirror mm/page_alloc.c:
 * {@code __rmqueue_smallest} with {@code expand}, and {@code __free_one_page} with
 * {@code buddy_merge_likely}. The free lists are list_heads threaded through the memmap and anchored
 * in {@code zone->free_area[order].free_list[migratetype]}.
 *
 * <p>Simplification: every request is MIGRATE_UNMOVABLE, as in a real kernel whose zone is too small
 * for mobility grouping ({@code page_group_by_mobility_disabled}, kernel-facts.md section 6.1). The
 * lab keeps that behaviour for larger machines too, and says so.
 */
public final class Zone {
    public static final int MAX_PAGE_ORDER = 10;
    public static final int NR_PAGE_ORDERS = MAX_PAGE_ORDER + 1;
    public static final int PAGE_ALLOC_COSTLY_ORDER = 3;
    public static final int PAGEBLOCK_ORDER = 9;
    public static final int MIGRATE_TYPES = 5;
    public static final int MIGRATE_UNMOVABLE = 0;
    public static final String[] MIGRATETYPE_NAMES = {"Unmovable", "Movable", "Reclaimable", "HighAtomic", "Isolate"};

    private final Memmap memmap;
    private final ListHeads lists;
    private final Trace trace;
    private final long[] nrFree;
    /** debug_guardpage_minorder (with debug_pagealloc=on): split-off halves below it become guard pages; 0 = off. */
    private int guardMinOrder;

    Zone(Memmap memmap, ListHeads lists, Trace trace) {
        this.memmap = memmap;
        this.lists = lists;
        this.trace = trace;
        this.nrFree = new long[NR_PAGE_ORDERS];
    }

    private Zone(Zone o, Memmap memmap, ListHeads lists, Trace trace) {
        this.memmap = memmap;
        this.lists = lists;
        this.trace = trace;
        this.nrFree = o.nrFree.clone();
        this.guardMinOrder = o.guardMinOrder;
    }

    Zone copy(Memmap m, ListHeads l, Trace t) { return new Zone(this, m, l, t); }

    /** Address of {@code free_area[order].free_list[mt]} inside the simulated struct zone. */
    static long freeListAddress(int order, int mt) {
        return Addresses.ZONE_NORMAL_ADDR + Addresses.FREE_AREA_OFFSET + order * Addresses.FREE_AREA_SIZE + mt * 16L;
    }

    /** Anchor id of a free list in {@link ListHeads}. */
    static int listId(int order, int mt) { return order * MIGRATE_TYPES + mt; }

    public long nrFree(int order) { return nrFree[order]; }

    /** NR_FREE_PAGES: pages on the buddy free lists (pages parked on per-CPU lists are not counted). */
    public long freePages() {
        long n = 0;
        for (int o = 0; o < NR_PAGE_ORDERS; o++) n += nrFree[o] << o;
        return n;
    }

    /** list_first_entry of free_area[order] for UNMOVABLE, or -1. */
    public long firstFree(int order) { return lists.first(listId(order, MIGRATE_UNMOVABLE)); }

    /** The PFNs of the blocks on free_area[order], head to tail. */
    public long[] freeList(int order) {
        int id = listId(order, MIGRATE_UNMOVABLE);
        long[] out = new long[(int) Math.min(nrFree[order], Integer.MAX_VALUE - 8)];
        int n = 0;
        for (long p = lists.first(id); p >= 0 && n < out.length; p = lists.nextPfn(p, id)) out[n++] = p;
        return n == out.length ? out : java.util.Arrays.copyOf(out, n);
    }

    /** set_buddy_order + list_add / list_add_tail + nr_free++. */
    void addToFreeList(long pfn, int order, boolean tail) {
        memmap.setWord(pfn, Memmap.W_PRIVATE, order);
        memmap.setPageType(pfn, PageType.PGTY_buddy.word());
        if (tail) lists.addTail(pfn, listId(order, MIGRATE_UNMOVABLE));
        else lists.add(pfn, listId(order, MIGRATE_UNMOVABLE));
        nrFree[order]++;
    }

    /** __del_page_from_free_list: list_del, __ClearPageBuddy, private = 0, nr_free--. */
    void delFromFreeList(long pfn, int order) {
        lists.del(pfn, listId(order, MIGRATE_UNMOVABLE));
        memmap.setPageType(pfn, PageType.NO_TYPE);
        memmap.setWord(pfn, Memmap.W_PRIVATE, 0);
        nrFree[order]--;
    }

    /** page_is_buddy(): the buddy is a free block head (or a guard page) of exactly this order, inside the zone. */
    boolean pageIsBuddy(long buddyPfn, int order) {
        return buddyPfn >= 0 && buddyPfn < memmap.nrPages() && (memmap.isBuddy(buddyPfn) || isGuard(buddyPfn))
                && memmap.privateWord(buddyPfn) == order;
    }

    boolean isGuard(long pfn) { return (memmap.pageType(pfn) >>> 24) == PageType.PGTY_guard.value(); }

    public int guardMinOrder() { return guardMinOrder; }

    void setGuardMinOrder(int order) { guardMinOrder = order; }

    /**
     * set_page_guard(): below debug_guardpage_minorder a split-off block is not put on a free list but
     * kept out of use as a guard (PGTY_guard, order in private, not counted free). False if the order is too high.
     */
    boolean setPageGuard(long pfn, int order) {
        if (order >= guardMinOrder) return false;
        long self = ListHeads.entryOf(pfn);
        memmap.setWord(pfn, Memmap.W_LRU_NEXT, self);
        memmap.setWord(pfn, Memmap.W_LRU_PREV, self);
        memmap.setWord(pfn, Memmap.W_PRIVATE, order);
        memmap.setPageType(pfn, PageType.PGTY_guard.word());
        if (trace.on()) trace.emit("set_page_guard", "PFN " + pfn + " (order " + order + ") becomes a guard page", 2);
        return true;
    }

    /** clear_page_guard(): the guard's buddy came back, so the guard merges as a free buddy would. */
    private void clearPageGuard(long pfn) {
        memmap.setPageType(pfn, PageType.NO_TYPE);
        memmap.setWord(pfn, Memmap.W_PRIVATE, 0);
    }

    /** The order of a free block head ({@code buddy_order()}), valid only when PageBuddy. */
    public int buddyOrder(long pfn) { return (int) memmap.privateWord(pfn); }

    /**
     * __rmqueue_smallest(): take the first block of the smallest sufficient order, split it with
     * expand(), and return its lowest PFN; -1 if no block is large enough.
     */
    long rmqueueSmallest(int order) {
        for (int current = order; current < NR_PAGE_ORDERS; current++) {
            long pfn = lists.first(listId(current, MIGRATE_UNMOVABLE));
            if (pfn < 0) continue;
            delFromFreeList(pfn, current);
            if (trace.on()) {
                trace.emit("__rmqueue_smallest", "took the order-" + current + " block at PFN " + pfn
                        + " from the head of free_area[" + current + "]");
            }
            expand(pfn, order, current);
            return pfn;
        }
        if (trace.on()) trace.emit("__rmqueue_smallest", "no free block of order " + order + " or above");
        return -1;
    }

    /** expand(): give back the upper halves, largest first, each at the head of its list. */
    private void expand(long pfn, int low, int high) {
        while (high > low) {
            high--;
            long half = pfn + (1L << high);
            if (setPageGuard(half, high)) continue;
            addToFreeList(half, high, false);
            if (trace.on()) trace.emit("expand", "put PFN " + half + " on free_area[" + high + "]", 2);
        }
    }

    /**
     * __free_one_page(): merge with free buddies while possible, then put the block at the head of its
     * list, or at the tail when told to (FPI_TO_TAIL) or when buddy_merge_likely() says its buddy may
     * soon come back.
     */
    void freeOnePage(long pfn, int order, boolean fpiToTail) {
        long buddyPfn = pfn;
        while (order < MAX_PAGE_ORDER) {
            buddyPfn = pfn ^ (1L << order);
            if (!pageIsBuddy(buddyPfn, order)) break;
            if (isGuard(buddyPfn)) clearPageGuard(buddyPfn);
            else delFromFreeList(buddyPfn, order);
            if (trace.on()) {
                trace.emit("__free_one_page", "merged with its order-" + order + " buddy at PFN " + buddyPfn, 2);
            }
            pfn = buddyPfn & pfn;
            order++;
        }
        boolean toTail = fpiToTail || buddyMergeLikely(pfn, buddyPfn, order);
        addToFreeList(pfn, order, toTail);
        if (trace.on()) {
            trace.emit("__free_one_page", "put the order-" + order + " block at PFN " + pfn + " at the "
                    + (toTail ? "tail" : "head") + " of free_area[" + order + "]"
                    + (toTail && !fpiToTail ? " (buddy_merge_likely)" : ""));
        }
    }

    /**
     * buddy_merge_likely(): if the order+1 block that contains us has a free buddy of order+1, our
     * own buddy's return would merge twice, so keep this block at the tail, out of the way.
     */
    boolean buddyMergeLikely(long pfn, long buddyPfn, int order) {
        if (order >= MAX_PAGE_ORDER - 1) return false;
        long higherPagePfn = buddyPfn & pfn;
        long higherBuddyPfn = higherPagePfn ^ (1L << (order + 1));
        return pageIsBuddy(higherBuddyPfn, order + 1);
    }

    long digest() {
        long h = 17;
        for (long n : nrFree) h = h * 31 + n;
        return h * 31 + guardMinOrder;
    }
}

package org.memdesclab.sim;

import java.util.Arrays;

/**
 * Doubly linked {@code struct list_head} lists threaded through the memmap, as the kernel threads
 * free lists through {@code page->buddy_list} and {@code page->pcp_list}: a page's next and prev are
 * the words at offsets 8 and 16 and hold struct page addresses (of the lru member, which is at offset
 * 8, so entry address = struct page address + 8). The list heads (anchors) live in simulated kernel
 * structures outside the memmap: {@code zone->free_area[order].free_list[mt]} and
 * {@code per_cpu_pages.lists[pindex]}.
 */
final class ListHeads {
    static final long LRU_OFFSET = 8;

    private final Memmap memmap;
    private final long[] anchorAddr;
    /** Open-addressing table from anchor address to anchor id (no boxing on the hot path). */
    private final long[] slotKey;
    private final int[] slotId;
    private final long[] next;
    private final long[] prev;

    ListHeads(Memmap memmap, long[] anchorAddresses) {
        this.memmap = memmap;
        this.anchorAddr = anchorAddresses.clone();
        int cap = Integer.highestOneBit(Math.max(4, anchorAddr.length * 4)) * 2;
        this.slotKey = new long[cap];
        this.slotId = new int[cap];
        Arrays.fill(slotId, -1);
        for (int i = 0; i < anchorAddr.length; i++) {
            int s = slot(anchorAddr[i], cap);
            while (slotId[s] >= 0) s = (s + 1) & (cap - 1);
            slotKey[s] = anchorAddr[i];
            slotId[s] = i;
        }
        this.next = anchorAddresses.clone();
        this.prev = anchorAddresses.clone();
    }

    private ListHeads(ListHeads o, Memmap memmap) {
        this.memmap = memmap;
        this.anchorAddr = o.anchorAddr;
        this.slotKey = o.slotKey;
        this.slotId = o.slotId;
        this.next = o.next.clone();
        this.prev = o.prev.clone();
    }

    ListHeads copy(Memmap newMemmap) { return new ListHeads(this, newMemmap); }

    long anchorAddress(int id) { return anchorAddr[id]; }

    static long entryOf(long pfn) { return Addresses.pageAddress(pfn) + LRU_OFFSET; }

    /** The PFN whose lru member is at {@code entry}, or -1 if it is not a struct page of this memmap. */
    long pfnOfEntry(long entry) {
        long off = entry - LRU_OFFSET - Addresses.VMEMMAP_BASE;
        if (off < 0 || (off & 63) != 0) return -1;
        long pfn = off >>> 6;
        return pfn < memmap.nrPages() ? pfn : -1;
    }

    /** Zone free lists sit at fixed offsets (Zone.freeListAddress), so their ids are computed, not looked up. */
    private static final long ZONE_LISTS = Zone.freeListAddress(0, 0);
    private static final long ZONE_LISTS_SPAN = Zone.NR_PAGE_ORDERS * Addresses.FREE_AREA_SIZE;

    private int anchorOf(long entry) {
        long off = entry - ZONE_LISTS;
        if (off >= 0 && off < ZONE_LISTS_SPAN && (off & 15) == 0) {
            int mt = (int) ((off % Addresses.FREE_AREA_SIZE) >>> 4);
            if (mt < Zone.MIGRATE_TYPES) return Zone.listId((int) (off / Addresses.FREE_AREA_SIZE), mt);
        }
        int cap = slotKey.length;
        for (int s = slot(entry, cap); slotId[s] >= 0; s = (s + 1) & (cap - 1)) {
            if (slotKey[s] == entry) return slotId[s];
        }
        return -1;
    }

    private static int slot(long addr, int cap) {
        long h = (addr >>> 4) * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 40) & (cap - 1);
    }

    private long nextOf(long entry) {
        long pfn = pfnOfEntry(entry);
        if (pfn >= 0) return memmap.word(pfn, Memmap.W_LRU_NEXT);
        return next[anchorOf(entry)];
    }

    private void setNext(long entry, long v) {
        long pfn = pfnOfEntry(entry);
        if (pfn >= 0) memmap.setWord(pfn, Memmap.W_LRU_NEXT, v);
        else next[anchorOf(entry)] = v;
    }

    private void setPrev(long entry, long v) {
        long pfn = pfnOfEntry(entry);
        if (pfn >= 0) memmap.setWord(pfn, Memmap.W_LRU_PREV, v);
        else prev[anchorOf(entry)] = v;
    }

    boolean isEmpty(int id) { return next[id] == anchorAddr[id]; }

    /** list_first_entry: PFN of the first entry, or -1 when empty. */
    long first(int id) { return isEmpty(id) ? -1 : pfnOfEntry(next[id]); }

    /** list_last_entry: PFN of the last entry, or -1 when empty. */
    long last(int id) { return isEmpty(id) ? -1 : pfnOfEntry(prev[id]); }

    /** The PFN after {@code pfn} on list {@code id}, or -1 at the end. */
    long nextPfn(long pfn, int id) {
        long n = memmap.word(pfn, Memmap.W_LRU_NEXT);
        return n == anchorAddr[id] ? -1 : pfnOfEntry(n);
    }

    /** list_add: insert at the head. */
    void add(long pfn, int id) {
        long entry = entryOf(pfn);
        long head = anchorAddr[id];
        long oldFirst = next[id];
        memmap.setWord(pfn, Memmap.W_LRU_NEXT, oldFirst);
        memmap.setWord(pfn, Memmap.W_LRU_PREV, head);
        setPrev(oldFirst, entry);
        next[id] = entry;
    }

    /** list_add_tail: insert at the tail. */
    void addTail(long pfn, int id) {
        long entry = entryOf(pfn);
        long head = anchorAddr[id];
        long oldLast = prev[id];
        memmap.setWord(pfn, Memmap.W_LRU_NEXT, head);
        memmap.setWord(pfn, Memmap.W_LRU_PREV, oldLast);
        setNext(oldLast, entry);
        prev[id] = entry;
    }

    /** list_del: unlink and poison, as the kernel does. */
    void del(long pfn) {
        long n = memmap.word(pfn, Memmap.W_LRU_NEXT);
        long p = memmap.word(pfn, Memmap.W_LRU_PREV);
        setNext(p, n);
        setPrev(n, p);
        memmap.setWord(pfn, Memmap.W_LRU_NEXT, Addresses.LIST_POISON1);
        memmap.setWord(pfn, Memmap.W_LRU_PREV, Addresses.LIST_POISON2);
    }

    /** Raw next/prev of an anchor, for consistency checks. */
    long anchorNext(int id) { return next[id]; }

    long anchorPrev(int id) { return prev[id]; }

    long entryNext(long entry) { return nextOf(entry); }

    int anchorCount() { return anchorAddr.length; }

    long digest() { return Arrays.hashCode(next) * 31L + Arrays.hashCode(prev); }
}

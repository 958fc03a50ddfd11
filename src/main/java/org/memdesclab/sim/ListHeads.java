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
    private final long[] next;
    private final long[] prev;

    ListHeads(Memmap memmap, long[] anchorAddresses) {
        this.memmap = memmap;
        this.anchorAddr = anchorAddresses.clone();
        this.next = anchorAddresses.clone();
        this.prev = anchorAddresses.clone();
    }

    private ListHeads(ListHeads o, Memmap memmap) {
        this.memmap = memmap;
        this.anchorAddr = o.anchorAddr;
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

    /*
     * A member's neighbours are either members of the same list or that list's own head, so the
     * mutators below take the list id and never need to decode an arbitrary address.
     */

    private static long pfnOf(long entry) { return (entry - LRU_OFFSET - Addresses.VMEMMAP_BASE) >>> 6; }

    private void linkNext(long at, long v, int id) {
        if (at == anchorAddr[id]) next[id] = v;
        else memmap.setWord(pfnOf(at), Memmap.W_LRU_NEXT, v);
    }

    private void linkPrev(long at, long v, int id) {
        if (at == anchorAddr[id]) prev[id] = v;
        else memmap.setWord(pfnOf(at), Memmap.W_LRU_PREV, v);
    }

    /** list_add: insert at the head. */
    void add(long pfn, int id) {
        long entry = entryOf(pfn);
        long oldFirst = next[id];
        memmap.setWord(pfn, Memmap.W_LRU_NEXT, oldFirst);
        memmap.setWord(pfn, Memmap.W_LRU_PREV, anchorAddr[id]);
        linkPrev(oldFirst, entry, id);
        next[id] = entry;
    }

    /** list_add_tail: insert at the tail. */
    void addTail(long pfn, int id) {
        long entry = entryOf(pfn);
        long oldLast = prev[id];
        memmap.setWord(pfn, Memmap.W_LRU_NEXT, anchorAddr[id]);
        memmap.setWord(pfn, Memmap.W_LRU_PREV, oldLast);
        linkNext(oldLast, entry, id);
        prev[id] = entry;
    }

    /** list_del of a member of list {@code id}: unlink and poison, as the kernel does. */
    void del(long pfn, int id) {
        long n = memmap.word(pfn, Memmap.W_LRU_NEXT);
        long p = memmap.word(pfn, Memmap.W_LRU_PREV);
        linkNext(p, n, id);
        linkPrev(n, p, id);
        memmap.setWord(pfn, Memmap.W_LRU_NEXT, Addresses.LIST_POISON1);
        memmap.setWord(pfn, Memmap.W_LRU_PREV, Addresses.LIST_POISON2);
    }

    /** Raw next/prev of an anchor, for consistency checks. */
    long anchorNext(int id) { return next[id]; }

    long anchorPrev(int id) { return prev[id]; }

    long digest() { return Arrays.hashCode(next) * 31L + Arrays.hashCode(prev); }
}

package org.memdesclab.sim;

/**
 * A typed view of one struct page: reads (never owns) the memmap words at the kernel's offsets.
 * Mirrors the page-flag tests and accessors of include/linux/page-flags.h and mm.h.
 */
public record Page(Machine machine, long pfn) {

    public long address() { return Addresses.pageAddress(pfn); }

    public long flags() { return machine.memmap().flags(pfn); }

    public boolean test(PageFlag f) { return machine.memmap().testFlag(pfn, f); }

    public int refcount() { return machine.memmap().refcount(pfn); }

    /** The raw page_type / _mapcount word. */
    public int pageType() { return machine.memmap().pageType(pfn); }

    /** page_mapcount(): _mapcount + 1, or 0 for a page that has a type. */
    public int mapcount() {
        int t = pageType();
        return PageType.hasType(t) ? 0 : t + 1;
    }

    public long mapping() { return machine.memmap().mapping(pfn); }

    public long index() { return machine.memmap().word(pfn, Memmap.W_INDEX); }

    public long privateValue() { return machine.memmap().privateWord(pfn); }

    public boolean isBuddy() { return machine.memmap().isBuddy(pfn); }

    public boolean isHead() { return machine.memmap().isHead(pfn); }

    public boolean isTail() { return machine.memmap().isTail(pfn); }

    public boolean isCompound() { return isHead() || isTail(); }

    public boolean isReserved() { return test(PageFlag.PG_reserved); }

    /** PFN of compound_head(). */
    public long headPfn() { return machine.compoundHeadPfn(pfn); }

    public int compoundOrder() { return machine.compoundOrder(pfn); }
}

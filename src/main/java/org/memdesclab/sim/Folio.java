package org.memdesclab.sim;

/**
 * A typed view of a struct folio starting at a PFN: the head page's words plus, for a large folio,
 * the fields kept in page[1] and page[2]. Like a C cast, it can be taken at a tail page too; it then
 * reads what the kernel would read, which is the point of the lesson on tails.
 */
public record Folio(Machine machine, long pfn) {

    public Page page() { return machine.page(pfn); }

    /** folio_test_large(): PG_head on the first page. */
    public boolean isLarge() { return machine.memmap().isHead(pfn) && pfn + 1 < machine.nrPages(); }

    /** folio_order(): 0 for a small folio, else the low byte of _flags_1. */
    public int order() { return isLarge() ? (int) (machine.memmap().flags(pfn + 1) & 0xff) : 0; }

    public long nrPages() { return isLarge() ? field("_nr_pages") : 1; }

    public long size() { return nrPages() * Addresses.PAGE_SIZE; }

    public int refcount() { return machine.memmap().refcount(pfn); }

    /** folio_mapcount(): small: _mapcount + 1 (0 for a typed page); large: _large_mapcount + 1. */
    public int mapcount() {
        if (!isLarge()) return page().mapcount();
        return (int) field("_large_mapcount") + 1;
    }

    public int entireMapcount() { return isLarge() ? (int) field("_entire_mapcount") + 1 : 0; }

    public int nrPagesMapped() { return isLarge() ? (int) field("_nr_pages_mapped") : 0; }

    public int pincount() { return isLarge() ? (int) field("_pincount") : 0; }

    public long mapping() { return machine.memmap().mapping(pfn); }

    public long index() { return machine.memmap().word(pfn, Memmap.W_INDEX); }

    /** A folio field read through the profile's layout. */
    public long field(String name) { return machine.folioField(pfn, name); }
}

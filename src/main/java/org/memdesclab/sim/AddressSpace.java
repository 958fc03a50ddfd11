package org.memdesclab.sim;

import java.util.Map;
import java.util.TreeMap;

/**
 * A file's page cache, {@code struct address_space}: the folios of the file by index (the kernel keeps
 * them in the {@code i_pages} XArray), its size, and the writeback error the file will report
 * ({@code mapping_set_error}). It lives at a fixed address outside the zone; its folios are pages of
 * the zone whose {@code mapping} points here.
 */
public final class AddressSpace {
    private final long address;
    private final String name;
    private final long sizePages;
    private final TreeMap<Long, Long> pages;
    private int error;

    AddressSpace(long address, String name, long sizePages) {
        this.address = address;
        this.name = name;
        this.sizePages = sizePages;
        this.pages = new TreeMap<>();
    }

    private AddressSpace(AddressSpace o) {
        this.address = o.address;
        this.name = o.name;
        this.sizePages = o.sizePages;
        this.pages = new TreeMap<>(o.pages);
        this.error = o.error;
    }

    AddressSpace copy() { return new AddressSpace(this); }

    public long address() { return address; }

    public String name() { return name; }

    /** i_size in pages: a fault at or beyond it is SIGBUS. */
    public long sizePages() { return sizePages; }

    /** Head PFNs by the index of their first page (mapping->i_pages). */
    public Map<Long, Long> pages() { return java.util.Collections.unmodifiableMap(pages); }

    TreeMap<Long, Long> tree() { return pages; }

    /** mapping->nrpages: pages (not folios) in the cache. */
    public long nrpages(Machine m) {
        long n = 0;
        for (long head : pages.values()) n += 1L << m.compoundOrder(head);
        return n;
    }

    /** The error a later fsync() would return (-EIO after a writeback or memory failure), or 0. */
    public int error() { return error; }

    void setError(int e) { error = e; }

    long digest() { return (address * 31 + pages.hashCode()) * 31 + error; }
}

package org.memdesclab.sim;

/**
 * How one kernel era stores the state of a page frame in its struct page. The simulator keeps one
 * canonical state (the 6.18 memmap words that its algorithms read and write); a profile's encoding
 * turns the canonical state of a PFN into the raw words that era's struct page would hold, which is
 * what {@code p->member}, {@code dump_page}'s raw lines and the web inspector show.
 */
public interface PageEncoding {
    /** The struct page of {@code pfn} in this era, as little-endian 64-bit words (sizeof(struct page) / 8 of them). */
    long[] words(Machine m, long pfn);

    /** 6.18: the canonical words are the era's words. */
    PageEncoding CANONICAL = (m, pfn) -> m.memmap().words(pfn);
}

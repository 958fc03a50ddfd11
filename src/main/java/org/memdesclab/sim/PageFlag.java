package org.memdesclab.sim;

/**
 * The PG_ bits of {@code page->flags} for the 6.18 profile, x86_64, with CONFIG_MEMORY_FAILURE
 * (distribution kernels): PG_hwpoison is bit 21 and the bits after it move up by one compared with
 * a build without it. Mirrors {@code enum pageflags} in include/linux/page-flags.h. Teach names, not
 * numbers: this table is the only place the numbers appear.
 */
public enum PageFlag {
    PG_locked(0), PG_writeback(1), PG_referenced(2), PG_uptodate(3), PG_dirty(4), PG_lru(5), PG_head(6),
    PG_waiters(7), PG_active(8), PG_workingset(9), PG_owner_priv_1(10), PG_owner_2(11), PG_arch_1(12),
    PG_reserved(13), PG_private(14), PG_private_2(15), PG_reclaim(16), PG_swapbacked(17), PG_unevictable(18),
    PG_dropbehind(19), PG_mlocked(20), PG_hwpoison(21), PG_young(22), PG_idle(23), PG_arch_2(24);

    /** Aliases that share a bit with another flag (used on second pages of folios and by owners). */
    public static final int PG_large_rmappable = 9, PG_has_hwpoisoned = 8, PG_partially_mapped = 16;
    public static final int PG_swapcache = 10, PG_anon_exclusive = 11, PG_movable_ops = 3, PG_readahead = 16;

    public static final int NR_PAGEFLAGS = 25;

    private final int bit;

    PageFlag(int bit) { this.bit = bit; }

    public int bit() { return bit; }

    public long mask() { return 1L << bit; }

    /** Flag name as %pGp prints it: without the PG_ prefix. */
    public String printName() { return name().substring(3); }

    /** Flags that must be clear when a page is freed (mm/page_alloc.c PAGE_FLAGS_CHECK_AT_FREE). */
    public static final long PAGE_FLAGS_CHECK_AT_FREE = PG_lru.mask() | PG_locked.mask() | PG_private.mask()
            | PG_private_2.mask() | PG_writeback.mask() | PG_reserved.mask() | PG_active.mask()
            | PG_unevictable.mask() | PG_mlocked.mask();

    /** Every PG_ bit except hwpoison: cleared on each page as it is freed, checked when it is allocated. */
    public static final long PAGE_FLAGS_CHECK_AT_PREP = ((1L << NR_PAGEFLAGS) - 1) & ~PG_hwpoison.mask();

    /** Flags kept in a large folio's second page: the order byte and three aliases. */
    public static final long PAGE_FLAGS_SECOND = 0xffL | (1L << PG_has_hwpoisoned) | (1L << PG_large_rmappable)
            | (1L << PG_partially_mapped);

    public static PageFlag ofBit(int bit) {
        for (PageFlag f : values()) if (f.bit == bit) return f;
        return null;
    }
}

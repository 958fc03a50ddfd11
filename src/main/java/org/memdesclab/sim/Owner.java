package org.memdesclab.sim;

/**
 * Who a page frame belongs to, as far as the memmap alone can tell (the question a PFN walker such as
 * compaction or memory-failure asks). The web memmap colours and letters cells by it.
 */
public enum Owner {
    /** Head of a free buddy block ({@code PageBuddy}, order in private). */
    FREE_HEAD('B'),
    /** Inside a free buddy block, after its head. */
    FREE_INSIDE('.'),
    /** Free, parked on a CPU's per-CPU list. */
    FREE_PCP('C'),
    /** Head of a compound page or large folio. */
    HEAD('H'),
    /** Tail page of a compound page or large folio. */
    TAIL('T'),
    /** An allocated order-0 page or the first page of a non-compound allocation. */
    PAGE('P'),
    /** An unreferenced page inside a non-compound allocation (no refcount of its own). */
    PAGE_INSIDE('p'),
    /** Reserved at boot (PG_reserved): kernel text and data, firmware. */
    RESERVED('R'),
    /** A slab page (head or tail): PGTY_slab on the head, owned by a kmem_cache. */
    SLAB('S'),
    /** A large kmalloc allocation (head or tail): PGTY_large_kmalloc on the head. */
    LARGE_KMALLOC('K'),
    /** A zsmalloc page (any page of a zspage): PGTY_zsmalloc, first_obj_offset in the low 24 bits. */
    ZSMALLOC('Z'),
    /** A page-table page of a process: a struct ptdesc, PGTY_table on the page. */
    PAGE_TABLE('G'),
    /** An anonymous folio's head (or small page): mapping = anon_vma | FOLIO_MAPPING_ANON. */
    ANON('A'),
    /** A page-cache folio's head (or small page): mapping is a file's address_space. */
    FILE('F'),
    /** Logically offline (PGTY_offline): a balloon page the hypervisor took back. */
    OFFLINE('O'),
    /** A debug_pagealloc guard page (PGTY_guard): unusable until its buddy is freed. */
    GUARD('D'),
    /** A page_pool page of the network stack: pp_magic holds PP_SIGNATURE. */
    NET_POOL('N'),
    /** ZONE_DEVICE memory (devm_memremap_pages): zone 4 in the flags word, pgmap at offset 8; never free. */
    ZONE_DEVICE('V'),
    /** An allocated page with no type whose mapcount is not -1: a driver mapped it (vm_insert_page). */
    DRIVER_MAPPED('M');

    private final char letter;

    Owner(char letter) { this.letter = letter; }

    /** The letter the lab shows in the memmap cell, so colour is never the only signal. */
    public char letter() { return letter; }
}

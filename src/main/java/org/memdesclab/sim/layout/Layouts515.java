package org.memdesclab.sim.layout;

import java.util.List;

/**
 * The Linux 5.15 struct page, x86_64, as include/linux/mm_types.h of v5.15 declares it: before
 * struct folio (5.16) and struct slab (5.17), so the slab allocator's fields and a compound page's
 * order live in struct page itself. Every member was checked against include/linux/mm_types.h of a
 * 5.15 stable tree (5.15.100, found with the lab's code search; the v5.15 tag itself is not in the
 * index): the page cache and page_pool structs, the slab union with next/pages/pobjects,
 * slab_cache, freelist and the inuse:16/objects:15/frozen:1 counters, page[1]'s compound_dtor,
 * compound_order, compound_mapcount and compound_nr, page[2]'s hpage_pinned_refcount and
 * deferred_list, the page-table struct, ZONE_DEVICE, and the _mapcount/page_type union.
 */
public final class Layouts515 {
    private Layouts515() {}

    public static final StructLayout PAGE = StructLayout.builder("struct page", 64)
            .flags("flags", 0, "unsigned long")
            // page cache and anonymous pages
            .listHead("lru", 8, "struct list_head *")
            .ptr("mapping", 24, "struct address_space *")
            .ulong("index", 32)
            .ulong("private", 40)
            // page_pool used by netstack
            .ulong("pp_magic", 8)
            .ptr("pp", 16, "struct page_pool *")
            .ulong("_pp_mapping_pad", 24)
            .ulong("dma_addr", 32)
            .ulong("dma_addr_upper", 40)
            .field("pp_frag_count", 40, 8, "atomic_long_t", FieldKind.SIGNED)
            // slab, slob and slub
            .listHead("slab_list", 8, "struct list_head *")
            .ptr("next", 8, "struct page *")
            .s32("pages", 16, "int")
            .s32("pobjects", 20, "int")
            .ptr("slab_cache", 24, "struct kmem_cache *")
            .ptr("freelist", 32, "void *")
            .ptr("s_mem", 40, "void *")
            .ulong("counters", 40)
            .bits("inuse", 40, 4, 0, 16, "unsigned int")
            .bits("objects", 40, 4, 16, 15, "unsigned int")
            .bits("frozen", 40, 4, 31, 1, "unsigned int")
            // tail pages of a compound page
            .ulong("compound_head", 8)
            .field("compound_dtor", 16, 1, "unsigned char", FieldKind.UNSIGNED)
            .field("compound_order", 17, 1, "unsigned char", FieldKind.UNSIGNED)
            .s32("compound_mapcount", 20, "atomic_t")
            .u32("compound_nr", 24, "unsigned int")
            // second tail page of a compound page
            .ulong("_compound_pad_1", 8)
            .s32("hpage_pinned_refcount", 16, "atomic_t")
            .listHead("deferred_list", 24, "struct list_head *")
            // page-table pages
            .ulong("_pt_pad_1", 8)
            .ptr("pmd_huge_pte", 16, "pgtable_t")
            .ulong("_pt_pad_2", 24)
            .ptr("pt_mm", 32, "struct mm_struct *")
            // x86_64 without lockdep: spinlock_t fits in a long, so ALLOC_SPLIT_PTLOCKS is 0 and ptl is inline
            .u32("ptl", 40, "spinlock_t")
            .ptr("pgmap", 8, "struct dev_pagemap *")
            .ptr("zone_device_data", 16, "void *")
            .aggregate("callback_head", 8, 16, "struct callback_head")
            .u32("page_type", 48, "unsigned int")
            .s32("_mapcount", 48, "atomic_t")
            .u32("active", 48, "unsigned int")
            .s32("units", 48, "int")
            .s32("_refcount", 52, "atomic_t")
            .ulong("memcg_data", 56)
            .build();

    /** 5.15 has no overlays of struct page, so no MATCH assertions: every user's fields are members of struct page. */
    public static final List<MatchAssertion> MATCHES = List.of();

    /** The 5.15 page types: "bit cleared means set" in page_type (include/linux/page-flags.h). */
    public static final int PG_buddy = 0x00000080, PG_offline = 0x00000100, PG_table = 0x00000200, PG_guard = 0x00000400;
    /** page_type of a free buddy head in 5.15: PAGE_TYPE_BASE-style all ones with PG_buddy cleared. */
    public static final int BUDDY_PAGE_TYPE = 0xffffffff & ~PG_buddy;
    /** COMPOUND_PAGE_DTOR: what prep_compound_page gives any __GFP_COMP allocation (THP and hugetlb set their own). */
    public static final int COMPOUND_PAGE_DTOR = 1;
}

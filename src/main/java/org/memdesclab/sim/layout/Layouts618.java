package org.memdesclab.sim.layout;

import java.util.List;

/**
 * struct page and struct folio as a running 6.18 x86_64 kernel lays them out (read from its BTF:
 * shared/kernel-6.18-btf.md), with the FOLIO_MATCH assertions of include/linux/mm_types.h.
 */
public final class Layouts618 {
    private Layouts618() {}

    public static final StructLayout PAGE = StructLayout.builder("struct page", 64)
            .flags("flags", 0, "memdesc_flags_t")
            .listHead("lru", 8, "struct list_head *")
            .listHead("buddy_list", 8, "struct list_head *")
            .listHead("pcp_list", 8, "struct list_head *")
            .ptr("pcp_llist", 8, "struct llist_node *")
            .ptr("mapping", 24, "struct address_space *")
            .ulong("__folio_index", 32)
            .ulong("share", 32)
            .ulong("buddy_since", 32)
            .ulong("private", 40)
            .ulong("pp_magic", 8)
            .ptr("pp", 16, "struct page_pool *")
            .ulong("_pp_mapping_pad", 24)
            .ulong("dma_addr", 32)
            .field("pp_ref_count", 40, 8, "atomic_long_t", FieldKind.SIGNED)
            .ulong("compound_head", 8)
            .ptr("_unused_pgmap_compound_head", 8, "void *")
            .ptr("zone_device_data", 16, "void *")
            .aggregate("callback_head", 8, 16, "struct callback_head")
            .u32("page_type", 48, "unsigned int")
            .s32("_mapcount", 48, "atomic_t")
            .s32("_refcount", 52, "atomic_t")
            .ulong("memcg_data", 56)
            .build();

    public static final StructLayout FOLIO = StructLayout.builder("struct folio", 256)
            .flags("flags", 0, "memdesc_flags_t")
            .listHead("lru", 8, "struct list_head *")
            .ptr("__filler", 8, "void *")
            .u32("mlock_count", 16, "unsigned int")
            .ptr("pgmap", 8, "struct dev_pagemap *")
            .ptr("mapping", 24, "struct address_space *")
            .ulong("index", 32)
            .ulong("share", 32)
            .ptr("private", 40, "void *")
            .ulong("swap", 40)
            .s32("_mapcount", 48, "atomic_t")
            .s32("_refcount", 52, "atomic_t")
            .ulong("memcg_data", 56)
            .aggregate("page", 0, 64, "struct page")
            .flags("_flags_1", 64, "unsigned long")
            .ulong("_head_1", 72)
            .s32("_large_mapcount", 80, "atomic_t")
            .s32("_nr_pages_mapped", 84, "atomic_t")
            .s32("_entire_mapcount", 88, "atomic_t")
            .s32("_pincount", 92, "atomic_t")
            .aggregate("_mm_id_mapcount", 96, 8, "mm_id_mapcount_t[2]")
            .s32("_mm_id_mapcount[0]", 96, "mm_id_mapcount_t")
            .s32("_mm_id_mapcount[1]", 100, "mm_id_mapcount_t")
            .aggregate("_mm_id", 104, 8, "mm_id_t[2]")
            .ulong("_mm_ids", 104)
            .aggregate("_usable_1", 80, 32, "unsigned long[4]")
            .s32("_mapcount_1", 112, "atomic_t")
            .s32("_refcount_1", 116, "atomic_t")
            .u32("_nr_pages", 120, "unsigned int")
            .aggregate("__page_1", 64, 64, "struct page")
            .flags("_flags_2", 128, "unsigned long")
            .ulong("_head_2", 136)
            .listHead("_deferred_list", 144, "struct list_head *")
            .aggregate("__page_2", 128, 64, "struct page")
            .flags("_flags_3", 192, "unsigned long")
            .ulong("_head_3", 200)
            .ptr("_hugetlb_subpool", 208, "void *")
            .ptr("_hugetlb_cgroup", 216, "void *")
            .ptr("_hugetlb_cgroup_rsvd", 224, "void *")
            .ptr("_hugetlb_hwpoison", 232, "void *")
            .aggregate("__page_3", 192, 64, "struct page")
            .build();

    /** FOLIO_MATCH in include/linux/mm_types.h (6.18 names), including the three redefinitions. */
    public static final List<MatchAssertion> FOLIO_MATCH = List.of(
            new MatchAssertion("FOLIO_MATCH", "flags", "struct folio", "flags", 0),
            new MatchAssertion("FOLIO_MATCH", "lru", "struct folio", "lru", 0),
            new MatchAssertion("FOLIO_MATCH", "mapping", "struct folio", "mapping", 0),
            new MatchAssertion("FOLIO_MATCH", "compound_head", "struct folio", "lru", 0),
            new MatchAssertion("FOLIO_MATCH", "__folio_index", "struct folio", "index", 0),
            new MatchAssertion("FOLIO_MATCH", "private", "struct folio", "private", 0),
            new MatchAssertion("FOLIO_MATCH", "_mapcount", "struct folio", "_mapcount", 0),
            new MatchAssertion("FOLIO_MATCH", "_refcount", "struct folio", "_refcount", 0),
            new MatchAssertion("FOLIO_MATCH", "memcg_data", "struct folio", "memcg_data", 0),
            new MatchAssertion("FOLIO_MATCH", "flags", "struct folio", "_flags_1", 1),
            new MatchAssertion("FOLIO_MATCH", "compound_head", "struct folio", "_head_1", 1),
            new MatchAssertion("FOLIO_MATCH", "_mapcount", "struct folio", "_mapcount_1", 1),
            new MatchAssertion("FOLIO_MATCH", "_refcount", "struct folio", "_refcount_1", 1),
            new MatchAssertion("FOLIO_MATCH", "flags", "struct folio", "_flags_2", 2),
            new MatchAssertion("FOLIO_MATCH", "compound_head", "struct folio", "_head_2", 2),
            new MatchAssertion("FOLIO_MATCH", "flags", "struct folio", "_flags_3", 3),
            new MatchAssertion("FOLIO_MATCH", "compound_head", "struct folio", "_head_3", 3));
}

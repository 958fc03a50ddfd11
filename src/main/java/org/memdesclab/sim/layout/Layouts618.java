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

    /**
     * struct slab (mm/slab.h) as the 6.18 BTF lays it out: an overlay of the head page's struct page.
     * The counters bit fields share the low 32 bits of the word at offset 40.
     */
    public static final StructLayout SLAB = StructLayout.builder("struct slab", 64)
            .flags("flags", 0, "memdesc_flags_t")
            .ptr("slab_cache", 8, "struct kmem_cache *")
            .listHead("slab_list", 16, "struct list_head *")
            .ptr("llnode", 16, "struct llist_node *")
            .ptr("flush_freelist", 24, "void *")
            .ptr("next", 16, "struct slab *")
            .s32("slabs", 24, "int")
            .ptr("freelist", 32, "void *")
            .ulong("counters", 40)
            .bits("inuse", 40, 4, 0, 16, "unsigned int")
            .bits("objects", 40, 4, 16, 15, "unsigned int")
            .bits("frozen", 40, 4, 31, 1, "unsigned int")
            .aggregate("freelist_counter", 32, 16, "freelist_aba_t")
            .aggregate("callback_head", 16, 16, "struct callback_head")
            .u32("__page_type", 48, "unsigned int")
            .s32("__page_refcount", 52, "atomic_t")
            .ulong("obj_exts", 56)
            .build();

    /** SLAB_MATCH in mm/slab.h (6.18, CONFIG_MEMCG): the struct slab fields that must overlay struct page's. */
    public static final List<MatchAssertion> SLAB_MATCH = List.of(
            new MatchAssertion("SLAB_MATCH", "flags", "struct slab", "flags", 0),
            new MatchAssertion("SLAB_MATCH", "compound_head", "struct slab", "slab_cache", 0),
            new MatchAssertion("SLAB_MATCH", "_refcount", "struct slab", "__page_refcount", 0),
            new MatchAssertion("SLAB_MATCH", "memcg_data", "struct slab", "obj_exts", 0));

    /** struct kmem_cache (mm/slab.h) as the 6.18 BTF lays it out (CONFIG_SLUB_CPU_PARTIAL, one node array of 1024). */
    public static final StructLayout KMEM_CACHE = StructLayout.builder("struct kmem_cache", 8416)
            .ptr("cpu_slab", 0, "struct kmem_cache_cpu *")
            .ptr("cpu_sheaves", 8, "struct slub_percpu_sheaves *")
            .field("flags", 16, 4, "slab_flags_t", FieldKind.FLAGS)
            .ulong("min_partial", 24)
            .u32("size", 32, "unsigned int")
            .u32("object_size", 36, "unsigned int")
            .aggregate("reciprocal_size", 40, 8, "struct reciprocal_value")
            .u32("reciprocal_size.m", 40, "u32")
            .field("reciprocal_size.sh1", 44, 1, "u8", FieldKind.UNSIGNED)
            .field("reciprocal_size.sh2", 45, 1, "u8", FieldKind.UNSIGNED)
            .u32("offset", 48, "unsigned int")
            .u32("cpu_partial", 52, "unsigned int")
            .u32("cpu_partial_slabs", 56, "unsigned int")
            .u32("sheaf_capacity", 60, "unsigned int")
            .aggregate("oo", 64, 4, "struct kmem_cache_order_objects")
            .u32("oo.x", 64, "unsigned int")
            .aggregate("min", 68, 4, "struct kmem_cache_order_objects")
            .u32("min.x", 68, "unsigned int")
            .field("allocflags", 72, 4, "gfp_t", FieldKind.FLAGS)
            .s32("refcount", 76, "int")
            .ptr("ctor", 80, "void (*)(void *)")
            .u32("inuse", 88, "unsigned int")
            .u32("align", 92, "unsigned int")
            .u32("red_left_pad", 96, "unsigned int")
            .ptr("name", 104, "const char *")
            .listHead("list", 112, "struct list_head *")
            .aggregate("kobj", 128, 64, "struct kobject")
            .ulong("random", 192)
            .u32("remote_node_defrag_ratio", 200, "unsigned int")
            .ptr("random_seq", 208, "unsigned int *")
            .u32("useroffset", 216, "unsigned int")
            .u32("usersize", 220, "unsigned int")
            .aggregate("node", 224, 8192, "struct kmem_cache_node *[1024]")
            .ptr("node[0]", 224, "struct kmem_cache_node *")
            .build();

    /** struct kmem_cache_cpu (mm/slub.c) as the 6.18 BTF lays it out. */
    public static final StructLayout KMEM_CACHE_CPU = StructLayout.builder("struct kmem_cache_cpu", 48)
            .ptr("freelist", 0, "void **")
            .ulong("tid", 8)
            .aggregate("freelist_tid", 0, 16, "freelist_aba_t")
            .ptr("slab", 16, "struct slab *")
            .ptr("partial", 24, "struct slab *")
            .field("lock", 32, 1, "local_trylock_t", FieldKind.UNSIGNED)
            .build();

    /**
     * struct kmem_cache_node (mm/slub.c, CONFIG_SLUB_DEBUG): from the 6.18 source, not read from BTF
     * (kernel-6.18-btf.md does not print it).
     */
    public static final StructLayout KMEM_CACHE_NODE = StructLayout.builder("struct kmem_cache_node", 72)
            .field("list_lock", 0, 4, "spinlock_t", FieldKind.UNSIGNED)
            .ulong("nr_partial", 8)
            .listHead("partial", 16, "struct list_head *")
            .field("nr_slabs", 32, 8, "atomic_long_t", FieldKind.SIGNED)
            .field("total_objects", 40, 8, "atomic_long_t", FieldKind.SIGNED)
            .listHead("full", 48, "struct list_head *")
            .ptr("barn", 64, "struct node_barn *")
            .build();
    /**
     * struct zpdesc (mm/zpdesc.h) as the 6.18 BTF lays it out: a view of a zsmalloc page's struct page.
     * first_obj_offset shares the page_type word: its low 24 bits are the offset, the top byte is
     * PGTY_zsmalloc (0xf6), so the field is a 24-bit bit field here and the raw word is __page_type.
     */
    public static final StructLayout ZPDESC = StructLayout.builder("struct zpdesc", 56)
            .flags("flags", 0, "unsigned long")
            .listHead("lru", 8, "struct list_head *")
            .ulong("movable_ops", 24)
            .ptr("next", 32, "struct zpdesc *")
            .ulong("handle", 32)
            .ptr("zspage", 40, "struct zspage *")
            .bits("first_obj_offset", 48, 4, 0, 24, "unsigned int")
            .u32("__page_type", 48, "unsigned int")
            .s32("_refcount", 52, "atomic_t")
            .build();

    /**
     * ZPDESC_MATCH in mm/zpdesc.h: the [mm] pairs plus the two index pairs the older mainline copy
     * asserted (index is __folio_index in 6.18's struct page).
     */
    public static final List<MatchAssertion> ZPDESC_MATCH = List.of(
            new MatchAssertion("ZPDESC_MATCH", "flags", "struct zpdesc", "flags", 0),
            new MatchAssertion("ZPDESC_MATCH", "lru", "struct zpdesc", "lru", 0),
            new MatchAssertion("ZPDESC_MATCH", "mapping", "struct zpdesc", "movable_ops", 0),
            new MatchAssertion("ZPDESC_MATCH", "__folio_index", "struct zpdesc", "next", 0),
            new MatchAssertion("ZPDESC_MATCH", "__folio_index", "struct zpdesc", "handle", 0),
            new MatchAssertion("ZPDESC_MATCH", "private", "struct zpdesc", "zspage", 0),
            new MatchAssertion("ZPDESC_MATCH", "page_type", "struct zpdesc", "first_obj_offset", 0),
            new MatchAssertion("ZPDESC_MATCH", "_refcount", "struct zpdesc", "_refcount", 0));

    /**
     * struct zspage (mm/zsmalloc.c) as the 6.18 BTF lays it out: a 56-byte object of the pool's
     * zspage kmem_cache, not an overlay of struct page. The lock is struct zspage_lock (zsl), one word.
     */
    public static final StructLayout ZSPAGE = StructLayout.builder("struct zspage", 56)
            .bits("huge", 0, 4, 0, 1, "unsigned int")
            .bits("fullness", 0, 4, 1, 4, "unsigned int")
            .bits("class", 0, 4, 5, 9, "unsigned int")
            .bits("magic", 0, 4, 14, 8, "unsigned int")
            .u32("inuse", 4, "unsigned int")
            .u32("freeobj", 8, "unsigned int")
            .ptr("first_zpdesc", 16, "struct zpdesc *")
            .listHead("list", 24, "struct list_head *")
            .ptr("pool", 40, "struct zs_pool *")
            .aggregate("zsl", 48, 8, "struct zspage_lock")
            .ulong("zsl.lock", 48)
            .build();

    /**
     * struct ptdesc (include/linux/mm_types.h) as the 6.18 BTF lays it out: a page-table page's struct
     * page seen as a page-table descriptor. x86 keeps the owning mm in pt_mm of the PGD's ptdesc only;
     * the split page-table lock is inline at offset 40 (ALLOC_SPLIT_PTLOCKS is 0 without lockdep).
     */
    public static final StructLayout PTDESC = StructLayout.builder("struct ptdesc", 64)
            .flags("pt_flags", 0, "memdesc_flags_t")
            .aggregate("pt_rcu_head", 8, 16, "struct callback_head")
            .listHead("pt_list", 8, "struct list_head *")
            .ulong("_pt_pad_1", 8)
            .ptr("pmd_huge_pte", 16, "struct page *")
            .ulong("__page_mapping", 24)
            .ulong("pt_index", 32)
            .ptr("pt_mm", 32, "struct mm_struct *")
            .s32("pt_frag_refcount", 32, "atomic_t")
            .s32("pt_share_count", 32, "atomic_t")
            .ulong("_pt_pad_2", 40)
            .u32("ptl", 40, "spinlock_t")
            .u32("__page_type", 48, "unsigned int")
            .s32("__page_refcount", 52, "atomic_t")
            .ulong("pt_memcg_data", 56)
            .build();

    /** TABLE_MATCH in include/linux/mm_types.h (6.18 names; rcu_head is struct page's callback_head). */
    public static final List<MatchAssertion> TABLE_MATCH = List.of(
            new MatchAssertion("TABLE_MATCH", "flags", "struct ptdesc", "pt_flags", 0),
            new MatchAssertion("TABLE_MATCH", "compound_head", "struct ptdesc", "pt_list", 0),
            new MatchAssertion("TABLE_MATCH", "compound_head", "struct ptdesc", "_pt_pad_1", 0),
            new MatchAssertion("TABLE_MATCH", "mapping", "struct ptdesc", "__page_mapping", 0),
            new MatchAssertion("TABLE_MATCH", "__folio_index", "struct ptdesc", "pt_index", 0),
            new MatchAssertion("TABLE_MATCH", "callback_head", "struct ptdesc", "pt_rcu_head", 0),
            new MatchAssertion("TABLE_MATCH", "page_type", "struct ptdesc", "__page_type", 0),
            new MatchAssertion("TABLE_MATCH", "_refcount", "struct ptdesc", "__page_refcount", 0),
            new MatchAssertion("TABLE_MATCH", "memcg_data", "struct ptdesc", "pt_memcg_data", 0));
}

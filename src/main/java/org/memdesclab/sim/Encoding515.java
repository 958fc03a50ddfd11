package org.memdesclab.sim;

import org.memdesclab.sim.layout.Layouts515;

/**
 * The 5.15 struct page of a PFN, derived from the canonical (6.18) state: page flags renumbered to
 * 5.15's enum pageflags with PG_slab on slab pages, the old "bit cleared" PG_buddy page_type, slab
 * fields at their pre-struct-slab offsets, and the compound order in page[1].compound_order.
 */
final class Encoding515 implements PageEncoding {
    /**
     * 6.18 bit to 5.15 bit (-1: the flag did not exist). The 5.15 numbering is enum pageflags of
     * v5.15 include/linux/page-flags.h for x86_64 with CONFIG_MMU, CONFIG_ARCH_USES_PG_UNCACHED (X86_PAT),
     * CONFIG_MEMORY_FAILURE, CONFIG_PAGE_IDLE_FLAG and CONFIG_64BIT (PG_arch_2). The enum was checked
     * against page-flags.h of a 5.15 stable tree (5.15.100; the v5.15 tag itself is not in the code
     * index), and that x86_64 configs with X86_PAT=y have ARCH_USES_PG_UNCACHED=y (which puts
     * PG_uncached at 22 and PG_hwpoison at 23) against x86_64 .config files found the same way.
     * 6.18's PG_owner_2 is 5.15's PG_mappedtodisk; 6.18's PG_dropbehind did not exist.
     */
    private static final int[] BIT_515 = {
        0, 15, 1, 2, 3, 4, 16, 7, 5, 6, 10, 17, 11, 12, 13, 14, 18, 19, 20, -1, 21, 23, 24, 25, 26,
    };
    /** enum pageflags of 5.15 by bit, as %pGp names them. */
    static final String[] NAMES_515 = {
        "locked", "referenced", "uptodate", "dirty", "lru", "active", "workingset", "waiters", "error", "slab",
        "owner_priv_1", "arch_1", "reserved", "private", "private_2", "writeback", "head", "mappedtodisk", "reclaim",
        "swapbacked", "unevictable", "mlocked", "uncached", "hwpoison", "young", "idle", "arch_2",
    };
    static final int PG_slab = 9, PG_head = 16;

    @Override
    public long[] words(Machine m, long pfn) {
        Memmap mm = m.memmap();
        long[] w = mm.words(pfn);
        long[] out = w.clone();
        long flags = w[Memmap.W_FLAGS];
        boolean tail = mm.isTail(pfn);
        long head = tail ? m.compoundHeadPfn(pfn) : pfn;
        if (tail && pfn == head + 1) flags &= ~PageFlag.PAGE_FLAGS_SECOND; // 5.15 kept no order in page[1]'s flags
        boolean slab = !tail && (mm.pageType(pfn) >>> 24) == PageType.PGTY_slab.value();
        if (slab) flags &= ~PageFlag.PG_workingset.mask(); // SL_partial is a 6.x flag; 5.15 knew partial slabs by their list
        int t24 = mm.pageType(pfn) >>> 24;
        if (!tail && (t24 == PageType.PGTY_zsmalloc.value() || t24 == PageType.PGTY_offline.value())) {
            // 6.18 marks a movable zsmalloc or balloon page with PG_movable_ops, an alias of PG_uptodate; 5.15 had no
            // such flag (__SetPageMovable tagged page->mapping instead), so the bit is not shown
            flags &= ~PageFlag.PG_uptodate.mask();
        }
        long out0 = translateFlags(flags);
        if (slab) out0 |= 1L << PG_slab;
        out[Memmap.W_FLAGS] = out0;
        int type = mm.pageType(pfn);
        if (slab) {
            // struct slab's slab_list (16..31) sat at 8..23 in struct page; slab_cache moves from 8 to 24
            if (w[2] == Addresses.LIST_POISON2) {
                // never on a slab list: 5.15's slab_list still holds what list_del left when the buddy handed it out
                out[1] = Addresses.LIST_POISON1;
                out[2] = Addresses.LIST_POISON2;
            } else {
                out[1] = shiftListPointer(w[2]);
                out[2] = shiftListPointer(w[3]);
            }
            out[3] = w[1];
            out[Memmap.W_TYPE_REF] = (w[Memmap.W_TYPE_REF] & 0xffffffff00000000L) | 0xffffffffL;
        } else if (mm.isBuddy(pfn)) {
            out[Memmap.W_TYPE_REF] = (w[Memmap.W_TYPE_REF] & 0xffffffff00000000L) | (Layouts515.BUDDY_PAGE_TYPE & 0xffffffffL);
        } else if ((type >>> 24) == PageType.PGTY_zsmalloc.value()) {
            // page->units held first_obj_offset; there was no zsmalloc page type
            out[Memmap.W_TYPE_REF] = (w[Memmap.W_TYPE_REF] & 0xffffffff00000000L) | (type & Zsmalloc.FIRST_OBJ_PAGE_TYPE_MASK);
        } else if (PageType.hasType(type)) {
            // 6.18's PGTY_ byte becomes 5.15's cleared bit; large kmalloc and the rest had no page type
            int t = type >>> 24;
            int cleared = t == PageType.PGTY_table.value() ? Layouts515.PG_table : t == PageType.PGTY_offline.value() ? Layouts515.PG_offline
                    : t == PageType.PGTY_guard.value() ? Layouts515.PG_guard : 0;
            out[Memmap.W_TYPE_REF] = (w[Memmap.W_TYPE_REF] & 0xffffffff00000000L) | (0xffffffffL & ~cleared);
        }
        if (!tail && MemoryTypes.isPpPage(mm, pfn)) {
            out[MemoryTypes.W_PP_REF] = 0; // 5.15 had pp_frag_count here (0 for a whole page) and used _refcount
        }
        if (tail && pfn == head + 1) {
            int order = m.compoundOrder(head);
            // compound_dtor, compound_order, (2 bytes padding), compound_mapcount = -1; compound_nr over mapping's low half
            out[2] = 0xffffffff00000000L | ((long) order << 8) | Layouts515.COMPOUND_PAGE_DTOR;
            out[3] = (Addresses.TAIL_MAPPING & 0xffffffff00000000L) | (1L << order);
            out[4] = 0;
            out[5] = 0;
            out[6] = 0xffffffffL;
            out[7] = 0;
        } else if (tail && pfn == head + 2) {
            out[2] = 0; // hpage_pinned_refcount = 0 (deferred_list is THP-only)
            out[3] = Addresses.TAIL_MAPPING;
            out[4] = 0;
            out[5] = 0;
            out[6] = 0xffffffffL;
            out[7] = 0;
        }
        return out;
    }

    static long translateFlags(long flags) {
        long out = flags & ~FlagsWord.PGFLAGS_MASK;
        for (int b = 0; b < BIT_515.length; b++) {
            if ((flags & (1L << b)) != 0 && BIT_515[b] >= 0) out |= 1L << BIT_515[b];
        }
        return out;
    }

    /** A list pointer to another slab's slab_list (offset 16 of its struct page) points at offset 8 in 5.15. */
    private static long shiftListPointer(long v) {
        if (Addresses.inVmemmap(v) && ((v - Addresses.VMEMMAP_BASE) & (Addresses.STRUCT_PAGE_SIZE - 1)) == 16) return v - 8;
        return v;
    }
}

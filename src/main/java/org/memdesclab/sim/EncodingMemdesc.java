package org.memdesclab.sim;

import static org.memdesclab.sim.layout.LayoutsMemdesc.*;

/**
 * The memdesc struct page of a PFN: one word (type in the low 4 bits; a 16-byte aligned descriptor
 * pointer, or inline data, above them) or, for the two-word variant of seed 002, the typed word and
 * the order of the allocation beside it. Derived from the canonical state and the descriptors that
 * {@link Memdescs} allocated.
 */
final class EncodingMemdesc implements PageEncoding {
    private final boolean twoWords;

    EncodingMemdesc(boolean twoWords) { this.twoWords = twoWords; }

    /** Node and zone, which the plan keeps in the high bits of inline (Misc, Buddy) words. */
    private static final long NODE_ZONE_MASK = ~((1L << FlagsWord.ZONES_PGSHIFT) - 1);

    @Override
    public long[] words(Machine m, long pfn) {
        Memmap mm = m.memmap();
        long nodeZone = mm.flags(pfn) & NODE_ZONE_MASK;
        long typed;
        int order;
        switch (m.owner(pfn)) {
            case RESERVED -> { typed = misc(MISC_RESERVED) | nodeZone; order = 0; }
            case FREE_HEAD, FREE_INSIDE -> {
                long head = m.freeBlockHead(pfn);
                typed = MEMDESC_BUDDY | nodeZone;
                order = m.zone().buddyOrder(head);
            }
            case FREE_PCP -> { typed = MEMDESC_BUDDY | nodeZone; order = (int) (mm.privateWord(pfn) & ORDER_MASK); }
            case SLAB -> {
                long head = m.compoundHeadPfn(pfn);
                typed = m.memdescs().slab(head) | MEMDESC_SLAB;
                order = m.compoundOrder(head);
            }
            case ZSMALLOC -> {
                // a struct zpdesc of its own (which points at the zspage), as the memdesc plan has it
                typed = described(m, Memdescs.Kind.ZPDESC, pfn) | MEMDESC_MOVABLE;
                order = 0;
            }
            case LARGE_KMALLOC -> {
                long head = m.compoundHeadPfn(pfn);
                typed = misc(MISC_KMALLOC_LARGE) | nodeZone;
                order = m.compoundOrder(head);
            }
            case HEAD, TAIL -> {
                long head = m.compoundHeadPfn(pfn);
                long desc = m.memdescs().folio(head);
                order = m.compoundOrder(head);
                if (desc != 0) typed = desc | ((mm.mapping(head) & 1) != 0 ? MEMDESC_ANON : MEMDESC_FILE);
                else typed = misc(MISC_DRIVER) | nodeZone; // alloc_pages(__GFP_COMP): no descriptor
            }
            case PAGE, PAGE_INSIDE -> {
                long desc = m.memdescs().folio(pfn);
                if (desc != 0) {
                    typed = desc | ((mm.mapping(pfn) & 1) != 0 ? MEMDESC_ANON : MEMDESC_FILE);
                    order = 0;
                } else if (m.memoryTypes().areaOfPfn(pfn) != null) {
                    typed = misc(MISC_VMALLOC) | nodeZone; // vmalloc and kernel-stack pages: Misc subtype 3
                    order = 0;
                } else {
                    typed = misc(MISC_DRIVER) | nodeZone;
                    order = plainOrder(m, pfn);
                }
            }
            // page tables, page_pool pages and user folios point at their descriptors (the struct page
            // address only if one is missing, which checkConsistency reports)
            case PAGE_TABLE -> { typed = described(m, Memdescs.Kind.PTDESC, pfn) | MEMDESC_PAGETABLE; order = 0; }
            case NET_POOL -> { typed = described(m, Memdescs.Kind.NETMEM, pfn) | MEMDESC_NETPOOL; order = 0; }
            case ANON, FILE -> {
                long head = m.compoundHeadPfn(pfn);
                order = m.compoundOrder(head);
                typed = described(m, Memdescs.Kind.FOLIO, head) | (m.owner(pfn) == Owner.ANON ? MEMDESC_ANON : MEMDESC_FILE);
            }
            case OFFLINE -> { typed = misc(MISC_OFFLINE) | nodeZone; order = 0; }
            case GUARD -> { typed = misc(MISC_GUARD) | nodeZone; order = (int) (mm.privateWord(pfn) & ORDER_MASK); }
            default -> { typed = misc(MISC_DRIVER) | nodeZone; order = 0; }
        }
        if (twoWords) return new long[] {typed, order};
        boolean inline = (typed & TYPE_MASK) == MEMDESC_MISC || (typed & TYPE_MASK) == MEMDESC_BUDDY;
        return new long[] {inline ? typed | ((long) order << ORDER_SHIFT) : typed};
    }

    private static long described(Machine m, Memdescs.Kind kind, long pfn) {
        long desc = m.memdescs().desc(kind, pfn);
        return desc != 0 ? desc : Addresses.pageAddress(pfn);
    }

    private static long misc(int subtype) { return MEMDESC_MISC | ((long) subtype << MISC_SUBTYPE_SHIFT); }

    /**
     * The order of a non-compound alloc_pages block, which 6.18 keeps nowhere: its first page holds the
     * reference and the others hold none, so the block is the largest aligned run of such pages.
     */
    static int plainOrder(Machine m, long pfn) {
        long first = pfn;
        while (first > 0 && m.owner(first) == Owner.PAGE_INSIDE) first--;
        int order = 0;
        while (order < Zone.MAX_PAGE_ORDER && (first & ((1L << (order + 1)) - 1)) == 0
                && first + (1L << (order + 1)) <= m.nrPages() && allInside(m, first + (1L << order), first + (1L << (order + 1)))) {
            order++;
        }
        return pfn < first + (1L << order) ? order : 0;
    }

    private static boolean allInside(Machine m, long from, long to) {
        for (long p = from; p < to; p++) if (m.owner(p) != Owner.PAGE_INSIDE) return false;
        return true;
    }
}

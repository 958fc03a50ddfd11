package org.memdesclab.sim.layout;

import java.util.List;
import java.util.Set;

/**
 * The proposed memdesc layouts (kernelnewbies MatthewWilcox/Memdescs; shared/seeds 000 and 002): struct
 * page shrinks to one word, a type in the low 4 bits and a pointer to a 16-byte aligned descriptor (or
 * inline data) above them, or to two words with the allocation's order beside the typed pointer. No
 * kernel has shipped either; the field names of the two-word variant are the lab's.
 */
public final class LayoutsMemdesc {
    private LayoutsMemdesc() {}

    public static final StructLayout PAGE_ONE_WORD = StructLayout.builder("struct page", 8)
            .ulong("memdesc", 0)
            .build();

    public static final StructLayout PAGE_TWO_WORDS = StructLayout.builder("struct page", 16)
            .ulong("memdesc", 0)
            .ulong("order", 8)
            .build();

    /**
     * The memdesc folio descriptor: 6.18's struct folio at 6.18's offsets up to the end of
     * {@code _deferred_list} (160 bytes, a multiple of the 16-byte alignment). Left out: the words that
     * exist only because 6.18's folio overlays its tail pages ({@code _head_1}, {@code _mapcount_1},
     * {@code _refcount_1}, {@code _flags_2}, {@code _head_2}; they read 0) and the hugetlb slot at 192,
     * which the lab does not model. The order stays in the low byte of {@code _flags_1}, as in 6.18.
     */
    public static final StructLayout FOLIO_DESC = subset("struct folio", 160, Layouts618.FOLIO,
            Set.of("page", "__page_1", "_head_1", "_mapcount_1", "_refcount_1", "_flags_2", "_head_2"));

    /**
     * struct netmem_desc (net/netmem.h, 6.17 on): the page_pool words of struct page, which it mirrors
     * at the same offsets; 48 bytes.
     */
    public static final StructLayout NETMEM_DESC = StructLayout.builder("struct netmem_desc", 48)
            .flags("_flags", 0, "unsigned long")
            .ulong("pp_magic", 8)
            .ptr("pp", 16, "struct page_pool *")
            .ulong("_pp_mapping_pad", 24)
            .ulong("dma_addr", 32)
            .field("pp_ref_count", 40, 8, "atomic_long_t", FieldKind.SIGNED)
            .build();

    private static StructLayout subset(String name, int size, StructLayout of, Set<String> leaveOut) {
        StructLayout.Builder b = StructLayout.builder(name, size);
        for (Field f : of.fields()) {
            if (f.offset() + f.size() <= size && !leaveOut.contains(f.name())) b.add(f);
        }
        return b.build();
    }

    /** Descriptors are separate allocations, not overlays, so there is nothing for a MATCH macro to assert. */
    public static final List<MatchAssertion> MATCHES = List.of();

    // memdesc types, low 4 bits (the kernelnewbies type table, revision "0 Misc, 1 Buddy, 2 File ...")
    public static final int MEMDESC_MISC = 0, MEMDESC_BUDDY = 1, MEMDESC_FILE = 2, MEMDESC_ANON = 3, MEMDESC_KSM = 4,
            MEMDESC_SLAB = 5, MEMDESC_MOVABLE = 6, MEMDESC_PAGETABLE = 7, MEMDESC_NETPOOL = 8;
    public static final long TYPE_MASK = 0xf;
    /** Misc subtypes in bits 4-10. */
    public static final int MISC_RESERVED = 0, MISC_DRIVER = 2, MISC_VMALLOC = 3, MISC_GUARD = 4, MISC_OFFLINE = 5, MISC_KMALLOC_LARGE = 6;
    public static final int MISC_SUBTYPE_SHIFT = 4;
    /** Inline order in bits 12-17 (Misc in the plan; the lab uses the same bits for Buddy). */
    public static final int ORDER_SHIFT = 12;
    public static final long ORDER_MASK = 0x3f;

    public static String typeName(int type) {
        return switch (type) {
            case MEMDESC_MISC -> "Misc";
            case MEMDESC_BUDDY -> "Buddy";
            case MEMDESC_FILE -> "File";
            case MEMDESC_ANON -> "Anon";
            case MEMDESC_KSM -> "KSM";
            case MEMDESC_SLAB -> "Slab";
            case MEMDESC_MOVABLE -> "Movable";
            case MEMDESC_PAGETABLE -> "PageTable";
            case MEMDESC_NETPOOL -> "NetPool";
            default -> "unassigned";
        };
    }

    public static String miscName(int subtype) {
        return switch (subtype) {
            case MISC_RESERVED -> "PageReserved";
            case MISC_DRIVER -> "unknown/driver";
            case MISC_VMALLOC -> "vmalloc";
            case MISC_GUARD -> "guard";
            case MISC_OFFLINE -> "offline";
            case MISC_KMALLOC_LARGE -> "kmalloc_large";
            default -> "subtype " + subtype;
        };
    }
}

package org.memdesclab.sim;

/**
 * Page types: the top byte of {@code page->page_type} (since 6.12). A page "has a type" when that
 * byte is 0xf0 or above and the word is not 0xffffffff; otherwise the same 32 bits are
 * {@code _mapcount}. Mirrors {@code enum pagetype} in include/linux/page-flags.h.
 */
public enum PageType {
    PGTY_buddy(0xf0, "buddy"),
    PGTY_offline(0xf1, "offline"),
    PGTY_table(0xf2, "table"),
    PGTY_guard(0xf3, "guard"),
    PGTY_hugetlb(0xf4, "hugetlb"),
    PGTY_slab(0xf5, "slab"),
    PGTY_zsmalloc(0xf6, "zsmalloc"),
    PGTY_unaccepted(0xf7, "unaccepted"),
    PGTY_large_kmalloc(0xf8, "large_kmalloc"),
    PGTY_mapcount_underflow(0xff, "mapcount_underflow");

    /** page_type (and _mapcount) value of a page with no type and no mappings. */
    public static final int NO_TYPE = 0xffffffff;

    private final int value;
    private final String shortName;

    PageType(int value, String shortName) { this.value = value; this.shortName = shortName; }

    public int value() { return value; }

    /** The full 32-bit page_type word this type writes: {@code PGTY_x << 24}. */
    public int word() { return value << 24; }

    public String shortName() { return shortName; }

    /** page_type_has_type(): top byte in 0x80..0xfe, compared as a signed int. */
    public static boolean hasType(int pageType) { return pageType < (0xff << 24); }

    /** The type in a page_type word, or null if it is a mapcount. */
    public static PageType of(int pageType) {
        if (!hasType(pageType)) return null;
        int top = pageType >>> 24;
        for (PageType t : values()) if (t.value == top) return t;
        return null;
    }
}

package org.memdesclab.sim.layout;

/**
 * One of the kernel's static offset assertions, e.g. {@code FOLIO_MATCH(compound_head, lru)}:
 * {@code offsetof(struct page, pageField) + pageIndex * sizeof(struct page) == offsetof(overlay, overlayField)}.
 */
public record MatchAssertion(String macro, String pageField, String overlay, String overlayField, int pageIndex) {

    /** How the kernel source spells it, e.g. "FOLIO_MATCH(flags, _flags_1)". */
    public String spelling() {
        String base = macro + "(" + pageField + ", " + overlayField + ")";
        return pageIndex == 0 ? base : base + " /* page " + pageIndex + " */";
    }
}

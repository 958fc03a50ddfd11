package org.memdesclab.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * The node's LRU lists (one lruvec: inactive and active, anonymous and file), threaded through
 * {@code folio->lru} at offset 8 of the head page as the kernel threads them, with PG_lru and
 * PG_active on the folios and the size of each list in pages. Mirrors lruvec_add_folio and
 * lruvec_del_folio (include/linux/mm_inline.h); MGLRU is off.
 */
final class Lru {
    /** enum lru_list: LRU_INACTIVE_ANON, LRU_ACTIVE_ANON, LRU_INACTIVE_FILE, LRU_ACTIVE_FILE. */
    static final String[] NAMES = {"inactive_anon", "active_anon", "inactive_file", "active_file"};
    static final int INACTIVE_FILE = 2, ACTIVE_FILE = 3;
    /** The node's lruvec, static kernel data outside the zone. */
    static final long LRUVEC_ADDR = 0xffffffff82e1e000L;

    private final Machine m;
    private final Memmap mem;
    private final Trace trace;
    private final ListHeads lists;
    private final long[] pages;

    Lru(Machine m, Memmap mem, Trace trace) {
        this.m = m;
        this.mem = mem;
        this.trace = trace;
        long[] anchors = new long[NAMES.length];
        for (int i = 0; i < NAMES.length; i++) anchors[i] = LRUVEC_ADDR + 16L * i;
        this.lists = new ListHeads(mem, anchors);
        this.pages = new long[NAMES.length];
    }

    private Lru(Lru o, Machine m, Memmap mem, Trace trace) {
        this.m = m;
        this.mem = mem;
        this.trace = trace;
        this.lists = o.lists.copy(mem);
        this.pages = o.pages.clone();
    }

    Lru copy(Machine m2, Memmap mem2, Trace trace2) { return new Lru(this, m2, mem2, trace2); }

    private int nrPages(long head) { return 1 << m.compoundOrder(head); }

    /** folio_lru_list(): anon if PG_swapbacked, file otherwise; active if PG_active. */
    int listOf(long head) {
        return (mem.testFlag(head, PageFlag.PG_swapbacked) ? 0 : 2) + (mem.testFlag(head, PageFlag.PG_active) ? 1 : 0);
    }

    /** lruvec_add_folio + PG_lru: at the head of its list. */
    void add(long head) {
        int lru = listOf(head);
        lists.add(head, lru);
        mem.setFlag(head, PageFlag.PG_lru);
        pages[lru] += nrPages(head);
        if (trace.on()) trace.emit("lru_add", "PFN " + head + " on the " + NAMES[lru] + " list (PG_lru)");
    }

    /** lruvec_del_folio + clearing PG_lru. */
    void del(long head) {
        int lru = listOf(head);
        lists.del(head, lru);
        mem.clearFlag(head, PageFlag.PG_lru);
        pages[lru] -= nrPages(head);
    }

    long size(int lru) { return pages[lru]; }

    boolean isEmpty(int lru) { return lists.isEmpty(lru); }

    /** Head PFNs on one list, from its head (most recently added) to its tail. */
    List<Long> list(int lru) {
        List<Long> out = new ArrayList<>();
        for (long p = lists.first(lru); p >= 0; p = lists.nextPfn(p, lru)) out.add(p);
        return out;
    }

    long digest() {
        long h = lists.digest();
        for (long n : pages) h = h * 31 + n;
        return h;
    }

    /** The lists match PG_lru and PG_active, and their sizes. */
    void check(List<String> problems) {
        long flagged = 0;
        for (long pfn = 0; pfn < m.nrPages(); pfn++) if (!mem.isTail(pfn) && mem.testFlag(pfn, PageFlag.PG_lru)) flagged++;
        long onLists = 0;
        for (int lru = 0; lru < NAMES.length; lru++) {
            long n = 0;
            int guard = 0;
            for (long p = lists.first(lru); p >= 0 && guard++ <= m.nrPages(); p = lists.nextPfn(p, lru)) {
                onLists++;
                n += nrPages(p);
                if (!mem.testFlag(p, PageFlag.PG_lru)) problems.add("PFN " + p + " is on " + NAMES[lru] + " without PG_lru");
                if (listOf(p) != lru) problems.add("PFN " + p + " is on " + NAMES[lru] + " but its flags say " + NAMES[listOf(p)]);
            }
            if (n != pages[lru]) problems.add(NAMES[lru] + " counts " + pages[lru] + " pages but holds " + n);
        }
        if (onLists != flagged) problems.add(flagged + " folios have PG_lru but the LRU lists hold " + onLists);
    }
}

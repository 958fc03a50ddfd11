package org.memdesclab.sim;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * The machine's invariants (design.md section 2): free lists well formed and counted, no two free
 * buddies left unmerged, free blocks disjoint, every tail pointing at a head that covers it, no
 * negative reference counts, per-CPU lists well formed and counted.
 */
final class Consistency {
    private static final int MAX_PROBLEMS = 20;
    private final Machine m;
    private final Memmap mm;
    private final ListHeads lists;
    private final List<String> problems = new ArrayList<>();

    Consistency(Machine m, ListHeads lists) {
        this.m = m;
        this.mm = m.memmap();
        this.lists = lists;
    }

    List<String> check() {
        BitSet free = new BitSet(m.nrPages());
        checkFreeLists(free);
        checkPcpLists(free);
        checkPages(free);
        m.slub().check(problems);
        m.zsmalloc().check(problems);
        m.userMemory().check(problems);
        m.memoryTypes().check(problems);
        m.zoneDevice().check(problems);
        return problems;
    }

    private void problem(String s) { if (problems.size() < MAX_PROBLEMS) problems.add(s); }

    private void checkFreeLists(BitSet free) {
        long buddyHeads = 0;
        for (int order = 0; order < Zone.NR_PAGE_ORDERS; order++) {
            for (int mt = 0; mt < Zone.MIGRATE_TYPES; mt++) {
                int id = Zone.listId(order, mt);
                long count = walk(id, order, free, true);
                if (mt == Zone.MIGRATE_UNMOVABLE && count != m.zone().nrFree(order)) {
                    problem("free_area[" + order + "].nr_free is " + m.zone().nrFree(order) + " but its list holds " + count);
                } else if (mt != Zone.MIGRATE_UNMOVABLE && count != 0) {
                    problem("free_area[" + order + "].free_list[" + mt + "] is not empty");
                }
                buddyHeads += count;
            }
        }
        long seen = 0;
        for (long pfn = 0; pfn < m.nrPages(); pfn++) if (mm.isBuddy(pfn)) seen++;
        if (seen != buddyHeads) problem(seen + " pages are PageBuddy but the free lists hold " + buddyHeads);
    }

    /** Walks one list, checking links and entries; returns its length. */
    private long walk(int id, int order, BitSet free, boolean buddy) {
        long head = lists.anchorAddress(id);
        long prev = head;
        long entry = lists.anchorNext(id);
        long count = 0;
        long limit = m.nrPages() + 1L;
        while (entry != head) {
            long pfn = lists.pfnOfEntry(entry);
            if (pfn < 0) {
                problem("list at " + Machine.hex(head) + " points outside the memmap: " + Machine.hex(entry));
                return count;
            }
            if (mm.word(pfn, Memmap.W_LRU_PREV) != prev) problem("PFN " + pfn + ": lru.prev does not point back");
            if (buddy) checkFreeBlock(pfn, order, free);
            else claim(pfn, order, free, "per-CPU list");
            count++;
            if (count > limit) {
                problem("list at " + Machine.hex(head) + " has a cycle");
                return count;
            }
            prev = entry;
            entry = mm.word(pfn, Memmap.W_LRU_NEXT);
        }
        if (lists.anchorPrev(id) != prev) problem("list at " + Machine.hex(head) + ": head.prev is not the last entry");
        return count;
    }

    private void checkFreeBlock(long pfn, int order, BitSet free) {
        if (!mm.isBuddy(pfn)) problem("PFN " + pfn + " is on free_area[" + order + "] but not PageBuddy");
        if (mm.privateWord(pfn) != order) problem("PFN " + pfn + " on free_area[" + order + "] has private " + mm.privateWord(pfn));
        if ((pfn & ((1L << order) - 1)) != 0) problem("PFN " + pfn + " is not aligned to its order " + order);
        if (pfn + (1L << order) > m.nrPages()) problem("free block at PFN " + pfn + " runs past the end");
        if (order < Zone.MAX_PAGE_ORDER && m.zone().pageIsBuddy(pfn ^ (1L << order), order)) {
            problem("free buddies PFN " + pfn + " and " + (pfn ^ (1L << order)) + " (order " + order + ") were not merged");
        }
        claim(pfn, order, free, "free_area[" + order + "]");
    }

    private void claim(long pfn, int order, BitSet free, String where) {
        long end = Math.min(pfn + (1L << order), m.nrPages());
        for (long p = pfn; p < end; p++) {
            if (free.get((int) p)) problem("PFN " + p + " is free twice (again on " + where + ")");
            free.set((int) p);
            if (mm.refcount(p) != 0) problem("free PFN " + p + " has refcount " + mm.refcount(p));
            if (mm.isTail(p)) problem("free PFN " + p + " still looks like a tail page");
            if (mm.isHead(p)) problem("free PFN " + p + " still has PG_head");
            if (p != pfn && mm.isBuddy(p)) problem("PFN " + p + " inside a free block is PageBuddy");
        }
    }

    private void checkPcpLists(BitSet free) {
        PerCpuPages pcp = m.pcp();
        if (pcp == null) return;
        for (int c = 0; c < m.config().cpus(); c++) {
            long pages = 0;
            for (int order = 0; order <= PerCpuPages.PCP_MAX_ORDER; order++) {
                long n = walk(pcp.listId(c, order), order, free, false);
                pages += n << order;
            }
            if (pages != pcp.count(c)) problem("CPU " + c + " pcp->count is " + pcp.count(c) + " but its lists hold " + pages + " pages");
        }
        for (long pfn = 0; pfn < m.nrPages(); pfn++) {
            if (m.onPcpList(pfn) && mm.isBuddy(pfn)) problem("PFN " + pfn + " is on a per-CPU list and PageBuddy");
        }
    }

    private void checkPages(BitSet free) {
        for (long pfn = 0; pfn < m.nrPages(); pfn++) {
            int ref = mm.refcount(pfn);
            if (ref < 0) problem("PFN " + pfn + " has a negative refcount " + ref);
            if (mm.isTail(pfn)) {
                long head = m.compoundHeadPfn(pfn);
                if (!m.validPfn(head) || !mm.isHead(head)) {
                    problem("tail PFN " + pfn + " points at " + Machine.hex(mm.compoundWord(pfn) - 1) + ", which is not a head");
                } else if (pfn >= head + (1L << m.compoundOrder(head)) || pfn <= head) {
                    problem("tail PFN " + pfn + " lies outside its head's order-" + m.compoundOrder(head) + " block");
                }
                if (ref != 0) problem("tail PFN " + pfn + " has refcount " + ref);
            }
            if (mm.isHead(pfn) && !free.get((int) pfn)) {
                int order = m.compoundOrder(pfn);
                if (order < 1 || pfn + (1L << order) > m.nrPages()) problem("head PFN " + pfn + " has order " + order);
                for (long t = pfn + 1; t < Math.min(pfn + (1L << order), m.nrPages()); t++) {
                    if (m.compoundHeadPfn(t) != pfn) problem("PFN " + t + " inside the compound page at " + pfn + " is not its tail");
                }
            }
            if (!free.get((int) pfn) && !mm.isTail(pfn) && ref == 0 && mm.isBuddy(pfn)) {
                problem("PFN " + pfn + " is PageBuddy but on no free list");
            }
        }
    }
}

package org.memdesclab.web;

import java.util.ArrayList;
import java.util.List;
import org.memdesclab.sim.Addresses;
import org.memdesclab.sim.Folio;
import org.memdesclab.sim.Machine;
import org.memdesclab.sim.Owner;
import org.memdesclab.sim.PageFlag;
import org.memdesclab.sim.Zone;

/** The descriptor tables beside the memmap, as flat rows: free lists per order and allocated folios/pages. */
public final class TableViews {
    /** Blocks listed per free-list row before "and N more". */
    static final int MAX_BLOCKS_SHOWN = 12;
    /** Rows of the folio table before it says how many it left out. */
    static final int MAX_FOLIO_ROWS = 256;

    private TableViews() {}

    /**
     * One row of free_area[order]: nr_free, the share of memory in free blocks of this order (the bar),
     * and the block PFNs from the head of the list.
     */
    public record FreeListRow(int order, long nrFree, int barPercent, List<Long> blocks, long more) {
        public String id() { return "fl" + order; }

        public String barLabel() { return nrFree + " block" + (nrFree == 1 ? "" : "s") + " of " + (1L << order) + " page" + (order == 0 ? "" : "s"); }
    }

    public static List<FreeListRow> freeLists(Machine m) {
        List<FreeListRow> out = new ArrayList<>();
        for (int o = 0; o < Zone.NR_PAGE_ORDERS; o++) {
            long n = m.zone().nrFree(o);
            long pages = n << o;
            int pct = pages == 0 ? 0 : (int) Math.max(1, Math.round(100.0 * pages / m.nrPages()));
            long[] list = m.zone().freeList(o);
            List<Long> shown = new ArrayList<>();
            for (int i = 0; i < Math.min(MAX_BLOCKS_SHOWN, list.length); i++) shown.add(list[i]);
            out.add(new FreeListRow(o, n, pct, shown, Math.max(0, list.length - MAX_BLOCKS_SHOWN)));
        }
        return out;
    }

    /** An allocated folio or page: what `kmem -p`-style tools print for it. */
    public record FolioRow(long pfn, String kind, int order, int refcount, int mapcount, String mapping, String flags) {
        public String id() { return "fo" + pfn; }
    }

    /** Allocated descriptors in PFN order: compound heads (large folios) and order-0/plain pages. */
    public static List<FolioRow> folios(Machine m) {
        List<FolioRow> out = new ArrayList<>();
        for (long pfn = 0; pfn < m.nrPages() && out.size() < MAX_FOLIO_ROWS; pfn++) {
            Owner o = m.owner(pfn);
            if (o == Owner.FREE_HEAD) {
                pfn += (1L << m.zone().buddyOrder(pfn)) - 1;
                continue;
            }
            boolean slabHead = (o == Owner.SLAB || o == Owner.LARGE_KMALLOC) && m.compoundHeadPfn(pfn) == pfn;
            if (o != Owner.HEAD && o != Owner.PAGE && !slabHead) continue;
            Folio f = m.folio(pfn);
            int order = f.order();
            String kind = o == Owner.HEAD ? "folio" : o == Owner.PAGE ? "page"
                    : o == Owner.SLAB ? "slab " + MemmapView.cacheName(m, pfn) : "large kmalloc";
            out.add(new FolioRow(pfn, kind, order, f.refcount(), f.mapcount(), mapping(f.mapping()), flagNames(m.memmap().flags(pfn))));
            if (o != Owner.PAGE) pfn += (1L << order) - 1;
        }
        return out;
    }

    /** A new row and the id of the row it follows (null: first). */
    public record AddedRow(FolioRow row, String after) {}

    /** What changed in the folio table, row by row, so a response carries only those rows. */
    public record FolioDiff(List<FolioRow> removed, List<FolioRow> changed, List<AddedRow> added) {
        public boolean isEmpty() { return removed.isEmpty() && changed.isEmpty() && added.isEmpty(); }
    }

    public static FolioDiff diff(List<FolioRow> before, List<FolioRow> after) {
        java.util.Map<Long, FolioRow> old = new java.util.HashMap<>();
        for (FolioRow r : before) old.put(r.pfn(), r);
        java.util.Set<Long> now = new java.util.HashSet<>();
        List<FolioRow> changed = new ArrayList<>();
        List<AddedRow> added = new ArrayList<>();
        String prev = null;
        for (FolioRow r : after) {
            now.add(r.pfn());
            FolioRow o = old.get(r.pfn());
            if (o == null) added.add(new AddedRow(r, prev));
            else if (!o.equals(r)) changed.add(r);
            prev = r.id();
        }
        List<FolioRow> removed = before.stream().filter(r -> !now.contains(r.pfn())).toList();
        return new FolioDiff(removed, changed, added);
    }

    /** How many allocated descriptors there are in all (the table may show fewer). */
    public static int folioCount(Machine m) {
        int n = 0;
        for (long pfn = 0; pfn < m.nrPages(); pfn++) {
            Owner o = m.owner(pfn);
            if (o == Owner.FREE_HEAD) pfn += (1L << m.zone().buddyOrder(pfn)) - 1;
            else if (o == Owner.HEAD || o == Owner.PAGE) n++;
            else if ((o == Owner.SLAB || o == Owner.LARGE_KMALLOC) && m.compoundHeadPfn(pfn) == pfn) n++;
        }
        return n;
    }

    static String mapping(long mapping) {
        if (mapping == 0) return "NULL";
        String kind = (mapping & 3) == 3 ? "ksm" : (mapping & 1) != 0 ? "anon_vma" : "address_space";
        return kind + " " + String.format("%#x", mapping & ~3L);
    }

    /** The set PG_ flags by name ("head|lru"), or "-" when none is set. */
    public static String flagNames(long flags) {
        StringBuilder sb = new StringBuilder();
        for (PageFlag f : PageFlag.values()) {
            if ((flags & f.mask()) != 0) {
                if (sb.length() > 0) sb.append('|');
                sb.append(f.printName());
            }
        }
        return sb.length() == 0 ? "-" : sb.toString();
    }

    /** Addresses of a PFN, for the inspector header. */
    public record PfnAddresses(String structPage, String phys, String virt) {}

    public static PfnAddresses addresses(long pfn) {
        return new PfnAddresses(hex(Addresses.pageAddress(pfn)), hex(Addresses.physAddress(pfn)), hex(Addresses.directMapAddress(pfn)));
    }

    static String hex(long v) { return String.format("0x%016x", v); }
}

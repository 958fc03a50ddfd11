package org.memdesclab.sim;

import java.util.ArrayList;
import java.util.List;

/** The /proc files of mm/vmstat.c, in the kernel's exact formats (trailing spaces included). */
public final class ProcFiles {
    private ProcFiles() {}

    /** /proc/buddyinfo: frag_show_print. */
    public static List<String> buddyinfo(Machine m) {
        StringBuilder sb = new StringBuilder(String.format("Node %d, zone %8s ", 0, "Normal"));
        for (int o = 0; o < Zone.NR_PAGE_ORDERS; o++) sb.append(String.format("%6d ", m.zone().nrFree(o)));
        return List.of(sb.toString());
    }

    /** /proc/pagetypeinfo: pagetypeinfo_showfree and pagetypeinfo_showblockcount (no page_owner). */
    public static List<String> pagetypeinfo(Machine m) {
        List<String> out = new ArrayList<>();
        out.add("Page block order: " + Zone.PAGEBLOCK_ORDER);
        out.add("Pages per block:  " + (1 << Zone.PAGEBLOCK_ORDER));
        out.add("");
        StringBuilder hdr = new StringBuilder(String.format("%-43s ", "Free pages count per migrate type at order"));
        for (int o = 0; o < Zone.NR_PAGE_ORDERS; o++) hdr.append(String.format("%6d ", o));
        out.add(hdr.toString());
        for (int mt = 0; mt < Zone.MIGRATE_TYPES; mt++) {
            StringBuilder row = new StringBuilder(String.format("Node %4d, zone %8s, type %12s ", 0, "Normal",
                    Zone.MIGRATETYPE_NAMES[mt]));
            for (int o = 0; o < Zone.NR_PAGE_ORDERS; o++) {
                long n = mt == Zone.MIGRATE_UNMOVABLE ? m.zone().nrFree(o) : 0;
                boolean overflow = n >= 100000;
                row.append(String.format("%s%6d ", overflow ? ">" : "", overflow ? 100000 : n));
            }
            out.add(row.toString());
        }
        out.add("");
        StringBuilder bh = new StringBuilder(String.format("%-23s", "Number of blocks type "));
        for (int mt = 0; mt < Zone.MIGRATE_TYPES; mt++) bh.append(String.format("%12s ", Zone.MIGRATETYPE_NAMES[mt]));
        out.add(bh.toString());
        long blocks = (m.nrPages() + (1L << Zone.PAGEBLOCK_ORDER) - 1) >> Zone.PAGEBLOCK_ORDER;
        StringBuilder br = new StringBuilder(String.format("Node %d, zone %8s ", 0, "Normal"));
        for (int mt = 0; mt < Zone.MIGRATE_TYPES; mt++) br.append(String.format("%12d ", mt == 0 ? blocks : 0));
        out.add(br.toString());
        return out;
    }
}

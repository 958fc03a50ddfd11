package org.memdesclab.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * dump_page() as mm/debug.c {@code __dump_folio} prints it in 6.18, without the final "page dumped
 * because" line (callers add their reason). Pointers are printed unhashed, as with the
 * {@code no_hash_pointers} boot option, so learners can follow them.
 */
public final class DumpPage {
    /** %pGp flag names in the order the kernel's table lists them (include/trace/events/mmflags.h). */
    private static final PageFlag[] PRINT_ORDER = {
        PageFlag.PG_locked, PageFlag.PG_waiters, PageFlag.PG_referenced, PageFlag.PG_uptodate, PageFlag.PG_dirty,
        PageFlag.PG_lru, PageFlag.PG_active, PageFlag.PG_workingset, PageFlag.PG_owner_priv_1, PageFlag.PG_owner_2,
        PageFlag.PG_arch_1, PageFlag.PG_reserved, PageFlag.PG_private, PageFlag.PG_private_2, PageFlag.PG_writeback,
        PageFlag.PG_head, PageFlag.PG_reclaim, PageFlag.PG_swapbacked, PageFlag.PG_unevictable, PageFlag.PG_dropbehind,
        PageFlag.PG_mlocked, PageFlag.PG_hwpoison, PageFlag.PG_idle, PageFlag.PG_young, PageFlag.PG_arch_2,
    };

    private DumpPage() {}

    /** The dump_page lines for one PFN, in the format of the machine's kernel profile. */
    public static List<String> dump(Machine m, long pfn) {
        return switch (m.profile().id()) {
            case "5.15" -> dump515(m, pfn);
            case "memdesc", "memdesc2" -> dumpMemdesc(m, pfn);
            default -> dump618(m, pfn);
        };
    }

    /** 6.18 __dump_folio. */
    static List<String> dump618(Machine m, long pfn) {
        Memmap mm = m.memmap();
        List<String> out = new ArrayList<>();
        long head = m.compoundHeadPfn(pfn);
        boolean headValid = m.validPfn(head) && head <= pfn;
        if (!headValid) head = pfn;
        boolean large = mm.isHead(head) && head + 1 < m.nrPages();
        long idx = pfn - head;
        int mapcount = mm.pageType(pfn) + 1;
        if (PageType.hasType(mapcount - 1)) mapcount = 0;
        long mapping = mm.mapping(head);
        // folio_mapping() is NULL for a slab folio (its word 3 is slab_list.prev there)
        boolean slab = (mm.pageType(head) >>> 24) == PageType.PGTY_slab.value();
        if (slab) mapping = 0;
        long folioMapping = (mapping & 3) != 0 ? 0 : mapping;
        out.add(String.format("page: refcount:%d mapcount:%d mapping:%016x index:%#x pfn:%#x", mm.refcount(head), mapcount,
                folioMapping, mm.word(head, Memmap.W_INDEX) + idx, pfn));
        if (large) {
            Folio f = m.folio(head);
            out.add(String.format("head: order:%d mapcount:%d entire_mapcount:%d nr_pages_mapped:%d pincount:%d", f.order(),
                    f.mapcount(), f.entireMapcount(), f.nrPagesMapped(), f.pincount()));
        }
        long memcg = mm.word(head, Memmap.W_MEMCG);
        if (memcg != 0) out.add(String.format("memcg:%x", memcg));
        String prefix = (mapping & 3) == 3 ? "ksm " : (mapping & 1) != 0 ? "anon " : "";
        out.add(prefix + "flags: " + formatFlags(mm.flags(head)));
        int type = mm.pageType(head);
        if (PageType.hasType(type)) out.add(String.format("page_type: %x(%s)", type >>> 24, pageTypeName(type)));
        rawLines(out, "raw: ", mm.words(pfn));
        if (large) {
            rawLines(out, "head: ", mm.words(head));
            rawLines(out, "head: ", mm.words(head + 1));
        }
        return out;
    }

    /**
     * 5.15 __dump_page (mm/debug.c): "page:" with the struct page address, the head line with
     * compound_mapcount and compound_pincount, flags named by 5.15's enum pageflags, and raw words
     * as 5.15's struct page holds them.
     */
    static List<String> dump515(Machine m, long pfn) {
        Memmap mm = m.memmap();
        List<String> out = new ArrayList<>();
        long head = m.compoundHeadPfn(pfn);
        if (!m.validPfn(head) || head > pfn) head = pfn;
        boolean compound = mm.isHead(head) && head + 1 < m.nrPages();
        long[] hw = m.profile().encoding().words(m, head);
        boolean slab = (hw[Memmap.W_FLAGS] & (1L << Encoding515.PG_slab)) != 0;
        // 5.15: mapcount = PageSlab(head) ? 0 : page_mapcount(page), which is _mapcount + 1 even for a typed page,
        // so a free buddy page (0xffffff7f) prints the familiar mapcount:-128
        int mapcount = slab ? 0 : (int) m.profile().encoding().words(m, pfn)[Memmap.W_TYPE_REF] + 1;
        // page_mapping(): NULL for a slab page and for an anonymous one, else mapping without PAGE_MAPPING_FLAGS
        long rawMapping = hw[Memmap.W_MAPPING];
        long mapping = slab || (rawMapping & 1) != 0 ? 0 : rawMapping & ~3L;
        // page_to_pgoff(): page->index, or head->index + the tail's offset (for a slab page, index overlays freelist)
        out.add(String.format("page:%016x refcount:%d mapcount:%d mapping:%016x index:%#x pfn:%#x", Addresses.pageAddress(pfn),
                (int) (hw[Memmap.W_TYPE_REF] >>> 32), mapcount, mapping, hw[Memmap.W_INDEX] + (pfn - head), pfn));
        if (compound) {
            long[] p1 = m.profile().encoding().words(m, head + 1);
            int order = (int) ((p1[2] >>> 8) & 0xff);
            String line = String.format("head:%016x order:%d compound_mapcount:%d", Addresses.pageAddress(head), order,
                    (int) (p1[2] >>> 32) + 1);
            if (order > 1) line += String.format(" compound_pincount:%d", (int) m.profile().encoding().words(m, head + 2)[2]);
            out.add(line);
        }
        if (hw[Memmap.W_MEMCG] != 0) out.add(String.format("memcg:%x", hw[Memmap.W_MEMCG]));
        mapping = slab ? 0 : rawMapping;
        String prefix = (mapping & 3) == 3 ? "ksm " : (mapping & 1) != 0 ? "anon " : "";
        out.add(prefix + "flags: " + formatFlags515(hw[Memmap.W_FLAGS]));
        rawLines(out, "raw: ", m.profile().encoding().words(m, pfn));
        if (head != pfn) rawLines(out, "head: ", hw);
        return out;
    }

    static String formatFlags515(long flags) {
        StringBuilder sb = new StringBuilder(String.format("%#x(", flags));
        for (int b = 0; b < Encoding515.NAMES_515.length; b++) {
            if ((flags & (1L << b)) != 0) sb.append(Encoding515.NAMES_515[b]).append('|');
        }
        sb.append("node=").append(FlagsWord.node(flags));
        sb.append("|zone=").append(FlagsWord.zone(flags));
        sb.append(String.format("|lastcpupid=%#x", FlagsWord.lastCpupid(flags)));
        return sb.append(')').toString();
    }

    /**
     * Memdesc profiles: no kernel has a dump_page for them yet, so the lab prints the memdesc word
     * decoded (type, descriptor or inline order), then what 6.18's dump_page reads from the
     * descriptor's fields, then the raw word(s).
     */
    static List<String> dumpMemdesc(Machine m, long pfn) {
        long[] w = m.profile().encoding().words(m, pfn);
        List<String> out = new ArrayList<>();
        out.add("memdesc: " + describeMemdesc(w) + String.format(" pfn:%#x", pfn));
        out.add("lab: the state that the descriptor or the memdesc word now holds, as 6.18's dump_page reads it:");
        List<String> fields = dump618(m, pfn);
        for (String line : fields) {
            if (line.startsWith("raw: ")) break; // the 6.18 raw words are not this era's struct page
            out.add(line);
        }
        StringBuilder raw = new StringBuilder("raw:");
        for (long x : w) raw.append(String.format(" %016x", x));
        out.add(raw.toString());
        return out;
    }

    /** "0x...02 (File, descriptor 0x...00)" or "0x...1 (Buddy, order 3)". */
    public static String describeMemdesc(long[] w) {
        long word = w[0];
        int type = (int) (word & org.memdesclab.sim.layout.LayoutsMemdesc.TYPE_MASK);
        String name = org.memdesclab.sim.layout.LayoutsMemdesc.typeName(type);
        int order = w.length > 1 ? (int) w[1] : (int) ((word >>> org.memdesclab.sim.layout.LayoutsMemdesc.ORDER_SHIFT)
                & org.memdesclab.sim.layout.LayoutsMemdesc.ORDER_MASK);
        String what;
        if (type == org.memdesclab.sim.layout.LayoutsMemdesc.MEMDESC_BUDDY) {
            what = "order " + order;
        } else if (type == org.memdesclab.sim.layout.LayoutsMemdesc.MEMDESC_MISC) {
            int sub = (int) ((word >>> org.memdesclab.sim.layout.LayoutsMemdesc.MISC_SUBTYPE_SHIFT) & 0x7f);
            what = org.memdesclab.sim.layout.LayoutsMemdesc.miscName(sub) + ", order " + order;
        } else {
            what = String.format("descriptor %016x", word & ~org.memdesclab.sim.layout.LayoutsMemdesc.TYPE_MASK);
            if (w.length > 1) what += ", order " + order;
        }
        return String.format("%016x (%s, %s)", word, name, what);
    }

    private static void rawLines(List<String> out, String prefix, long[] w) {
        out.add(String.format("%s%016x %016x %016x %016x", prefix, w[0], w[1], w[2], w[3]));
        out.add(String.format("%s%016x %016x %016x %016x", prefix, w[4], w[5], w[6], w[7]));
    }

    /** page_type_name(): the 6.18 table has no zsmalloc entry and ends before large_kmalloc. */
    static String pageTypeName(int type) {
        int top = type >>> 24;
        return switch (top) {
            case 0xf0 -> "buddy";
            case 0xf1 -> "offline";
            case 0xf2 -> "table";
            case 0xf3 -> "guard";
            case 0xf4 -> "hugetlb";
            case 0xf5 -> "slab";
            case 0xf6 -> "(null)";
            case 0xf7 -> "unaccepted";
            default -> "unknown";
        };
    }

    /** %pGp: the word in hex, then the set flags by name and the node, zone and last_cpupid fields. */
    public static String formatFlags(long flags) {
        StringBuilder sb = new StringBuilder(String.format("%#x(", flags));
        boolean any = false;
        for (PageFlag f : PRINT_ORDER) {
            if ((flags & f.mask()) != 0) {
                if (any) sb.append('|');
                sb.append(f.printName());
                any = true;
            }
        }
        if (any) sb.append('|');
        sb.append("node=").append(FlagsWord.node(flags));
        sb.append("|zone=").append(FlagsWord.zone(flags));
        sb.append(String.format("|lastcpupid=%#x", FlagsWord.lastCpupid(flags)));
        return sb.append(')').toString();
    }
}

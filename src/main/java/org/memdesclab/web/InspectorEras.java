package org.memdesclab.web;

import java.util.ArrayList;
import java.util.List;
import org.memdesclab.sim.DumpPage;
import org.memdesclab.sim.Machine;
import org.memdesclab.sim.Memdescs;
import org.memdesclab.sim.Owner;
import org.memdesclab.sim.layout.Field;
import org.memdesclab.sim.layout.StructLayout;
import org.memdesclab.web.InspectorView.Reading;
import org.memdesclab.web.InspectorView.WordRow;

import static org.memdesclab.sim.layout.LayoutsMemdesc.*;

/**
 * The inspector under the profiles whose struct page is not 6.18's: the raw words are the ones the
 * profile's encoding gives, and each is read through that era's struct page layout (5.15's union
 * members, the memdesc word's type and pointer or inline data).
 */
final class InspectorEras {
    private InspectorEras() {}

    /** A member of a layout read from an era's words (little-endian, as the kernel stores them). */
    private static long read(long[] w, Field f) {
        long raw = 0;
        for (int b = f.size() - 1; b >= 0; b--) {
            int at = f.offset() + b;
            raw = (raw << 8) | ((w[at >>> 3] >>> ((at & 7) * 8)) & 0xff);
        }
        return f.decode(raw);
    }

    // ------------------------------------------------------------------ 5.15

    /** The 5.15 union member each owner uses in each word (5.15 had no struct folio or struct slab: all are struct page members). */
    private static List<String> members515(Owner o, int word, long indexInCompound, long typeWord) {
        boolean slab = o == Owner.SLAB && indexInCompound == 0;
        boolean tail1 = o == Owner.TAIL && indexInCompound == 1, tail2 = o == Owner.TAIL && indexInCompound == 2;
        boolean table = o == Owner.PAGE_TABLE;
        if (o == Owner.NET_POOL && word >= 1 && word <= 5) {
            return List.of(List.of("pp_magic", "pp", "_pp_mapping_pad", "dma_addr", "pp_frag_count").get(word - 1));
        }
        return switch (word) {
            case 0 -> List.of("flags");
            case 1 -> List.of(o == Owner.TAIL ? "compound_head" : slab ? "slab_list.next" : table ? "_pt_pad_1" : "lru.next");
            case 2 -> tail1 ? List.of("compound_dtor", "compound_order", "compound_mapcount") : tail2 ? List.of("hpage_pinned_refcount")
                    : List.of(slab ? "slab_list.prev" : table ? "pmd_huge_pte" : "lru.prev");
            case 3 -> List.of(tail1 ? "compound_nr" : slab ? "slab_cache" : table ? "_pt_pad_2" : "mapping");
            case 4 -> List.of(slab ? "freelist" : table ? "pt_mm" : "index");
            case 5 -> slab ? List.of("inuse", "objects", "frozen") : List.of(table ? "ptl" : "private");
            case 6 -> List.of(typed515((int) typeWord) ? "page_type" : "_mapcount", "_refcount");
            default -> List.of("memcg_data");
        };
    }

    /** 5.15's PageType(): page_type & (PAGE_TYPE_BASE | page_type_bit) == PAGE_TYPE_BASE, i.e. the top nibble is 0xf. */
    private static boolean typed515(int v) { return (v & 0xf0000000) == 0xf0000000 && v != -1; }

    static InspectorView of515(Machine m, long pfn) {
        Owner o = m.owner(pfn);
        long[] w = m.profile().encoding().words(m, pfn);
        StructLayout page = m.profile().page();
        long head = m.compoundHeadPfn(pfn);
        long idx = m.validPfn(head) && head <= pfn ? pfn - head : 0;
        List<WordRow> rows = new ArrayList<>();
        for (int i = 0; i < w.length; i++) {
            List<Reading> pr = new ArrayList<>();
            for (String name : members515(o, i, idx, w[6])) {
                Field f = page.field(name);
                pr.add(InspectorView.reading(f, read(w, f), meaningful515(o, name)));
            }
            rows.add(new WordRow(i * 8, String.format("0x%016x", w[i]), pr, List.of(), List.of()));
        }
        var a = TableViews.addresses(pfn);
        String note = switch (o) {
            case SLAB -> "5.15 had no struct slab: slab_list, slab_cache (offset 24), freelist and the inuse/objects/frozen counters "
                    + "are members of struct page, and PG_slab is a page flag (bit 9).";
            case TAIL -> idx == 1 ? "5.15 kept a compound page's order in page[1].compound_order (offset 17), beside compound_dtor; "
                    + "compound_nr overlays the low half of mapping." : "A tail page: compound_head points at the head with bit 0 set.";
            case FREE_HEAD -> "A free block head: 5.15 marked PageBuddy by clearing bit 7 of page_type (0xffffff7f), the order in private.";
            default -> "";
        };
        return new InspectorView(pfn, InspectorView.ownerName(o) + InspectorView.ownerDetail(m, pfn, o), String.valueOf(o.letter()),
                a.structPage(), a.phys(), a.virt(), null, null, rows, DumpPage.dump(m, pfn),
                (note.isEmpty() ? "" : note + " ") + "5.15 had no struct folio (5.16) or struct slab (5.17): every reading is a member of struct page.",
                "The 64 bytes of the struct page of PFN " + pfn + " as Linux 5.15 lays them out, eight words, with the struct page "
                        + "member each owner uses there. Greyed readings mean nothing for this page now.",
                null, List.of());
    }

    private static boolean meaningful515(Owner o, String name) {
        return switch (o) {
            case FREE_INSIDE, PAGE_INSIDE, RESERVED -> name.equals("flags") || name.equals("_refcount");
            case FREE_HEAD -> !name.equals("mapping") && !name.equals("index") && !name.equals("memcg_data") && !name.equals("_mapcount");
            default -> true;
        };
    }

    // ------------------------------------------------------------------ memdesc, memdesc2

    static InspectorView ofMemdesc(Machine m, long pfn) {
        Owner o = m.owner(pfn);
        long[] w = m.profile().encoding().words(m, pfn);
        int type = (int) (w[0] & TYPE_MASK);
        boolean inline = type == MEMDESC_MISC || type == MEMDESC_BUDDY;
        List<Reading> r0 = new ArrayList<>();
        r0.add(new Reading("type (bits 0-3)", typeName(type) + " (" + type + ")", true));
        String descTitle;
        if (inline) {
            if (type == MEMDESC_MISC) {
                int sub = (int) ((w[0] >>> MISC_SUBTYPE_SHIFT) & 0x7f);
                r0.add(new Reading("subtype (bits 4-10)", miscName(sub) + " (" + sub + ")", true));
            }
            if (w.length == 1) r0.add(new Reading("order (bits 12-17)", Long.toString((w[0] >>> ORDER_SHIFT) & ORDER_MASK), true));
            r0.add(new Reading("node, zone (high bits)", String.format("0x%016x", w[0] & ~((1L << 18) - 1)), true));
            descTitle = "no descriptor: a " + typeName(type) + " page keeps its data inline in the memdesc word";
        } else {
            long desc = w[0] & ~TYPE_MASK;
            r0.add(new Reading("descriptor (bits 4-63)", String.format("0x%016x", desc), true));
            descTitle = descriptorName(o, type) + String.format(" at 0x%016x, a separate slab object", desc);
        }
        List<WordRow> rows = new ArrayList<>();
        rows.add(new WordRow(0, String.format("0x%016x", w[0]), r0, List.of(), List.of()));
        String descTable = null;
        List<WordRow> descRows = new ArrayList<>();
        Memdescs.Described d = inline || m.memdescs() == null ? null : m.memdescs().at(w[0] & ~TYPE_MASK, 8);
        if (d != null) {
            long desc = w[0] & ~TYPE_MASK;
            StructLayout layout = d.kind().layout();
            descTable = String.format("%s at 0x%016x (%d bytes), read where p->memdesc & ~0xf points, as *(unsigned long *) reads it",
                    layout.name(), desc, layout.size());
            for (int off = 0; off < layout.size(); off += 8) {
                long word = m.readMemory(desc + off, 8);
                List<Reading> rd = new ArrayList<>();
                for (Field f : InspectorView.inWord(layout, off)) {
                    rd.add(InspectorView.reading(f, f.decode(m.readMemory(desc + f.offset(), f.size())), true));
                }
                descRows.add(new WordRow(off, String.format("0x%016x", word), rd, List.of(), List.of()));
            }
        }
        if (w.length > 1) {
            rows.add(new WordRow(8, String.format("0x%016x", w[1]), List.of(new Reading("order", Long.toString(w[1]), true)), List.of(),
                    List.of()));
        }
        var a = TableViews.addresses(pfn);
        int size = m.profile().structPageSize();
        return new InspectorView(pfn, InspectorView.ownerName(o) + InspectorView.ownerDetail(m, pfn, o), String.valueOf(o.letter()),
                a.structPage(), a.phys(), a.virt(), descTitle, null, rows, DumpPage.dump(m, pfn),
                "Under the " + m.profile().id() + " profile struct page is " + size + " bytes: " + (w.length == 1 ? "one typed word"
                        : "the typed word and the order of the allocation") + "; everything else lives in the descriptor, or inline for free and Misc pages. No kernel has laid memdesc "
                        + "descriptors out yet: the lab keeps each at the offsets of the 6.18 overlay it replaces (the second table).",
                "The " + size + " bytes of the struct page of PFN " + pfn + " under the " + m.profile().id() + " profile, "
                        + (w.length == 1 ? "one word" : "two words") + ", with what the memdesc word means.", descTable, descRows);
    }

    private static String descriptorName(Owner o, int type) {
        return switch (type) {
            case MEMDESC_FILE, MEMDESC_ANON -> "struct folio";
            case MEMDESC_SLAB -> "struct slab";
            case MEMDESC_PAGETABLE -> "struct ptdesc";
            case MEMDESC_NETPOOL -> "struct netmem_desc";
            case MEMDESC_MOVABLE -> o == Owner.ZSMALLOC ? "struct zpdesc" : "a movable descriptor";
            default -> "descriptor";
        };
    }
}

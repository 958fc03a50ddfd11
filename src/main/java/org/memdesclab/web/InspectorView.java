package org.memdesclab.web;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.memdesclab.sim.Addresses;
import org.memdesclab.sim.DumpPage;
import org.memdesclab.sim.Machine;
import org.memdesclab.sim.Memmap;
import org.memdesclab.sim.Owner;
import org.memdesclab.sim.layout.Field;
import org.memdesclab.sim.layout.FieldKind;
import org.memdesclab.sim.layout.StructLayout;

/**
 * One struct page as the machine's kernel profile stores it: its words in hex (eight in 6.18 and 5.15,
 * one or two in the memdesc profiles), each beside what that era's struct page reads there, and in
 * 6.18 what struct folio (struct slab, struct ptdesc) reads in the same bytes, with the readings that
 * mean nothing for the page's current owner greyed out. The lesson of the seeds: the same bytes mean
 * different things to different owners, and different eras put them in different places. Under memdesc
 * a second table reads the page's descriptor memory, word by word, in the descriptor's own layout.
 */
public record InspectorView(long pfn, String owner, String ownerLetter, String structPage, String phys, String virt,
                            String folioTitle, String slabTitle, List<WordRow> words, List<String> dump, String note,
                            String caption, String descTitle, List<WordRow> descWords) {

    public String dumpText() { return String.join("\n", dump); }

    /** One reading of a field: name, value as C would print it, and whether it means anything now. */
    public record Reading(String name, String value, boolean meaningful) {}

    public record WordRow(int offset, String hex, List<Reading> page, List<Reading> folio, List<Reading> slab) {}

    /** Readings of struct page that mean something, per owner (everything else is greyed). */
    private static final Map<Owner, Set<String>> PAGE_MEANINGFUL = Map.ofEntries(
            Map.entry(Owner.FREE_HEAD, Set.of("flags", "buddy_list.next", "buddy_list.prev", "private", "page_type", "_refcount")),
            Map.entry(Owner.FREE_INSIDE, Set.of("flags", "_refcount")),
            Map.entry(Owner.FREE_PCP, Set.of("flags", "pcp_list.next", "pcp_list.prev", "private", "_refcount")),
            Map.entry(Owner.TAIL, Set.of("flags", "compound_head")),
            Map.entry(Owner.PAGE_INSIDE, Set.of("flags", "_refcount")),
            Map.entry(Owner.RESERVED, Set.of("flags", "_refcount")),
            Map.entry(Owner.SLAB, Set.of("flags", "page_type", "_refcount")),
            Map.entry(Owner.LARGE_KMALLOC, Set.of("flags", "page_type", "_refcount", "private")),
            Map.entry(Owner.NET_POOL, Set.of("flags", "pp_magic", "pp", "pp_ref_count", "_mapcount", "_refcount")),
            Map.entry(Owner.OFFLINE, Set.of("flags", "page_type", "_refcount")),
            Map.entry(Owner.GUARD, Set.of("flags", "page_type", "private", "_refcount")));

    /** The member shown for each word of struct page, per owner (the union member that owner uses). */
    private static String pageMember(Owner o, int word) {
        return switch (word) {
            case 0 -> "flags";
            case 1 -> o == Owner.TAIL ? "compound_head" : o == Owner.FREE_HEAD ? "buddy_list.next" : o == Owner.FREE_PCP ? "pcp_list.next"
                    : o == Owner.NET_POOL ? "pp_magic" : "lru.next";
            case 2 -> o == Owner.FREE_HEAD ? "buddy_list.prev" : o == Owner.FREE_PCP ? "pcp_list.prev" : o == Owner.NET_POOL ? "pp" : "lru.prev";
            case 3 -> "mapping";
            case 4 -> "__folio_index";
            case 5 -> o == Owner.NET_POOL ? "pp_ref_count" : "private";
            case 6 -> "";
            default -> "memcg_data";
        };
    }

    /** The inspector of {@code pfn} in the machine's own kernel profile. */
    public static InspectorView of(Machine m, long pfn) {
        String id = m.profile().id();
        if (id.equals("5.15")) return InspectorEras.of515(m, pfn);
        if (m.profile().allocatesDescriptors()) return InspectorEras.ofMemdesc(m, pfn);
        return of618(m, pfn);
    }

    private static InspectorView of618(Machine m, long pfn) {
        Owner o = m.owner(pfn);
        long[] w = m.memmap().words(pfn);
        StructLayout page = m.profile().page();
        StructLayout folio = m.profile().folio();
        long head = m.compoundHeadPfn(pfn);
        boolean inLarge = (o == Owner.HEAD || o == Owner.TAIL) && m.validPfn(head) && head <= pfn;
        long idx = inLarge ? pfn - head : 0;
        boolean userFolio = o == Owner.ANON || o == Owner.FILE;
        boolean folioMeaningful = o == Owner.PAGE || userFolio || (inLarge && idx < 4);
        String folioTitle = inLarge ? (idx < 4 ? "struct folio (page[" + idx + "] of the folio at PFN " + head + ")"
                : "struct folio: page[" + idx + "] is beyond the four pages struct folio overlays")
                : o == Owner.PAGE || userFolio ? "struct folio (page[0] of " + (o == Owner.PAGE ? "a small folio" : "an " + ownerName(o)) + ")"
                : "struct folio (not a folio: " + ownerName(o) + ")";
        Set<String> meaningful = PAGE_MEANINGFUL.get(o);
        // struct slab overlays the head page of a slab (SLAB_MATCH): shown as a third reading for slab pages
        // and struct ptdesc overlays a page-table page (TABLE_MATCH), shown in the same place
        boolean table = o == Owner.PAGE_TABLE;
        boolean slabHead = o == Owner.SLAB && head == pfn || table;
        StructLayout slabLayout = o == Owner.SLAB ? m.profile().layout("slab") : table ? m.profile().layout("ptdesc") : null;
        String slabTitle = slabLayout == null ? null : table ? "struct ptdesc (this page is a page table)"
                : slabHead ? "struct slab (this page is the slab)" : "struct slab (not here: the slab is PFN " + head + ")";
        List<WordRow> rows = new ArrayList<>();
        for (int i = 0; i < Memmap.WORDS; i++) {
            List<Reading> pr = new ArrayList<>();
            if (i == 6) {
                boolean typed = (int) w[6] < -1 && ((int) w[6] >>> 24) >= 0xf0;
                Field f = typed ? page.field("page_type") : page.field("_mapcount");
                pr.add(reading(f, f.decode(w[6]), meaningful == null || meaningful.contains(f.name()) || !typed && o != Owner.FREE_INSIDE));
                Field r = page.field("_refcount");
                pr.add(reading(r, w[6] >>> 32, true));
            } else {
                String member = pageMember(o, i);
                Field f = page.field(member);
                boolean mean = meaningful == null || meaningful.contains(member);
                if (o == Owner.TAIL && i == 3) {
                    pr.add(new Reading("mapping", value(f, w[3]) + (w[3] == Addresses.TAIL_MAPPING ? " (TAIL_MAPPING poison)" : ""), false));
                } else {
                    pr.add(reading(f, f.decode(w[i]), mean));
                }
            }
            List<Reading> fr = new ArrayList<>();
            if (idx < 4) {
                int base = (int) (idx * 64 + i * 8);
                Map<String, Field> byRange = new LinkedHashMap<>();
                for (Field f : folio.fields()) {
                    if (f.kind() == FieldKind.AGGREGATE || f.offset() < base || f.offset() >= base + 8) continue;
                    byRange.putIfAbsent(f.offset() + ":" + f.size() + ":" + f.bitShift(), f);
                }
                for (Field f : byRange.values()) {
                    long raw = m.memmap().readBytes(Addresses.STRUCT_PAGE_SIZE * pfn + (f.offset() - idx * 64), f.size());
                    fr.add(reading(f, f.decode(raw), folioMeaningful));
                }
            }
            List<Reading> sr = new ArrayList<>();
            if (slabLayout != null) {
                for (Field f : inWord(slabLayout, i * 8)) {
                    sr.add(reading(f, f.decode(m.memmap().readBytes(Addresses.STRUCT_PAGE_SIZE * pfn + f.offset(), f.size())), slabHead));
                }
            }
            rows.add(new WordRow(i * 8, String.format("0x%016x", w[i]), pr, fr, sr));
        }
        var a = TableViews.addresses(pfn);
        return new InspectorView(pfn, ownerName(o) + ownerDetail(m, pfn, o), String.valueOf(o.letter()), a.structPage(), a.phys(),
                a.virt(), folioTitle, slabTitle, rows, DumpPage.dump(m, pfn), note(o),
                "The 64 bytes of the struct page of PFN " + pfn + " (Linux 6.18) as eight words, with what struct page and "
                        + (slabTitle == null ? "struct folio" : slabLayoutName(o)) + " read there. Greyed readings mean nothing for this page now.",
                null, List.of());
    }

    private static String slabLayoutName(Owner o) { return o == Owner.PAGE_TABLE ? "struct ptdesc" : "struct slab"; }

    /** A layout's scalar members in the 8 bytes at {@code base}, one per distinct storage (aliases dropped). */
    static List<Field> inWord(StructLayout layout, int base) {
        Map<String, Field> byRange = new LinkedHashMap<>();
        for (Field f : layout.fields()) {
            if (f.kind() == FieldKind.AGGREGATE || f.offset() < base || f.offset() >= base + 8) continue;
            byRange.putIfAbsent(f.offset() + ":" + f.size() + ":" + f.bitShift(), f);
        }
        return List.copyOf(byRange.values());
    }

    static Reading reading(Field f, long v, boolean meaningful) {
        return new Reading(f.name(), value(f, v), meaningful);
    }

    static String value(Field f, long v) {
        if (f.name().endsWith("page_type")) {
            return String.format("0x%08x", v) + (v >>> 24 == 0xf0 ? " (PGTY_buddy)" : "");
        }
        return switch (f.kind()) {
            case POINTER -> v == 0 ? "NULL" : String.format("0x%016x", v);
            case SIGNED -> Long.toString(v);
            case FLAGS -> String.format("%#x", v);
            default -> f.size() == 8 && Long.compareUnsigned(v, 0xffff000000000000L) >= 0 ? String.format("0x%016x", v) : Long.toUnsignedString(v);
        };
    }

    static String ownerName(Owner o) {
        return switch (o) {
            case FREE_HEAD -> "free block head";
            case FREE_INSIDE -> "inside a free block";
            case FREE_PCP -> "free on a per-CPU list";
            case HEAD -> "compound head";
            case TAIL -> "tail page";
            case PAGE -> "allocated page";
            case PAGE_INSIDE -> "inside an allocation";
            case RESERVED -> "reserved";
            case SLAB -> "slab page";
            case LARGE_KMALLOC -> "large kmalloc page";
            case ZSMALLOC -> "zsmalloc page";
            case PAGE_TABLE -> "page-table page";
            case ANON -> "anonymous folio";
            case FILE -> "page-cache folio";
            case OFFLINE -> "offline page (balloon)";
            case GUARD -> "guard page";
            case NET_POOL -> "page_pool page";
            case ZONE_DEVICE -> "ZONE_DEVICE page";
            case DRIVER_MAPPED -> "driver page mapped to user space";
        };
    }

    static String ownerDetail(Machine m, long pfn, Owner o) {
        return switch (o) {
            case FREE_HEAD -> ", order " + m.zone().buddyOrder(pfn);
            case HEAD -> ", order " + m.compoundOrder(pfn);
            case TAIL -> " of the folio at PFN " + m.compoundHeadPfn(pfn);
            case FREE_INSIDE -> " at PFN " + m.freeBlockHead(pfn);
            case SLAB -> " of " + MemmapView.cacheName(m, m.compoundHeadPfn(pfn));
            default -> "";
        };
    }

    static String note(Owner o) {
        return switch (o) {
            case TAIL -> "A tail page has no mapping, index or refcount of its own: word 8 points at the head (bit 0 set), "
                    + "and in page[1] to page[3] the other words belong to the folio.";
            case FREE_HEAD -> "A free block head: PageBuddy in page_type, the order in private, and buddy_list links to its "
                    + "neighbours on free_area[order].";
            case FREE_INSIDE -> "Inside a free block only the head is on a list; this struct page is left as it was freed.";
            case HEAD -> "The head of a large folio: struct folio continues into the next pages' struct pages.";
            case PAGE -> "An allocated page is also a small folio: struct folio's first 64 bytes are this struct page.";
            case SLAB -> "A slab: these words are read as struct slab (slab_cache at offset 8, freelist, inuse/objects), "
                    + "which overlays struct page (SLAB_MATCH keeps flags, page_type and _refcount in place); struct page's other readings mean little here.";
            default -> "";
        };
    }
}

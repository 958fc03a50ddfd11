package org.memdesclab.sim;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.memdesclab.sim.layout.Layouts515;
import org.memdesclab.sim.layout.Layouts618;
import org.memdesclab.sim.layout.LayoutsMemdesc;
import org.memdesclab.sim.layout.MatchAssertion;
import org.memdesclab.sim.layout.StructLayout;

/**
 * A kernel era: the struct layouts and MATCH assertions the console reads memory through, and the
 * encoding that turns the simulator's canonical page state into the raw struct page words of that
 * era. The algorithms are shared; a profile is data. Only two things change what the machine does:
 * memdesc profiles allocate descriptors from slab caches, and 5.15 gives slab pages a reference.
 */
public final class KernelProfile {
    public static final String DEFAULT_ID = "6.18";

    private final String id;
    private final String description;
    private final Map<String, StructLayout> layouts;
    private final List<MatchAssertion> matches;
    private final PageEncoding encoding;
    private final boolean descriptors;
    private final boolean slabRefcounted;

    private KernelProfile(String id, String description, Map<String, StructLayout> layouts, List<MatchAssertion> matches,
                          PageEncoding encoding, boolean descriptors, boolean slabRefcounted) {
        this.id = id;
        this.description = description;
        this.layouts = Map.copyOf(layouts);
        this.matches = matches;
        this.encoding = encoding;
        this.descriptors = descriptors;
        this.slabRefcounted = slabRefcounted;
    }

    /** The descriptor structs of 6.18; memdesc profiles keep them as the (unsettled) layout of their separate descriptors. */
    private static Map<String, StructLayout> layouts618(StructLayout page) {
        Map<String, StructLayout> m = new HashMap<>(Map.of("folio", Layouts618.FOLIO, "slab", Layouts618.SLAB,
                "kmem_cache", Layouts618.KMEM_CACHE, "kmem_cache_cpu", Layouts618.KMEM_CACHE_CPU,
                "kmem_cache_node", Layouts618.KMEM_CACHE_NODE, "zpdesc", Layouts618.ZPDESC, "zspage", Layouts618.ZSPAGE,
                "ptdesc", Layouts618.PTDESC));
        m.put("page", page);
        return m;
    }

    public static final KernelProfile LINUX_6_18 = new KernelProfile(DEFAULT_ID,
            "Linux 6.18 LTS, x86_64, 4 KiB pages, CONFIG_MEMCG, CONFIG_MEMORY_FAILURE, classic SLUB",
            layouts618(Layouts618.PAGE),
            concat(concat(concat(Layouts618.FOLIO_MATCH, Layouts618.SLAB_MATCH), Layouts618.ZPDESC_MATCH), Layouts618.TABLE_MATCH),
            PageEncoding.CANONICAL, false, false);

    /** 5.15: no struct folio, struct slab or struct zpdesc; kmem_cache keeps the 6.18 layout the lab models. */
    public static final KernelProfile LINUX_5_15 = new KernelProfile("5.15",
            "Linux 5.15 LTS, x86_64: slab state, PG_slab and the compound order live in struct page itself",
            Map.of("page", Layouts515.PAGE, "kmem_cache", Layouts618.KMEM_CACHE, "kmem_cache_cpu", Layouts618.KMEM_CACHE_CPU,
                    "kmem_cache_node", Layouts618.KMEM_CACHE_NODE, "zspage", Layouts618.ZSPAGE),
            Layouts515.MATCHES, new Encoding515(), false, true);

    public static final KernelProfile MEMDESC = new KernelProfile("memdesc",
            "proposed memdescs: struct page is one typed word; folio, slab, ptdesc and netmem_desc descriptors come from slab caches",
            layouts618(LayoutsMemdesc.PAGE_ONE_WORD), LayoutsMemdesc.MATCHES, new EncodingMemdesc(false), true, false);

    public static final KernelProfile MEMDESC2 = new KernelProfile("memdesc2",
            "proposed memdescs, two-word variant (seed 002): the typed pointer and the allocation's order",
            layouts618(LayoutsMemdesc.PAGE_TWO_WORDS), LayoutsMemdesc.MATCHES, new EncodingMemdesc(true), true, false);

    private static final List<KernelProfile> ALL = List.of(LINUX_6_18, LINUX_5_15, MEMDESC, MEMDESC2);

    private static List<MatchAssertion> concat(List<MatchAssertion> a, List<MatchAssertion> b) {
        List<MatchAssertion> out = new ArrayList<>(a);
        out.addAll(b);
        return List.copyOf(out);
    }

    /** The profile with this id; an unknown id is refused with the list of known ones. */
    public static KernelProfile byId(String id) {
        for (KernelProfile p : ALL) if (p.id.equals(id)) return p;
        throw new IllegalArgumentException("unknown kernel profile '" + id + "' (known: " + String.join(", ", ids()) + ")");
    }

    public static List<String> ids() { return ALL.stream().map(KernelProfile::id).toList(); }

    public static List<KernelProfile> all() { return ALL; }

    public String id() { return id; }

    public String description() { return description; }

    /** Layout of "struct NAME" ("page", "folio", ...), or null if this profile has no such struct. */
    public StructLayout layout(String structName) { return layouts.get(structName); }

    /** This era's struct page. */
    public StructLayout page() { return layouts.get("page"); }

    /**
     * The struct folio layout the simulator's algorithms and folio functions use: the 6.18 one in
     * every profile (5.15 had no struct folio; memdesc folios are not laid out yet), so that the same
     * statements run everywhere. The console's {@code struct folio} is {@link #layout(String)}.
     */
    public StructLayout folio() { return Layouts618.FOLIO; }

    public List<MatchAssertion> matches() { return matches; }

    /** How this era stores a page frame's state in its struct page. */
    public PageEncoding encoding() { return encoding; }

    /** sizeof(struct page) in this era. */
    public int structPageSize() { return page().size(); }

    /** Memdesc profiles: folios, slabs, page tables and page_pool pages get separately allocated descriptors from slab caches. */
    public boolean allocatesDescriptors() { return descriptors; }

    /** Before frozen slab pages (5.15), a slab page held the reference alloc_pages gave it. */
    public boolean slabPagesRefcounted() { return slabRefcounted; }

    /** The alignment descriptors must have: 16 bytes where the low 4 bits of a pointer carry a type. */
    public int descriptorAlign() { return descriptors ? Memdescs.DESC_ALIGN : 0; }
}

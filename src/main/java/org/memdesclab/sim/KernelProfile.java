package org.memdesclab.sim;

import java.util.List;
import java.util.Map;
import org.memdesclab.sim.layout.Layouts618;
import org.memdesclab.sim.layout.MatchAssertion;
import org.memdesclab.sim.layout.StructLayout;

/**
 * A kernel era: the struct layouts and MATCH assertions the simulator reads the memmap through.
 * The algorithms are shared; a profile is data.
 */
public final class KernelProfile {
    public static final String DEFAULT_ID = "6.18";

    private final String id;
    private final String description;
    private final Map<String, StructLayout> layouts;
    private final List<MatchAssertion> matches;

    private KernelProfile(String id, String description, Map<String, StructLayout> layouts, List<MatchAssertion> matches) {
        this.id = id;
        this.description = description;
        this.layouts = layouts;
        this.matches = matches;
    }

    public static final KernelProfile LINUX_6_18 = new KernelProfile(DEFAULT_ID,
            "Linux 6.18 LTS, x86_64, 4 KiB pages, CONFIG_MEMCG, CONFIG_MEMORY_FAILURE, classic SLUB",
            Map.of("page", Layouts618.PAGE, "folio", Layouts618.FOLIO, "slab", Layouts618.SLAB,
                    "kmem_cache", Layouts618.KMEM_CACHE, "kmem_cache_cpu", Layouts618.KMEM_CACHE_CPU,
                    "kmem_cache_node", Layouts618.KMEM_CACHE_NODE,
                    "zpdesc", Layouts618.ZPDESC, "zspage", Layouts618.ZSPAGE, "ptdesc", Layouts618.PTDESC),
            concat(concat(concat(Layouts618.FOLIO_MATCH, Layouts618.SLAB_MATCH), Layouts618.ZPDESC_MATCH), Layouts618.TABLE_MATCH));

    private static List<MatchAssertion> concat(List<MatchAssertion> a, List<MatchAssertion> b) {
        List<MatchAssertion> out = new java.util.ArrayList<>(a);
        out.addAll(b);
        return List.copyOf(out);
    }

    /** Profiles by id; more eras arrive with their own issue. */
    public static KernelProfile byId(String id) {
        if (DEFAULT_ID.equals(id)) return LINUX_6_18;
        throw new IllegalArgumentException("unknown kernel profile '" + id + "' (known: " + String.join(", ", ids()) + ")");
    }

    public static List<String> ids() { return List.of(DEFAULT_ID); }

    public String id() { return id; }

    public String description() { return description; }

    /** Layout of "struct NAME" ("page", "folio", ...), or null if this profile has no such struct. */
    public StructLayout layout(String structName) { return layouts.get(structName); }

    public StructLayout page() { return layouts.get("page"); }

    public StructLayout folio() { return layouts.get("folio"); }

    public List<MatchAssertion> matches() { return matches; }
}

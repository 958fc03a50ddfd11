package org.memdesclab.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The separately allocated memory descriptors of the memdesc profiles. A folio and a slab get their
 * descriptor from a simulated slab cache ({@code folio} and {@code slab}, 16-byte aligned,
 * SLAB_TYPESAFE_BY_RCU because PFN walkers may look a descriptor up under RCU alone), so allocating a
 * folio costs a slab object, and sometimes a new slab page, before it costs its own pages. zsmalloc
 * pages point at their struct zspage, which is already a slab object; free pages, plain alloc_pages
 * memory and large kmalloc keep their data inline in the memdesc word.
 *
 * <p>Bootstrapping: a slab page needs a struct slab, and struct slabs live in slab pages. The lab
 * breaks the cycle as SLUB breaks its own for {@code kmem_cache} at boot: the slab pages of the
 * {@code slab} cache are described by a static array outside the zone (like {@code boot_kmem_cache}),
 * so describing them never needs another allocation. The kernel's answer is not settled; this is one
 * honest possibility, and the cost report counts that array.
 */
public final class Memdescs {
    /** The descriptor sizes the lab charges. Wilcox's Dec 2021 arithmetic uses 64 bytes for a folio; struct slab is 64 in 6.18. Not settled. */
    public static final int FOLIO_DESC_SIZE = 64, SLAB_DESC_SIZE = 64;
    public static final int DESC_ALIGN = 16;
    /** Where the static struct slabs for the slab cache's own slab pages live (outside the zone, like kernel data). */
    public static final long BOOT_SLAB_DESC_BASE = 0xffffffff84c00000L;

    private final long folioCache;
    private final long slabCache;
    private final TreeMap<Long, Long> folios;
    private final TreeMap<Long, Long> slabs;

    private Memdescs(long folioCache, long slabCache, TreeMap<Long, Long> folios, TreeMap<Long, Long> slabs) {
        this.folioCache = folioCache;
        this.slabCache = slabCache;
        this.folios = folios;
        this.slabs = slabs;
    }

    /** Creates the descriptor caches (kmem_cache structs live outside the zone, so this takes no page). */
    static Memdescs boot(Slub slub) {
        int flags = Slub.SLAB_TYPESAFE_BY_RCU;
        KmemCache f = slub.create("folio", FOLIO_DESC_SIZE, DESC_ALIGN, flags, false);
        KmemCache s = slub.create("slab", SLAB_DESC_SIZE, DESC_ALIGN, flags, false);
        return new Memdescs(f.address(), s.address(), new TreeMap<>(), new TreeMap<>());
    }

    Memdescs copy() { return new Memdescs(folioCache, slabCache, new TreeMap<>(folios), new TreeMap<>(slabs)); }

    public KmemCache folioCache(Machine m) { return m.slub().cacheAt(folioCache); }

    public KmemCache slabCache(Machine m) { return m.slub().cacheAt(slabCache); }

    /** The descriptor of the folio whose head is {@code pfn}, or 0. */
    public long folio(long pfn) { return folios.getOrDefault(pfn, 0L); }

    /** The struct slab of the slab whose first page is {@code pfn}, or 0. */
    public long slab(long pfn) { return slabs.getOrDefault(pfn, 0L); }

    public int folioCount() { return folios.size(); }

    public int slabCount() { return slabs.size(); }

    /** Slab pages described by the static boot array. */
    public int bootSlabCount() {
        int n = 0;
        for (long d : slabs.values()) if (isBoot(d)) n++;
        return n;
    }

    private static boolean isBoot(long desc) { return Long.compareUnsigned(desc, BOOT_SLAB_DESC_BASE) >= 0
            && Long.compareUnsigned(desc, BOOT_SLAB_DESC_BASE + (long) MachineConfig.MAX_PAGES * SLAB_DESC_SIZE) < 0; }

    private static int descGfp(int gfp) {
        return gfp & ~(Gfp.__GFP_COMP | Gfp.__GFP_HIGHMEM | Gfp.__GFP_DMA32 | Gfp.__GFP_MOVABLE | Gfp.__GFP_ZERO);
    }

    /**
     * folio_alloc() as the FolioAlloc plan writes it: kmem_cache_alloc(folio_slab) first, then the pages;
     * if the pages cannot be had, the descriptor goes back. Returns the head PFN or -1.
     */
    long folioAlloc(Machine m, int gfp, int order, java.util.function.IntToLongFunction allocPages) {
        if (order < 0 || order > Zone.MAX_PAGE_ORDER) return allocPages.applyAsLong(order);
        KmemCache cache = folioCache(m);
        long desc = m.slub().alloc(cache, descGfp(gfp));
        if (desc == 0) {
            if (m.trace().on()) m.trace().emit("folio_alloc", "memdesc: no struct folio could be allocated: NULL");
            return -1;
        }
        long pfn = allocPages.applyAsLong(order);
        if (pfn < 0) {
            m.slub().free(cache, desc, "kmem_cache_free");
            if (m.trace().on()) m.trace().emit("folio_alloc", "memdesc: no pages; the struct folio goes back to its cache");
            return -1;
        }
        folios.put(pfn, desc);
        if (m.trace().on()) {
            m.trace().emit("alloc_page_desc", String.format("memdesc: PFNs %d-%d point at struct folio 0x%016x", pfn,
                    pfn + (1L << order) - 1, desc));
        }
        return pfn;
    }

    /** A new slab page gets its struct slab; false if none could be allocated (the slab allocation then fails). */
    boolean attachSlab(Machine m, KmemCache s, long pfn, int gfp) {
        long desc;
        if (s.address() == slabCache) {
            desc = BOOT_SLAB_DESC_BASE + pfn * SLAB_DESC_SIZE;
        } else {
            desc = m.slub().alloc(slabCache(m), descGfp(gfp));
            if (desc == 0) return false;
        }
        slabs.put(pfn, desc);
        if (m.trace().on()) m.trace().emit("alloc_page_desc", String.format("memdesc: slab PFN %d points at struct slab 0x%016x%s",
                pfn, desc, isBoot(desc) ? " (the static array for the slab cache's own slabs)" : ""));
        return true;
    }

    /** The pages starting at {@code pfn} went back to the buddy allocator: free their descriptor, if they had one. */
    void release(Machine m, long pfn) {
        Long f = folios.remove(pfn);
        if (f != null) {
            if (m.trace().on()) m.trace().emit("free_page_desc", String.format("memdesc: struct folio 0x%016x goes back to its cache", f));
            m.slub().free(folioCache(m), f, "kmem_cache_free");
        }
        Long s = slabs.remove(pfn);
        if (s != null && !isBoot(s)) {
            if (m.trace().on()) m.trace().emit("free_page_desc", String.format("memdesc: struct slab 0x%016x goes back to its cache", s));
            m.slub().free(slabCache(m), s, "kmem_cache_free");
        }
    }

    /** Invariants: each descriptor belongs to a live owner and is an allocated object; each slab has one. */
    List<String> check(Machine m) {
        List<String> out = new ArrayList<>();
        Memmap mm = m.memmap();
        for (Map.Entry<Long, Long> e : folios.entrySet()) {
            long pfn = e.getKey();
            if (!m.validPfn(pfn) || mm.isBuddy(pfn) || mm.isTail(pfn) || m.onPcpList(pfn)) {
                out.add("memdesc: struct folio of PFN " + pfn + " outlived its folio");
            }
            if (m.slub().isFree(e.getValue())) out.add("memdesc: struct folio of PFN " + pfn + " is a free object");
        }
        for (Map.Entry<Long, Long> e : slabs.entrySet()) {
            long pfn = e.getKey();
            if (!m.validPfn(pfn) || (mm.pageType(pfn) >>> 24) != PageType.PGTY_slab.value()) {
                out.add("memdesc: struct slab of PFN " + pfn + " outlived its slab");
            }
            if (!isBoot(e.getValue()) && m.slub().isFree(e.getValue())) out.add("memdesc: struct slab of PFN " + pfn + " is a free object");
        }
        for (long pfn = 0; pfn < m.nrPages(); pfn++) {
            if (!mm.isTail(pfn) && (mm.pageType(pfn) >>> 24) == PageType.PGTY_slab.value() && !slabs.containsKey(pfn)) {
                out.add("memdesc: slab PFN " + pfn + " has no struct slab");
            }
        }
        return out;
    }

    long digest() { return folios.hashCode() * 31L + slabs.hashCode(); }
}

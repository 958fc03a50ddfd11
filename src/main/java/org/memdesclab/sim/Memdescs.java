package org.memdesclab.sim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntToLongFunction;
import org.memdesclab.sim.layout.Layouts618;
import org.memdesclab.sim.layout.LayoutsMemdesc;
import org.memdesclab.sim.layout.StructLayout;

/**
 * The separately allocated memory descriptors of the memdesc profiles. Every owner whose 6.18 state is
 * an overlay of struct page gets its descriptor from a simulated slab cache when it is created and
 * gives it back when its pages are freed: folios (including the anonymous and page-cache folios of user
 * memory) from {@code folio}, slabs from {@code slab}, page tables from {@code ptdesc}, page_pool
 * pages from {@code netmem_desc} and zsmalloc pages from {@code zpdesc}. The caches are 16-byte aligned
 * and SLAB_TYPESAFE_BY_RCU because PFN walkers may look a descriptor up under RCU alone (seed 000), so
 * allocating a folio costs a slab object, and sometimes a new slab page, before it costs its own pages.
 * A descriptor's memory reads as its owner's state in the descriptor's own layout ({@link #words}), an
 * encoding of the canonical state like the struct page words. Free pages, plain alloc_pages memory,
 * vmalloc, large kmalloc, the balloon and guard pages keep their data inline in the memdesc word.
 *
 * <p>Bootstrapping: a slab page needs a struct slab, and struct slabs live in slab pages. The lab
 * breaks the cycle as SLUB breaks its own for {@code kmem_cache} at boot: the slab pages of the
 * {@code slab} cache are described by a static array outside the zone (like {@code boot_kmem_cache}),
 * so describing them never needs another allocation. The kernel's answer is not settled; this is one
 * honest possibility, and the cost report counts that array.
 */
public final class Memdescs {
    /**
     * The descriptor kinds, each with its cache, its layout and so its size: a memdesc descriptor is
     * 6.18's overlay of struct page moved out of it, at 6.18's offsets (struct slab 64, struct ptdesc
     * 64, struct zpdesc 56, struct netmem_desc 48 bytes; struct folio 160, see
     * {@link LayoutsMemdesc#FOLIO_DESC}). The plan has not laid them out yet; these are the lab's choice.
     */
    public enum Kind {
        FOLIO("folio", LayoutsMemdesc.FOLIO_DESC),
        SLAB("slab", Layouts618.SLAB),
        PTDESC("ptdesc", Layouts618.PTDESC),
        NETMEM("netmem_desc", LayoutsMemdesc.NETMEM_DESC),
        ZPDESC("zpdesc", Layouts618.ZPDESC);

        private final String cacheName;
        private final StructLayout layout;

        Kind(String cacheName, StructLayout layout) {
            this.cacheName = cacheName;
            this.layout = layout;
        }

        public String cacheName() { return cacheName; }

        public String structName() { return layout.name(); }

        /** The descriptor's own layout (what reading its memory shows). */
        public StructLayout layout() { return layout; }

        public int size() { return layout.size(); }
    }

    /** sizeof(struct slab): the boot array's element. */
    public static final int SLAB_DESC_SIZE = 64;
    public static final int DESC_ALIGN = 16;
    /** Where the static struct slabs for the slab cache's own slab pages live (outside the zone, like kernel data). */
    public static final long BOOT_SLAB_DESC_BASE = 0xffffffff84c00000L;

    private final EnumMap<Kind, Long> caches;
    private final EnumMap<Kind, TreeMap<Long, Long>> descs;
    /** The other direction: descriptor address to its owner, for reading descriptor memory. */
    private final TreeMap<Long, Described> byAddress = new TreeMap<>();

    /** A live descriptor: its kind and the first PFN of its owner. */
    public record Described(Kind kind, long pfn) {}

    private Memdescs(EnumMap<Kind, Long> caches, EnumMap<Kind, TreeMap<Long, Long>> descs) {
        this.caches = caches;
        this.descs = descs;
        for (Kind k : Kind.values()) for (Map.Entry<Long, Long> e : descs.get(k).entrySet()) byAddress.put(e.getValue(), new Described(k, e.getKey()));
    }

    private void put(Kind k, long pfn, long desc) {
        descs.get(k).put(pfn, desc);
        byAddress.put(desc, new Described(k, pfn));
    }

    private Long remove(Kind k, long pfn) {
        Long d = descs.get(k).remove(pfn);
        if (d != null) byAddress.remove(d);
        return d;
    }

    /** The live descriptor whose bytes include {@code [addr, addr + size)}, or null. */
    public Described at(long addr, int size) {
        Map.Entry<Long, Described> e = byAddress.floorEntry(addr);
        if (e == null || addr + size > e.getKey() + e.getValue().kind().size()) return null;
        return e.getValue();
    }

    /** The address of the descriptor that {@link #at} found. */
    public long addressOf(Described d) { return descs.get(d.kind()).get(d.pfn()); }

    /**
     * Reads descriptor memory: the bytes are an encoding of the canonical state, as the struct page
     * words are. Returns null when no live descriptor holds the whole range.
     */
    Long read(Machine m, long addr, int size) {
        Described d = at(addr, size);
        if (d == null) return null;
        long[] w = words(m, d.kind(), d.pfn());
        int in = (int) (addr - addressOf(d));
        long v = 0;
        for (int b = size - 1; b >= 0; b--) {
            int at = in + b;
            v = (v << 8) | ((w[at >>> 3] >>> ((at & 7) * 8)) & 0xff);
        }
        return v;
    }

    /**
     * The words of the descriptor of kind {@code k} for the owner at {@code pfn}, in the descriptor's own
     * layout. Every kind keeps 6.18's offsets, so its words are the canonical struct page words of the
     * owner's first page; a folio adds its page[1] and page[2] words (order, large mapcounts, the deferred
     * list) where the folio has those pages, without the words that only overlay tail pages, and
     * without PG_head, which a descriptor does not need (the plan drops it).
     */
    public static long[] words(Machine m, Kind k, long pfn) {
        Memmap mm = m.memmap();
        long[] w = new long[k.size() / 8];
        if (k != Kind.FOLIO) {
            for (int i = 0; i < w.length; i++) w[i] = mm.word(pfn, i);
            return w;
        }
        for (int i = 0; i < 8; i++) w[i] = mm.word(pfn, i);
        w[0] &= ~(1L << PageFlag.PG_head.bit());
        int order = m.compoundOrder(pfn);
        if (order >= 1) {
            for (int i = 0; i < 8; i++) w[8 + i] = mm.word(pfn + 1, i);
            w[9] = 0; // _head_1
            w[14] = 0; // _mapcount_1, _refcount_1
        }
        if (order >= 2) {
            w[18] = mm.word(pfn + 2, 2);
            w[19] = mm.word(pfn + 2, 3); // _deferred_list
        }
        return w;
    }

    /** Creates the descriptor caches (kmem_cache structs live outside the zone, so this takes no page). */
    static Memdescs boot(Slub slub) {
        EnumMap<Kind, Long> caches = new EnumMap<>(Kind.class);
        EnumMap<Kind, TreeMap<Long, Long>> descs = new EnumMap<>(Kind.class);
        for (Kind k : Kind.values()) {
            caches.put(k, slub.create(k.cacheName, k.size(), DESC_ALIGN, Slub.SLAB_TYPESAFE_BY_RCU, false).address());
            descs.put(k, new TreeMap<>());
        }
        return new Memdescs(caches, descs);
    }

    Memdescs copy() {
        EnumMap<Kind, TreeMap<Long, Long>> d = new EnumMap<>(Kind.class);
        for (Kind k : Kind.values()) d.put(k, new TreeMap<>(descs.get(k)));
        // the constructor rebuilds the address map
        return new Memdescs(new EnumMap<>(caches), d);
    }

    public KmemCache cache(Machine m, Kind kind) { return m.slub().cacheAt(caches.get(kind)); }

    public KmemCache folioCache(Machine m) { return cache(m, Kind.FOLIO); }

    public KmemCache slabCache(Machine m) { return cache(m, Kind.SLAB); }

    /** The descriptor of this kind for the owner whose first PFN is {@code pfn}, or 0. */
    public long desc(Kind kind, long pfn) { return descs.get(kind).getOrDefault(pfn, 0L); }

    /** The descriptor of the folio whose head is {@code pfn}, or 0. */
    public long folio(long pfn) { return desc(Kind.FOLIO, pfn); }

    /** The struct slab of the slab whose first page is {@code pfn}, or 0. */
    public long slab(long pfn) { return desc(Kind.SLAB, pfn); }

    /** Descriptors of this kind allocated now (for SLAB including the boot array's). */
    public int count(Kind kind) { return descs.get(kind).size(); }

    public int folioCount() { return count(Kind.FOLIO); }

    public int slabCount() { return count(Kind.SLAB); }

    /** Every descriptor of every kind: first PFN of the owner to descriptor address. */
    public Map<Long, Long> all(Kind kind) { return Collections.unmodifiableMap(descs.get(kind)); }

    /** Slab pages described by the static boot array. */
    public int bootSlabCount() {
        int n = 0;
        for (long d : descs.get(Kind.SLAB).values()) if (isBoot(d)) n++;
        return n;
    }

    static boolean isBoot(long desc) { return Long.compareUnsigned(desc, BOOT_SLAB_DESC_BASE) >= 0
            && Long.compareUnsigned(desc, BOOT_SLAB_DESC_BASE + (long) MachineConfig.MAX_PAGES * SLAB_DESC_SIZE) < 0; }

    private static int descGfp(int gfp) {
        return gfp & ~(Gfp.__GFP_COMP | Gfp.__GFP_HIGHMEM | Gfp.__GFP_DMA32 | Gfp.__GFP_MOVABLE | Gfp.__GFP_ZERO);
    }

    /**
     * Profile hook for owners created with alloc_pages (page tables, page_pool pages): in the memdesc
     * profiles the descriptor is allocated first and the pages second; elsewhere this is alloc_pages.
     * Returns the first PFN or -1 (and then nothing stays allocated).
     */
    public static long allocPages(Machine m, Kind kind, int gfp, int order) {
        Memdescs d = m.memdescs();
        if (d == null) return m.allocPages(gfp, order);
        return d.descAlloc(m, kind, gfp, order, o -> m.allocPages(gfp, o));
    }

    /**
     * Profile hook for migration: the folio at {@code from} now lives at {@code to}, and its descriptor
     * follows it (the lab re-points the descriptor; a memdesc kernel might allocate a new one). Call
     * before the old pages are freed.
     */
    public static void migrate(Machine m, long from, long to) { migrate(m, Kind.FOLIO, from, to); }

    /** The same for a descriptor of any kind (zs_page_migrate moves a zsmalloc page's struct zpdesc). */
    public static void migrate(Machine m, Kind kind, long from, long to) {
        Memdescs d = m.memdescs();
        if (d == null) return;
        Long desc = d.remove(kind, from);
        if (desc == null) return;
        d.put(kind, to, desc);
        if (m.trace().on()) m.trace().emit("alloc_page_desc", String.format("memdesc: PFN %d now points at %s 0x%016x "
                + "(moved from PFN %d)", to, kind.structName(), desc, from));
    }

    /**
     * Profile hook for the callers that check for memory before they allocate (page faults, fork): of
     * {@code free} free pages, how many order-0 allocations can surely be made when each also needs a
     * descriptor. Assumes no free descriptor object can be used, so every {@code objects} descriptors
     * may take a new slab of the descriptor cache and a struct slab for it: a safe bound, not an exact one.
     */
    public static long usablePages(Machine m, long free) {
        Memdescs d = m.memdescs();
        if (d == null || free <= 0) return free;
        long lo = 0, hi = free;
        while (lo < hi) {
            long mid = (lo + hi + 1) >>> 1;
            if (mid + d.reserveFor(m, mid) <= free) lo = mid;
            else hi = mid - 1;
        }
        return lo;
    }

    /** Pages that {@code n} folio and page-table descriptors (and the struct slabs of their new slabs) may need. */
    private long reserveFor(Machine m, long n) {
        long pages = 0, newSlabs = 0;
        for (Kind k : List.of(Kind.FOLIO, Kind.PTDESC)) {
            KmemCache c = cache(m, k);
            long slabs = (n + c.objects - 1) / c.objects;
            newSlabs += slabs;
            pages += slabs << c.order;
        }
        KmemCache s = slabCache(m);
        pages += ((newSlabs + s.objects - 1) / s.objects) << s.order;
        return pages;
    }

    /**
     * folio_alloc() as the FolioAlloc plan writes it: kmem_cache_alloc(folio_slab) first, then the pages;
     * if the pages cannot be had, the descriptor goes back. Returns the head PFN or -1.
     */
    long folioAlloc(Machine m, int gfp, int order, IntToLongFunction allocPages) {
        return descAlloc(m, Kind.FOLIO, gfp, order, allocPages);
    }

    private long descAlloc(Machine m, Kind kind, int gfp, int order, IntToLongFunction allocPages) {
        if (order < 0 || order > Zone.MAX_PAGE_ORDER) return allocPages.applyAsLong(order);
        KmemCache cache = cache(m, kind);
        String fn = switch (kind) {
            case FOLIO -> "folio_alloc";
            case PTDESC -> "pagetable_alloc";
            case ZPDESC -> "alloc_zspage";
            default -> "page_pool_alloc";
        };
        long desc = m.slub().alloc(cache, descGfp(gfp));
        if (desc == 0) {
            if (m.trace().on()) m.trace().emit(fn, "memdesc: no " + kind.structName() + " could be allocated: NULL");
            return -1;
        }
        long pfn = allocPages.applyAsLong(order);
        if (pfn < 0) {
            m.slub().free(cache, desc, "kmem_cache_free");
            if (m.trace().on()) m.trace().emit(fn, "memdesc: no pages; the " + kind.structName() + " goes back to its cache");
            return -1;
        }
        put(kind, pfn, desc);
        if (m.trace().on()) {
            m.trace().emit("alloc_page_desc", String.format("memdesc: PFNs %d-%d point at %s 0x%016x", pfn,
                    pfn + (1L << order) - 1, kind.structName(), desc));
        }
        return pfn;
    }

    /** A new slab page gets its struct slab; false if none could be allocated (the slab allocation then fails). */
    boolean attachSlab(Machine m, KmemCache s, long pfn, int gfp) {
        long desc;
        if (s.address() == caches.get(Kind.SLAB)) {
            desc = BOOT_SLAB_DESC_BASE + pfn * SLAB_DESC_SIZE;
        } else {
            desc = m.slub().alloc(slabCache(m), descGfp(gfp));
            if (desc == 0) return false;
        }
        put(Kind.SLAB, pfn, desc);
        if (m.trace().on()) m.trace().emit("alloc_page_desc", String.format("memdesc: slab PFN %d points at struct slab 0x%016x%s",
                pfn, desc, isBoot(desc) ? " (the static array for the slab cache's own slabs)" : ""));
        return true;
    }

    /** The pages starting at {@code pfn} went back to the buddy allocator: free their descriptor, if they had one. */
    void release(Machine m, long pfn) {
        for (Kind k : Kind.values()) {
            Long d = remove(k, pfn);
            if (d == null || (k == Kind.SLAB && isBoot(d))) continue;
            if (m.trace().on()) m.trace().emit("free_page_desc", String.format("memdesc: %s 0x%016x goes back to its cache", k.structName(), d));
            m.slub().free(cache(m, k), d, "kmem_cache_free");
        }
    }

    /**
     * Invariants: each descriptor belongs to a live owner of its kind and is an allocated object; each
     * slab, page table, page_pool page and user folio has one; no two owners share one.
     */
    List<String> check(Machine m) {
        List<String> out = new ArrayList<>();
        Memmap mm = m.memmap();
        java.util.Set<Long> seen = new HashSet<>();
        for (Kind k : Kind.values()) {
            for (Map.Entry<Long, Long> e : descs.get(k).entrySet()) {
                long pfn = e.getKey();
                if (!ownedBy(m, k, pfn)) out.add("memdesc: " + k.structName() + " of PFN " + pfn + " outlived its owner");
                if (!(k == Kind.SLAB && isBoot(e.getValue())) && m.slub().isFree(e.getValue())) {
                    out.add("memdesc: " + k.structName() + " of PFN " + pfn + " is a free object");
                }
                if (!seen.add(e.getValue())) out.add(String.format("memdesc: descriptor 0x%016x of PFN %d is shared", e.getValue(), pfn));
            }
        }
        for (long pfn = 0; pfn < m.nrPages(); pfn++) {
            if (mm.isTail(pfn)) continue;
            Kind need = switch (m.owner(pfn)) {
                case SLAB -> Kind.SLAB;
                case PAGE_TABLE -> Kind.PTDESC;
                case NET_POOL -> Kind.NETMEM;
                case ZSMALLOC -> Kind.ZPDESC;
                case ANON, FILE -> Kind.FOLIO;
                default -> null;
            };
            if (need != null && !descs.get(need).containsKey(pfn)) out.add("memdesc: " + m.owner(pfn) + " PFN " + pfn + " has no " + need.structName());
        }
        return out;
    }

    private static boolean ownedBy(Machine m, Kind k, long pfn) {
        if (!m.validPfn(pfn)) return false;
        Memmap mm = m.memmap();
        if (mm.isBuddy(pfn) || mm.isTail(pfn) || m.onPcpList(pfn)) return false;
        return switch (k) {
            case FOLIO -> true;
            case SLAB -> (mm.pageType(pfn) >>> 24) == PageType.PGTY_slab.value();
            case PTDESC -> m.owner(pfn) == Owner.PAGE_TABLE;
            case NETMEM -> m.owner(pfn) == Owner.NET_POOL;
            case ZPDESC -> m.owner(pfn) == Owner.ZSMALLOC;
        };
    }

    long digest() { return descs.hashCode(); }
}

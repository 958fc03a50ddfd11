package org.memdesclab.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * One SLUB cache: the {@code struct kmem_cache} fields that decide the layout of its slabs
 * (computed by kmem_cache_create as mm/slub.c calculate_sizes and calculate_order do), its per-CPU
 * state ({@code struct kmem_cache_cpu}: freelist, slab, partial) and its one node's partial list.
 * The struct itself lives outside the zone, at {@link #address()}, as the kernel's boot-time and
 * static structures do in the lab (design.md section 2). Read it through {@link Slub}.
 */
public final class KmemCache {
    /** cache_line_size() on x86_64. */
    public static final int CACHE_LINE = 64;
    public static final int OO_SHIFT = 16;
    public static final int MAX_OBJS_PER_PAGE = 32767;
    /** slub_max_order = PAGE_ALLOC_COSTLY_ORDER. */
    public static final int SLUB_MAX_ORDER = 3;
    public static final int MIN_PARTIAL = 5;
    public static final int MAX_PARTIAL = 10;

    final int index;
    final String name;
    /** s->object_size: grows when a larger cache is merged into this one (__kmem_cache_alias). */
    int objectSize;
    final int size;
    final int offset;
    final int align;
    final int flags;
    /** s->inuse: grows with merges as object_size does. */
    int inuseBytes;
    final int order;
    final int objects;
    final int minOrder;
    final int minObjects;
    final int minPartial;
    final int cpuPartial;
    final int cpuPartialSlabs;
    final boolean kmalloc;
    final boolean hasCtor;

    // mutable state (copied by copy())
    long[] cpuFreelist;
    long[] cpuSlab;
    List<List<Long>> cpuPartialList;
    List<Long> nodePartial;
    long nrSlabs;
    long totalObjects;
    boolean destroyed;
    /** s->refcount: kmem_cache_create calls that returned this cache, minus kmem_cache_destroy calls. */
    int refcount = 1;

    private KmemCache(int index, String name, int objectSize, int size, int offset, int align, int flags, int inuseBytes,
                      int order, int objects, int minOrder, int minObjects, int minPartial, int cpuPartial,
                      int cpuPartialSlabs, boolean kmalloc, boolean hasCtor, int cpus) {
        this.index = index;
        this.name = name;
        this.objectSize = objectSize;
        this.size = size;
        this.offset = offset;
        this.align = align;
        this.flags = flags;
        this.inuseBytes = inuseBytes;
        this.order = order;
        this.objects = objects;
        this.minOrder = minOrder;
        this.minObjects = minObjects;
        this.minPartial = minPartial;
        this.cpuPartial = cpuPartial;
        this.cpuPartialSlabs = cpuPartialSlabs;
        this.kmalloc = kmalloc;
        this.hasCtor = hasCtor;
        this.cpuFreelist = new long[cpus];
        this.cpuSlab = new long[cpus];
        java.util.Arrays.fill(cpuSlab, -1);
        this.cpuPartialList = new ArrayList<>();
        for (int c = 0; c < cpus; c++) cpuPartialList.add(new ArrayList<>());
        this.nodePartial = new ArrayList<>();
    }

    KmemCache copy() {
        KmemCache k = new KmemCache(index, name, objectSize, size, offset, align, flags, inuseBytes, order, objects, minOrder,
                minObjects, minPartial, cpuPartial, cpuPartialSlabs, kmalloc, hasCtor, cpuFreelist.length);
        k.cpuFreelist = cpuFreelist.clone();
        k.cpuSlab = cpuSlab.clone();
        k.cpuPartialList = new ArrayList<>();
        for (List<Long> l : cpuPartialList) k.cpuPartialList.add(new ArrayList<>(l));
        k.nodePartial = new ArrayList<>(nodePartial);
        k.nrSlabs = nrSlabs;
        k.totalObjects = totalObjects;
        k.destroyed = destroyed;
        k.refcount = refcount;
        return k;
    }

    /**
     * kmem_cache_create's layout work for a cache without debugging: calculate_alignment,
     * calculate_sizes, calculate_order, set_min_partial, set_cpu_partial (mm/slab_common.c, mm/slub.c).
     * Returns null if calculate_order finds no order (the object is too large).
     */
    static KmemCache create(int index, String name, int objectSize, int alignArg, int flags, boolean ctor, boolean kmalloc,
                            int cpus) {
        int align = calculateAlignment(flags, alignArg, objectSize);
        int size = alignUp(objectSize, 8);
        int inuse = size;
        int offset;
        if ((flags & Slub.SLAB_TYPESAFE_BY_RCU) != 0 || ctor) {
            offset = size;
            size += 8;
        } else {
            offset = (objectSize / 2) & ~7;
        }
        size = alignUp(size, align);
        int order = calculateOrder(size, cpus);
        if (order < 0) return null;
        int objects = (int) ((Addresses.PAGE_SIZE << order) / size);
        if (objects == 0) return null;
        int minOrder = getOrder(size);
        int minObjects = (int) ((Addresses.PAGE_SIZE << minOrder) / size);
        int minPartial = Math.max(MIN_PARTIAL, Math.min(MAX_PARTIAL, ilog2(size) / 2));
        int nrObjects = size >= Addresses.PAGE_SIZE ? 6 : size >= 1024 ? 24 : size >= 256 ? 52 : 120;
        int cpuPartialSlabs = (nrObjects * 2 + objects - 1) / objects;
        return new KmemCache(index, name, objectSize, size, offset, align, flags, inuse, order, objects, minOrder, minObjects,
                minPartial, nrObjects, cpuPartialSlabs, kmalloc, ctor, cpus);
    }

    /** calculate_alignment(): SLAB_HWCACHE_ALIGN halves the cache line while the object fits twice. */
    static int calculateAlignment(int flags, int align, int size) {
        if ((flags & Slub.SLAB_HWCACHE_ALIGN) != 0) {
            int ralign = CACHE_LINE;
            while (size <= ralign / 2) ralign /= 2;
            align = Math.max(align, ralign);
        }
        align = Math.max(align, 8);
        return alignUp(align, 8);
    }

    /** calculate_order() of mm/slub.c with slub_min_objects = slub_min_order = 0, for {@code cpus} present CPUs. */
    public static int calculateOrder(int size, int cpus) {
        int minObjects = 4 * (fls(cpus) + 1);
        int maxObjects = Math.max((int) ((Addresses.PAGE_SIZE << SLUB_MAX_ORDER) / size), 1);
        minObjects = Math.min(minObjects, maxObjects);
        int minOrder = Math.max(0, getOrder((long) minObjects * size));
        if ((Addresses.PAGE_SIZE << minOrder) / size > MAX_OBJS_PER_PAGE) {
            return getOrder((long) size * MAX_OBJS_PER_PAGE) - 1;
        }
        for (int fraction = 16; fraction > 1; fraction /= 2) {
            int order = calcSlabOrder(size, minOrder, SLUB_MAX_ORDER, fraction);
            if (order <= SLUB_MAX_ORDER) return order;
        }
        int order = getOrder(size);
        return order <= Zone.MAX_PAGE_ORDER ? order : -1;
    }

    private static int calcSlabOrder(int size, int minOrder, int maxOrder, int fractLeftover) {
        int order;
        for (order = minOrder; order <= maxOrder; order++) {
            long slabSize = Addresses.PAGE_SIZE << order;
            long rem = slabSize % size;
            if (rem <= slabSize / fractLeftover) break;
        }
        return order;
    }

    static int fls(long x) { return 64 - Long.numberOfLeadingZeros(x); }

    static int ilog2(long x) { return 63 - Long.numberOfLeadingZeros(x); }

    static int alignUp(int x, int a) { return (x + a - 1) / a * a; }

    /** get_order(): the smallest order whose block holds {@code size} bytes. */
    public static int getOrder(long size) { return fls((size - 1) >>> Addresses.PAGE_SHIFT); }

    // ---------------------------------------------------------------- the read-only view

    public String name() { return name; }

    public long address() { return Slub.cacheAddress(index); }

    public int objectSize() { return objectSize; }

    /** s->size: the object plus its free pointer (if moved out), aligned. */
    public int size() { return size; }

    /** s->offset: where the free pointer lives inside a free object. */
    public int offset() { return offset; }

    public int align() { return align; }

    public int flags() { return flags; }

    /** s->inuse: the bytes of an object that the user owns (object_size rounded to 8). */
    public int inuse() { return inuseBytes; }

    public int order() { return order; }

    public int objectsPerSlab() { return objects; }

    public int minOrder() { return minOrder; }

    public int minObjects() { return minObjects; }

    public int minPartial() { return minPartial; }

    public int cpuPartial() { return cpuPartial; }

    public int cpuPartialSlabs() { return cpuPartialSlabs; }

    public boolean isKmalloc() { return kmalloc; }

    public boolean isDestroyed() { return destroyed; }

    /** s->refcount: more than 1 once other kmem_cache_create calls were merged into this cache. */
    public int refcount() { return refcount; }

    /** c->freelist of a CPU (an object address, 0 when empty). */
    public long cpuFreelist(int cpu) { return cpuFreelist[cpu]; }

    /** c->slab of a CPU as a PFN, or -1. */
    public long cpuSlab(int cpu) { return cpuSlab[cpu]; }

    /** c->partial of a CPU, head first, as PFNs. */
    public List<Long> cpuPartialSlabsOf(int cpu) { return List.copyOf(cpuPartialList.get(cpu)); }

    /** The node's partial list, head first, as PFNs. */
    public List<Long> nodePartial() { return List.copyOf(nodePartial); }

    /** Slabs this cache holds (node_nr_slabs). */
    public long nrSlabs() { return nrSlabs; }

    /** Objects in those slabs (node_nr_objs). */
    public long totalObjects() { return totalObjects; }

    /** oo.x: order << 16 | objects. */
    public int ooWord() { return (order << OO_SHIFT) | objects; }

    public int minWord() { return (minOrder << OO_SHIFT) | minObjects; }
}

package org.memdesclab.sim;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * SLUB as the 6.18 kernel runs it (the classic allocator of kernel-facts.md section 3.3, before
 * sheaves): per-CPU freelist and slab, per-CPU partial list, the node partial list and min_partial,
 * new slabs as frozen compound pages from the buddy allocator, empty slabs given back (all of them at
 * once by kmem_cache_shrink); kmalloc with its caches and large kmalloc; cache merging. The struct slab
 * fields live in the memmap words of each slab's head
 * page at the kernel's offsets (slab_cache 8, slab_list/next+slabs 16, freelist 32, counters 40,
 * page_type 48, refcount 52, obj_exts 56). Object memory is sparse: the simulator stores only the
 * free pointer SLUB writes inside each object at {@code s->offset}.
 *
 * <p>Cache merging follows find_mergeable() of mm/slab_common.c unless the machine boots with
 * slab_nomerge. Simplifications (also in the console's help): one node; no debugging, freelist
 * randomisation or hardening; no memcg accounting; the constructor is not run; only the kmalloc-*
 * caches of the normal type exist.
 */
public final class Slub implements WordStore {
    // slab_flags_t bits of the 6.18 enum _slab_flag_bits (CONFIG_MEMCG=y, DEBUG_OBJECTS and FAILSLAB off)
    public static final int SLAB_HWCACHE_ALIGN = 1 << 4;
    public static final int SLAB_PANIC = 1 << 8;
    public static final int SLAB_TYPESAFE_BY_RCU = 1 << 9;
    public static final int SLAB_ACCOUNT = 1 << 13;
    public static final int SLAB_RED_ZONE = 1 << 1;
    public static final int SLAB_POISON = 1 << 2;
    public static final int SLAB_STORE_USER = 1 << 7;
    public static final int SLAB_TRACE = 1 << 10;
    public static final int SLAB_NOLEAKTRACE = 1 << 11;
    public static final int SLAB_NO_MERGE = 1 << 12;
    /**
     * SLAB_NEVER_MERGE of mm/slab_common.c as far as this configuration has the bits (no FAILSLAB, no
     * KASAN): debugging layouts, RCU-delayed freeing and an explicit SLAB_NO_MERGE keep a cache apart.
     */
    static final int SLAB_NEVER_MERGE = SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER | SLAB_TRACE | SLAB_TYPESAFE_BY_RCU
            | SLAB_NOLEAKTRACE | SLAB_NO_MERGE;
    /** SLAB_MERGE_SAME: caches merge only if they agree on these (the lab has SLAB_ACCOUNT of them). */
    static final int SLAB_MERGE_SAME = SLAB_ACCOUNT;
    /** Internal: the cache is a kmalloc cache (_SLAB_KMALLOC). */
    public static final int SLAB_KMALLOC = 1 << 3;

    public static final int KMALLOC_MAX_CACHE_SIZE = 8192;
    /** KMALLOC_MAX_SIZE: 1 << (MAX_PAGE_ORDER + PAGE_SHIFT). */
    public static final long KMALLOC_MAX_SIZE = 1L << (Zone.MAX_PAGE_ORDER + Addresses.PAGE_SHIFT);
    public static final long ZERO_SIZE_PTR = 16;

    /** The slab_caches list head, a static kernel variable. */
    public static final long SLAB_CACHES_ADDR = 0xffffffff83c0f000L;
    /** struct kmem_cache i at KMEM_CACHE_BASE + i * CACHE_STRIDE (with its kmem_cache_node and name). */
    public static final long KMEM_CACHE_BASE = 0xffffffff83c10000L;
    public static final long CACHE_STRIDE = 0x4000;
    public static final long NODE_OFFSET = 0x2100;
    public static final long NAME_OFFSET = 0x3000;
    public static final int SIZEOF_KMEM_CACHE = 8416;
    public static final int SIZEOF_KMEM_CACHE_NODE = 72;
    /** The percpu offset of cache i's struct kmem_cache_cpu (s->cpu_slab is a __percpu pointer). */
    public static final long CPU_SLAB_PERCPU_BASE = 0x30000;
    public static final long CPU_SLAB_STRIDE = 0x40;
    public static final int MAX_CACHES = 1024;
    /** The longest cache name the lab stores at the name's address (kstrdup_const has no limit). */
    public static final int MAX_NAME = 255;

    /** The kmalloc caches in the order create_kmalloc_caches() makes them: 96, 192, then powers of two. */
    static final int[] KMALLOC_SIZES = {96, 192, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192};
    /** kmalloc_size_index[]: (size - 1) / 8 for sizes up to 192 gives the kmalloc index (1 = 96, 2 = 192, else log2). */
    private static final int[] SIZE_INDEX = {3, 4, 5, 5, 6, 6, 6, 6, 1, 1, 1, 1, 7, 7, 7, 7, 2, 2, 2, 2, 2, 2, 2, 2};

    private final Machine m;
    private final Memmap mm;
    private final Trace trace;
    private final int cpus;
    private final List<KmemCache> caches;
    /** kmalloc index (1..13) to cache index in {@link #caches}. */
    private final int[] kmallocCache = new int[14];
    /** Sparse object memory: address of an 8-byte word inside an object to the value stored there (free pointers). */
    private LongLongMap objMem;
    /** Objects that are free (on some CPU freelist or slab freelist), as keys. */
    private LongLongMap freeObjs;
    private boolean warnedGetSlab;
    private boolean warnedGetLargeKmalloc;

    Slub(Machine m, Memmap mm, Trace trace, int cpus) {
        this.m = m;
        this.mm = mm;
        this.trace = trace;
        this.cpus = cpus;
        this.caches = new ArrayList<>();
        this.objMem = new LongLongMap();
        this.freeObjs = new LongLongMap();
        // create_kmalloc_caches(): the caches exist from boot; their slab pages come when first used
        for (int size : KMALLOC_SIZES) {
            int kidx = size == 96 ? 1 : size == 192 ? 2 : KmemCache.ilog2(size);
            int align = Integer.lowestOneBit(size);
            // new_kmalloc_cache(): with CONFIG_MEMCG the KMALLOC_NORMAL caches get SLAB_NO_MERGE
            KmemCache k = KmemCache.create(caches.size(), kmallocName(size), size, align, SLAB_KMALLOC | SLAB_NO_MERGE, false,
                    true, cpus);
            kmallocCache[kidx] = caches.size();
            caches.add(k);
        }
    }

    private Slub(Slub o, Machine m, Memmap mm, Trace trace) {
        this.m = m;
        this.mm = mm;
        this.trace = trace;
        this.cpus = o.cpus;
        this.caches = new ArrayList<>();
        for (KmemCache k : o.caches) caches.add(k.copy());
        System.arraycopy(o.kmallocCache, 0, kmallocCache, 0, kmallocCache.length);
        this.objMem = o.objMem.copy();
        this.freeObjs = o.freeObjs.copy();
        this.warnedGetSlab = o.warnedGetSlab;
        this.warnedGetLargeKmalloc = o.warnedGetLargeKmalloc;
    }

    Slub copy(Machine m2, Memmap mm2, Trace trace2) { return new Slub(this, m2, mm2, trace2); }

    static String kmallocName(int size) {
        return size >= 1024 && size % 1024 == 0 ? "kmalloc-" + (size / 1024) + "k" : "kmalloc-" + size;
    }

    public static long cacheAddress(int index) { return KMEM_CACHE_BASE + index * CACHE_STRIDE; }

    static long nodeAddress(int index) { return cacheAddress(index) + NODE_OFFSET; }

    static long partialAnchor(int index) { return nodeAddress(index) + 16; }

    // ---------------------------------------------------------------- caches

    /** Every cache ever created, in creation order (destroyed ones included, marked). */
    public List<KmemCache> caches() { return List.copyOf(caches); }

    /** The live cache whose struct kmem_cache is at {@code addr}, or null. */
    public KmemCache cacheAt(long addr) {
        long off = addr - KMEM_CACHE_BASE;
        if (off < 0 || off % CACHE_STRIDE != 0) return null;
        long i = off / CACHE_STRIDE;
        if (i >= caches.size()) return null;
        KmemCache k = caches.get((int) i);
        return k.destroyed ? null : k;
    }

    /** The kmalloc cache a request of {@code size} bytes uses (kmalloc_slab), or null above 8 KiB or for 0. */
    public KmemCache kmallocSlab(long size) {
        // size_t is unsigned: a negative number from the console is a huge size
        if (size == 0 || Long.compareUnsigned(size, KMALLOC_MAX_CACHE_SIZE) > 0) return null;
        int idx = size <= 192 ? SIZE_INDEX[(int) ((size - 1) / 8)] : KmemCache.fls(size - 1);
        return caches.get(kmallocCache[idx]);
    }

    /**
     * kmem_cache_create(name, size, align, flags, ctor). Returns the new cache; refuses what the kernel
     * refuses (a size it cannot lay out), with its message, and SLAB_PANIC turns that into a panic.
     */
    public KmemCache create(String name, long size, long align, int flags, boolean ctor) {
        if (name == null) throw KernelError.error("kmem_cache_create(): the name must not be NULL");
        String err = null;
        if (size < 1 || size > KMALLOC_MAX_SIZE) err = "size " + size + " is outside 1.." + KMALLOC_MAX_SIZE;
        else if (align < 0 || align > Addresses.PAGE_SIZE || (align & (align - 1)) != 0) err = "align " + align + " is not a power of two up to PAGE_SIZE";
        else if (name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_NAME) {
            err = "the lab keeps cache names of at most " + MAX_NAME + " bytes";
        }
        if (err == null) {
            KmemCache alias = findMergeable((int) size, (int) align, flags, ctor);
            if (alias != null) return aliasCache(alias, name, (int) size);
        }
        if (caches.size() >= MAX_CACHES) err = "the lab holds at most " + MAX_CACHES + " caches";
        KmemCache k = err == null ? KmemCache.create(caches.size(), name, (int) size, (int) align, flags, ctor, false, cpus) : null;
        if (k == null) {
            if (err == null) err = "calculate_order() found no order for objects of " + size + " bytes";
            if ((flags & SLAB_PANIC) != 0) {
                throw new KernelError(List.of("Kernel panic - not syncing: kmem_cache_create: Failed to create slab '" + name
                        + "'. Error -22", "(" + err + "; SLAB_PANIC turns the failure into a panic)"));
            }
            throw new KernelError(List.of("error: kmem_cache_create(\"" + name + "\"): " + err + "; the kernel prints:",
                    "kmem_cache_create(" + name + ") failed with error -22", "(and the caller gets NULL)"));
        }
        caches.add(k);
        if (trace.on()) {
            trace.emit("kmem_cache_create", String.format("%s: object_size %d, size %d, offset %d, align %d; calculate_order "
                    + "with %d CPUs: order %d, %d objects per slab (min: order %d, %d objects); min_partial %d, "
                    + "cpu_partial_slabs %d", name, k.objectSize, k.size, k.offset, k.align, cpus, k.order, k.objects,
                    k.minOrder, k.minObjects, k.minPartial, k.cpuPartialSlabs), 0);
        }
        return k;
    }

    /**
     * find_mergeable() of mm/slab_common.c: the oldest live cache (slab_caches walked in reverse) whose
     * objects can hold the new ones without changing their layout, or null. Nothing merges under
     * slab_nomerge, with a constructor, or with a SLAB_NEVER_MERGE flag; a candidate must be mergeable
     * itself (no such flags, no ctor, no usersize, refcount not negative), at least as large, agree on
     * SLAB_MERGE_SAME, keep the new alignment, and waste less than sizeof(void *) per object.
     */
    KmemCache findMergeable(int objectSize, int alignArg, int flags, boolean ctor) {
        if (m.config().slabNomerge() || ctor || (flags & SLAB_NEVER_MERGE) != 0) return null;
        int size = KmemCache.alignUp(objectSize, 8);
        int align = KmemCache.calculateAlignment(flags, alignArg, size);
        size = KmemCache.alignUp(size, align);
        for (KmemCache s : caches) {
            if (s.destroyed || !mergeableTarget(s)) continue;
            if (size > s.size) continue;
            if ((flags & SLAB_MERGE_SAME) != (s.flags & SLAB_MERGE_SAME)) continue;
            if ((s.size & ~(align - 1)) != s.size) continue;
            if (s.size - size >= 8) continue;
            return s;
        }
        return null;
    }

    /** !slab_unmergeable(s); the kmalloc caches have a usersize (CONFIG_HARDENED_USERCOPY) and SLAB_NO_MERGE. */
    private static boolean mergeableTarget(KmemCache s) {
        return (s.flags & SLAB_NEVER_MERGE) == 0 && !s.hasCtor && !s.kmalloc && s.refcount > 0;
    }

    /** __kmem_cache_alias(): one more user of an existing cache; object_size and inuse grow to cover the new objects. */
    private KmemCache aliasCache(KmemCache s, String name, int size) {
        s.refcount++;
        s.objectSize = Math.max(s.objectSize, size);
        s.inuseBytes = Math.max(s.inuseBytes, KmemCache.alignUp(size, 8));
        if (trace.on()) {
            trace.emit("kmem_cache_create", String.format("%s: find_mergeable() chose %s (size %d): the new cache is an alias "
                    + "of it, refcount %d; object_size %d, inuse %d", name, s.name, s.size, s.refcount, s.objectSize,
                    s.inuseBytes), 0);
        }
        return s;
    }

    /** Objects of this cache that are allocated (not free anywhere). */
    public long objectsInUse(KmemCache s) {
        long n = 0;
        for (long pfn : slabsOf(s)) n += inuse(pfn);
        for (int c = 0; c < cpus; c++) for (long o = s.cpuFreelist[c]; o != 0; o = fp(s, o)) n--;
        return n;
    }

    /** Every slab of the cache: CPU slabs, CPU partial, node partial and full ones (by a memmap walk). */
    public List<Long> slabsOf(KmemCache s) {
        List<Long> out = new ArrayList<>();
        long addr = s.address();
        for (long pfn = 0; pfn < m.nrPages(); pfn++) {
            if (isSlabHead(pfn) && mm.word(pfn, Memmap.W_LRU_NEXT) == addr) out.add(pfn);
        }
        return out;
    }

    /**
     * kmem_cache_destroy(s): refuses, with the kernel's report and WARN, while objects remain (the
     * kernel would flush the CPU slabs and leak the cache; the lab changes nothing). Otherwise flushes
     * every CPU, frees every slab to the buddy allocator and forgets the cache.
     */
    public void destroy(KmemCache s) {
        if (s.kmalloc) throw KernelError.error("kmem_cache_destroy(" + s.name + "): the kmalloc caches belong to the kernel");
        if (s.refcount > 1) {
            s.refcount--;
            if (trace.on()) trace.emit("kmem_cache_destroy", s.name + ": refcount drops to " + s.refcount
                    + "; merged users remain, so the cache stays", 0);
            return;
        }
        long inUse = objectsInUse(s);
        if (inUse > 0) {
            List<String> lines = new ArrayList<>();
            lines.add("error: kmem_cache_destroy(" + s.name + "): " + inUse + " object(s) are still allocated; the kernel reports:");
            lines.addAll(slabBug(s, "Objects remaining on __kmem_cache_shutdown()"));
            int shown = 0;
            for (long pfn : slabsOf(s)) {
                long base = Addresses.directMapAddress(pfn);
                int n = objectsOf(pfn);
                for (int i = 0; i < n && shown < 16; i++) {
                    long obj = base + (long) i * s.size;
                    if (!freeObjs.containsKey(obj)) {
                        lines.add(String.format("Object 0x%016x @offset=%d", obj, (long) i * s.size));
                        shown++;
                    }
                }
            }
            lines.add("------------[ cut here ]------------");
            lines.add("kmem_cache_destroy " + s.name + ": Slab cache still has objects when called from lab_console+0x0/0x0");
            lines.add("WARNING: CPU: " + m.cpu() + " PID: 1 at mm/slab_common.c kmem_cache_destroy");
            lines.add("(the kernel then leaks the cache; the lab leaves it exactly as it was)");
            throw new KernelError(lines);
        }
        if (trace.on()) trace.emit("kmem_cache_destroy", s.name + ": flush every CPU, then free the node's partial slabs", 0);
        for (int c = 0; c < cpus; c++) flushCpu(s, c);
        // free_partial(): each slab is list_add()ed to a discard list, so they are freed last first
        List<Long> discard = new ArrayList<>();
        for (long pfn : new ArrayList<>(s.nodePartial)) {
            removePartial(s, pfn);
            discard.add(0, pfn);
        }
        for (long pfn : discard) discardSlab(s, pfn);
        s.destroyed = true;
    }

    /** SHRINK_PROMOTE_MAX of mm/slub.c: slabs with at most this many free objects are sorted by it. */
    static final int SHRINK_PROMOTE_MAX = 32;

    /**
     * kmem_cache_shrink(s) → __kmem_cache_shrink(): flush_all() (every CPU slab is deactivated and every
     * CPU partial list goes to the node), then __kmem_cache_do_shrink(): empty node partial slabs go back
     * to the page allocator whatever min_partial says, and the fullest partial slabs move to the head of
     * the list so that allocations fill them first. Returns 0 if the cache holds no slabs afterwards.
     */
    public int shrink(KmemCache s) {
        if (trace.on()) trace.emit("kmem_cache_shrink", s.name + ": flush_all(), then __kmem_cache_do_shrink()", 0);
        for (int c = 0; c < cpus; c++) {
            if (s.cpuSlab[c] < 0 && s.cpuPartialList.get(c).isEmpty()) continue;
            if (trace.on()) trace.emit("flush_cpu_slab", s.name + ": CPU " + c + ": slab "
                    + (s.cpuSlab[c] < 0 ? "NULL" : "PFN " + s.cpuSlab[c]) + ", " + s.cpuPartialList.get(c).size() + " CPU partial slab(s)");
            flushCpu(s, c);
        }
        List<Long> discard = new ArrayList<>();
        List<List<Long>> promote = new ArrayList<>();
        for (int i = 0; i < SHRINK_PROMOTE_MAX; i++) promote.add(new ArrayList<>());
        List<Long> rest = new ArrayList<>();
        for (long slab : s.nodePartial) {
            int free = objectsOf(slab) - inuse(slab);
            // list_move() puts each slab at the head of its new list
            if (free == objectsOf(slab)) discard.add(0, slab);
            else if (free <= SHRINK_PROMOTE_MAX) promote.get(free - 1).add(0, slab);
            else rest.add(slab);
        }
        List<Long> sorted = new ArrayList<>();
        for (List<Long> l : promote) sorted.addAll(l);
        sorted.addAll(rest);
        if (trace.on() && !sorted.equals(s.nodePartial) && !sorted.isEmpty()) {
            trace.emit("__kmem_cache_do_shrink", s.name + ": node partial list, fullest first: PFNs " + pfnList(sorted));
        }
        s.nodePartial.clear();
        s.nodePartial.addAll(sorted);
        relinkNodePartial(s);
        for (long slab : discard) {
            mm.clearFlag(slab, PageFlag.PG_workingset);
            if (trace.on()) trace.emit("__kmem_cache_do_shrink", s.name + ": slab PFN " + slab + " is empty: free it");
            discardSlab(s, slab);
        }
        return s.nrSlabs > 0 ? 1 : 0;
    }

    private static String pfnList(List<Long> l) {
        StringBuilder sb = new StringBuilder();
        for (long p : l) sb.append(sb.length() == 0 ? "" : " ").append(p);
        return sb.toString();
    }

    /** __flush_cpu_slab(): deactivate the CPU slab, then put the CPU partial slabs on the node list. */
    private void flushCpu(KmemCache s, int c) {
        long slab = s.cpuSlab[c];
        long freelist = s.cpuFreelist[c];
        s.cpuSlab[c] = -1;
        s.cpuFreelist[c] = 0;
        if (slab >= 0) deactivateSlab(s, slab, freelist);
        List<Long> chain = s.cpuPartialList.get(c);
        if (!chain.isEmpty()) {
            List<Long> copy = new ArrayList<>(chain);
            chain.clear();
            putPartials(s, copy);
        }
    }

    /** deactivate_slab(): splice the CPU freelist onto the slab's, unfreeze, then list or discard it. */
    private void deactivateSlab(KmemCache s, long slab, long freelist) {
        int nrFree = 0;
        long tail = 0;
        for (long o = freelist; o != 0; o = fp(s, o)) {
            nrFree++;
            tail = o;
        }
        long oldFree = slabFreelist(slab);
        // objects freed remotely while the slab was frozen: it goes to the tail, else to the head (DEACTIVATE_TO_HEAD)
        boolean toTail = oldFree != 0;
        int inuse = inuse(slab);
        if (tail != 0) {
            inuse -= nrFree;
            setFp(s, tail, oldFree);
            setSlabFreelist(slab, freelist);
        }
        setCounters(slab, inuse, objectsOf(slab), false);
        if (inuse == 0 && s.nodePartial.size() >= s.minPartial) {
            discardSlab(s, slab);
        } else if (slabFreelist(slab) != 0) {
            if (toTail) addPartial(s, slab);
            else addPartialHead(s, slab);
        }
    }

    // ---------------------------------------------------------------- allocation

    /** kmem_cache_alloc(s, gfp): an object address, or 0 (NULL) when no slab can be had. */
    public long alloc(KmemCache s, int gfp) {
        if (trace.on()) trace.emit("kmem_cache_alloc", s.name + ", gfp " + Gfp.format(gfp) + ", on CPU " + m.cpu(), 0);
        return slabAlloc(s, gfp);
    }

    /** slab_alloc_node(): the CPU freelist fast path, else ___slab_alloc. */
    private long slabAlloc(KmemCache s, int gfp) {
        int cpu = m.cpu();
        long obj = s.cpuFreelist[cpu];
        if (obj != 0) {
            s.cpuFreelist[cpu] = fp(s, obj);
            freeObjs.remove(obj);
            if ((gfp & Gfp.__GFP_ZERO) != 0) zero(s, obj);
            if (trace.on()) {
                trace.emit("slab_alloc", String.format("%s: fast path: popped 0x%016x from CPU %d's freelist (next: %s)", s.name, obj,
                        cpu, ptr(s.cpuFreelist[cpu])));
            }
            return obj;
        }
        obj = slowAlloc(s, gfp, cpu);
        if (obj != 0 && (gfp & Gfp.__GFP_ZERO) != 0) zero(s, obj);
        return obj;
    }

    private void zero(KmemCache s, long obj) {
        // init_on_alloc / __GFP_ZERO clears the object, including the stale free pointer
        objMem.put(obj + s.offset, 0);
    }

    /** ___slab_alloc(). */
    private long slowAlloc(KmemCache s, int gfp, int cpu) {
        long slab = s.cpuSlab[cpu];
        if (slab >= 0) {
            long fl = getFreelist(slab);
            if (fl != 0) {
                if (trace.on()) trace.emit("___slab_alloc", String.format("%s: CPU %d's freelist is empty; took the %d object(s) "
                        + "freed to its CPU slab (PFN %d)", s.name, cpu, countChain(s, fl), slab));
                return loadFreelist(s, cpu, fl);
            }
            s.cpuSlab[cpu] = -1;
            if (trace.on()) trace.emit("___slab_alloc", s.name + ": CPU " + cpu + "'s slab (PFN " + slab
                    + ") is full: it leaves the CPU and goes on no list");
        }
        List<Long> chain = s.cpuPartialList.get(cpu);
        if (!chain.isEmpty()) {
            long p = chain.remove(0);
            s.cpuSlab[cpu] = p;
            long fl = getFreelist(p);
            if (trace.on()) trace.emit("___slab_alloc", s.name + ": took slab PFN " + p + " from CPU " + cpu + "'s partial list");
            return loadFreelist(s, cpu, fl);
        }
        long p = getPartialNode(s, cpu);
        if (p >= 0) {
            long fl = freezeSlab(p);
            s.cpuSlab[cpu] = p;
            return loadFreelist(s, cpu, fl);
        }
        long pfn = allocateSlab(s, gfp);
        if (pfn < 0) {
            if ((gfp & Gfp.__GFP_NOWARN) == 0) slabOutOfMemory(s, gfp);
            return 0;
        }
        long fl = slabFreelist(pfn);
        setSlabFreelist(pfn, 0);
        setCounters(pfn, objectsOf(pfn), objectsOf(pfn), true);
        s.cpuSlab[cpu] = pfn;
        if (trace.on()) trace.emit("___slab_alloc", s.name + ": new slab PFN " + pfn + " is CPU " + cpu
                + "'s slab (frozen, inuse = objects = " + objectsOf(pfn) + ", its freelist moves to the CPU)");
        return loadFreelist(s, cpu, fl);
    }

    private long loadFreelist(KmemCache s, int cpu, long fl) {
        s.cpuFreelist[cpu] = fp(s, fl);
        freeObjs.remove(fl);
        if (trace.on()) trace.emit("___slab_alloc", String.format("returned 0x%016x; CPU %d's freelist is now %s", fl, cpu,
                ptr(s.cpuFreelist[cpu])));
        return fl;
    }

    /** get_freelist(): take slab->freelist; inuse = objects; frozen stays set only if there was a freelist. */
    private long getFreelist(long slab) {
        long fl = slabFreelist(slab);
        setSlabFreelist(slab, 0);
        setCounters(slab, objectsOf(slab), objectsOf(slab), fl != 0);
        return fl;
    }

    /** freeze_slab(): a node partial slab becomes a CPU slab. */
    private long freezeSlab(long slab) {
        long fl = slabFreelist(slab);
        setSlabFreelist(slab, 0);
        setCounters(slab, objectsOf(slab), objectsOf(slab), true);
        return fl;
    }

    /** get_partial_node(): the first slab for the CPU, more onto the CPU partial list up to half of cpu_partial_slabs. */
    private long getPartialNode(KmemCache s, int cpu) {
        if (s.nodePartial.isEmpty()) return -1;
        long first = -1;
        int partialSlabs = 0;
        for (long slab : new ArrayList<>(s.nodePartial)) {
            removePartial(s, slab);
            if (first < 0) {
                first = slab;
                if (trace.on()) trace.emit("get_partial_node", s.name + ": took slab PFN " + slab + " from the node's partial list");
                if (s.cpuPartial == 0) break;
            } else {
                putCpuPartial(s, cpu, slab, false);
                if (trace.on()) trace.emit("get_partial_node", s.name + ": moved slab PFN " + slab + " to CPU " + cpu + "'s partial list");
                if (++partialSlabs > s.cpuPartialSlabs / 2) break;
            }
        }
        return first;
    }

    /** allocate_slab() + alloc_slab_page(): frozen pages of order oo, falling back to min; the freelist built in order. */
    private long allocateSlab(KmemCache s, int gfp) {
        int flags = fixFlags(gfp) | Gfp.__GFP_COMP;
        int allocGfp = (flags | Gfp.__GFP_NOWARN | Gfp.__GFP_NORETRY) & ~Gfp.__GFP_NOFAIL;
        if ((allocGfp & Gfp.__GFP_DIRECT_RECLAIM) != 0 && s.order > s.minOrder) {
            allocGfp = (allocGfp | Gfp.__GFP_NOMEMALLOC) & ~Gfp.__GFP_RECLAIM;
        }
        int order = s.order;
        int objects = s.objects;
        if (trace.on()) trace.emit("allocate_slab", s.name + ": new slab of order " + order + " (" + objects + " objects)");
        long pfn = m.allocFrozenPages(allocGfp, order);
        if (pfn < 0) {
            if (s.minOrder == s.order) return -1;
            order = s.minOrder;
            objects = s.minObjects;
            if (trace.on()) trace.emit("allocate_slab", s.name + ": no order-" + s.order + " block; falling back to the minimum order "
                    + order + " (" + objects + " objects)");
            pfn = m.allocFrozenPages(flags, order);
            if (pfn < 0) return -1;
        }
        // profile hooks: a memdesc slab needs its struct slab; a 5.15 slab page keeps alloc_pages' reference
        if (m.memdescs() != null && !m.memdescs().attachSlab(m, s, pfn, allocGfp)) {
            m.freeFrozen(pfn, order);
            return -1;
        }
        if (m.profile().slabPagesRefcounted()) mm.setRefcount(pfn, 1);
        // __folio_set_slab, slab->objects/inuse/frozen, obj_exts, slab_cache
        mm.setPageType(pfn, PageType.PGTY_slab.word());
        mm.setWord(pfn, Memmap.W_LRU_NEXT, s.address());
        mm.setWord(pfn, Memmap.W_MEMCG, 0);
        setCounters(pfn, 0, objects, false);
        long base = Addresses.directMapAddress(pfn);
        for (int i = 0; i < objects; i++) {
            long obj = base + (long) i * s.size;
            setFp(s, obj, i + 1 < objects ? obj + s.size : 0);
            freeObjs.put(obj, 1);
        }
        setSlabFreelist(pfn, base);
        s.nrSlabs++;
        s.totalObjects += objects;
        if (trace.on()) {
            trace.emit("allocate_slab", String.format("PFN %d: page_type slab, slab_cache %s, freelist object 0 -> 1 -> ... -> %d -> NULL",
                    pfn, s.name, objects - 1));
        }
        return pfn;
    }

    private int fixFlags(int gfp) {
        int bad = Gfp.__GFP_DMA32 | Gfp.__GFP_HIGHMEM;
        if ((gfp & bad) == 0) return gfp;
        int fixed = gfp & ~bad;
        m.log(String.format("Unexpected gfp: %#x (%s). Fixing up to gfp: %#x (%s). Fix your code!", gfp & bad,
                Gfp.format(gfp & bad), fixed, Gfp.format(fixed)));
        return fixed;
    }

    private void slabOutOfMemory(KmemCache s, int gfp) {
        m.log(String.format("SLUB: Unable to allocate memory on node -1, gfp=%#x(%s)", gfp, Gfp.format(gfp)));
        m.log(String.format("  cache: %s, object size: %d, buffer size: %d, default order: %d, min order: %d", s.name,
                s.objectSize, s.size, s.order, s.minOrder));
        m.log(String.format("  node 0: slabs: %d, objs: %d, free: %d", s.nrSlabs, s.totalObjects, partialFree(s)));
    }

    // ---------------------------------------------------------------- free

    /** kmem_cache_free(s, x): WARNs about a wrong cache and frees into the object's own one, as cache_from_obj does. */
    public void free(KmemCache s, long x, String fn) {
        long pfn = requireSlabObject(x, fn);
        KmemCache actual = cacheOfSlab(pfn);
        checkObject(actual, pfn, x);
        if (trace.on()) trace.emit(fn, String.format("0x%016x (object %d of slab PFN %d), on CPU %d", x,
                (x - Addresses.directMapAddress(pfn)) / actual.size, pfn, m.cpu()), 0);
        if (actual != s) {
            m.log("------------[ cut here ]------------");
            m.log("kmem_cache_free: Wrong slab cache. " + s.name + " but object is from " + actual.name);
            m.log("WARNING: CPU: " + m.cpu() + " PID: 1 at mm/slub.c cache_from_obj");
        }
        slabFree(actual, pfn, x);
    }

    /** The slab head PFN of an object address, refusing anything that is not inside a slab page. */
    private long requireSlabObject(long x, String fn) {
        if (x == 0) {
            throw new KernelError(List.of("BUG: kernel NULL pointer dereference, address: 0000000000000008",
                    "#PF: supervisor read access in kernel mode", "#PF: error_code(0x0000) - not-present page",
                    "(" + fn + "() was given NULL; only kfree() accepts NULL)"));
        }
        long pfn = directMapPfn(x, fn);
        long head = m.compoundHeadPfn(pfn);
        if (!m.validPfn(head) || !isSlabHead(head)) {
            throw new KernelError(List.of(
                    String.format("error: %s(): 0x%016x is in PFN %d, which no slab owns; the kernel WARNs and frees nothing:", fn, x, pfn),
                    "------------[ cut here ]------------",
                    "virt_to_cache: Object is not a Slab page!",
                    "WARNING: CPU: " + m.cpu() + " PID: 1 at mm/slab.h virt_to_cache"));
        }
        return head;
    }

    /** The PFN of a direct-map address of this machine, or a page fault / error. */
    public long directMapPfn(long x, String fn) {
        if (!Addresses.inDirectMap(x)) {
            throw KernelError.error(String.format("%s(): 0x%016x is not a direct-map address (slab objects live in the direct "
                    + "map, from PAGE_OFFSET 0x%016x)", fn, x, Addresses.PAGE_OFFSET));
        }
        long pfn = (x - Addresses.PAGE_OFFSET) >>> Addresses.PAGE_SHIFT;
        if (!m.validPfn(pfn)) {
            throw new KernelError(List.of(String.format("BUG: unable to handle page fault for address: %016x",
                    Addresses.pageAddress(pfn)), "#PF: supervisor read access in kernel mode",
                    "#PF: error_code(0x0000) - not-present page",
                    "(" + fn + "() looked up the struct page of PFN " + pfn + ", outside this machine's memmap)"));
        }
        return pfn;
    }

    private KmemCache cacheOfSlab(long pfn) {
        KmemCache k = cacheAt(mm.word(pfn, Memmap.W_LRU_NEXT));
        if (k == null) throw KernelError.error(String.format("SLUB <none>: no slab for object in PFN %d", pfn));
        return k;
    }

    /** free_consistency_checks() as a CONFIG_SLUB_DEBUG kernel runs them: valid pointer, not already free. */
    private void checkObject(KmemCache s, long slab, long x) {
        long base = Addresses.directMapAddress(slab);
        long off = x - base;
        if (off < 0 || off % s.size != 0 || off / s.size >= objectsOf(slab)) {
            List<String> lines = new ArrayList<>();
            lines.add(String.format("error: 0x%016x is not an object of %s: objects start every %d bytes from 0x%016x", x, s.name,
                    s.size, base));
            lines.addAll(slabBug(s, String.format("Invalid object pointer 0x%016x", x)));
            lines.add(slabInfo(slab));
            lines.add("(what a CONFIG_SLUB_DEBUG kernel with slab_debug=F reports; without it SLUB would corrupt its freelist. "
                    + "Nothing was changed)");
            throw new KernelError(lines);
        }
        if (freeObjs.containsKey(x)) {
            List<String> lines = new ArrayList<>();
            lines.add(String.format("error: double free: object 0x%016x of %s is already free", x, s.name));
            lines.addAll(slabBug(s, "Object already free"));
            lines.add(slabInfo(slab));
            lines.add(String.format("Object 0x%016x @offset=%d fp=0x%016x", x, off, fp(s, x)));
            lines.add("(what a CONFIG_SLUB_DEBUG kernel with slab_debug=F reports; without it the object would be handed out "
                    + "twice. Nothing was changed)");
            throw new KernelError(lines);
        }
    }

    private static List<String> slabBug(KmemCache s, String what) {
        return List.of("=============================================================================",
                "BUG " + s.name + " (Not tainted): " + what,
                "-----------------------------------------------------------------------------", "");
    }

    private String slabInfo(long slab) {
        return String.format("Slab 0x%016x objects=%d used=%d fp=0x%016x flags=%s", Addresses.pageAddress(slab), objectsOf(slab),
                inuse(slab), slabFreelist(slab), DumpPage.formatFlags(mm.flags(slab)));
    }

    /** do_slab_free(): the CPU slab's fast path, else __slab_free. */
    private void slabFree(KmemCache s, long slab, long x) {
        int cpu = m.cpu();
        if (s.cpuSlab[cpu] == slab) {
            setFp(s, x, s.cpuFreelist[cpu]);
            s.cpuFreelist[cpu] = x;
            freeObjs.put(x, 1);
            if (trace.on()) trace.emit("slab_free", String.format("%s: fast path: 0x%016x pushed on CPU %d's freelist (its free "
                    + "pointer at +%d holds %s)", s.name, x, cpu, s.offset, ptr(fp(s, x))));
            return;
        }
        slowFree(s, slab, x);
    }

    /** __slab_free(). */
    private void slowFree(KmemCache s, long slab, long x) {
        long prior = slabFreelist(slab);
        setFp(s, x, prior);
        setSlabFreelist(slab, x);
        int inuse = inuse(slab) - 1;
        boolean frozen = frozen(slab);
        setCounters(slab, inuse, objectsOf(slab), frozen);
        freeObjs.put(x, 1);
        if (trace.on()) trace.emit("__slab_free", String.format("%s: 0x%016x pushed on slab PFN %d's freelist; inuse %d", s.name, x,
                slab, inuse));
        if (frozen) {
            if (trace.on()) trace.emit("__slab_free", "the slab is another CPU's slab (frozen): no list changes");
            return;
        }
        if (prior == 0) {
            if (trace.on()) trace.emit("__slab_free", "the slab was full: put it on CPU " + m.cpu() + "'s partial list");
            putCpuPartial(s, m.cpu(), slab, true);
            return;
        }
        if (inuse != 0) return;
        if (!onNodePartial(slab)) {
            if (trace.on()) trace.emit("__slab_free", "the slab is empty but on a CPU partial list: it stays there");
            return;
        }
        if (s.nodePartial.size() >= s.minPartial) {
            if (trace.on()) trace.emit("__slab_free", "the slab is empty and the node has " + s.nodePartial.size()
                    + " partial slabs (min_partial " + s.minPartial + "): give it back to the page allocator");
            removePartial(s, slab);
            discardSlab(s, slab);
        } else if (trace.on()) {
            trace.emit("__slab_free", "the slab is empty; the node keeps it (only " + s.nodePartial.size()
                    + " partial slabs, min_partial " + s.minPartial + ")");
        }
    }

    /** put_cpu_partial(): push on the CPU partial list; with drain, a full list first moves to the node. */
    private void putCpuPartial(KmemCache s, int cpu, long slab, boolean drain) {
        List<Long> chain = s.cpuPartialList.get(cpu);
        List<Long> toUnfreeze = null;
        int slabs = 0;
        if (!chain.isEmpty()) {
            int oldSlabs = slabsField(chain.get(0));
            if (drain && oldSlabs >= s.cpuPartialSlabs) {
                toUnfreeze = new ArrayList<>(chain);
                chain.clear();
            } else {
                slabs = oldSlabs;
            }
        }
        slabs++;
        mm.setWord(slab, Memmap.W_LRU_PREV, chain.isEmpty() ? 0 : Addresses.pageAddress(chain.get(0)));
        mm.setWord(slab, Memmap.W_MAPPING, slabs & 0xffffffffL);
        chain.add(0, slab);
        if (toUnfreeze != null) {
            if (trace.on()) trace.emit("put_cpu_partial", "CPU " + cpu + "'s partial list was full (" + s.cpuPartialSlabs
                    + " slabs): move its old slabs to the node");
            putPartials(s, toUnfreeze);
        }
    }

    /** __put_partials(): to the node list's tail, or (empty, node has enough) discarded in reverse order. */
    private void putPartials(KmemCache s, List<Long> chain) {
        List<Long> discard = new ArrayList<>();
        for (long slab : chain) {
            if (inuse(slab) == 0 && s.nodePartial.size() >= s.minPartial) discard.add(0, slab);
            else addPartial(s, slab);
        }
        for (long slab : discard) discardSlab(s, slab);
    }

    // ---------------------------------------------------------------- node partial list

    /** add_partial(n, slab, DEACTIVATE_TO_TAIL): list_add_tail on n->partial, SL_partial set. */
    private void addPartial(KmemCache s, long slab) {
        List<Long> l = s.nodePartial;
        long anchor = partialAnchor(s.index);
        long last = l.isEmpty() ? -1 : l.get(l.size() - 1);
        l.add(slab);
        mm.setFlag(slab, PageFlag.PG_workingset);
        mm.setWord(slab, Memmap.W_LRU_PREV, anchor);
        mm.setWord(slab, Memmap.W_MAPPING, last < 0 ? anchor : Addresses.pageAddress(last) + 16);
        if (last >= 0) mm.setWord(last, Memmap.W_LRU_PREV, Addresses.pageAddress(slab) + 16);
    }

    /** add_partial(n, slab, DEACTIVATE_TO_HEAD): list_add on n->partial, SL_partial set. */
    private void addPartialHead(KmemCache s, long slab) {
        s.nodePartial.add(0, slab);
        mm.setFlag(slab, PageFlag.PG_workingset);
        relinkNodePartial(s);
    }

    /** Writes every slab_list.next/prev of the node partial list from its order (after a reordering). */
    private void relinkNodePartial(KmemCache s) {
        List<Long> l = s.nodePartial;
        long anchor = partialAnchor(s.index);
        for (int i = 0; i < l.size(); i++) {
            mm.setWord(l.get(i), Memmap.W_LRU_PREV, i + 1 < l.size() ? Addresses.pageAddress(l.get(i + 1)) + 16 : anchor);
            mm.setWord(l.get(i), Memmap.W_MAPPING, i > 0 ? Addresses.pageAddress(l.get(i - 1)) + 16 : anchor);
        }
    }

    /** remove_partial(): list_del (poisoning the entry), SL_partial cleared. */
    private void removePartial(KmemCache s, long slab) {
        List<Long> l = s.nodePartial;
        int i = l.indexOf(slab);
        long next = mm.word(slab, Memmap.W_LRU_PREV);
        long prev = mm.word(slab, Memmap.W_MAPPING);
        l.remove(i);
        if (i > 0) mm.setWord(l.get(i - 1), Memmap.W_LRU_PREV, next);
        if (i < l.size()) mm.setWord(l.get(i), Memmap.W_MAPPING, prev);
        mm.clearFlag(slab, PageFlag.PG_workingset);
        mm.setWord(slab, Memmap.W_LRU_PREV, Addresses.LIST_POISON1);
        mm.setWord(slab, Memmap.W_MAPPING, Addresses.LIST_POISON2);
    }

    private boolean onNodePartial(long slab) { return mm.testFlag(slab, PageFlag.PG_workingset); }

    /** discard_slab() → __free_slab(): clear the slab type and mapping word, free the frozen pages. */
    private void discardSlab(KmemCache s, long slab) {
        int objects = objectsOf(slab);
        long base = Addresses.directMapAddress(slab);
        for (int i = 0; i < objects; i++) {
            long obj = base + (long) i * s.size;
            objMem.remove(obj + s.offset);
            freeObjs.remove(obj);
        }
        s.nrSlabs--;
        s.totalObjects -= objects;
        int order = m.compoundOrder(slab);
        mm.setWord(slab, Memmap.W_MAPPING, 0);
        mm.setPageType(slab, PageType.NO_TYPE);
        if (m.profile().slabPagesRefcounted()) mm.setRefcount(slab, 0); // profile hook: __free_pages drops 5.15's reference
        if (trace.on()) trace.emit("discard_slab", s.name + ": slab PFN " + slab + " (order " + order + ") goes back to the page allocator");
        m.freeFrozen(slab, order);
    }

    private long partialFree(KmemCache s) {
        long free = 0;
        for (long slab : s.nodePartial) free += objectsOf(slab) - inuse(slab);
        return free;
    }

    // ---------------------------------------------------------------- kmalloc

    /** kmalloc(size, gfp): a kmalloc cache, or a large kmalloc above 8 KiB; ZERO_SIZE_PTR for 0. */
    public long kmalloc(long size, int gfp) {
        if (size == 0) return ZERO_SIZE_PTR;
        if (Long.compareUnsigned(size, KMALLOC_MAX_CACHE_SIZE) > 0) return kmallocLarge(size, gfp);
        KmemCache s = kmallocSlab(size);
        if (trace.on()) trace.emit("kmalloc", size + " bytes: kmalloc_slab() picks " + s.name, 0);
        return slabAlloc(s, gfp);
    }

    /** ___kmalloc_large_node(): frozen compound pages, PGTY_large_kmalloc on the head. */
    private long kmallocLarge(long size, int gfp) {
        int order = KmemCache.getOrder(size);
        if (trace.on()) trace.emit("kmalloc", size + " bytes > KMALLOC_MAX_CACHE_SIZE (8192): large kmalloc of order " + order, 0);
        long pfn = m.allocFrozenPages(fixFlags(gfp) | Gfp.__GFP_COMP, order);
        if (pfn < 0) return 0;
        mm.setPageType(pfn, PageType.PGTY_large_kmalloc.word());
        if (trace.on()) trace.emit("___kmalloc_large_node", "PFN " + pfn + ": frozen (refcount 0), page_type large_kmalloc");
        return Addresses.directMapAddress(pfn);
    }

    /** kfree(x): NULL and ZERO_SIZE_PTR do nothing; large kmalloc frees its pages; else slab_free. */
    public void kfree(long x) {
        if (Long.compareUnsigned(x, ZERO_SIZE_PTR) <= 0) {
            if (trace.on()) trace.emit("kfree", x == 0 ? "NULL: nothing to do" : "ZERO_SIZE_PTR: nothing to do", 0);
            return;
        }
        long pfn = directMapPfn(x, "kfree");
        long head = m.compoundHeadPfn(pfn);
        if (m.validPfn(head) && isLargeKmallocHead(head)) {
            int order = m.compoundOrder(head);
            if (trace.on()) trace.emit("free_large_kmalloc", "PFN " + head + " (order " + order + "): clear large_kmalloc, free the pages", 0);
            mm.setPageType(head, PageType.NO_TYPE);
            m.freeFrozen(head, order);
            return;
        }
        if (!m.validPfn(head) || !isSlabHead(head)) {
            List<String> lines = new ArrayList<>();
            lines.add("WARNING: CPU: " + m.cpu() + " PID: 1 at mm/slub.c free_large_kmalloc");
            lines.addAll(DumpPage.dump(m, head));
            lines.add("page dumped because: Not a kmalloc allocation");
            lines.add(String.format("(0x%016x is in PFN %d, which is neither a slab nor a large kmalloc; kfree() returns "
                    + "without freeing anything)", x, pfn));
            throw new KernelError(lines);
        }
        KmemCache s = cacheOfSlab(head);
        checkObject(s, head, x);
        if (trace.on()) trace.emit("kfree", String.format("0x%016x is an object of %s", x, s.name), 0);
        slabFree(s, head, x);
    }

    /** ksize(x): how many bytes the caller may use. */
    public long ksize(long x) {
        if (Long.compareUnsigned(x, ZERO_SIZE_PTR) <= 0) return 0;
        long pfn = directMapPfn(x, "ksize");
        long head = m.compoundHeadPfn(pfn);
        if (isSlabHead(head)) {
            KmemCache s = cacheOfSlab(head);
            return (s.flags & SLAB_TYPESAFE_BY_RCU) != 0 ? s.inuseBytes : s.size;
        }
        long size = Addresses.PAGE_SIZE << m.compoundOrder(head);
        if (size <= KMALLOC_MAX_CACHE_SIZE || x != Addresses.directMapAddress(head)) {
            m.log("WARNING: CPU: " + m.cpu() + " PID: 1 at mm/slub.c __ksize");
            return 0;
        }
        return size;
    }

    // ---------------------------------------------------------------- get_page / put_page on slab pages

    /** get_page() of a slab or large-kmalloc page: WARN_ON_ONCE and return (6.18 include/linux/mm.h). True if refused. */
    boolean getPageRefused(long head) {
        if (isSlabHead(head)) {
            if (!warnedGetSlab) {
                warnedGetSlab = true;
                m.log("WARNING: CPU: " + m.cpu() + " PID: 1 at include/linux/mm.h get_page");
                m.log("(get_page() of a slab page: its refcount is not used (slab pages are frozen); nothing changes)");
            }
            return true;
        }
        if (isLargeKmallocHead(head)) {
            if (!warnedGetLargeKmalloc) {
                warnedGetLargeKmalloc = true;
                m.log("WARNING: CPU: " + m.cpu() + " PID: 1 at include/linux/mm.h get_page");
                m.log("(get_page() of a large kmalloc page: frozen, so its refcount is not used; nothing changes)");
            }
            return true;
        }
        return false;
    }

    /** put_page() of a slab or large-kmalloc page returns at once. */
    boolean putPageIgnored(long head) {
        if (isSlabHead(head) || isLargeKmallocHead(head)) {
            if (trace.on()) trace.emit("put_page", "PFN " + head + " is a slab or large kmalloc page: put_page() does nothing", 0);
            return true;
        }
        return false;
    }

    // ---------------------------------------------------------------- struct slab words

    boolean isSlabHead(long pfn) { return (mm.pageType(pfn) >>> 24) == PageType.PGTY_slab.value(); }

    boolean isLargeKmallocHead(long pfn) { return (mm.pageType(pfn) >>> 24) == PageType.PGTY_large_kmalloc.value(); }

    long slabFreelist(long pfn) { return mm.word(pfn, Memmap.W_INDEX); }

    private void setSlabFreelist(long pfn, long v) { mm.setWord(pfn, Memmap.W_INDEX, v); }

    int inuse(long pfn) { return (int) (mm.word(pfn, Memmap.W_PRIVATE) & 0xffff); }

    int objectsOf(long pfn) { return (int) ((mm.word(pfn, Memmap.W_PRIVATE) >>> 16) & 0x7fff); }

    boolean frozen(long pfn) { return ((mm.word(pfn, Memmap.W_PRIVATE) >>> 31) & 1) != 0; }

    private int slabsField(long pfn) { return (int) mm.word(pfn, Memmap.W_MAPPING); }

    private void setCounters(long pfn, int inuse, int objects, boolean frozen) {
        long c = (inuse & 0xffffL) | ((objects & 0x7fffL) << 16) | (frozen ? 1L << 31 : 0);
        mm.setWord(pfn, Memmap.W_PRIVATE, c);
    }

    /** get_freepointer(): the pointer stored inside a free object at s->offset. */
    long fp(KmemCache s, long obj) {
        return objMem.get(obj + s.offset, 0);
    }

    /** get_freepointer() for callers outside the package. */
    public long freePointer(KmemCache s, long obj) { return fp(s, obj); }

    private void setFp(KmemCache s, long obj, long next) { objMem.put(obj + s.offset, next); }

    private int countChain(KmemCache s, long fl) {
        int n = 0;
        for (long o = fl; o != 0 && n <= KmemCache.MAX_OBJS_PER_PAGE; o = fp(s, o)) n++;
        return n;
    }

    private static String ptr(long v) { return v == 0 ? "NULL" : String.format("0x%016x", v); }

    /** True if the object at {@code x} is free (on some freelist). */
    public boolean isFree(long x) { return freeObjs.containsKey(x); }

    // ---------------------------------------------------------------- memory the console can read

    /** True if {@link #read} can answer for this address: a kmem_cache, its node or name, a kmem_cache_cpu, or a slab page. */
    boolean readable(long addr) {
        long off = addr - KMEM_CACHE_BASE;
        if (off >= 0 && off < caches.size() * CACHE_STRIDE) return true;
        if (addr == SLAB_CACHES_ADDR || addr == SLAB_CACHES_ADDR + 8) return true;
        if (cpuSlabOwner(addr) != null) return true;
        if (Addresses.inDirectMap(addr)) {
            long pfn = (addr - Addresses.PAGE_OFFSET) >>> Addresses.PAGE_SHIFT;
            return m.validPfn(pfn) && isSlabHead(m.compoundHeadPfn(pfn));
        }
        return false;
    }

    /** A word of the simulated caches, per-CPU and node structures (see {@link WordStore}). */
    @Override
    public long word(long a) {
        if (a == SLAB_CACHES_ADDR) return caches.isEmpty() ? SLAB_CACHES_ADDR : listEntry(newest(caches.size()));
        if (a == SLAB_CACHES_ADDR + 8) return caches.isEmpty() ? SLAB_CACHES_ADDR : listEntry(oldest());
        long off = a - KMEM_CACHE_BASE;
        if (off >= 0 && off < caches.size() * CACHE_STRIDE) {
            int i = (int) (off / CACHE_STRIDE);
            KmemCache k = caches.get(i);
            if (k.destroyed) throw useAfterFree(a, k);
            return cacheWord(k, (int) (off % CACHE_STRIDE));
        }
        long[] cpuSlab = cpuSlabOwner(a);
        if (cpuSlab != null) return cpuWord(caches.get((int) cpuSlab[0]), (int) cpuSlab[1], (int) cpuSlab[2]);
        // object memory inside a slab page
        if (objMem.containsKey(a)) return objMem.get(a, 0);
        long pfn = (a - Addresses.PAGE_OFFSET) >>> Addresses.PAGE_SHIFT;
        long head = m.compoundHeadPfn(pfn);
        KmemCache s = cacheAt(mm.word(head, Memmap.W_LRU_NEXT));
        throw KernelError.error(String.format("the lab does not simulate the contents of slab objects at 0x%016x: only the free "
                + "pointer SLUB keeps in each object%s is stored", a, s == null ? "" : " (at +" + s.offset + " in " + s.name + ")"));
    }

    private KernelError useAfterFree(long a, KmemCache k) {
        return new KernelError(List.of(String.format("BUG: unable to handle page fault for address: %016x", a),
                "#PF: supervisor read access in kernel mode", "#PF: error_code(0x0000) - not-present page",
                "(the kmem_cache '" + k.name + "' was destroyed: this is a use after free)"));
    }

    private int newest(int below) {
        for (int i = below - 1; i >= 0; i--) if (!caches.get(i).destroyed) return i;
        return -1;
    }

    private int oldest() {
        for (int i = 0; i < caches.size(); i++) if (!caches.get(i).destroyed) return i;
        return -1;
    }

    private static long listEntry(int i) { return i < 0 ? SLAB_CACHES_ADDR : cacheAddress(i) + 112; }

    /** The 8-byte word at byte offset {@code o} (a multiple of 8) of a cache's struct kmem_cache, node and name. */
    private long cacheWord(KmemCache k, int o) {
        switch (o) {
            case 0: return CPU_SLAB_PERCPU_BASE + k.index * CPU_SLAB_STRIDE;
            case 16: return k.flags & 0xffffffffL;
            case 24: return k.minPartial;
            case 32: return (k.size & 0xffffffffL) | ((long) k.objectSize << 32);
            case 40: return reciprocal(k.size);
            case 48: return (k.offset & 0xffffffffL) | ((long) k.cpuPartial << 32);
            case 56: return k.cpuPartialSlabs & 0xffffffffL;
            case 64: return (k.ooWord() & 0xffffffffL) | ((long) k.minWord() << 32);
            case 72: return Gfp.__GFP_COMP | ((long) k.refcount << 32);
            case 88: return (k.inuseBytes & 0xffffffffL) | ((long) k.align << 32);
            case 104: return cacheAddress(k.index) + NAME_OFFSET;
            case 112: { int older = olderLive(k.index); return older < 0 ? SLAB_CACHES_ADDR : listEntry(older); }
            case 120: { int newer = newerLive(k.index); return newer < 0 ? SLAB_CACHES_ADDR : listEntry(newer); }
            case 200: return 1000;
            case 216: return k.kmalloc ? ((long) k.objectSize << 32) : 0;
            case 224: return nodeAddress(k.index);
            default: break;
        }
        long node = NODE_OFFSET;
        if (o >= node && o < node + SIZEOF_KMEM_CACHE_NODE) {
            int n = (int) (o - node);
            long anchor = partialAnchor(k.index);
            return switch (n) {
                case 8 -> k.nodePartial.size();
                case 16 -> k.nodePartial.isEmpty() ? anchor : Addresses.pageAddress(k.nodePartial.get(0)) + 16;
                case 24 -> k.nodePartial.isEmpty() ? anchor : Addresses.pageAddress(k.nodePartial.get(k.nodePartial.size() - 1)) + 16;
                case 32 -> k.nrSlabs;
                case 40 -> k.totalObjects;
                case 48, 56 -> nodeAddress(k.index) + 48;
                default -> 0;
            };
        }
        if (o >= NAME_OFFSET && o < NAME_OFFSET + 256) {
            byte[] b = k.name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            long w = 0;
            for (int i = 0; i < 8; i++) {
                int at = (int) (o - NAME_OFFSET) + i;
                long c = at < b.length ? b[at] & 0xff : 0;
                w |= c << (8 * i);
            }
            return w;
        }
        return 0;
    }

    private int olderLive(int i) {
        for (int j = i - 1; j >= 0; j--) if (!caches.get(j).destroyed) return j;
        return -1;
    }

    private int newerLive(int i) {
        for (int j = i + 1; j < caches.size(); j++) if (!caches.get(j).destroyed) return j;
        return -1;
    }

    /** reciprocal_value(d) as include/linux/reciprocal_div.h computes it: {u32 m; u8 sh1, sh2}. */
    static long reciprocal(int d) {
        int l = KmemCache.fls(d - 1L);
        long mval = ((1L << 32) * ((1L << l) - d)) / d + 1;
        int sh1 = Math.min(l, 1);
        int sh2 = Math.max(l - 1, 0);
        return (mval & 0xffffffffL) | ((long) sh1 << 32) | ((long) sh2 << 40);
    }

    /** {cache index, cpu, offset} if {@code a} lies in some cache's struct kmem_cache_cpu of some CPU. */
    private long[] cpuSlabOwner(long a) {
        long off = a - Addresses.PERCPU_BASE;
        if (off < 0 || off >= (long) cpus * Addresses.PERCPU_STRIDE) return null;
        int cpu = (int) (off / Addresses.PERCPU_STRIDE);
        long in = off % Addresses.PERCPU_STRIDE - CPU_SLAB_PERCPU_BASE;
        if (in < 0) return null;
        long i = in / CPU_SLAB_STRIDE;
        if (i >= caches.size() || in % CPU_SLAB_STRIDE >= 48) return null;
        return new long[] {i, cpu, in % CPU_SLAB_STRIDE};
    }

    /** The address of cache {@code k}'s struct kmem_cache_cpu on {@code cpu}: per_cpu_ptr(s->cpu_slab, cpu). */
    public long cpuSlabAddress(KmemCache k, int cpu) {
        return Addresses.PERCPU_BASE + cpu * Addresses.PERCPU_STRIDE + CPU_SLAB_PERCPU_BASE + k.index * CPU_SLAB_STRIDE;
    }

    private long cpuWord(KmemCache k, int cpu, int o) {
        if (k.destroyed) throw useAfterFree(cpuSlabAddress(k, cpu) + o, k);
        return switch (o & ~7) {
            case 0 -> k.cpuFreelist[cpu];
            case 8 -> throw KernelError.error("the lab does not simulate kmem_cache_cpu.tid (the lockless fast path's "
                    + "transaction id: nothing runs concurrently here)");
            case 16 -> k.cpuSlab[cpu] < 0 ? 0 : Addresses.pageAddress(k.cpuSlab[cpu]);
            case 24 -> k.cpuPartialList.get(cpu).isEmpty() ? 0 : Addresses.pageAddress(k.cpuPartialList.get(cpu).get(0));
            default -> 0;
        };
    }

    // ---------------------------------------------------------------- /proc/slabinfo

    /** /proc/slabinfo: slab_caches from the newest cache to the oldest, as slabinfo_show prints them. */
    public List<String> slabinfo() {
        List<String> out = new ArrayList<>();
        out.add("slabinfo - version: 2.1");
        out.add("# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> "
                + "<batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>");
        for (int i = caches.size() - 1; i >= 0; i--) {
            KmemCache k = caches.get(i);
            if (k.destroyed) continue;
            long active = k.totalObjects - partialFree(k);
            out.add(String.format("%-17s %6d %6d %6d %4d %4d : tunables %4d %4d %4d : slabdata %6d %6d %6d", k.name, active,
                    k.totalObjects, k.size, k.objects, 1 << k.order, 0, 0, 0, k.nrSlabs, k.nrSlabs, 0));
        }
        return out;
    }

    // ---------------------------------------------------------------- invariants and digest

    /** Slab invariants (design.md section 2: slab counters match the objects). */
    void check(List<String> problems) {
        Map<Long, KmemCache> byAddr = new HashMap<>();
        for (KmemCache k : caches) if (!k.destroyed) byAddr.put(k.address(), k);
        Set<Long> seenFree = new HashSet<>();
        Map<Long, Integer> cpuFreeCount = new HashMap<>();
        Set<Long> cpuSlabs = new HashSet<>();
        for (KmemCache k : caches) {
            if (k.destroyed) continue;
            if (k.refcount < 1) problems.add(k.name + ": a live cache with refcount " + k.refcount);
            for (int c = 0; c < cpus; c++) {
                long slab = k.cpuSlab[c];
                if (slab >= 0) {
                    if (!cpuSlabs.add(slab)) problems.add("slab PFN " + slab + " is the CPU slab of two CPUs");
                    if (!frozen(slab)) problems.add(k.name + ": CPU " + c + "'s slab PFN " + slab + " is not frozen");
                } else if (k.cpuFreelist[c] != 0) {
                    problems.add(k.name + ": CPU " + c + " has a freelist but no slab");
                }
                int n = 0;
                for (long o = k.cpuFreelist[c]; o != 0; o = fp(k, o)) {
                    if (!seenFree.add(o)) { problems.add(String.format("%s: object 0x%016x is free twice", k.name, o)); break; }
                    long pfn = m.compoundHeadPfn((o - Addresses.PAGE_OFFSET) >>> Addresses.PAGE_SHIFT);
                    if (pfn != slab) problems.add(String.format("%s: CPU %d's freelist holds 0x%016x, outside its slab", k.name, c, o));
                    n++;
                }
                if (slab >= 0) cpuFreeCount.merge(slab, n, Integer::sum);
                for (long p : k.cpuPartialList.get(c)) {
                    if (frozen(p)) problems.add(k.name + ": CPU partial slab PFN " + p + " is frozen");
                    if (onNodePartial(p)) problems.add(k.name + ": CPU partial slab PFN " + p + " is also on the node list");
                    if (slabFreelist(p) == 0) problems.add(k.name + ": CPU partial slab PFN " + p + " has no free objects");
                }
            }
            long anchor = partialAnchor(k.index);
            for (int i = 0; i < k.nodePartial.size(); i++) {
                long p = k.nodePartial.get(i);
                if (!onNodePartial(p)) problems.add(k.name + ": node partial slab PFN " + p + " lacks SL_partial");
                if (frozen(p)) problems.add(k.name + ": node partial slab PFN " + p + " is frozen");
                long next = i + 1 < k.nodePartial.size() ? Addresses.pageAddress(k.nodePartial.get(i + 1)) + 16 : anchor;
                if (mm.word(p, Memmap.W_LRU_PREV) != next) problems.add(k.name + ": slab PFN " + p + ": slab_list.next is wrong");
                long prev = i > 0 ? Addresses.pageAddress(k.nodePartial.get(i - 1)) + 16 : anchor;
                if (mm.word(p, Memmap.W_MAPPING) != prev) problems.add(k.name + ": slab PFN " + p + ": slab_list.prev is wrong");
                if (slabFreelist(p) == 0) problems.add(k.name + ": node partial slab PFN " + p + " has no free objects");
            }
        }
        long slabsSeen = 0;
        Map<KmemCache, long[]> totals = new HashMap<>();
        for (long pfn = 0; pfn < m.nrPages(); pfn++) {
            if (!isSlabHead(pfn)) {
                if (isLargeKmallocHead(pfn) && m.compoundOrder(pfn) < 1) problems.add("large kmalloc PFN " + pfn + " is not compound");
                continue;
            }
            slabsSeen++;
            KmemCache k = byAddr.get(mm.word(pfn, Memmap.W_LRU_NEXT));
            if (k == null) { problems.add("slab PFN " + pfn + ": slab_cache is not a live cache"); continue; }
            if ((mm.word(pfn, Memmap.W_LRU_NEXT) & 1) != 0) problems.add("slab PFN " + pfn + ": slab_cache has bit 0 set");
            int expected = m.profile().slabPagesRefcounted() ? 1 : 0; // profile hook: 5.15 slab pages hold one reference
            if (mm.refcount(pfn) != expected) {
                problems.add("slab PFN " + pfn + " has refcount " + mm.refcount(pfn) + (expected == 0 ? " (slab pages are frozen)"
                        : " (a 5.15 slab page holds the reference alloc_pages gave it)"));
            }
            int objects = objectsOf(pfn);
            int order = m.compoundOrder(pfn);
            if (objects != k.objects && objects != k.minObjects) problems.add("slab PFN " + pfn + " has " + objects + " objects");
            if ((long) objects * k.size > (Addresses.PAGE_SIZE << order)) problems.add("slab PFN " + pfn + ": objects do not fit");
            totals.computeIfAbsent(k, x -> new long[2]);
            totals.get(k)[0]++;
            totals.get(k)[1] += objects;
            long base = Addresses.directMapAddress(pfn);
            int onList = 0;
            for (long o = slabFreelist(pfn); o != 0; o = fp(k, o)) {
                if (!seenFree.add(o)) { problems.add(String.format("%s: object 0x%016x is free twice", k.name, o)); break; }
                if (o < base || (o - base) % k.size != 0 || (o - base) / k.size >= objects) {
                    problems.add(String.format("%s: slab PFN %d's freelist holds 0x%016x, not one of its objects", k.name, pfn, o));
                    break;
                }
                onList++;
            }
            boolean isCpu = cpuSlabs.contains(pfn);
            if (frozen(pfn) != isCpu) problems.add("slab PFN " + pfn + ": frozen=" + frozen(pfn) + " but CPU slab=" + isCpu);
            // objects on a CPU's freelist count as in use (they left slab->freelist when the CPU took it)
            if (inuse(pfn) + onList != objects) {
                problems.add(k.name + ": slab PFN " + pfn + ": inuse " + inuse(pfn) + " + " + onList + " free != objects " + objects);
            }
            int free = onList + (isCpu ? cpuFreeCount.getOrDefault(pfn, 0) : 0);
            for (int i = 0; i < objects; i++) {
                if (freeObjs.containsKey(base + (long) i * k.size)) free--;
            }
            if (free != 0) problems.add(k.name + ": slab PFN " + pfn + ": the free objects do not match the freelists");
        }
        long freeInSlabs = 0;
        for (KmemCache k : caches) {
            if (k.destroyed) continue;
            long[] t = totals.getOrDefault(k, new long[2]);
            if (t[0] != k.nrSlabs || t[1] != k.totalObjects) {
                problems.add(k.name + ": counts " + k.nrSlabs + " slabs / " + k.totalObjects + " objects but the memmap has " + t[0] + " / " + t[1]);
            }
        }
        freeInSlabs += seenFree.size();
        if (freeInSlabs != freeObjs.size()) problems.add(freeObjs.size() + " objects are marked free but " + freeInSlabs + " are on freelists");
    }

    long digest() {
        long h = objMem.contentHash() * 31L + freeObjs.contentHash();
        for (KmemCache k : caches) {
            h = h * 31 + java.util.Arrays.hashCode(k.cpuFreelist);
            h = h * 31 + java.util.Arrays.hashCode(k.cpuSlab);
            h = h * 31 + k.cpuPartialList.hashCode();
            h = h * 31 + k.nodePartial.hashCode();
            h = h * 31 + k.nrSlabs * 7 + k.totalObjects + (k.destroyed ? 1 : 0);
            h = h * 31 + k.refcount * 1_000_003L + k.objectSize * 1009L + k.inuseBytes;
        }
        h = h * 31 + caches.size();
        h = h * 31 + (warnedGetSlab ? 1 : 0) + (warnedGetLargeKmalloc ? 2 : 0);
        return h;
    }
}

package org.memdesclab.sim;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * zsmalloc as mm/zsmalloc.c runs it in 6.18 (kernel-facts.md section 4.3): pools of 255 size classes
 * (32 + 16 i bytes, merged from the largest down when two classes have the same pages and objects per
 * zspage), zspages of order-0 pages allocated one by one through the machine's page allocator and
 * chained through {@code zpdesc->next}, fullness groups 0..11, handles and the {@code (pfn << 24) | idx}
 * object encoding, object headers, the huge class and compaction.
 *
 * <p>What lives where: the zpdesc fields are the struct page words of each zsmalloc page (next at 32,
 * zspage at 40, first_obj_offset in the low 24 bits of page_type at 48, PG_private on the first page,
 * PG_movable_ops once the zspage is set up). As in the kernel, each handle is an 8-byte object of the
 * pool's {@code zs_handle-NAME} kmem_cache and each struct zspage a 56-byte object of its
 * {@code zspage-NAME} cache, both real simulated SLUB caches whose slab pages come from the buddy
 * allocator first. struct zs_pool and struct size_class (kzalloc'd in the kernel) are kept outside
 * the zone at {@link #POOL_BASE}. Object memory is sparse: only the 8-byte header of each object (the
 * handle with OBJ_ALLOCATED_TAG, or the next free index shifted by OBJ_TAG_BITS) and the word each
 * handle holds are stored.
 */
public final class Zsmalloc implements WordStore {
    public static final int OBJ_INDEX_BITS = 24;
    public static final long OBJ_INDEX_MASK = (1L << OBJ_INDEX_BITS) - 1;
    public static final int OBJ_TAG_BITS = 1;
    public static final long OBJ_ALLOCATED_TAG = 1;
    public static final int ZS_HANDLE_SIZE = 8;
    public static final int ZS_MIN_ALLOC_SIZE = 32;
    public static final int ZS_MAX_ALLOC_SIZE = (int) Addresses.PAGE_SIZE;
    public static final int ZS_SIZE_CLASS_DELTA = (int) (Addresses.PAGE_SIZE >> 8);
    public static final int ZS_SIZE_CLASSES = (ZS_MAX_ALLOC_SIZE - ZS_MIN_ALLOC_SIZE + ZS_SIZE_CLASS_DELTA - 1) / ZS_SIZE_CLASS_DELTA + 1;
    /** CONFIG_ZSMALLOC_CHAIN_SIZE (default 8). */
    public static final int ZS_MAX_PAGES_PER_ZSPAGE = 8;
    public static final int ZSPAGE_MAGIC = 0x58;
    public static final int NR_FULLNESS_GROUPS = 12;
    public static final int ZS_INUSE_RATIO_0 = 0, ZS_INUSE_RATIO_10 = 1, ZS_INUSE_RATIO_99 = 10, ZS_INUSE_RATIO_100 = 11;
    public static final int SIZEOF_ZSPAGE = 56;
    public static final int PGTY_ZSMALLOC_WORD = PageType.PGTY_zsmalloc.word();
    public static final int FIRST_OBJ_PAGE_TYPE_MASK = 0xffffff;

    /** struct zs_pool i at POOL_BASE + i * POOL_STRIDE; its size_class j at + (j + 1) * CLASS_STRIDE. */
    public static final long POOL_BASE = 0xffffffff84400000L;
    public static final long POOL_STRIDE = 0x10000;
    public static final long CLASS_STRIDE = 0x100;
    /** offsetof(struct size_class, fullness_list) in the lab's size_class (lock first). */
    public static final long FULLNESS_LIST_OFFSET = 8;
    public static final int MAX_POOLS = 256;

    /** One size class (possibly shared by several indexes after merging). */
    public static final class SizeClass {
        final int index;
        final int size;
        final int pagesPerZspage;
        final int objsPerZspage;
        final List<ZspageList> lists = new ArrayList<>();
        long objsAllocated;
        long objsInuse;

        SizeClass(int index, int size, int pages, int objs) {
            this.index = index;
            this.size = size;
            this.pagesPerZspage = pages;
            this.objsPerZspage = objs;
            for (int i = 0; i < NR_FULLNESS_GROUPS; i++) lists.add(new ZspageList());
        }

        public int index() { return index; }

        public int size() { return size; }

        public int pagesPerZspage() { return pagesPerZspage; }

        public int objsPerZspage() { return objsPerZspage; }

        public boolean huge() { return pagesPerZspage == 1 && objsPerZspage == 1; }

        /** The zspages of fullness group fg, list head first. */
        public List<Zspage> group(int fg) { return lists.get(fg).toList(); }

        public long objsAllocated() { return objsAllocated; }

        public long objsInuse() { return objsInuse; }
    }

    /**
     * A fullness list, linked through the zspages themselves as the kernel's list_head is, so adding at the
     * head, unlinking and finding a neighbour are O(1) (an ArrayList made building many zspages quadratic).
     */
    static final class ZspageList implements Iterable<Zspage> {
        private Zspage first;
        private Zspage last;
        private int size;

        boolean isEmpty() { return size == 0; }

        int size() { return size; }

        Zspage first() { return first; }

        void addFirst(Zspage z) {
            z.listPrev = null;
            z.listNext = first;
            if (first != null) first.listPrev = z; else last = z;
            first = z;
            size++;
        }

        void addLast(Zspage z) {
            z.listNext = null;
            z.listPrev = last;
            if (last != null) last.listNext = z; else first = z;
            last = z;
            size++;
        }

        /** Unlinks z; a zspage that is not on this list (isolated for compaction) is left alone. */
        void remove(Zspage z) {
            if (z.listPrev == null && z.listNext == null && first != z) return;
            if (z.listPrev != null) z.listPrev.listNext = z.listNext; else first = z.listNext;
            if (z.listNext != null) z.listNext.listPrev = z.listPrev; else last = z.listPrev;
            z.listPrev = null;
            z.listNext = null;
            size--;
        }

        List<Zspage> toList() {
            List<Zspage> out = new ArrayList<>(size);
            for (Zspage z : this) out.add(z);
            return out;
        }

        @Override
        public java.util.Iterator<Zspage> iterator() {
            return new java.util.Iterator<>() {
                private Zspage at = first;

                @Override
                public boolean hasNext() { return at != null; }

                @Override
                public Zspage next() {
                    if (at == null) throw new java.util.NoSuchElementException();
                    Zspage z = at;
                    at = at.listNext;
                    return z;
                }
            };
        }
    }

    /** One struct zspage: its descriptor lives in a slab object at {@link #address()}. */
    public static final class Zspage {
        final long addr;
        final long pool;
        final int classIdx;
        final long[] pfns;
        final boolean huge;
        /** Neighbours on the class's fullness list (zspage->list); null at either end. */
        Zspage listPrev;
        Zspage listNext;
        int fullness;
        int inuse;
        int freeobj;

        Zspage(long addr, long pool, int classIdx, long[] pfns, boolean huge) {
            this.addr = addr;
            this.pool = pool;
            this.classIdx = classIdx;
            this.pfns = pfns;
            this.huge = huge;
        }

        public long address() { return addr; }

        public int classIndex() { return classIdx; }

        public long[] pfns() { return pfns.clone(); }

        public int fullness() { return fullness; }

        public int inuse() { return inuse; }

        public int freeobj() { return freeobj; }

        public boolean huge() { return huge; }
    }

    /** One struct zs_pool. */
    public static final class Pool {
        final int id;
        final String name;
        final KmemCache handleCache;
        final KmemCache zspageCache;
        final SizeClass[] classes;
        final long hugeClassSize;
        long pagesAllocated;
        long pagesCompacted;
        boolean destroyed;

        Pool(int id, String name, KmemCache handleCache, KmemCache zspageCache, SizeClass[] classes, long hugeClassSize) {
            this.id = id;
            this.name = name;
            this.handleCache = handleCache;
            this.zspageCache = zspageCache;
            this.classes = classes;
            this.hugeClassSize = hugeClassSize;
        }

        public String name() { return name; }

        public long address() { return POOL_BASE + id * POOL_STRIDE; }

        public boolean isDestroyed() { return destroyed; }

        /** pool->size_class[i] (merged indexes share a class). */
        public SizeClass sizeClass(int i) { return classes[i]; }

        public long hugeClassSize() { return hugeClassSize; }

        public long pagesAllocated() { return pagesAllocated; }

        public KmemCache handleCache() { return handleCache; }

        public KmemCache zspageCache() { return zspageCache; }
    }

    private final Machine m;
    private final Memmap mm;
    private final Trace trace;
    private final List<Pool> pools;
    /** Object headers: direct-map address of an object's first 8 bytes to the header word. */
    private LongLongMap objMem;
    /** Handles: handle (a zs_handle slab object address) to the obj it records. */
    private LongLongMap handleMem;
    /** Live zspages by descriptor address. */
    private final Map<Long, Zspage> zspages;

    Zsmalloc(Machine m, Memmap mm, Trace trace) {
        this.m = m;
        this.mm = mm;
        this.trace = trace;
        this.pools = new ArrayList<>();
        this.objMem = new LongLongMap();
        this.handleMem = new LongLongMap();
        this.zspages = new HashMap<>();
    }

    private Zsmalloc(Zsmalloc o, Machine m, Memmap mm, Trace trace) {
        this(m, mm, trace);
        Map<Zspage, Zspage> zmap = new IdentityHashMap<>();
        for (Zspage z : o.zspages.values()) {
            Zspage c = new Zspage(z.addr, z.pool, z.classIdx, z.pfns.clone(), z.huge);
            c.fullness = z.fullness;
            c.inuse = z.inuse;
            c.freeobj = z.freeobj;
            zmap.put(z, c);
            zspages.put(c.addr, c);
        }
        Slub slub = m.slub();
        for (Pool p : o.pools) {
            Map<SizeClass, SizeClass> cmap = new IdentityHashMap<>();
            SizeClass[] cls = new SizeClass[p.classes.length];
            for (int i = 0; i < cls.length; i++) {
                SizeClass sc = p.classes[i];
                SizeClass c = cmap.get(sc);
                if (c == null) {
                    c = new SizeClass(sc.index, sc.size, sc.pagesPerZspage, sc.objsPerZspage);
                    c.objsAllocated = sc.objsAllocated;
                    c.objsInuse = sc.objsInuse;
                    for (int fg = 0; fg < NR_FULLNESS_GROUPS; fg++) {
                        for (Zspage z : sc.lists.get(fg)) c.lists.get(fg).addLast(zmap.get(z));
                    }
                    cmap.put(sc, c);
                }
                cls[i] = c;
            }
            KmemCache h = p.destroyed ? p.handleCache : slub.cacheAt(p.handleCache.address());
            KmemCache zc = p.destroyed ? p.zspageCache : slub.cacheAt(p.zspageCache.address());
            Pool q = new Pool(p.id, p.name, h, zc, cls, p.hugeClassSize);
            q.pagesAllocated = p.pagesAllocated;
            q.pagesCompacted = p.pagesCompacted;
            q.destroyed = p.destroyed;
            pools.add(q);
        }
        this.objMem = o.objMem.copy();
        this.handleMem = o.handleMem.copy();
    }

    Zsmalloc copy(Machine m2, Memmap mm2, Trace trace2) { return new Zsmalloc(this, m2, mm2, trace2); }

    // ---------------------------------------------------------------- size classes

    /** get_size_class_index(): DIV_ROUND_UP(size - 32, 16), 0 up to 32, capped at the last class. */
    public static int sizeClassIndex(long size) {
        long idx = 0;
        if (size > ZS_MIN_ALLOC_SIZE) idx = (size - ZS_MIN_ALLOC_SIZE + ZS_SIZE_CLASS_DELTA - 1) / ZS_SIZE_CLASS_DELTA;
        return (int) Math.min(ZS_SIZE_CLASSES - 1, idx);
    }

    /** calculate_zspage_chain_size(): 1 for powers of two, else the first chain length with the least waste. */
    public static int chainSize(int classSize) {
        if (Integer.bitCount(classSize) == 1) return 1;
        int minWaste = Integer.MAX_VALUE;
        int chain = 1;
        for (int i = 1; i <= ZS_MAX_PAGES_PER_ZSPAGE; i++) {
            int waste = (int) ((i * Addresses.PAGE_SIZE) % classSize);
            if (waste < minWaste) {
                minWaste = waste;
                chain = i;
            }
        }
        return chain;
    }

    /** The size-class table of zs_create_pool(): built from the largest class down, merging equal neighbours. */
    static SizeClass[] buildClasses(long[] hugeOut) {
        SizeClass[] out = new SizeClass[ZS_SIZE_CLASSES];
        SizeClass prev = null;
        long huge = 0;
        for (int i = ZS_SIZE_CLASSES - 1; i >= 0; i--) {
            int size = ZS_MIN_ALLOC_SIZE + i * ZS_SIZE_CLASS_DELTA;
            if (size > ZS_MAX_ALLOC_SIZE) size = ZS_MAX_ALLOC_SIZE;
            int pages = chainSize(size);
            int objs = (int) (pages * Addresses.PAGE_SIZE / size);
            // zs_create_pool: "We iterate from biggest down to smallest classes, so huge_class_size holds
            // the size of the first huge class" -- the test it runs is pages != 1 && objs != 1 && !huge_class_size
            if (pages != 1 && objs != 1 && huge == 0) huge = size;
            if (prev != null && prev.pagesPerZspage == pages && prev.objsPerZspage == objs) {
                out[i] = prev;
                continue;
            }
            SizeClass c = new SizeClass(i, size, pages, objs);
            out[i] = c;
            prev = c;
        }
        hugeOut[0] = huge - (ZS_HANDLE_SIZE - 1);
        return out;
    }

    // ---------------------------------------------------------------- pools

    public List<Pool> pools() { return List.copyOf(pools); }

    /** The live pool whose struct zs_pool is at {@code addr}, or null. */
    public Pool poolAt(long addr) {
        long off = addr - POOL_BASE;
        if (off < 0 || off % POOL_STRIDE != 0 || off / POOL_STRIDE >= pools.size()) return null;
        return pools.get((int) (off / POOL_STRIDE));
    }

    /** The live pool named {@code name}, or null. */
    public Pool poolNamed(String name) {
        for (Pool p : pools) if (!p.destroyed && p.name.equals(name)) return p;
        return null;
    }

    /**
     * zs_create_pool(name): the pool's two kmem_caches (zs_handle-NAME of 8-byte handles, zspage-NAME
     * of 56-byte struct zspages) and the size-class table.
     */
    public Pool createPool(String name) {
        if (name == null || name.isEmpty()) throw KernelError.error("zs_create_pool(): the lab needs a name, e.g. \"zram0\"");
        if (pools.size() >= MAX_POOLS) throw KernelError.error("zs_create_pool(): the lab holds at most " + MAX_POOLS + " pools");
        if (poolNamed(name) != null) {
            throw KernelError.error("zs_create_pool(\"" + name + "\"): a pool of that name exists; its debugfs directory "
                    + "/sys/kernel/debug/zsmalloc/" + name + " would clash (the kernel prints a debugfs error and carries on)");
        }
        Slub slub = m.slub();
        KmemCache h = slub.create("zs_handle-" + name, ZS_HANDLE_SIZE, 0, 0, false);
        // profile hook: 16-byte aligned under memdesc like the descriptor caches (zpdesc->zspage points at it)
        KmemCache z = slub.create("zspage-" + name, SIZEOF_ZSPAGE, m.profile().descriptorAlign(), 0, false);
        long[] huge = new long[1];
        SizeClass[] classes = buildClasses(huge);
        Pool p = new Pool(pools.size(), name, h, z, classes, huge[0]);
        pools.add(p);
        if (trace.on()) {
            trace.emit("zs_create_pool", name + ": caches " + h.name() + " and " + z.name() + ", " + countClasses(p)
                    + " distinct size classes, huge_class_size " + p.hugeClassSize, 0);
        }
        return p;
    }

    private static int countClasses(Pool p) {
        Set<SizeClass> s = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (SizeClass c : p.classes) s.add(c);
        return s.size();
    }

    /** Distinct classes of a pool, by index ascending. */
    public static List<SizeClass> distinctClasses(Pool p) {
        List<SizeClass> out = new ArrayList<>();
        for (int i = 0; i < p.classes.length; i++) if (p.classes[i].index == i) out.add(p.classes[i]);
        return out;
    }

    private void requireLive(Pool p, String fn) {
        if (p.destroyed) {
            throw new KernelError(List.of(String.format("BUG: unable to handle page fault for address: %016x", p.address()),
                    "#PF: supervisor read access in kernel mode", "#PF: error_code(0x0000) - not-present page",
                    "(" + fn + "() was given the zs_pool '" + p.name + "', which was destroyed: a use after free)"));
        }
    }

    /**
     * zs_destroy_pool(pool). With objects still allocated the kernel pr_debug()s "Class-%d fullness group
     * %d is not empty", leaks them and kmem_cache_destroy reports the remaining handles; the lab refuses
     * and changes nothing.
     */
    public void destroyPool(Pool p) {
        requireLive(p, "zs_destroy_pool");
        long inUse = 0;
        List<String> lines = new ArrayList<>();
        for (SizeClass c : distinctClasses(p)) {
            for (int fg = 0; fg < NR_FULLNESS_GROUPS; fg++) {
                if (!c.lists.get(fg).isEmpty()) lines.add("zsmalloc: Class-" + c.index + " fullness group " + fg + " is not empty");
            }
            inUse += c.objsInuse;
        }
        if (inUse > 0) {
            List<String> out = new ArrayList<>();
            out.add("error: zs_destroy_pool(" + p.name + "): " + inUse + " object(s) are still allocated; the kernel would print "
                    + "(with pr_debug enabled):");
            out.addAll(lines);
            out.add("(then leak those zspages, and kmem_cache_destroy(zs_handle-" + p.name + ") would report the handles; "
                    + "the lab changes nothing: zs_free them first)");
            throw new KernelError(out);
        }
        if (trace.on()) trace.emit("zs_destroy_pool", p.name + ": destroy its caches", 0);
        m.slub().destroy(p.zspageCache);
        m.slub().destroy(p.handleCache);
        p.destroyed = true;
    }

    // ---------------------------------------------------------------- obj encoding

    public static long locationToObj(long pfn, long objIdx) { return (pfn << OBJ_INDEX_BITS) | (objIdx & OBJ_INDEX_MASK); }

    public static long objToPfn(long obj) { return obj >>> OBJ_INDEX_BITS; }

    public static long objToIdx(long obj) { return obj & OBJ_INDEX_MASK; }

    /** Where object {@code idx} of the zspage starts: {pfn, offset in that page}. */
    static long[] location(Zspage z, int size, long idx) {
        long off = idx * size;
        return new long[] {z.pfns[(int) (off >>> Addresses.PAGE_SHIFT)], off & (Addresses.PAGE_SIZE - 1)};
    }

    static long headerAddr(long[] loc) { return Addresses.directMapAddress(loc[0]) + loc[1]; }

    /** The zspage a zsmalloc page belongs to (zpdesc->zspage), or null. */
    public Zspage zspageOfPfn(long pfn) {
        if (!m.validPfn(pfn) || (mm.pageType(pfn) >>> 24) != PageType.PGTY_zsmalloc.value()) return null;
        return zspages.get(mm.word(pfn, Memmap.W_PRIVATE));
    }

    public Zspage zspageAt(long addr) { return zspages.get(addr); }

    /** The size class of a zspage. */
    public SizeClass classOf(Zspage z) {
        long poolAddr = poolOfZspage(z);
        return poolAt(poolAddr).classes[z.classIdx];
    }

    private long poolOfZspage(Zspage z) { return z.pool; }

    /** handle_to_obj(): the word the handle holds. */
    public long handleToObj(long handle) { return handleMem.get(handle, 0); }

    public boolean isLiveHandle(long handle) { return handleMem.containsKey(handle); }

    // ---------------------------------------------------------------- fullness

    static int fullnessGroup(SizeClass c, int inuse) {
        if (inuse == 0) return ZS_INUSE_RATIO_0;
        if (inuse == c.objsPerZspage) return ZS_INUSE_RATIO_100;
        int ratio = 100 * inuse / c.objsPerZspage;
        return ratio / 10 + 1;
    }

    private static void insertZspage(SizeClass c, Zspage z, int fg) {
        c.lists.get(fg).addFirst(z);
        z.fullness = fg;
    }

    private static void removeZspage(SizeClass c, Zspage z) { c.lists.get(z.fullness).remove(z); }

    private static int fixFullnessGroup(SizeClass c, Zspage z) {
        int newfg = fullnessGroup(c, z.inuse);
        if (newfg == z.fullness) return newfg;
        removeZspage(c, z);
        insertZspage(c, z, newfg);
        return newfg;
    }

    // ---------------------------------------------------------------- zs_malloc

    /** The ERR_PTR values zs_malloc returns (as unsigned long). */
    public static final long ERR_EINVAL = -22, ERR_ENOSPC = -28, ERR_ENOMEM = -12;

    /**
     * zs_malloc(pool, size, gfp, nid): a handle, or an ERR_PTR value (-EINVAL for 0 bytes, -ENOSPC
     * above PAGE_SIZE, -ENOMEM when no page or handle could be had).
     */
    public long malloc(Pool p, long size, int gfp, int nid) {
        requireLive(p, "zs_malloc");
        if (nid != 0 && nid != -1) {
            throw KernelError.error("zs_malloc(): node " + nid + " does not exist (this machine has node 0; NUMA_NO_NODE is -1)");
        }
        if (trace.on()) trace.emit("zs_malloc", p.name + ", " + size + " bytes, gfp " + Gfp.format(gfp), 0);
        if (size == 0) return ERR_EINVAL;
        if (size < 0 || size > ZS_MAX_ALLOC_SIZE) return ERR_ENOSPC;
        int slabGfp = gfp & ~(Gfp.__GFP_HIGHMEM | Gfp.__GFP_MOVABLE);
        long handle = m.slub().alloc(p.handleCache, slabGfp);
        if (handle == 0) return ERR_ENOMEM;
        long sz = size + ZS_HANDLE_SIZE;
        SizeClass c = p.classes[sizeClassIndex(sz)];
        Zspage z = findGetZspage(c);
        if (z != null) {
            long obj = objMalloc(c, z, handle);
            fixFullnessGroup(c, z);
            c.objsInuse++;
            if (trace.on()) trace.emit("obj_malloc", traceObj(c, z, obj, handle));
            return handle;
        }
        z = allocZspage(p, c, gfp);
        if (z == null) {
            m.slub().free(p.handleCache, handle, "kmem_cache_free");
            return ERR_ENOMEM;
        }
        long obj = objMalloc(c, z, handle);
        insertZspage(c, z, fullnessGroup(c, z.inuse));
        p.pagesAllocated += c.pagesPerZspage;
        c.objsAllocated += c.objsPerZspage;
        c.objsInuse++;
        setZsPageMovable(z);
        if (trace.on()) trace.emit("obj_malloc", traceObj(c, z, obj, handle));
        return handle;
    }

    private static String traceObj(SizeClass c, Zspage z, long obj, long handle) {
        return String.format("class %d (%d bytes): object %d of the zspage at 0x%016x (PFN %d), obj 0x%x stored in handle 0x%016x; "
                + "zspage inuse %d, fullness group %d", c.index, c.size, objToIdx(obj), z.addr, objToPfn(obj), obj, handle, z.inuse,
                fullnessGroup(c, z.inuse));
    }

    /** find_get_zspage(): the first zspage of the fullest non-full group, 99 % down to 0 %. */
    private static Zspage findGetZspage(SizeClass c) {
        for (int fg = ZS_INUSE_RATIO_99; fg >= ZS_INUSE_RATIO_0; fg--) {
            if (!c.lists.get(fg).isEmpty()) return c.lists.get(fg).first();
        }
        return null;
    }

    /** obj_malloc(): take the zspage's first free object, write its header (or zpdesc->handle), record obj in the handle. */
    private long objMalloc(SizeClass c, Zspage z, long handle) {
        int idx = z.freeobj;
        long[] loc = location(z, c.size, idx);
        long ha = headerAddr(loc);
        long link = objMem.get(ha, 0);
        z.freeobj = (int) (link >> OBJ_TAG_BITS);
        if (!z.huge) {
            objMem.put(ha, handle | OBJ_ALLOCATED_TAG);
        } else {
            mm.setWord(z.pfns[0], Memmap.W_INDEX, handle | OBJ_ALLOCATED_TAG);
        }
        z.inuse++;
        long obj = locationToObj(loc[0], idx);
        handleMem.put(handle, obj);
        return obj;
    }

    /** alloc_zspage(): the descriptor from the zspage cache, then the pages one by one; undoes both on failure. */
    private Zspage allocZspage(Pool p, SizeClass c, int gfp) {
        long addr = m.slub().alloc(p.zspageCache, gfp & ~(Gfp.__GFP_HIGHMEM | Gfp.__GFP_MOVABLE));
        if (addr == 0) return null;
        long[] pfns = new long[c.pagesPerZspage];
        for (int i = 0; i < pfns.length; i++) {
            long pfn = Memdescs.allocPages(m, Memdescs.Kind.ZPDESC, gfp & ~Gfp.__GFP_COMP, 0); // memdesc: a zpdesc first
            if (pfn < 0) {
                while (--i >= 0) {
                    mm.setPageType(pfns[i], PageType.NO_TYPE);
                    m.putPage(pfns[i]);
                }
                m.slub().free(p.zspageCache, addr, "kmem_cache_free");
                if (trace.on()) trace.emit("alloc_zspage", "no page for the zspage: give back what was taken");
                return null;
            }
            // __zpdesc_set_zsmalloc: the page type, sticky until the page goes back to the buddy allocator
            mm.setPageType(pfn, PGTY_ZSMALLOC_WORD);
            pfns[i] = pfn;
        }
        Zspage z = new Zspage(addr, p.address(), c.index, pfns, c.huge());
        createPageChain(z);
        initZspage(c, z);
        zspages.put(addr, z);
        if (trace.on()) {
            StringBuilder sb = new StringBuilder();
            for (long pfn : pfns) sb.append(sb.length() == 0 ? "" : " ").append(pfn);
            trace.emit("alloc_zspage", String.format("class %d: struct zspage at 0x%016x, %d order-0 page(s): PFNs %s%s", c.index,
                    addr, pfns.length, sb, z.huge ? " (huge: one object, its handle in zpdesc->handle)" : ""));
        }
        return z;
    }

    /** create_page_chain(): zspage back-pointers, next pointers, PG_private on the first page. */
    private void createPageChain(Zspage z) {
        for (int i = 0; i < z.pfns.length; i++) {
            long pfn = z.pfns[i];
            mm.setWord(pfn, Memmap.W_PRIVATE, z.addr);
            mm.setWord(pfn, Memmap.W_INDEX, 0);
            if (i == 0) mm.setFlag(pfn, PageFlag.PG_private);
            else mm.setWord(z.pfns[i - 1], Memmap.W_INDEX, Addresses.pageAddress(pfn));
        }
    }

    /** init_zspage(): first_obj_offset of every page and the free list threaded through the object headers. */
    private void initZspage(SizeClass c, Zspage z) {
        long off = 0;
        int freeobj = 1;
        for (int i = 0; i < z.pfns.length; i++) {
            long pfn = z.pfns[i];
            mm.setPageType(pfn, (mm.pageType(pfn) & ~FIRST_OBJ_PAGE_TYPE_MASK) | (int) (off & FIRST_OBJ_PAGE_TYPE_MASK));
            long base = Addresses.directMapAddress(pfn);
            long link = base + off;
            while ((off += c.size) < Addresses.PAGE_SIZE) {
                objMem.put(link, (long) freeobj++ << OBJ_TAG_BITS);
                link += c.size;
            }
            if (i + 1 < z.pfns.length) objMem.put(link, (long) freeobj++ << OBJ_TAG_BITS);
            else objMem.put(link, -1L << OBJ_TAG_BITS);
            off %= Addresses.PAGE_SIZE;
        }
        z.freeobj = 0;
    }

    /** SetZsPageMovable(): 6.18 marks each page PG_movable_ops (an alias of PG_uptodate); the ops belong to PGTY_zsmalloc. */
    private void setZsPageMovable(Zspage z) {
        for (long pfn : z.pfns) mm.setFlag(pfn, PageFlag.PG_uptodate);
    }

    // ---------------------------------------------------------------- zs_free

    /** The zspage and class of a live handle, or the refusal the lab gives for anything else. */
    private Zspage requireHandle(Pool p, long handle, String fn) {
        if (!handleMem.containsKey(handle)) {
            String why = m.slub().isFree(handle) && isHandleCacheObject(p, handle)
                    ? "it is a free object of " + p.handleCache.name() + " (freed already: a double zs_free, or never handed out)"
                    : "it is not a handle zs_malloc returned";
            throw KernelError.error(String.format("%s(): 0x%x is not a live handle of pool %s: %s; the kernel would read "
                    + "*(unsigned long *)handle and follow whatever it found", fn, handle, p.name, why));
        }
        long obj = handleMem.get(handle, 0);
        Zspage z = zspageOfPfn(objToPfn(obj));
        if (z == null || poolOfZspage(z) != p.address()) {
            throw KernelError.error(String.format("%s(): handle 0x%016x belongs to another pool", fn, handle));
        }
        return z;
    }

    private boolean isHandleCacheObject(Pool p, long addr) {
        if (!Addresses.inDirectMap(addr)) return false;
        long pfn = (addr - Addresses.PAGE_OFFSET) >>> Addresses.PAGE_SHIFT;
        return m.validPfn(pfn) && mm.word(m.compoundHeadPfn(pfn), Memmap.W_LRU_NEXT) == p.handleCache.address();
    }

    /** zs_free(pool, handle): free the object; a zspage whose inuse reaches 0 goes back to the buddy allocator. */
    public void free(Pool p, long handle) {
        requireLive(p, "zs_free");
        if (handle == 0 || Long.compareUnsigned(handle, -4095L) >= 0) return;
        Zspage z = requireHandle(p, handle, "zs_free");
        SizeClass c = p.classes[z.classIdx];
        long obj = handleMem.get(handle, 0);
        if (trace.on()) trace.emit("zs_free", String.format("%s: handle 0x%016x, obj 0x%x (PFN %d, object %d)", p.name, handle, obj,
                objToPfn(obj), objToIdx(obj)), 0);
        c.objsInuse--;
        objFree(c, z, obj);
        int fg = fixFullnessGroup(c, z);
        if (fg == ZS_INUSE_RATIO_0) freeZspage(p, c, z);
        handleMem.remove(handle);
        m.slub().free(p.handleCache, handle, "kmem_cache_free");
    }

    /** obj_free(): push the object on the zspage's free list (huge: clear zpdesc->handle). */
    private void objFree(SizeClass c, Zspage z, long obj) {
        long idx = objToIdx(obj);
        long[] loc = location(z, c.size, idx);
        if (!z.huge) objMem.put(headerAddr(loc), (long) z.freeobj << OBJ_TAG_BITS);
        else mm.setWord(loc[0], Memmap.W_INDEX, 0);
        z.freeobj = (int) idx;
        z.inuse--;
    }

    /** free_zspage(): off its list, each page reset and put back, then the descriptor freed. */
    private void freeZspage(Pool p, SizeClass c, Zspage z) {
        removeZspage(c, z);
        if (trace.on()) {
            trace.emit("free_zspage", String.format("class %d: the zspage at 0x%016x is empty: its %d page(s) go back to the buddy "
                    + "allocator", c.index, z.addr, z.pfns.length));
        }
        for (long pfn : z.pfns) {
            // reset_zpdesc(): PG_private, zspage and next cleared; PGTY_zsmalloc stays until the page is freed
            mm.clearFlag(pfn, PageFlag.PG_private);
            mm.setWord(pfn, Memmap.W_PRIVATE, 0);
            mm.setWord(pfn, Memmap.W_INDEX, 0);
            long base = Addresses.directMapAddress(pfn);
            for (long off = 0; off < Addresses.PAGE_SIZE; off += 16) objMem.remove(base + off);
            m.putPage(pfn);
        }
        zspages.remove(z.addr);
        m.slub().free(p.zspageCache, z.addr, "kmem_cache_free");
        c.objsAllocated -= c.objsPerZspage;
        p.pagesAllocated -= c.pagesPerZspage;
    }

    // ---------------------------------------------------------------- compaction

    /** zs_can_compact(): whole zspages' worth of unused objects, in pages. */
    public static long canCompact(SizeClass c) {
        if (c.objsAllocated <= c.objsInuse) return 0;
        long wasted = (c.objsAllocated - c.objsInuse) / c.objsPerZspage;
        return wasted * c.pagesPerZspage;
    }

    /** zs_compact(pool): every class from the largest down; returns the pages freed. */
    public long compact(Pool p) {
        requireLive(p, "zs_compact");
        if (trace.on()) trace.emit("zs_compact", p.name, 0);
        long freed = 0;
        for (int i = ZS_SIZE_CLASSES - 1; i >= 0; i--) {
            SizeClass c = p.classes[i];
            if (c.index != i) continue;
            freed += compactClass(p, c);
        }
        p.pagesCompacted += freed;
        return freed;
    }

    /** __zs_compact(): objects move from the sparsest zspages into the fullest non-full ones. */
    private long compactClass(Pool p, SizeClass c) {
        Zspage src;
        Zspage dst = null;
        long freed = 0;
        while (canCompact(c) > 0) {
            if (dst == null) {
                dst = isolate(c, ZS_INUSE_RATIO_99, ZS_INUSE_RATIO_10, -1);
                if (dst == null) break;
            }
            src = isolate(c, ZS_INUSE_RATIO_10, ZS_INUSE_RATIO_99, 1);
            if (src == null) break;
            int moved = migrateZspage(c, src, dst);
            if (trace.on()) {
                trace.emit("migrate_zspage", String.format("class %d: moved %d object(s) from the zspage at 0x%016x (PFN %d) to the one "
                        + "at 0x%016x (PFN %d)", c.index, moved, src.addr, src.pfns[0], dst.addr, dst.pfns[0]));
            }
            int fg = putback(c, src);
            if (fg == ZS_INUSE_RATIO_0) {
                freeZspage(p, c, src);
                freed += c.pagesPerZspage;
            }
            if (fullnessGroup(c, dst.inuse) == ZS_INUSE_RATIO_100) {
                putback(c, dst);
                dst = null;
            }
        }
        if (dst != null) putback(c, dst);
        return freed;
    }

    /** isolate_src_zspage / isolate_dst_zspage: the first zspage of the first non-empty group in the scan. */
    private static Zspage isolate(SizeClass c, int from, int to, int step) {
        for (int fg = from; step > 0 ? fg <= to : fg >= to; fg += step) {
            ZspageList l = c.lists.get(fg);
            if (!l.isEmpty()) {
                Zspage z = l.first();
                l.remove(z);
                return z;
            }
        }
        return null;
    }

    private static int putback(SizeClass c, Zspage z) {
        int fg = fullnessGroup(c, z.inuse);
        insertZspage(c, z, fg);
        return fg;
    }

    /** migrate_zspage(): walk src's pages, move each allocated object to dst until dst is full or src empty. */
    private int migrateZspage(SizeClass c, Zspage src, Zspage dst) {
        int moved = 0;
        outer:
        for (int i = 0; i < src.pfns.length; i++) {
            long pfn = src.pfns[i];
            long off = mm.pageType(pfn) & FIRST_OBJ_PAGE_TYPE_MASK;
            long firstIdx = ((long) i * Addresses.PAGE_SIZE + off) / c.size;
            for (long idx = firstIdx; off < Addresses.PAGE_SIZE; off += c.size, idx++) {
                long handle = allocatedHandle(c, src, pfn, off);
                if (handle == 0) continue;
                long used = handleMem.get(handle, 0);
                objMalloc(c, dst, handle);
                objFree(c, src, used);
                moved++;
                if (dst.inuse == c.objsPerZspage) break outer;
                if (src.inuse == 0) break outer;
            }
        }
        return moved;
    }

    /** obj_allocated(): the handle of the object starting at {@code off} in {@code pfn}, or 0 if it is free. */
    private long allocatedHandle(SizeClass c, Zspage z, long pfn, long off) {
        long word = z.huge ? mm.word(z.pfns[0], Memmap.W_INDEX) : objMem.get(Addresses.directMapAddress(pfn) + off, 0);
        if ((word & OBJ_ALLOCATED_TAG) == 0) return 0;
        return word & ~OBJ_ALLOCATED_TAG;
    }

    // ---------------------------------------------------------------- object access

    /**
     * zs_obj_read_begin(): the address of the object's data (after the handle header of non-huge
     * classes) if it sits in one page, else {@code localCopy} (the kernel copies the two halves there).
     */
    public long objReadBegin(Pool p, long handle, long localCopy) {
        requireLive(p, "zs_obj_read_begin");
        Zspage z = requireHandle(p, handle, "zs_obj_read_begin");
        SizeClass c = p.classes[z.classIdx];
        long obj = handleMem.get(handle, 0);
        long[] loc = location(z, c.size, objToIdx(obj));
        if (loc[1] + c.size <= Addresses.PAGE_SIZE) return headerAddr(loc) + (z.huge ? 0 : ZS_HANDLE_SIZE);
        if (localCopy == 0) {
            throw KernelError.error("zs_obj_read_begin(): this object spans two pages, so the kernel copies it into local_copy, "
                    + "which is NULL: the copy would write to address 0");
        }
        return localCopy + (z.huge ? 0 : ZS_HANDLE_SIZE);
    }

    /** Refuses a handle that is not live in this pool (as the checks of zs_free do). */
    public void checkHandle(Pool p, long handle, String fn) {
        requireLive(p, fn);
        requireHandle(p, handle, fn);
    }

    /** zs_obj_write(): checks the handle and length (the lab does not store object data). */
    public void objWrite(Pool p, long handle, long len) {
        requireLive(p, "zs_obj_write");
        Zspage z = requireHandle(p, handle, "zs_obj_write");
        SizeClass c = p.classes[z.classIdx];
        long room = c.size - (z.huge ? 0 : ZS_HANDLE_SIZE);
        if (len < 0 || len > room) {
            throw KernelError.error("zs_obj_write(): " + len + " bytes do not fit this object (class " + c.index + ", " + room
                    + " bytes after the handle header): the copy would overrun into the next object");
        }
    }

    // ---------------------------------------------------------------- memory the console can read

    /** True if {@link #read} answers for {@code addr}: a live handle, a live struct zspage, or a zsmalloc page. */
    boolean readable(long addr) {
        long a = addr & ~7L;
        if (handleMem.containsKey(a)) return true;
        if (zspageContaining(addr) != null) return true;
        if (Addresses.inDirectMap(addr)) {
            long pfn = (addr - Addresses.PAGE_OFFSET) >>> Addresses.PAGE_SHIFT;
            return zspageOfPfn(pfn) != null;
        }
        return false;
    }

    private Zspage zspageContaining(long addr) {
        Zspage z = zspages.get(addr);
        if (z != null) return z;
        long base = addr - (addr % 8);
        for (long b = base; b > base - SIZEOF_ZSPAGE; b -= 8) {
            z = zspages.get(b);
            if (z != null) return addr < b + SIZEOF_ZSPAGE ? z : null;
        }
        return null;
    }

    /** A word of the simulated handle memory or zspage descriptors (see {@link WordStore}). */
    @Override
    public long word(long a) {
        if (handleMem.containsKey(a)) return handleMem.get(a, 0);
        Zspage z = zspageContaining(a);
        if (z != null) return zspageWord(z, (int) (a - z.addr));
        if (objMem.containsKey(a)) return objMem.get(a, 0);
        throw KernelError.error(String.format("the lab does not simulate the data of zsmalloc objects at 0x%016x: only each "
                + "object's 8-byte header (handle | OBJ_ALLOCATED_TAG, or the next free index << 1) is stored", a));
    }

    private long zspageWord(Zspage z, int off) {
        Pool p = poolAt(poolOfZspage(z));
        SizeClass c = p.classes[z.classIdx];
        long bits = (z.huge ? 1 : 0) | ((long) z.fullness << 1) | ((long) z.classIdx << 5) | ((long) ZSPAGE_MAGIC << 14);
        long head = p.address() + (c.index + 1) * CLASS_STRIDE + FULLNESS_LIST_OFFSET + 16L * z.fullness;
        long next = z.listNext != null ? z.listNext.addr + 24 : head;
        long prev = z.listPrev != null ? z.listPrev.addr + 24 : head;
        return switch (off) {
            case 0 -> bits | ((long) z.inuse << 32);
            case 8 -> z.freeobj & 0xffffffffL;
            case 16 -> Addresses.pageAddress(z.pfns[0]);
            case 24 -> next;
            case 32 -> prev;
            case 40 -> p.address();
            default -> 0; // zsl: the zspage lock, unlocked
        };
    }

    // ---------------------------------------------------------------- debugfs classes

    /** /sys/kernel/debug/zsmalloc/NAME/classes as zs_stats_size_show() prints it. */
    public List<String> classesFile(Pool p) {
        List<String> out = new ArrayList<>();
        out.add(String.format(" %5s %5s %9s %9s %9s %9s %9s %9s %9s %9s %9s %9s %9s %13s %10s %10s %16s %8s", "class", "size", "10%",
                "20%", "30%", "40%", "50%", "60%", "70%", "80%", "90%", "99%", "100%", "obj_allocated", "obj_used", "pages_used",
                "pages_per_zspage", "freeable"));
        long totalObjs = 0, totalUsed = 0, totalPages = 0, totalFreeable = 0;
        long[] inuseTotals = new long[NR_FULLNESS_GROUPS];
        for (SizeClass c : distinctClasses(p)) {
            StringBuilder sb = new StringBuilder(String.format(" %5d %5d ", c.index, c.size));
            for (int fg = ZS_INUSE_RATIO_10; fg < NR_FULLNESS_GROUPS; fg++) {
                inuseTotals[fg] += c.lists.get(fg).size();
                sb.append(String.format("%9d ", c.lists.get(fg).size()));
            }
            long freeable = canCompact(c);
            long pagesUsed = c.objsAllocated / c.objsPerZspage * c.pagesPerZspage;
            sb.append(String.format("%13d %10d %10d %16d %8d", c.objsAllocated, c.objsInuse, pagesUsed, c.pagesPerZspage, freeable));
            out.add(sb.toString());
            totalObjs += c.objsAllocated;
            totalUsed += c.objsInuse;
            totalPages += pagesUsed;
            totalFreeable += freeable;
        }
        out.add("");
        StringBuilder sb = new StringBuilder(String.format(" %5s %5s ", "Total", ""));
        for (int fg = ZS_INUSE_RATIO_10; fg < NR_FULLNESS_GROUPS; fg++) sb.append(String.format("%9d ", inuseTotals[fg]));
        sb.append(String.format("%13d %10d %10d %16s %8d", totalObjs, totalUsed, totalPages, "", totalFreeable));
        out.add(sb.toString());
        return out;
    }

    // ---------------------------------------------------------------- page migration

    /**
     * zs_page_migrate(): move one page of a zspage to {@code newPfn} (already allocated, refcount 1), as
     * compaction's migrate_pages() asks through the PGTY_zsmalloc movable_ops: copy the zpdesc fields
     * and the objects, point every handle of an object that starts in the page at the new PFN
     * (record_obj), relink the previous page's {@code next}, then reset the old page and put it.
     */
    public void migratePage(long oldPfn, long newPfn) {
        Zspage z = zspageOfPfn(oldPfn);
        if (z == null || !mm.testFlag(oldPfn, PageFlag.PG_uptodate)) {
            throw KernelError.error("zs_page_migrate(): PFN " + oldPfn + " is not a movable zsmalloc page");
        }
        int i = 0;
        while (z.pfns[i] != oldPfn) i++;
        SizeClass c = classOf(z);
        mm.setPageType(newPfn, mm.pageType(oldPfn));
        mm.setWord(newPfn, Memmap.W_PRIVATE, z.addr);
        mm.setWord(newPfn, Memmap.W_INDEX, mm.word(oldPfn, Memmap.W_INDEX));
        if (i == 0) mm.setFlag(newPfn, PageFlag.PG_private);
        mm.setFlag(newPfn, PageFlag.PG_uptodate);
        long oldBase = Addresses.directMapAddress(oldPfn);
        long newBase = Addresses.directMapAddress(newPfn);
        // object headers are kept at the objects' first bytes: first_obj_offset, then every class size
        for (long off = mm.pageType(oldPfn) & FIRST_OBJ_PAGE_TYPE_MASK; off < Addresses.PAGE_SIZE; off += c.size) {
            if (!objMem.containsKey(oldBase + off)) continue;
            long v = objMem.get(oldBase + off, 0);
            objMem.remove(oldBase + off);
            objMem.put(newBase + off, v);
        }
        for (int idx = 0; idx < c.objsPerZspage; idx++) {
            long[] loc = location(z, c.size, idx);
            if (loc[0] != oldPfn) continue;
            long w = z.huge ? mm.word(newPfn, Memmap.W_INDEX) : objMem.get(newBase + loc[1], 0);
            if ((w & OBJ_ALLOCATED_TAG) == 0) continue;
            handleMem.put(w & ~OBJ_ALLOCATED_TAG, locationToObj(newPfn, idx));
        }
        if (i > 0) mm.setWord(z.pfns[i - 1], Memmap.W_INDEX, Addresses.pageAddress(newPfn));
        z.pfns[i] = newPfn;
        // reset_zpdesc() and the put that frees the old page; PGTY_zsmalloc goes when it reaches the buddy allocator
        mm.clearFlag(oldPfn, PageFlag.PG_private);
        mm.clearFlag(oldPfn, PageFlag.PG_uptodate);
        mm.setWord(oldPfn, Memmap.W_PRIVATE, 0);
        mm.setWord(oldPfn, Memmap.W_INDEX, 0);
        if (trace.on()) trace.emit("zs_page_migrate", String.format("page %d of the zspage at 0x%016x: PFN %d -> PFN %d", i, z.addr, oldPfn, newPfn));
        Memdescs.migrate(m, Memdescs.Kind.ZPDESC, oldPfn, newPfn); // memdesc: the struct zpdesc follows the page
        m.putPage(oldPfn);
    }

    // ---------------------------------------------------------------- invariants and digest

    /** zsmalloc invariants: chains and page types, inuse against headers and handles, no object allocated twice. */
    void check(List<String> problems) {
        Set<Long> seenPfns = new HashSet<>();
        Set<Long> seenHandles = new HashSet<>();
        int zspagesOnLists = 0;
        for (Pool p : pools) {
            if (p.destroyed) continue;
            long pages = 0;
            for (SizeClass c : distinctClasses(p)) {
                long allocated = 0, used = 0;
                for (int fg = 0; fg < NR_FULLNESS_GROUPS; fg++) {
                    int counted = 0;
                    for (Zspage z : c.lists.get(fg)) {
                        if (++counted > c.lists.get(fg).size()) break; // a cycle: reported below
                        if (z.listNext != null && z.listNext.listPrev != z) {
                            problems.add(String.format("%s class %d fullness list %d: broken link after 0x%016x", p.name, c.index, fg, z.addr));
                        }
                    }
                    if (counted != c.lists.get(fg).size()) {
                        problems.add(String.format("%s class %d fullness list %d: %d zspages linked, size says %d", p.name, c.index,
                                fg, counted, c.lists.get(fg).size()));
                        continue;
                    }
                    for (Zspage z : c.lists.get(fg)) {
                        zspagesOnLists++;
                        String where = String.format("%s class %d zspage 0x%016x", p.name, c.index, z.addr);
                        if (zspages.get(z.addr) != z) problems.add(where + ": not a live zspage");
                        if (z.fullness != fg) problems.add(where + ": on fullness list " + fg + " but fullness " + z.fullness);
                        if (fullnessGroup(c, z.inuse) != fg) problems.add(where + ": inuse " + z.inuse + " belongs in group " + fullnessGroup(c, z.inuse));
                        if (z.classIdx != c.index) problems.add(where + ": class " + z.classIdx);
                        if (z.pfns.length != c.pagesPerZspage) problems.add(where + ": " + z.pfns.length + " pages");
                        checkZspage(c, z, where, seenPfns, seenHandles, problems);
                        allocated += c.objsPerZspage;
                        used += z.inuse;
                        pages += c.pagesPerZspage;
                    }
                }
                if (allocated != c.objsAllocated || used != c.objsInuse) {
                    problems.add(p.name + " class " + c.index + ": stats say " + c.objsAllocated + "/" + c.objsInuse + " but zspages hold "
                            + allocated + "/" + used);
                }
            }
            if (pages != p.pagesAllocated) problems.add(p.name + ": pages_allocated " + p.pagesAllocated + " but zspages hold " + pages);
        }
        if (zspagesOnLists != zspages.size()) problems.add(zspages.size() + " zspages exist but " + zspagesOnLists + " are on lists");
        if (seenHandles.size() != handleMem.size()) problems.add(handleMem.size() + " handles but " + seenHandles.size() + " allocated objects");
        for (long pfn = 0; pfn < m.nrPages(); pfn++) {
            if ((mm.pageType(pfn) >>> 24) == PageType.PGTY_zsmalloc.value() && !seenPfns.contains(pfn)) {
                problems.add("PFN " + pfn + " is PGTY_zsmalloc but in no zspage");
            }
        }
    }

    private void checkZspage(SizeClass c, Zspage z, String where, Set<Long> seenPfns, Set<Long> seenHandles, List<String> problems) {
        long off = 0;
        for (int i = 0; i < z.pfns.length; i++) {
            long pfn = z.pfns[i];
            if (!seenPfns.add(pfn)) problems.add(where + ": PFN " + pfn + " is in two zspages");
            if ((mm.pageType(pfn) >>> 24) != PageType.PGTY_zsmalloc.value()) problems.add(where + ": PFN " + pfn + " is not PGTY_zsmalloc");
            if ((mm.pageType(pfn) & FIRST_OBJ_PAGE_TYPE_MASK) != off) problems.add(where + ": PFN " + pfn + ": first_obj_offset is wrong");
            if (mm.word(pfn, Memmap.W_PRIVATE) != z.addr) problems.add(where + ": PFN " + pfn + ": zpdesc->zspage is wrong");
            if (mm.testFlag(pfn, PageFlag.PG_private) != (i == 0)) problems.add(where + ": PFN " + pfn + ": PG_private is wrong");
            if (mm.refcount(pfn) != 1) problems.add(where + ": PFN " + pfn + " has refcount " + mm.refcount(pfn));
            long next = i + 1 < z.pfns.length ? Addresses.pageAddress(z.pfns[i + 1]) : 0;
            if (!z.huge && mm.word(pfn, Memmap.W_INDEX) != next) problems.add(where + ": PFN " + pfn + ": zpdesc->next is wrong");
            off = (off + ((Addresses.PAGE_SIZE - off + c.size - 1) / c.size) * c.size) % Addresses.PAGE_SIZE;
        }
        // the free list from freeobj, then the allocated objects
        boolean[] free = new boolean[c.objsPerZspage];
        int nfree = 0;
        long idx = z.freeobj;
        while (idx >= 0 && idx < c.objsPerZspage && nfree <= c.objsPerZspage) {
            if (free[(int) idx]) { problems.add(where + ": free list loops at object " + idx); break; }
            free[(int) idx] = true;
            nfree++;
            long w = objMem.get(headerAddr(location(z, c.size, idx)), 0);
            if ((w & OBJ_ALLOCATED_TAG) != 0) { problems.add(where + ": object " + idx + " is on the free list but allocated"); break; }
            idx = w >> OBJ_TAG_BITS;
        }
        if (nfree != c.objsPerZspage - z.inuse) problems.add(where + ": " + nfree + " free objects but inuse " + z.inuse);
        int allocated = 0;
        for (int i = 0; i < c.objsPerZspage; i++) {
            if (free[i]) continue;
            long[] loc = location(z, c.size, i);
            long w = z.huge ? mm.word(z.pfns[0], Memmap.W_INDEX) : objMem.get(headerAddr(loc), 0);
            if ((w & OBJ_ALLOCATED_TAG) == 0) continue;
            allocated++;
            long handle = w & ~OBJ_ALLOCATED_TAG;
            if (!seenHandles.add(handle)) problems.add(String.format("%s: handle 0x%016x is recorded by two objects", where, handle));
            if (handleMem.get(handle, -1) != locationToObj(loc[0], i)) {
                problems.add(String.format("%s: object %d's handle 0x%016x does not point back at it", where, i, handle));
            }
        }
        if (allocated != z.inuse) problems.add(where + ": " + allocated + " allocated headers but inuse " + z.inuse);
    }

    long digest() {
        long h = objMem.contentHash() * 31 + handleMem.contentHash();
        for (Pool p : pools) {
            h = h * 31 + p.name.hashCode() + (p.destroyed ? 1 : 0) + p.pagesAllocated * 7 + p.pagesCompacted * 13;
            for (SizeClass c : distinctClasses(p)) {
                for (int fg = 0; fg < NR_FULLNESS_GROUPS; fg++) {
                    for (Zspage z : c.lists.get(fg)) h = h * 31 + z.addr + z.inuse * 17L + z.freeobj * 131L + java.util.Arrays.hashCode(z.pfns);
                    h = h * 3 + c.lists.get(fg).size();
                }
            }
        }
        return h * 31 + pools.size();
    }
}

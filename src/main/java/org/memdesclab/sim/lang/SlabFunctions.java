package org.memdesclab.sim.lang;

import java.util.List;
import org.memdesclab.sim.Addresses;
import org.memdesclab.sim.KernelError;
import org.memdesclab.sim.KmemCache;
import org.memdesclab.sim.Machine;
import org.memdesclab.sim.PageType;
import org.memdesclab.sim.Slub;

/**
 * The slab allocator: kmem_cache_create and friends, kmalloc/kfree, and the struct slab helpers of
 * mm/slab.h, with the kernel's names and 6.18 prototypes.
 */
final class SlabFunctions {
    static final String SLAB = "Slab allocator";
    static final CType.Ptr CACHE_PTR = CType.ptrTo("kmem_cache");
    static final CType.Ptr SLAB_PTR = CType.ptrTo("slab");

    private static final String CLASSIC = "6.18's classic SLUB: per-CPU freelist and slab, per-CPU partial list "
            + "(set_cpu_partial: cpu_partial_slabs = DIV_ROUND_UP(objects wanted * 2, objects per slab)), node partial list "
            + "with min_partial; one node, no debugging, no freelist randomisation "
            + "or hardening, no memcg charging";

    private SlabFunctions() {}

    /** The struct kmem_cache * argument as a live cache, or the oops the kernel would give. */
    static KmemCache cache(CallContext c, Value v) {
        long addr = v.bits();
        if (addr == 0) throw c.nullDeref(0);
        Slub slub = c.machine().slub();
        KmemCache k = slub.cacheAt(addr);
        if (k != null) return k;
        for (KmemCache d : slub.caches()) {
            if (d.address() == addr && d.isDestroyed()) {
                throw new KernelError(List.of(String.format("BUG: unable to handle page fault for address: %016x", addr),
                        "#PF: supervisor read access in kernel mode", "#PF: error_code(0x0000) - not-present page",
                        "(" + c.function() + "() was given the kmem_cache '" + d.name() + "', which was destroyed: a use after free)"));
            }
        }
        throw KernelError.error(String.format("%s(): 0x%016x is not a struct kmem_cache (caches come from kmem_cache_create() "
                + "or kmalloc_slab())", c.function(), addr));
    }

    private static Value obj(long addr) { return Value.pointer(CType.VOID_PTR, addr); }

    private static Value slabPtr(long pfn) { return Value.pointer(SLAB_PTR, Addresses.pageAddress(pfn)); }

    private static long sizeArg(Value v) { return v.bits(); }

    private static boolean isSlab(Machine m, long pfn) {
        return (m.memmap().pageType(pfn) >>> 24) == PageType.PGTY_slab.value();
    }

    static void register(FunctionRegistry r) {
        r.register(FunctionDef.prototype("struct kmem_cache *kmem_cache_create(const char *name, unsigned int size, "
                        + "unsigned int align, slab_flags_t flags, void *ctor)").mutates().group(SLAB)
                .source("mm/slab_common.c, mm/slub.c (calculate_sizes, calculate_order)")
                .meaning("create a cache of objects of size bytes: s->size, s->offset (where the free pointer lives), "
                        + "the slab order and objects per slab for this machine's CPU count; or, if find_mergeable() finds "
                        + "an existing cache whose objects fit (same alignment, less than 8 bytes bigger, SLAB_ACCOUNT "
                        + "alike, neither with SLAB_NO_MERGE, SLAB_TYPESAFE_BY_RCU or a ctor), return that cache with its "
                        + "refcount raised: the new name is only an alias, and /proc/slabinfo shows the old name")
                .simplification("ctor is void (*ctor)(void *) in the kernel; constructors are not simulated, so pass NULL. "
                        + "SLAB_HWCACHE_ALIGN and SLAB_TYPESAFE_BY_RCU change the layout; SLAB_ACCOUNT is recorded only. "
                        + "The kmalloc-* caches never take merges (CONFIG_MEMCG gives them SLAB_NO_MERGE); a machine booted "
                        + "with slab_nomerge (sim --slab-nomerge, lesson machine: slab_nomerge: true) merges nothing. "
                        + "Aliases get no /sys/kernel/slab symlink (there is no sysfs). " + CLASSIC)
                .impl((c, a) -> {
                    String name = a.get(0).text();
                    // a const char * into simulated memory (another cache's s->name) is read as C reads it
                    if (name == null && a.get(0).bits() != 0) name = Evaluator.readCString(c.machine(), a.get(0).bits());
                    if (name == null) {
                        throw new KernelError(List.of("error: kmem_cache_create(): name is NULL; a CONFIG_DEBUG_VM kernel prints:",
                                "kmem_cache_create((null)) integrity check failed",
                                "kmem_cache_create((null)) failed with error -22", "(and the caller gets NULL; nothing changed)"));
                    }
                    if (a.get(4).bits() != 0) {
                        throw KernelError.error("kmem_cache_create(): the lab does not run constructors: pass NULL as ctor");
                    }
                    KmemCache k = c.machine().slub().create(name, a.get(1).bits(), a.get(2).bits(), (int) a.get(3).bits(), false);
                    return Value.pointer(CACHE_PTR, k.address());
                }));
        r.register(FunctionDef.prototype("void *kmem_cache_alloc(struct kmem_cache *s, gfp_t flags)").mutates().group(SLAB)
                .source("mm/slub.c (slab_alloc_node, ___slab_alloc)")
                .meaning("an object: pop the CPU freelist; else the CPU slab's remote frees, the CPU partial list, the node "
                        + "partial list, or a new slab from the page allocator; NULL if no memory")
                .simplification(CLASSIC)
                .impl((c, a) -> obj(c.machine().slub().alloc(cache(c, a.get(0)), (int) a.get(1).bits()))));
        r.register(FunctionDef.prototype("void *kmem_cache_zalloc(struct kmem_cache *s, gfp_t flags)").mutates().group(SLAB)
                .source("include/linux/slab.h").meaning("kmem_cache_alloc(s, flags | __GFP_ZERO)")
                .simplification("object contents are not simulated except the free pointer, which the zeroing clears")
                .impl((c, a) -> obj(c.machine().slub().alloc(cache(c, a.get(0)), (int) a.get(1).bits() | org.memdesclab.sim.Gfp.__GFP_ZERO))));
        r.register(FunctionDef.prototype("void kmem_cache_free(struct kmem_cache *s, void *x)").mutates().group(SLAB)
                .source("mm/slub.c (slab_free, do_slab_free, __slab_free)")
                .meaning("give an object back: onto the CPU freelist if it is in the CPU slab, else onto its slab's freelist "
                        + "(a full slab then goes to the CPU partial list; an empty one may go back to the page allocator)")
                .simplification("a double free or a pointer that is not an object is refused with the report of a "
                        + "CONFIG_SLUB_DEBUG kernel (slab_debug=F), and nothing changes")
                .impl((c, a) -> {
                    c.machine().slub().free(cache(c, a.get(0)), a.get(1).bits(), "kmem_cache_free");
                    return Value.VOID;
                }));
        r.register(FunctionDef.prototype("void kmem_cache_destroy(struct kmem_cache *s)").mutates().group(SLAB)
                .source("mm/slab_common.c, mm/slub.c (__kmem_cache_shutdown)")
                .meaning("drop the cache's refcount; when it reaches 0, flush every CPU's slabs and free the cache's "
                        + "slabs (a cache that other kmem_cache_create calls were merged into stays while they hold it); "
                        + "NULL does nothing")
                .simplification("while objects remain the kernel prints its report and WARN, flushes the CPU slabs and leaks "
                        + "the cache; the lab prints the same report and changes nothing")
                .impl((c, a) -> {
                    if (a.get(0).bits() != 0) c.machine().slub().destroy(cache(c, a.get(0)));
                    return Value.VOID;
                }));
        r.register(FunctionDef.prototype("int kmem_cache_shrink(struct kmem_cache *cachep)").mutates().group(SLAB)
                .source("mm/slab_common.c, mm/slub.c (__kmem_cache_shrink, flush_all, __kmem_cache_do_shrink)")
                .meaning("release as many slabs as possible: flush every CPU's slab and partial list to the node, give "
                        + "every empty node partial slab back to the page allocator (min_partial is ignored), and move the "
                        + "fullest partial slabs to the head of the list; returns 0 if the cache holds no slabs afterwards")
                .simplification("one node; slabs are freed at once (a SLAB_TYPESAFE_BY_RCU cache's would wait for an RCU "
                        + "grace period). " + CLASSIC)
                .impl((c, a) -> Value.integer(c.machine().slub().shrink(cache(c, a.get(0))))));
        r.register(FunctionDef.prototype("void *kmalloc(size_t size, gfp_t flags)").mutates().group(SLAB)
                .source("include/linux/slab.h, mm/slub.c")
                .meaning("size bytes from the kmalloc-N cache that fits (kmalloc_slab), or above 8 KiB a large kmalloc: "
                        + "frozen compound pages marked PGTY_large_kmalloc; kmalloc(0) is ZERO_SIZE_PTR")
                .simplification("only the normal kmalloc caches (no kmalloc-cg-*, kmalloc-rcl-*, dma-kmalloc-*)")
                .impl((c, a) -> obj(c.machine().slub().kmalloc(sizeArg(a.get(0)), (int) a.get(1).bits()))));
        r.register(FunctionDef.prototype("void *kzalloc(size_t size, gfp_t flags)").mutates().group(SLAB)
                .source("include/linux/slab.h").meaning("kmalloc(size, flags | __GFP_ZERO)")
                .impl((c, a) -> obj(c.machine().slub().kmalloc(sizeArg(a.get(0)), (int) a.get(1).bits() | org.memdesclab.sim.Gfp.__GFP_ZERO))));
        r.register(FunctionDef.prototype("void kfree(const void *objp)").mutates().group(SLAB)
                .source("mm/slub.c").meaning("free a kmalloc (or any slab) object, or a large kmalloc's pages; NULL and "
                        + "ZERO_SIZE_PTR do nothing")
                .impl((c, a) -> {
                    c.machine().slub().kfree(a.get(0).bits());
                    return Value.VOID;
                }));
        r.register(FunctionDef.prototype("size_t ksize(const void *objp)").group(SLAB)
                .source("mm/slab_common.c (__ksize)")
                .meaning("how many bytes the object really has: its cache's size, or a large kmalloc's folio size")
                .impl((c, a) -> Value.of(CType.SIZE_T, c.machine().slub().ksize(a.get(0).bits()))));
        r.register(FunctionDef.prototype("struct kmem_cache *kmalloc_slab(size_t size, gfp_t flags)").group(SLAB)
                .source("mm/slab.h").meaning("the kmalloc cache a request of size bytes uses; NULL above KMALLOC_MAX_CACHE_SIZE or for 0")
                .simplification("the kernel's also takes kmem_buckets *b and the caller's address")
                .impl((c, a) -> {
                    KmemCache k = c.machine().slub().kmallocSlab(sizeArg(a.get(0)));
                    return Value.pointer(CACHE_PTR, k == null ? 0 : k.address());
                }));
        r.register(FunctionDef.prototype("struct slab *virt_to_slab(const void *addr)").macro().group(SLAB)
                .source("mm/slab.h").meaning("the struct slab of an object: its folio, if that folio is a slab, else NULL")
                .impl((c, a) -> {
                    long pfn = c.machine().slub().directMapPfn(a.get(0).bits(), "virt_to_slab");
                    long head = PageFunctions.headOf(c, pfn);
                    return isSlab(c.machine(), head) ? slabPtr(head) : Value.pointer(SLAB_PTR, 0);
                }));
        r.register(FunctionDef.prototype("void *slab_address(const struct slab *slab)").group(SLAB)
                .source("mm/slab.h").meaning("where the slab's objects start: folio_address(slab_folio(slab))")
                .impl((c, a) -> obj(Addresses.directMapAddress(c.pfnOf(a.get(0))))));
        r.register(FunctionDef.prototype("struct folio *slab_folio(const struct slab *slab)").group(SLAB)
                .source("mm/slab.h").meaning("the same memory seen as a folio (a cast: struct slab overlays the head page)")
                .impl((c, a) -> CallContext.folio(c.pfnOf(a.get(0)))));
        r.register(FunctionDef.prototype("struct page *slab_page(const struct slab *slab)").group(SLAB)
                .source("mm/slab.h").meaning("the head page of the slab: folio_page(slab_folio(slab), 0)")
                .impl((c, a) -> CallContext.page(c.pfnOf(a.get(0)))));
        r.register(FunctionDef.prototype("struct slab *folio_slab(const struct folio *folio)").group(SLAB)
                .source("mm/slab.h").meaning("a slab folio seen as a struct slab (a cast; check folio_test_slab() first)")
                .impl((c, a) -> {
                    long pfn = c.pagePfn(a.get(0));
                    if (!isSlab(c.machine(), pfn)) c.note("this folio is not a slab (page_type is not PGTY_slab): the struct slab fields mean nothing here");
                    return slabPtr(pfn);
                }));
        r.register(FunctionDef.prototype("struct slab *page_slab(const struct page *page)").group(SLAB)
                .source("mm/slab.h").meaning("6.18: a plain cast of the page to a struct slab (it does not look up the head)")
                .impl((c, a) -> {
                    long pfn = c.pagePfn(a.get(0));
                    if (c.machine().memmap().isTail(pfn)) {
                        c.note("this is a tail page: in 6.18 page_slab() is a cast, so this struct slab is not the slab's "
                                + "(use virt_to_slab(), or page_slab(compound_head(page)))");
                    }
                    return slabPtr(pfn);
                }));
        r.register(FunctionDef.prototype("bool folio_test_slab(const struct folio *folio)").group(SLAB)
                .source("include/linux/page-flags.h").meaning("page_type is PGTY_slab (0xf5000000)")
                .impl((c, a) -> Value.of(CType.BOOL, isSlab(c.machine(), c.pagePfn(a.get(0))) ? 1 : 0)));
        r.register(FunctionDef.prototype("bool folio_test_large_kmalloc(const struct folio *folio)").group(SLAB)
                .source("include/linux/page-flags.h").meaning("page_type is PGTY_large_kmalloc (0xf8000000)")
                .impl((c, a) -> Value.of(CType.BOOL,
                        (c.machine().memmap().pageType(c.pagePfn(a.get(0))) >>> 24) == PageType.PGTY_large_kmalloc.value() ? 1 : 0)));
        r.register(FunctionDef.prototype("int PageSlab(const struct page *page)").group(SLAB)
                .source("include/linux/page-flags.h").meaning("folio_test_slab(page_folio(page))")
                .impl((c, a) -> Value.integer(isSlab(c.machine(), PageFunctions.headOf(c, c.pagePfn(a.get(0)))) ? 1 : 0)));
        r.register(FunctionDef.prototype("unsigned int obj_to_index(const struct kmem_cache *cache, const struct slab *slab, "
                        + "void *obj)").group(SLAB)
                .source("mm/slab.h").meaning("the object's index in its slab: (obj - slab_address(slab)) / cache->size")
                .impl((c, a) -> {
                    KmemCache k = cache(c, a.get(0));
                    long base = Addresses.directMapAddress(c.pfnOf(a.get(1)));
                    long off = a.get(2).bits() - base;
                    return Value.of(CType.UINT, Long.divideUnsigned(off, k.size()));
                }));
        r.register(FunctionDef.prototype("struct kmem_cache_cpu *lab_cpu_slab(struct kmem_cache *s, int cpu)").group(SLAB)
                .source("(lab only)").meaning("per_cpu_ptr(s->cpu_slab, cpu): that CPU's freelist, slab and partial list")
                .simplification("the kernel writes per_cpu_ptr(s->cpu_slab, cpu) or this_cpu_ptr(s->cpu_slab)")
                .impl((c, a) -> {
                    KmemCache k = cache(c, a.get(0));
                    long cpu = a.get(1).bits();
                    if (cpu < 0 || cpu >= c.machine().config().cpus()) {
                        throw KernelError.error("lab_cpu_slab(): CPU " + cpu + " does not exist (CPUs 0 to "
                                + (c.machine().config().cpus() - 1) + ")");
                    }
                    return Value.pointer(CType.ptrTo("kmem_cache_cpu"), c.machine().slub().cpuSlabAddress(k, (int) cpu));
                }));
        r.register(FunctionDef.prototype("void lab_kmem_cache(struct kmem_cache *s)").group(SLAB)
                .source("(lab only)")
                .meaning("print a cache's layout (size, offset, order, objects, min_partial, cpu_partial_slabs) and where "
                        + "its slabs are: each CPU's slab and freelist, CPU partial lists, the node partial list")
                .impl((c, a) -> {
                    KmemCache k = cache(c, a.get(0));
                    Slub slub = c.machine().slub();
                    c.print(String.format("%s: object_size %d, size %d, offset %d, align %d, inuse %d%s", k.name(), k.objectSize(),
                            k.size(), k.offset(), k.align(), k.inuse(),
                            k.refcount() == 1 ? "" : "; refcount " + k.refcount() + " (other caches were merged into it)"));
                    c.print(String.format("  oo: order %d, %d objects; min: order %d, %d objects; min_partial %d; cpu_partial %d "
                            + "(cpu_partial_slabs %d)", k.order(), k.objectsPerSlab(), k.minOrder(), k.minObjects(),
                            k.minPartial(), k.cpuPartial(), k.cpuPartialSlabs()));
                    for (int cpu = 0; cpu < c.machine().config().cpus(); cpu++) {
                        long slab = k.cpuSlab(cpu);
                        List<Long> partial = k.cpuPartialSlabsOf(cpu);
                        if (slab < 0 && partial.isEmpty()) continue;
                        StringBuilder fl = new StringBuilder();
                        int n = 0;
                        for (long o = k.cpuFreelist(cpu); o != 0 && n < 8; o = slub.freePointer(k, o), n++) {
                            fl.append(n == 0 ? "" : " -> ").append(String.format("0x%016x", o));
                        }
                        if (n == 8) fl.append(" -> ...");
                        c.print("  cpu " + cpu + ": slab " + (slab < 0 ? "NULL" : "PFN " + slab) + ", freelist "
                                + (n == 0 ? "NULL" : fl) + ", partial " + (partial.isEmpty() ? "NULL" : "PFNs " + join(partial)));
                    }
                    c.print("  node 0 partial: " + (k.nodePartial().isEmpty() ? "(empty)" : "PFNs " + join(k.nodePartial()))
                            + "; slabs " + k.nrSlabs() + ", objects " + k.totalObjects() + ", in use " + slub.objectsInUse(k));
                    return Value.VOID;
                }));
    }

    private static String join(List<Long> l) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < l.size(); i++) sb.append(i > 0 ? " " : "").append(l.get(i));
        return sb.toString();
    }
}

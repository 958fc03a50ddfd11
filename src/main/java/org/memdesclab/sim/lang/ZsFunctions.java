package org.memdesclab.sim.lang;

import java.util.ArrayList;
import java.util.List;
import org.memdesclab.sim.Addresses;
import org.memdesclab.sim.KernelError;
import org.memdesclab.sim.Machine;
import org.memdesclab.sim.PageType;
import org.memdesclab.sim.Zsmalloc;

/**
 * zsmalloc from the console: the exported API of include/linux/zsmalloc.h as 6.18 declares it
 * (zs_malloc takes a node id; zs_map_object is gone, objects are reached through zs_obj_read_begin /
 * zs_obj_read_end / zs_obj_write), the zpdesc helpers of mm/zpdesc.h, and lab helpers.
 */
final class ZsFunctions {
    static final String ZS = "zsmalloc";
    static final CType.Ptr POOL_PTR = CType.ptrTo("zs_pool");
    static final CType.Ptr ZPDESC_PTR = CType.ptrTo("zpdesc");
    static final CType.Ptr ZSPAGE_PTR = CType.ptrTo("zspage");
    static final String DEBUGFS = "/sys/kernel/debug/zsmalloc/";

    private static final String MODEL = "6.18 zsmalloc, chain size 8 (CONFIG_ZSMALLOC_CHAIN_SIZE), OBJ_INDEX_BITS 24; handles and "
            + "struct zspages are objects of the pool's real simulated kmem_caches zs_handle-NAME and zspage-NAME, so their slab "
            + "pages take PFNs from the buddy allocator before the first zspage does; struct zs_pool and its size classes are "
            + "kept outside the zone; object data is not stored, only each object's 8-byte header; pages migrate only under "
            + "compact_zone; no shrinker (compaction runs when you call zs_compact)";

    private ZsFunctions() {}

    /** The struct zs_pool * argument as a live pool, or the error the lab gives. */
    static Zsmalloc.Pool pool(CallContext c, Value v) {
        long addr = v.bits();
        if (addr == 0) throw c.nullDeref(0);
        Zsmalloc.Pool p = c.machine().zsmalloc().poolAt(addr);
        if (p != null) return p;
        throw KernelError.error(String.format("%s(): 0x%016x is not a struct zs_pool (pools come from zs_create_pool())",
                c.function(), addr));
    }

    /** cat /sys/kernel/debug/zsmalloc/NAME/classes, or null if the path is not one. */
    static List<String> debugfsClasses(Machine m, String path) {
        if (!path.startsWith(DEBUGFS) || !path.endsWith("/classes")) return null;
        String name = path.substring(DEBUGFS.length(), path.length() - "/classes".length());
        Zsmalloc.Pool p = m.zsmalloc().poolNamed(name);
        return p == null ? null : m.zsmalloc().classesFile(p);
    }

    private static boolean isZsmalloc(Machine m, long pfn) {
        return (m.memmap().pageType(pfn) >>> 24) == PageType.PGTY_zsmalloc.value();
    }

    static void register(FunctionRegistry r) {
        r.register(FunctionDef.prototype("struct zs_pool *zs_create_pool(const char *name)").mutates().group(ZS)
                .source("mm/zsmalloc.c (zs_create_pool, create_cache)")
                .meaning("a pool: its caches zs_handle-NAME (8-byte handles) and zspage-NAME (56-byte struct zspage), and 255 "
                        + "size classes of 32 + 16 i bytes, merged from the largest down where pages and objects per zspage agree")
                .simplification(MODEL + ". Its classes table is cat " + DEBUGFS + "NAME/classes")
                .impl((c, a) -> {
                    String name = a.get(0).text();
                    if (name == null) throw KernelError.error("zs_create_pool(): the lab needs the name as a string literal, e.g. \"zram0\"");
                    return Value.pointer(POOL_PTR, c.machine().zsmalloc().createPool(name).address());
                }));
        r.register(FunctionDef.prototype("void zs_destroy_pool(struct zs_pool *pool)").mutates().group(ZS)
                .source("mm/zsmalloc.c").meaning("free the pool and destroy its two caches")
                .simplification("while objects remain the kernel reports non-empty fullness groups and leaks them; the lab "
                        + "refuses and changes nothing")
                .impl((c, a) -> {
                    c.machine().zsmalloc().destroyPool(pool(c, a.get(0)));
                    return Value.VOID;
                }));
        r.register(FunctionDef.prototype("unsigned long zs_malloc(struct zs_pool *pool, size_t size, gfp_t flags, const int nid)")
                .mutates().group(ZS).source("mm/zsmalloc.c (zs_malloc, find_get_zspage, alloc_zspage, obj_malloc)")
                .meaning("a handle for size bytes: a zs_handle object, then size + 8 picks the class; the first zspage of the "
                        + "fullest non-full group (99 % down to 0 %) gives its first free object, else a new zspage of order-0 "
                        + "pages; *handle = obj = (pfn << 24) | obj_idx. ERR_PTR(-EINVAL) for 0 bytes, -ENOSPC above "
                        + "PAGE_SIZE, -ENOMEM without memory")
                .simplification("nid is 0 or NUMA_NO_NODE (-1): one node. " + MODEL)
                .impl((c, a) -> Value.ulong(c.machine().zsmalloc().malloc(pool(c, a.get(0)), a.get(1).bits(),
                        (int) a.get(2).bits(), (int) a.get(3).bits()))));
        r.register(FunctionDef.prototype("void zs_free(struct zs_pool *pool, unsigned long handle)").mutates().group(ZS)
                .source("mm/zsmalloc.c (zs_free, obj_free, free_zspage)")
                .meaning("free the object: its header becomes the old free index << 1 and it heads the zspage's free list; a "
                        + "zspage whose inuse reaches 0 gives its pages back to the buddy allocator; then the handle is freed")
                .simplification("a handle that is not live (double free, a made-up number) is refused and nothing changes")
                .impl((c, a) -> {
                    c.machine().zsmalloc().free(pool(c, a.get(0)), a.get(1).bits());
                    return Value.VOID;
                }));
        r.register(FunctionDef.prototype("void *zs_obj_read_begin(struct zs_pool *pool, unsigned long handle, void *local_copy)")
                .group(ZS).source("mm/zsmalloc.c")
                .meaning("where to read the object's data: in its page, just after the 8-byte handle header (huge classes have "
                        + "no header); an object that spans two pages is copied into local_copy, which is returned instead")
                .simplification("the lab returns the address but stores no object data; nothing is locked")
                .impl((c, a) -> Value.pointer(CType.VOID_PTR, c.machine().zsmalloc().objReadBegin(pool(c, a.get(0)),
                        a.get(1).bits(), a.get(2).bits()))));
        r.register(FunctionDef.prototype("void zs_obj_read_end(struct zs_pool *pool, unsigned long handle, void *handle_mem)")
                .group(ZS).source("mm/zsmalloc.c").meaning("end the read zs_obj_read_begin started (unmap, unlock the zspage)")
                .simplification("nothing to undo in the lab")
                .impl((c, a) -> {
                    c.machine().zsmalloc().checkHandle(pool(c, a.get(0)), a.get(1).bits(), "zs_obj_read_end");
                    return Value.VOID;
                }));
        r.register(FunctionDef.prototype("void zs_obj_write(struct zs_pool *pool, unsigned long handle, void *handle_mem, "
                        + "size_t mem_len)").group(ZS).source("mm/zsmalloc.c")
                .meaning("copy mem_len bytes into the object (after its header; across the page boundary if it spans two)")
                .simplification("the lab checks the handle and that mem_len fits, and stores no data")
                .impl((c, a) -> {
                    c.machine().zsmalloc().objWrite(pool(c, a.get(0)), a.get(1).bits(), a.get(3).bits());
                    return Value.VOID;
                }));
        r.register(FunctionDef.prototype("unsigned long zs_compact(struct zs_pool *pool)").mutates().group(ZS)
                .source("mm/zsmalloc.c (zs_compact, __zs_compact, migrate_zspage)")
                .meaning("for each class from the largest down, while zs_can_compact(): move objects from the sparsest zspage "
                        + "(first of the lowest group 10 %..99 %) into the fullest (first of the highest group 99 %..10 %), "
                        + "updating their handles; emptied zspages go back to the buddy allocator. Returns the pages freed")
                .impl((c, a) -> Value.ulong(c.machine().zsmalloc().compact(pool(c, a.get(0))))));
        r.register(FunctionDef.prototype("unsigned long zs_get_total_pages(struct zs_pool *pool)").group(ZS)
                .source("mm/zsmalloc.c").meaning("pool->pages_allocated: pages held by the pool's zspages")
                .simplification("the slab pages of the handle and zspage caches are not counted, as in the kernel")
                .impl((c, a) -> Value.ulong(pool(c, a.get(0)).pagesAllocated())));
        r.register(FunctionDef.prototype("size_t zs_huge_class_size(struct zs_pool *pool)").group(ZS)
                .source("mm/zsmalloc.c").meaning("the smallest request (without the handle header) that lands in a huge class "
                        + "(one object per page): the lowest 1-page 1-object class size minus 7")
                .impl((c, a) -> Value.of(CType.SIZE_T, pool(c, a.get(0)).hugeClassSize())));
        r.register(FunctionDef.prototype("unsigned int zs_lookup_class_index(struct zs_pool *pool, unsigned int size)").group(ZS)
                .source("mm/zsmalloc.c").meaning("the index of the class an object of size bytes (header included) goes to, "
                        + "after merging")
                .impl((c, a) -> Value.of(CType.UINT, pool(c, a.get(0)).sizeClass(Zsmalloc.sizeClassIndex(a.get(1).bits())).index())));
        r.register(FunctionDef.prototype("struct zpdesc *page_zpdesc(struct page *page)").group(ZS)
                .source("mm/zpdesc.h").meaning("the page seen as a struct zpdesc (a cast: zpdesc overlays struct page)")
                .impl((c, a) -> {
                    long pfn = c.pagePfn(a.get(0));
                    if (!isZsmalloc(c.machine(), pfn)) c.note("this page is not a zsmalloc page (page_type is not PGTY_zsmalloc): the zpdesc fields mean nothing here");
                    return Value.pointer(ZPDESC_PTR, Addresses.pageAddress(pfn));
                }));
        r.register(FunctionDef.prototype("struct page *zpdesc_page(struct zpdesc *zpdesc)").group(ZS)
                .source("mm/zpdesc.h").meaning("the same memory seen as a struct page (a cast)")
                .impl((c, a) -> CallContext.page(c.pfnOf(a.get(0)))));
        r.register(FunctionDef.prototype("unsigned long zpdesc_pfn(struct zpdesc *zpdesc)").group(ZS)
                .source("mm/zpdesc.h").meaning("page_to_pfn(zpdesc_page(zpdesc))")
                .impl((c, a) -> Value.ulong(c.pfnOf(a.get(0)))));
        r.register(FunctionDef.prototype("unsigned long handle_to_obj(unsigned long handle)").group(ZS)
                .source("mm/zsmalloc.c (static)").meaning("*(unsigned long *)handle: the obj zs_malloc recorded, (pfn << 24) | obj_idx")
                .impl((c, a) -> Value.ulong(c.read(a.get(0).bits(), 8))));
        r.register(FunctionDef.prototype("struct zpdesc *obj_to_zpdesc(unsigned long obj)").group(ZS)
                .source("mm/zsmalloc.c (static)").meaning("the zpdesc of the page the object starts in: pfn_zpdesc(obj >> OBJ_INDEX_BITS)")
                .simplification("the kernel's returns it through a struct zpdesc ** argument")
                .impl((c, a) -> Value.pointer(ZPDESC_PTR, Addresses.pageAddress(Zsmalloc.objToPfn(a.get(0).bits())))));
        r.register(FunctionDef.prototype("unsigned int lab_obj_index(unsigned long obj)").group(ZS)
                .source("(lab only; mm/zsmalloc.c obj_to_location)").meaning("obj & OBJ_INDEX_MASK: the object's index in its whole zspage")
                .simplification("the kernel's obj_to_location() returns zpdesc and index through pointers")
                .impl((c, a) -> Value.of(CType.UINT, Zsmalloc.objToIdx(a.get(0).bits()))));
        r.register(FunctionDef.prototype("struct zspage *get_zspage(struct zpdesc *zpdesc)").group(ZS)
                .source("mm/zsmalloc.c (static)").meaning("zpdesc->zspage, with the kernel's check that zspage->magic is 0x58")
                .simplification("where the lock lives: 6.18's struct zspage has its own lock word, zsl at offset 48 (readers "
                        + "of objects and compaction take it), while page migration still takes each page's PG_locked. Seed 002 "
                        + "(linux-mm, Oct 2021) proposed instead that every zsmalloc page point at its zspage through "
                        + "compound_head, so lock_page() on any of them would lock the struct zspage, which would then need page "
                        + "flags, _refcount and mapping at struct page's offsets")
                .impl((c, a) -> {
                    long pfn = c.pagePfn(a.get(0));
                    long z = c.machine().memmap().privateWord(pfn);
                    if (!isZsmalloc(c.machine(), pfn) || c.machine().zsmalloc().zspageAt(z) == null) {
                        throw KernelError.error("get_zspage(): PFN " + pfn + " is not part of a zspage: the kernel's "
                                + "BUG_ON(zspage->magic != ZSPAGE_MAGIC) would fire (or the read would fault)");
                    }
                    return Value.pointer(ZSPAGE_PTR, z);
                }));
        r.register(FunctionDef.prototype("void lab_zs_pool(struct zs_pool *pool)").group(ZS).source("(lab only)")
                .meaning("print the pool's classes in use: their zspages by fullness group, with PFNs, inuse and freeobj")
                .impl((c, a) -> {
                    Zsmalloc.Pool p = pool(c, a.get(0));
                    c.print(String.format("%s: pages_allocated %d, huge_class_size %d, caches %s and %s", p.name(),
                            p.pagesAllocated(), p.hugeClassSize(), p.handleCache().name(), p.zspageCache().name()));
                    for (Zsmalloc.SizeClass sc : Zsmalloc.distinctClasses(p)) {
                        if (sc.objsAllocated() == 0) continue;
                        c.print(String.format("  class %d: size %d, %d page(s) and %d objects per zspage%s; objects %d allocated, "
                                + "%d used", sc.index(), sc.size(), sc.pagesPerZspage(), sc.objsPerZspage(), sc.huge() ? " (huge)" : "",
                                sc.objsAllocated(), sc.objsInuse()));
                        for (int fg = Zsmalloc.NR_FULLNESS_GROUPS - 1; fg >= 0; fg--) {
                            for (Zsmalloc.Zspage z : sc.group(fg)) {
                                List<String> pf = new ArrayList<>();
                                for (long pfn : z.pfns()) pf.add(Long.toString(pfn));
                                c.print(String.format("    group %d: zspage 0x%016x, PFNs %s, inuse %d, freeobj %d", fg, z.address(),
                                        String.join(" ", pf), z.inuse(), z.freeobj()));
                            }
                        }
                    }
                    return Value.VOID;
                }));
    }
}

package org.memdesclab.sim.lang;

import static org.memdesclab.sim.lang.CallContext.folio;
import static org.memdesclab.sim.lang.CallContext.page;

import java.util.List;
import org.memdesclab.sim.Addresses;
import org.memdesclab.sim.DumpPage;
import org.memdesclab.sim.Gfp;
import org.memdesclab.sim.KernelError;
import org.memdesclab.sim.Machine;
import org.memdesclab.sim.PageFlag;
import org.memdesclab.sim.PageType;
import org.memdesclab.sim.Zone;

/**
 * The page allocator, reference counting, compound pages, folios, address conversions and debugging
 * helpers, with the kernel's names and prototypes (6.18).
 */
final class PageFunctions {
    static final String ALLOC = "Allocating and freeing pages";
    static final String REFS = "Reference counts";
    static final String COMPOUND = "Compound pages and folios";
    static final String FLAGS = "Page flags and types";
    static final String ADDR = "Addresses and PFNs";
    static final String BUDDY = "Buddy allocator arithmetic";
    static final String DEBUG = "Debugging";
    static final String LAB = "Lab extensions (not kernel functions)";

    private PageFunctions() {}

    private static int order(Value v) {
        long o = v.bits();
        return o > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) o;
    }

    private static int gfp(Value v) { return (int) v.bits(); }

    private static Value ptrOrNull(long pfn) { return pfn < 0 ? Value.pointer(CType.PAGE_PTR, 0) : page(pfn); }

    /** __pa(): direct-map address to physical; refuses addresses outside the direct map. */
    private static long pa(CallContext c, long addr) {
        if (!Addresses.inDirectMap(addr)) {
            throw KernelError.error(String.format("%s(): 0x%016x is not a direct-map address (virt_addr_valid() is false; "
                    + "the direct map starts at PAGE_OFFSET 0x%016x)", c.function(), addr, Addresses.PAGE_OFFSET));
        }
        return addr - Addresses.PAGE_OFFSET;
    }

    private static long readFlags(CallContext c, long pfn) { return c.machine().memmap().flags(pfn); }

    private static boolean isTail(CallContext c, long pfn) { return c.machine().memmap().isTail(pfn); }

    private static boolean isHead(CallContext c, long pfn) { return c.machine().memmap().isHead(pfn); }

    /** folio_test_large() then the order byte in page[1] (read through memory, as the kernel does). */
    private static int folioOrder(CallContext c, long pfn) {
        if (!isHead(c, pfn)) return 0;
        return (int) (c.read(Addresses.pageAddress(pfn + 1), 8) & 0xff);
    }

    private static long folioNrPages(CallContext c, long pfn) {
        if (!isHead(c, pfn)) return 1;
        return c.read(Addresses.pageAddress(pfn) + c.machine().profile().folio().offsetof("_nr_pages"), 4);
    }

    /** The PFN a struct folio * argument points at, with a teaching note when it is really a tail page. */
    private static long folioArg(CallContext c, Value folio) {
        long pfn = c.pagePfn(folio);
        if (isTail(c, pfn)) {
            c.note("this struct folio * is really a tail page (its word at offset 8 has bit 0 set); a genuine folio "
                    + "pointer comes from page_folio()");
        }
        return pfn;
    }

    static void register(FunctionRegistry r) {
        // ------------------------------------------------------------ allocating and freeing
        r.register(FunctionDef.prototype("struct page *alloc_pages(gfp_t gfp, unsigned int order)").mutates().group(ALLOC)
                .source("include/linux/gfp.h, mm/page_alloc.c")
                .meaning("allocate 2^order contiguous pages; returns the first struct page, or NULL")
                .simplification("no reclaim, compaction or OOM killer: a request that finds no free block fails at once; "
                        + "every request is MIGRATE_UNMOVABLE (mobility grouping is off in a zone this small)")
                .impl((c, a) -> ptrOrNull(c.machine().allocPages(gfp(a.get(0)), order(a.get(1))))));
        r.register(FunctionDef.prototype("struct page *alloc_page(gfp_t gfp)").mutates().group(ALLOC)
                .source("include/linux/gfp.h").meaning("alloc_pages(gfp, 0): one page")
                .impl((c, a) -> ptrOrNull(c.machine().allocPages(gfp(a.get(0)), 0))));
        r.register(FunctionDef.prototype("struct folio *folio_alloc(gfp_t gfp, unsigned int order)").mutates().group(ALLOC)
                .source("mm/page_alloc.c (folio_alloc_noprof)")
                .meaning("allocate a folio of 2^order pages: alloc_pages with __GFP_COMP, then PG_large_rmappable on a large folio")
                .impl((c, a) -> {
                    long pfn = c.machine().folioAlloc(gfp(a.get(0)), order(a.get(1)));
                    return pfn < 0 ? Value.pointer(CType.FOLIO_PTR, 0) : folio(pfn);
                }));
        r.register(FunctionDef.prototype("unsigned long __get_free_pages(gfp_t gfp, unsigned int order)").mutates().group(ALLOC)
                .source("mm/page_alloc.c").meaning("alloc_pages, then page_address: the pages' kernel virtual address, or 0")
                .impl((c, a) -> {
                    long pfn = c.machine().allocPages(gfp(a.get(0)) & ~Gfp.__GFP_HIGHMEM, order(a.get(1)));
                    return Value.ulong(pfn < 0 ? 0 : Addresses.directMapAddress(pfn));
                }));
        r.register(FunctionDef.prototype("unsigned long __get_free_page(gfp_t gfp)").mutates().group(ALLOC)
                .source("include/linux/gfp.h").meaning("__get_free_pages(gfp, 0)")
                .impl((c, a) -> {
                    long pfn = c.machine().allocPages(gfp(a.get(0)) & ~Gfp.__GFP_HIGHMEM, 0);
                    return Value.ulong(pfn < 0 ? 0 : Addresses.directMapAddress(pfn));
                }));
        r.register(FunctionDef.prototype("unsigned long get_zeroed_page(gfp_t gfp)").mutates().group(ALLOC)
                .source("mm/page_alloc.c").meaning("__get_free_page(gfp | __GFP_ZERO)")
                .simplification("page contents are not simulated: the zeroing only shows in the trace")
                .impl((c, a) -> {
                    long pfn = c.machine().allocPages((gfp(a.get(0)) | Gfp.__GFP_ZERO) & ~Gfp.__GFP_HIGHMEM, 0);
                    return Value.ulong(pfn < 0 ? 0 : Addresses.directMapAddress(pfn));
                }));
        r.register(FunctionDef.prototype("void __free_pages(struct page *page, unsigned int order)").mutates().group(ALLOC)
                .source("mm/page_alloc.c")
                .meaning("drop a reference; the last one frees the 2^order block (if others still hold a non-compound "
                        + "page, its upper parts are freed now)")
                .impl((c, a) -> {
                    c.machine().freePages(c.pagePfn(a.get(0)), order(a.get(1)));
                    return Value.VOID;
                }));
        r.register(FunctionDef.prototype("void __free_page(struct page *page)").mutates().group(ALLOC)
                .source("include/linux/gfp.h").meaning("__free_pages(page, 0)")
                .impl((c, a) -> {
                    c.machine().freePages(c.pagePfn(a.get(0)), 0);
                    return Value.VOID;
                }));
        r.register(FunctionDef.prototype("void free_pages(unsigned long addr, unsigned int order)").mutates().group(ALLOC)
                .source("mm/page_alloc.c").meaning("__free_pages(virt_to_page(addr), order); addr 0 does nothing")
                .impl((c, a) -> {
                    long addr = a.get(0).bits();
                    if (addr != 0) c.machine().freePages(pfnOfVirt(c, addr), order(a.get(1)));
                    return Value.VOID;
                }));
        r.register(FunctionDef.prototype("void free_page(unsigned long addr)").mutates().group(ALLOC)
                .source("include/linux/gfp.h").meaning("free_pages(addr, 0)")
                .impl((c, a) -> {
                    long addr = a.get(0).bits();
                    if (addr != 0) c.machine().freePages(pfnOfVirt(c, addr), 0);
                    return Value.VOID;
                }));
        r.register(FunctionDef.prototype("void split_page(struct page *page, unsigned int order)").mutates().group(ALLOC)
                .source("mm/page_alloc.c")
                .meaning("turn a non-compound order-n allocation into 2^n order-0 pages, each with refcount 1")
                .simplification("the VM_BUG_ON checks of a CONFIG_DEBUG_VM kernel are always on")
                .impl((c, a) -> {
                    c.machine().splitPage(c.pagePfn(a.get(0)), order(a.get(1)));
                    return Value.VOID;
                }));

        // ------------------------------------------------------------ references
        r.register(FunctionDef.prototype("void get_page(struct page *page)").mutates().group(REFS)
                .source("include/linux/mm.h").meaning("take a reference on the page's folio: folio_get(page_folio(page))")
                .impl((c, a) -> {
                    c.machine().getPage(c.pagePfn(a.get(0)));
                    return Value.VOID;
                }));
        r.register(FunctionDef.prototype("void put_page(struct page *page)").mutates().group(REFS)
                .source("include/linux/mm.h")
                .meaning("drop a reference on the page's folio: folio_put(page_folio(page)); the last one frees it")
                .impl((c, a) -> {
                    c.machine().putPage(c.pagePfn(a.get(0)));
                    return Value.VOID;
                }));
        r.register(FunctionDef.prototype("void folio_get(struct folio *folio)").mutates().group(REFS)
                .source("include/linux/mm.h").meaning("take a reference on a folio (its head page's _refcount)")
                .impl((c, a) -> {
                    long pfn = folioArg(c, a.get(0));
                    c.machine().folioGet(pfn);
                    return Value.VOID;
                }));
        r.register(FunctionDef.prototype("void folio_put(struct folio *folio)").mutates().group(REFS)
                .source("include/linux/mm.h, mm/swap.c (__folio_put)")
                .meaning("drop a reference on a folio; the last one frees all its pages")
                .impl((c, a) -> {
                    long pfn = folioArg(c, a.get(0));
                    c.machine().folioPut(pfn);
                    return Value.VOID;
                }));
        r.register(FunctionDef.prototype("int page_ref_count(const struct page *page)").group(REFS)
                .source("include/linux/page_ref.h").meaning("this struct page's own _refcount (0 on a tail page)")
                .impl((c, a) -> Value.integer(c.machine().memmap().refcount(c.pagePfn(a.get(0))))));
        r.register(FunctionDef.prototype("int page_count(const struct page *page)").group(REFS)
                .source("include/linux/mm.h").meaning("the reference count of the page's folio: folio_ref_count(page_folio(page))")
                .impl((c, a) -> {
                    long pfn = c.pagePfn(a.get(0));
                    return Value.integer(c.machine().memmap().refcount(headOf(c, pfn)));
                }));
        r.register(FunctionDef.prototype("int folio_ref_count(const struct folio *folio)").group(REFS)
                .source("include/linux/page_ref.h").meaning("the folio's reference count (_refcount of its first page)")
                .impl((c, a) -> {
                    long pfn = folioArg(c, a.get(0));
                    return Value.integer(c.machine().memmap().refcount(pfn));
                }));

        // ------------------------------------------------------------ compound pages and folios
        r.register(FunctionDef.prototype("struct page *compound_head(const struct page *page)").group(COMPOUND)
                .source("include/linux/page-flags.h")
                .meaning("the head page of a tail page (its word at offset 8 minus 1); any other page is its own head")
                .impl((c, a) -> page(headOf(c, c.pagePfn(a.get(0))))));
        r.register(FunctionDef.prototype("unsigned int compound_order(const struct page *page)").group(COMPOUND)
                .source("include/linux/mm.h").meaning("order of a compound page: 0 unless the page is a head (so 0 for a tail)")
                .impl((c, a) -> Value.of(CType.UINT, compoundOrder(c, c.pagePfn(a.get(0))))));
        r.register(FunctionDef.prototype("unsigned long compound_nr(const struct page *page)").group(COMPOUND)
                .source("include/linux/mm.h").meaning("number of pages in a compound page: 1 unless the page is a head")
                .impl((c, a) -> {
                    long pfn = c.pagePfn(a.get(0));
                    return Value.ulong(isHead(c, pfn) ? folioNrPages(c, pfn) : 1);
                }));
        r.register(FunctionDef.prototype("struct folio *page_folio(const struct page *page)").group(COMPOUND)
                .source("include/linux/page-flags.h").meaning("the folio a page belongs to: (struct folio *)compound_head(page)")
                .impl((c, a) -> folio(headOf(c, c.pagePfn(a.get(0))))));
        r.register(FunctionDef.prototype("struct page *folio_page(struct folio *folio, unsigned long n)").group(COMPOUND)
                .source("include/linux/page-flags.h").meaning("the n-th page of a folio: &folio->page + n (no bounds check)")
                .impl((c, a) -> {
                    long pfn = c.pfnOf(a.get(0));
                    return Value.pointer(CType.PAGE_PTR, Addresses.pageAddress(pfn) + a.get(1).bits() * Addresses.STRUCT_PAGE_SIZE);
                }));
        r.register(FunctionDef.prototype("unsigned int folio_order(const struct folio *folio)").group(COMPOUND)
                .source("include/linux/mm.h").meaning("0 for a small folio, else the low byte of _flags_1")
                .impl((c, a) -> {
                    long pfn = folioArg(c, a.get(0));
                    return Value.of(CType.UINT, folioOrder(c, pfn));
                }));
        r.register(FunctionDef.prototype("long folio_nr_pages(const struct folio *folio)").group(COMPOUND)
                .source("include/linux/mm.h").meaning("1 for a small folio, else _nr_pages")
                .impl((c, a) -> {
                    long pfn = folioArg(c, a.get(0));
                    return Value.of(CType.LONG, folioNrPages(c, pfn));
                }));
        r.register(FunctionDef.prototype("size_t folio_size(const struct folio *folio)").group(COMPOUND)
                .source("include/linux/mm.h").meaning("bytes in the folio: PAGE_SIZE << folio_order(folio)")
                .impl((c, a) -> {
                    long pfn = folioArg(c, a.get(0));
                    return Value.of(CType.SIZE_T, Addresses.PAGE_SIZE << folioOrder(c, pfn));
                }));
        r.register(FunctionDef.prototype("bool folio_test_large(const struct folio *folio)").group(COMPOUND)
                .source("include/linux/page-flags.h").meaning("true if the folio has more than one page (PG_head is set)")
                .impl((c, a) -> {
                    long pfn = folioArg(c, a.get(0));
                    return Value.of(CType.BOOL, isHead(c, pfn) ? 1 : 0);
                }));
        r.register(FunctionDef.prototype("int folio_mapcount(const struct folio *folio)").group(COMPOUND)
                .source("include/linux/rmap.h")
                .meaning("how many page tables map the folio: _mapcount + 1 (small) or _large_mapcount + 1 (large)")
                .impl((c, a) -> {
                    long pfn = folioArg(c, a.get(0));
                    return Value.integer(folioMapcount(c, pfn));
                }));
        r.register(FunctionDef.prototype("unsigned long folio_pfn(const struct folio *folio)").group(COMPOUND)
                .source("include/linux/mm.h").meaning("PFN of the folio's first page")
                .impl((c, a) -> Value.ulong(c.pfnOf(a.get(0)))));
        r.register(FunctionDef.prototype("void *folio_address(const struct folio *folio)").group(COMPOUND)
                .source("include/linux/mm.h").meaning("kernel virtual address of the folio's memory: page_address(&folio->page)")
                .impl((c, a) -> Value.pointer(CType.VOID_PTR, Addresses.directMapAddress(c.pfnOf(a.get(0))))));

        // ------------------------------------------------------------ flags and types
        predicate(r, "PageHead", "PG_head is set: the first page of a compound page or large folio",
                (c, pfn) -> isHead(c, pfn));
        predicate(r, "PageTail", "bit 0 of the word at offset 8 (compound_head) is set: a tail page",
                (c, pfn) -> isTail(c, pfn));
        predicate(r, "PageCompound", "PageHead or PageTail: part of a compound page",
                (c, pfn) -> isHead(c, pfn) || isTail(c, pfn));
        predicate(r, "PageBuddy", "page_type is PGTY_buddy: the first page of a free block on a buddy free list",
                (c, pfn) -> (c.machine().memmap().pageType(pfn) >>> 24) == PageType.PGTY_buddy.value());
        predicate(r, "PageReserved", "PG_reserved is set: never given to the page allocator",
                (c, pfn) -> (readFlags(c, pfn) & PageFlag.PG_reserved.mask()) != 0);

        // ------------------------------------------------------------ addresses
        r.register(FunctionDef.prototype("struct page *pfn_to_page(unsigned long pfn)").group(ADDR)
                .source("include/asm-generic/memory_model.h").meaning("vmemmap + pfn: the struct page of a page frame (no check)")
                .impl((c, a) -> Value.pointer(CType.PAGE_PTR, Addresses.VMEMMAP_BASE + a.get(0).bits() * Addresses.STRUCT_PAGE_SIZE)));
        r.register(FunctionDef.prototype("unsigned long page_to_pfn(const struct page *page)").group(ADDR)
                .source("include/asm-generic/memory_model.h").meaning("page - vmemmap: the page frame number")
                .impl((c, a) -> Value.ulong(c.pfnOf(a.get(0)))));
        r.register(FunctionDef.prototype("void *page_address(const struct page *page)").group(ADDR)
                .source("include/linux/mm.h (lowmem_page_address)")
                .meaning("the page's kernel virtual address in the direct map: PAGE_OFFSET + (pfn << PAGE_SHIFT)")
                .impl((c, a) -> Value.pointer(CType.VOID_PTR, Addresses.directMapAddress(c.pfnOf(a.get(0))))));
        r.register(FunctionDef.prototype("struct page *virt_to_page(const void *kaddr)").macro().group(ADDR)
                .source("arch/x86/include/asm/page.h").meaning("the struct page of a direct-map address: pfn_to_page(__pa(kaddr) >> PAGE_SHIFT)")
                .simplification("a macro in the kernel, so it takes pointers and unsigned long alike; addresses outside the "
                        + "direct map are refused instead of giving a bogus page")
                .impl((c, a) -> page(pfnOfVirt(c, a.get(0).bits()))));
        r.register(FunctionDef.prototype("phys_addr_t page_to_phys(const struct page *page)").group(ADDR)
                .source("arch/x86/include/asm/io.h").meaning("the page's physical address: pfn << PAGE_SHIFT")
                .impl((c, a) -> Value.of(CType.PHYS, Addresses.physAddress(c.pfnOf(a.get(0))))));
        r.register(FunctionDef.prototype("phys_addr_t virt_to_phys(const void *address)").macro().group(ADDR)
                .source("arch/x86/include/asm/io.h").meaning("__pa(address): direct-map address to physical address")
                .simplification("accepts unsigned long too; only direct-map addresses are accepted")
                .impl((c, a) -> Value.of(CType.PHYS, pa(c, a.get(0).bits()))));
        r.register(FunctionDef.prototype("unsigned long __pa(const void *x)").macro().group(ADDR)
                .source("arch/x86/include/asm/page.h").meaning("physical address of a direct-map address: x - PAGE_OFFSET")
                .simplification("a macro: takes pointers and integers; kernel-image addresses are not modelled")
                .impl((c, a) -> Value.ulong(pa(c, a.get(0).bits()))));
        r.register(FunctionDef.prototype("void *__va(unsigned long x)").macro().group(ADDR)
                .source("arch/x86/include/asm/page.h").meaning("direct-map address of a physical address: x + PAGE_OFFSET")
                .impl((c, a) -> Value.pointer(CType.VOID_PTR, a.get(0).bits() + Addresses.PAGE_OFFSET)));
        r.register(FunctionDef.prototype("int get_order(unsigned long size)").group(ADDR)
                .source("include/asm-generic/getorder.h").meaning("smallest order whose block (PAGE_SIZE << order) holds size bytes")
                .simplification("get_order(0) is undefined in the kernel; the lab returns what the formula gives (52)")
                .impl((c, a) -> {
                    long size = a.get(0).bits() - 1;
                    size >>>= Addresses.PAGE_SHIFT;
                    return Value.integer(64 - Long.numberOfLeadingZeros(size));
                }));

        // ------------------------------------------------------------ buddy arithmetic
        r.register(FunctionDef.prototype("unsigned long __find_buddy_pfn(unsigned long page_pfn, unsigned int order)").group(BUDDY)
                .source("mm/internal.h").meaning("PFN of a block's buddy: page_pfn ^ (1 << order); the merged block starts at page_pfn & buddy_pfn")
                .impl((c, a) -> {
                    if (a.get(1).bits() >= 64) throw KernelError.error("shift count >= width of type");
                    return Value.ulong(a.get(0).bits() ^ (1L << a.get(1).bits()));
                }));
        r.register(FunctionDef.prototype("unsigned int buddy_order(struct page *page)").group(BUDDY)
                .source("mm/internal.h").meaning("order of a free block: page->private of its PageBuddy first page")
                .impl((c, a) -> {
                    long pfn = c.pagePfn(a.get(0));
                    if (!c.machine().memmap().isBuddy(pfn)) {
                        c.note("this page is not PageBuddy, so its private word is not a buddy order (only the first page "
                                + "of a free block carries one)");
                    }
                    return Value.of(CType.UINT, c.machine().memmap().privateWord(pfn));
                }));

        // ------------------------------------------------------------ debugging
        r.register(FunctionDef.prototype("void memdesc_cost(void)").group(DEBUG)
                .source("lab function, not a kernel one (the arithmetic of kernelnewbies MatthewWilcox/Memdescs)")
                .meaning("print what describing this machine's memory costs in its kernel profile: memmap bytes (pages x "
                        + "sizeof(struct page)), separately allocated descriptor bytes, and the percentage of memory")
                .simplification("64-byte struct pages cost 1.5625 %, one word 0.1953125 % plus descriptors; descriptor bytes are "
                        + "the slab pages of the memdesc profiles' folio, slab, ptdesc and netmem_desc caches plus the static struct slabs of the slab "
                        + "cache's own pages (the lab's answer to the bootstrapping problem). compare_profiles replays this "
                        + "console's statements under every profile and prints one row each")
                .impl((c, a) -> {
                    c.printAll(org.memdesclab.sim.MemdescCost.of(c.machine()).lines());
                    return Value.VOID;
                }));
        r.register(FunctionDef.prototype("void dump_page(const struct page *page, [const char *reason])").group(DEBUG)
                .source("mm/debug.c")
                .meaning("print the page's state as the kernel does: refcount, mapcount, flags, page type, raw words")
                .simplification("pointers are printed unhashed (as with no_hash_pointers); the reason is optional")
                .impl((c, a) -> {
                    long pfn = c.pagePfn(a.get(0));
                    c.printAll(DumpPage.dump(c.machine(), pfn));
                    if (a.size() > 1 && a.get(1).text() != null) c.print("page dumped because: " + a.get(1).text());
                    return Value.VOID;
                }));

        // ------------------------------------------------------------ lab extensions
        r.register(FunctionDef.prototype("int smp_processor_id(void)").group(LAB)
                .source("include/linux/smp.h").meaning("the CPU the console's statements run on")
                .impl((c, a) -> Value.integer(c.machine().cpu())));
        r.register(FunctionDef.prototype("void set_cpu(int cpu)").mutates().group(LAB)
                .source("(lab only)").meaning("run the next statements on another CPU (it matters for the per-CPU page lists)")
                .simplification("not a kernel function: a kernel task would migrate, or use smp_call_function")
                .impl((c, a) -> {
                    c.machine().setCpu((int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, a.get(0).bits())));
                    return Value.VOID;
                }));
        r.register(FunctionDef.prototype("void drain_all_pages(void)").mutates().group(LAB)
                .source("mm/page_alloc.c").meaning("return every CPU's per-CPU pages to the buddy free lists")
                .simplification("the kernel's takes a struct zone * (NULL = all zones); the lab has one zone")
                .impl((c, a) -> {
                    c.machine().drainAllPages();
                    return Value.VOID;
                }));
        r.register(FunctionDef.prototype("void lab_free_lists(void)").group(LAB)
                .source("(lab only)").meaning("print each non-empty buddy free list, head to tail, as PFNs: free_area[k]: a b ...")
                .impl((c, a) -> {
                    boolean any = false;
                    for (int o = 0; o < Zone.NR_PAGE_ORDERS; o++) {
                        long[] l = c.machine().zone().freeList(o);
                        if (l.length == 0) continue;
                        any = true;
                        c.print("free_area[" + o + "]: " + join(l));
                    }
                    if (!any) c.print("(every buddy free list is empty)");
                    return Value.VOID;
                }));
        r.register(FunctionDef.prototype("void lab_pcp_lists(void)").group(LAB)
                .source("(lab only)").meaning("print each non-empty per-CPU page list, head to tail: cpu N order K (count C): a b ...")
                .impl((c, a) -> {
                    Machine m = c.machine();
                    if (m.pcp() == null) {
                        c.print("(this machine runs without per-CPU page lists: start it with --pcp)");
                        return Value.VOID;
                    }
                    boolean any = false;
                    for (int cpu = 0; cpu < m.config().cpus(); cpu++) {
                        for (int o = 0; o <= Zone.PAGE_ALLOC_COSTLY_ORDER; o++) {
                            long[] l = m.pcpList(cpu, o);
                            if (l.length == 0) continue;
                            any = true;
                            c.print("cpu " + cpu + " order " + o + " (count " + m.pcp().count(cpu) + "): " + join(l));
                        }
                    }
                    if (!any) c.print("(every per-CPU page list is empty)");
                    return Value.VOID;
                }));
    }

    private static String join(long[] pfns) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < pfns.length; i++) sb.append(i > 0 ? " " : "").append(pfns[i]);
        return sb.toString();
    }

    private interface PagePredicate {
        boolean test(CallContext c, long pfn);
    }

    private static void predicate(FunctionRegistry r, String name, String meaning, PagePredicate p) {
        r.register(FunctionDef.prototype("int " + name + "(const struct page *page)").group(FLAGS)
                .source("include/linux/page-flags.h").meaning(meaning)
                .impl((c, a) -> Value.integer(p.test(c, c.pagePfn(a.get(0))) ? 1 : 0)));
    }

    /** compound_head() as the kernel decodes it: a tail's word minus 1, checked to be one of our struct pages. */
    static long headOf(CallContext c, long pfn) {
        long w = c.machine().memmap().compoundWord(pfn);
        if ((w & 1) == 0) return pfn;
        long head = w - 1;
        long off = head - Addresses.VMEMMAP_BASE;
        if (!Addresses.inVmemmap(head) || off % Addresses.STRUCT_PAGE_SIZE != 0 || !c.machine().validPfn(off / Addresses.STRUCT_PAGE_SIZE)) {
            throw KernelError.error(String.format("%s(): the tail word of PFN %d (0x%016x) does not point at a struct page",
                    c.function(), pfn, w));
        }
        return off / Addresses.STRUCT_PAGE_SIZE;
    }

    private static int compoundOrder(CallContext c, long pfn) {
        if (!isHead(c, pfn)) return 0;
        return (int) (c.read(Addresses.pageAddress(pfn + 1), 8) & 0xff);
    }

    private static int folioMapcount(CallContext c, long pfn) {
        if (!isHead(c, pfn)) {
            int t = c.machine().memmap().pageType(pfn);
            return PageType.hasType(t) ? 0 : t + 1;
        }
        long off = c.machine().profile().folio().offsetof("_large_mapcount");
        return (int) c.read(Addresses.pageAddress(pfn) + off, 4) + 1;
    }

    private static long pfnOfVirt(CallContext c, long addr) {
        long pfn = pa(c, addr) >>> Addresses.PAGE_SHIFT;
        return pfn;
    }
}

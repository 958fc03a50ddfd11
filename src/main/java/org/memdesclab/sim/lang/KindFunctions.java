package org.memdesclab.sim.lang;

import org.memdesclab.sim.Compaction;
import org.memdesclab.sim.KernelError;
import org.memdesclab.sim.MemoryFailure;
import org.memdesclab.sim.PageOwnerType;

/**
 * Every memory type of seed 000's table from the console (vmalloc, kernel stacks, page_pool, the
 * balloon), and the three PFN walkers of seed 004 that must work out a page's type from the memmap:
 * page_owner_type (the lab's classifier), memory_failure and compaction.
 */
final class KindFunctions {
    static final String KINDS = "Memory types";
    static final String WALKERS = "PFN walkers";
    static final CType.Ptr PAGE_POOL_PTR = CType.ptrTo("page_pool");

    private KindFunctions() {}

    private static Value pageOrNull(long pfn) { return pfn < 0 ? Value.pointer(CType.PAGE_PTR, 0) : CallContext.page(pfn); }

    private static long pool(CallContext c, Value v) {
        if (v.bits() == 0) throw c.nullDeref(0);
        if (!c.machine().memoryTypes().isPagePool(v.bits())) {
            throw KernelError.error(String.format("%s(): 0x%016x is not a struct page_pool (pools come from page_pool_create())",
                    c.function(), v.bits()));
        }
        return v.bits();
    }

    static void register(FunctionRegistry r) {
        r.register(FunctionDef.prototype("void *vmalloc(unsigned long size)").mutates().group(KINDS)
                .source("mm/vmalloc.c (__vmalloc_node_range, vm_area_alloc_pages)")
                .meaning("virtually contiguous memory: order-0 pages from anywhere in the zone, mapped one after another from "
                        + "VMALLOC_START (0xffffc90000000000), with a one-page guard gap after each area. NULL and a warning for "
                        + "size 0 or more pages than are free")
                .simplification("areas are placed first fit; the pages' struct pages carry no mark of vmalloc (as in the kernel), "
                        + "so page_owner_type can only say 'kernel page'; the contents are not stored")
                .impl((c, a) -> Value.pointer(CType.VOID_PTR, c.machine().memoryTypes().vmalloc(a.get(0).bits()))));
        r.register(FunctionDef.prototype("void vfree(const void *addr)").mutates().group(KINDS)
                .source("mm/vmalloc.c").meaning("free a vmalloc area: each page back to the buddy allocator; vfree(NULL) does nothing")
                .simplification("a stray address gets the kernel's 'Trying to vfree() nonexistent vm area' warning and changes nothing")
                .impl((c, a) -> {
                    c.machine().memoryTypes().vfree(a.get(0).bits(), "vfree");
                    return Value.VOID;
                }));
        r.register(FunctionDef.prototype("struct page *vmalloc_to_page(const void *addr)").group(KINDS)
                .source("mm/vmalloc.c").meaning("the page behind a vmalloc address (the kernel walks the page tables), or NULL")
                .impl((c, a) -> pageOrNull(c.machine().memoryTypes().vmallocToPfn(a.get(0).bits()))));
        r.register(FunctionDef.prototype("void *alloc_thread_stack_node(int node)").mutates().group(KINDS)
                .source("kernel/fork.c (CONFIG_VMAP_STACK)")
                .meaning("a kernel stack: THREAD_SIZE (16 KiB) of vmalloc memory, four order-0 pages; returns the stack's base")
                .simplification("the kernel's takes a task_struct and caches two freed stacks per CPU; the lab returns the "
                        + "address and caches nothing")
                .impl((c, a) -> Value.pointer(CType.VOID_PTR, c.machine().memoryTypes().allocThreadStack())));
        r.register(FunctionDef.prototype("void free_thread_stack(void *stack)").mutates().group(KINDS)
                .source("kernel/fork.c").meaning("free a kernel stack from alloc_thread_stack_node (vfree of its area)")
                .simplification("the kernel's takes the task_struct")
                .impl((c, a) -> {
                    c.machine().memoryTypes().vfree(a.get(0).bits(), "free_thread_stack");
                    return Value.VOID;
                }));
        r.register(FunctionDef.prototype("struct page_pool *page_pool_create(void)").mutates().group(KINDS)
                .source("net/core/page_pool.c").meaning("a page_pool, the network stack's recycling page allocator")
                .simplification("the kernel's takes struct page_pool_params; the lab's pool has no parameters and no recycling "
                        + "ring, and lives outside the zone")
                .impl((c, a) -> Value.pointer(PAGE_POOL_PTR, c.machine().memoryTypes().pagePoolCreate())));
        r.register(FunctionDef.prototype("struct page *page_pool_dev_alloc_pages(struct page_pool *pool)").mutates().group(KINDS)
                .source("include/net/page_pool/helpers.h, net/core/page_pool.c (page_pool_set_pp_info)")
                .meaning("an order-0 page for the pool: pp_magic (offset 8) = PP_SIGNATURE 0xdead000000000040 and pp (offset 16) "
                        + "= the pool, over the words lru uses elsewhere; pp_ref_count (offset 40) = 1. The kernel recognises such a "
                        + "page by (pp_magic & ~0x3) == PP_SIGNATURE; 6.18 has no PGTY_netpp page type (that came later)")
                .simplification("6.18 also keeps a DMA index in the upper bits of pp_magic; the lab does not")
                .impl((c, a) -> pageOrNull(c.machine().memoryTypes().pagePoolAlloc(pool(c, a.get(0))))));
        r.register(FunctionDef.prototype("void page_pool_put_full_page(struct page_pool *pool, struct page *page, bool allow_direct)")
                .mutates().group(KINDS).source("include/net/page_pool/helpers.h, net/core/page_pool.c")
                .meaning("give the page back: the lab has no ring, so page_pool_return_page clears pp_magic and pp and puts the page")
                .impl((c, a) -> {
                    c.machine().memoryTypes().pagePoolPut(pool(c, a.get(0)), c.pagePfn(a.get(1)));
                    return Value.VOID;
                }));
        r.register(FunctionDef.prototype("struct page *balloon_page_alloc(void)").mutates().group(KINDS)
                .source("mm/balloon_compaction.c").meaning("an order-0 page a balloon driver will give to the hypervisor")
                .impl((c, a) -> pageOrNull(c.machine().memoryTypes().balloonPageAlloc())));
        r.register(FunctionDef.prototype("void balloon_page_enqueue(struct page *page)").mutates().group(KINDS)
                .source("mm/balloon_compaction.c (balloon_page_insert)")
                .meaning("inflate: the page is logically offline, page_type = PGTY_offline (0xf1000000)")
                .simplification("one balloon (the kernel's takes a struct balloon_dev_info); balloon pages are not migrated by "
                        + "the lab's compaction")
                .impl((c, a) -> {
                    c.machine().memoryTypes().balloonPageEnqueue(c.pagePfn(a.get(0)));
                    return Value.VOID;
                }));
        r.register(FunctionDef.prototype("struct page *balloon_page_dequeue(void)").mutates().group(KINDS)
                .source("mm/balloon_compaction.c")
                .meaning("deflate: a page leaves the balloon (PGTY_offline cleared); the driver then frees it with put_page. NULL "
                        + "if the balloon is empty")
                .simplification("the lab takes the lowest PGTY_offline PFN (the kernel's list order differs)")
                .impl((c, a) -> pageOrNull(c.machine().memoryTypes().balloonDeflate())));
        r.register(FunctionDef.prototype("void lab_boot_debug_guardpage_minorder(unsigned int order)").mutates().group(KINDS)
                .source("mm/debug_page_alloc.c (debug_guardpage_minorder=, set_page_guard); mm/page_alloc.c (expand, __free_one_page)")
                .meaning("boot with debug_pagealloc=on debug_guardpage_minorder=order: when a block is split, halves below that "
                        + "order become guard pages (PGTY_guard 0xf3000000, order in private), not free blocks; they are not "
                        + "counted free and merge back like a free buddy when their neighbour is freed")
                .simplification("a boot parameter in the kernel; the lab accepts it only while nothing is allocated. Only the "
                        + "guard block's first page shows G in the memmap")
                .impl((c, a) -> {
                    c.machine().memoryTypes().bootDebugGuardpageMinorder((int) a.get(0).bits());
                    return Value.VOID;
                }));
        r.register(FunctionDef.prototype("void page_owner_type(struct page *page)").group(WALKERS)
                .source("(lab only; the checks of mm/compaction.c, mm/memory-failure.c and page-flags.h)")
                .meaning("what the page is for and whether it may be mapped to user space, read from the memmap alone (page "
                        + "type, mapping bits, pp_magic, PG_reserved, counts), as the kernel's PFN walkers must")
                .simplification("a lab function: the kernel has no single classifier. Where struct page cannot tell (vmalloc, a "
                        + "kernel stack, a driver's pages) it says so, and adds what the lab's allocation records know, as "
                        + "CONFIG_PAGE_OWNER would")
                .impl((c, a) -> {
                    long pfn = c.pagePfn(a.get(0));
                    c.print(PageOwnerType.describe(c.machine(), pfn));
                    String note = PageOwnerType.pageOwnerNote(c.machine(), pfn);
                    if (note != null) c.print(note);
                    return Value.VOID;
                }));
        r.register(FunctionDef.prototype("int memory_failure(unsigned long pfn, int flags)").mutates().group(WALKERS)
                .source("mm/memory-failure.c (memory_failure, get_hwpoison_page, take_page_off_buddy, action_result)")
                .meaning("a hardware memory error at pfn: PG_hwpoison, then by owner: a free buddy page is taken off its free "
                        + "list for good (Recovered, 0); user folios go to their owner; slab, page-table, zsmalloc, reserved and "
                        + "other kernel pages are unhandlable (Ignored, -EBUSY); a second hit is -EHWPOISON. Prints the kernel's lines")
                .simplification("flags are ignored (no MF_ACTION_REQUIRED); no hugetlb or ZONE_DEVICE path; a poisoned order-0 "
                        + "page that is later freed is kept off the free lists, as free_pages_prepare does")
                .impl((c, a) -> {
                    MemoryFailure.Result res = MemoryFailure.run(c.machine(), a.get(0).bits());
                    c.printAll(res.log());
                    return Value.integer(res.ret());
                }));
        r.register(FunctionDef.prototype("void compact_zone(int order)").mutates().group(WALKERS)
                .source("mm/compaction.c (compact_zone, isolate_migratepages_block, isolate_freepages_block, compaction_alloc, "
                        + "__compact_finished)")
                .meaning("compaction for an order-order allocation (-1: the whole zone, as echo 1 > /proc/sys/vm/compact_memory): "
                        + "the migration scanner walks up from PFN 0, the free scanner down from the end, block by block; movable "
                        + "pages (zsmalloc pages, user folios) move into free pages near the end until a free order-order block "
                        + "exists (COMPACT_SUCCESS) or the scanners meet (COMPACT_COMPLETE). Prints the result and what stayed")
                .simplification("the kernel's takes a struct compact_control. One migratetype, no watermarks or deferral; "
                        + "machines under 1024 pages are scanned in blocks of 8 pages instead of pageblocks of 512; per-CPU "
                        + "free pages are not drained first")
                .impl((c, a) -> {
                    Compaction.Result res = Compaction.compactZone(c.machine(), (int) a.get(0).bits());
                    c.print(String.format("%s: migrated %d page(s); migration scanner at PFN %d, free scanner at PFN %d", res.result(),
                            res.migrated(), res.migratePfn(), Math.max(res.freePfn(), 0)));
                    if (!res.result().equals(Compaction.COMPACT_SUCCESS) || res.order() < 0) {
                        for (String u : res.unmovable()) c.print("  stayed: " + u);
                    }
                    return Value.VOID;
                }));
    }
}

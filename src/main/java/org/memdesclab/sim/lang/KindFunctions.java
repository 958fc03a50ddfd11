package org.memdesclab.sim.lang;

import org.memdesclab.sim.Compaction;
import org.memdesclab.sim.KernelError;
import org.memdesclab.sim.MemoryFailure;
import org.memdesclab.sim.FlagsWord;
import org.memdesclab.sim.PageOwnerType;
import org.memdesclab.sim.ZoneDevice;

/**
 * Every memory type of seed 000's table from the console (vmalloc, kernel stacks, page_pool, the
 * balloon), and the three PFN walkers of seed 004 that must work out a page's type from the memmap:
 * page_owner_type (the lab's classifier), memory_failure and compaction.
 */
final class KindFunctions {
    static final String KINDS = "Memory types";
    static final String WALKERS = "PFN walkers";
    static final CType.Ptr PAGE_POOL_PTR = CType.ptrTo("page_pool");
    static final CType.Ptr PGMAP_PTR = CType.ptrTo("dev_pagemap");

    /** Console constants: enum memory_type. */
    static java.util.Map<String, Value> constants() {
        java.util.Map<String, Value> c = new java.util.LinkedHashMap<>();
        for (ZoneDevice.Type t : ZoneDevice.Type.values()) c.put(t.name(), Value.integer(t.value()));
        return c;
    }

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
        r.register(FunctionDef.prototype("int hugetlb_pool_grow(int n)").mutates().group(KINDS)
                .source("(lab; mm/hugetlb.c set_max_huge_pages, alloc_pool_huge_folio, __folio_set_hugetlb)")
                .meaning("echo more into /proc/sys/vm/nr_hugepages: up to n order-9 folios leave the buddy allocator for the "
                        + "2 MiB hugetlb pool, each with page_type PGTY_hugetlb (0xf4000000) and refcount 0 on the free list. "
                        + "Returns how many were added (fewer when no order-9 block is free)")
                .simplification("one hstate (2 MiB), one node, no surplus pages, no shrinking, no HVO (all struct pages stay "
                        + "writable), no hugetlbfs mapping")
                .impl((c, a) -> Value.integer(c.machine().memoryTypes().hugetlbPoolGrow((int) a.get(0).bits()))));
        r.register(FunctionDef.prototype("struct folio *alloc_hugetlb_folio([struct vm_area_struct *vma], [unsigned long addr], "
                        + "[bool cow_from_owner])").mutates().group(KINDS).source("mm/hugetlb.c")
                .meaning("take a free folio from the hugetlb pool (dequeue_hugetlb_folio_vma): refcount 1; NULL (the kernel's "
                        + "-ENOSPC) when the pool has none free. folio_put of the last reference returns it to the pool "
                        + "(free_huge_folio), never to the buddy allocator")
                .simplification("the arguments are ignored: no reservations, no cgroup charge, no mapping")
                .impl((c, a) -> {
                    long h = c.machine().memoryTypes().allocHugetlbFolio();
                    return h < 0 ? Value.pointer(CType.FOLIO_PTR, 0) : CallContext.folio(h);
                }));
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
                .meaning("inflate: the page is logically offline, page_type = PGTY_offline (0xf1000000); with "
                        + "CONFIG_BALLOON_COMPACTION it is also movable: PG_movable_ops (bit 3) and private = the balloon_dev_info, "
                        + "so compaction can move it (balloon_page_migrate)")
                .simplification("one balloon (the kernel's takes a struct balloon_dev_info); the balloon's page list is not kept "
                        + "in lru")
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
        r.register(FunctionDef.prototype("struct dev_pagemap *devm_memremap_pages(unsigned long nr_pages, int type)").mutates()
                .group(KINDS).source("mm/memremap.c (memremap_pages, pagemap_range), mm/mm_init.c (memmap_init_zone_device, "
                        + "__init_zone_device_page)")
                .meaning("device memory gets struct pages in ZONE_DEVICE: zone 4 in the flags word (0x27ffffc0000000 on node 0), "
                        + "PG_reserved, pgmap (offset 8) = the struct dev_pagemap, zone_device_data (offset 16) = NULL, refcount 1 "
                        + "for MEMORY_DEVICE_GENERIC and 0 for MEMORY_DEVICE_PRIVATE, _COHERENT, _FS_DAX and _PCI_P2PDMA (their "
                        + "driver allocates them). The pages never reach the buddy allocator. Returns the pgmap")
                .simplification("the kernel's takes a struct device and a filled-in struct dev_pagemap and returns the range's "
                        + "kernel address. The lab has one memmap, so the range is the top nr_pages PFNs of the machine (below any "
                        + "earlier range), which must be free; they leave the zone, as if booted with that range as device memory. "
                        + "Only FS DAX pages are mapped to user space (through lab_dax_file), and there is no device-side allocator")
                .impl((c, a) -> {
                    ZoneDevice.Type t = ZoneDevice.Type.of((int) a.get(1).bits());
                    if (t == null) throw KernelError.error("devm_memremap_pages(): type " + a.get(1).bits() + " is not an enum memory_type "
                            + "(MEMORY_DEVICE_PRIVATE 1 .. MEMORY_DEVICE_PCI_P2PDMA 5)");
                    return Value.pointer(PGMAP_PTR, c.machine().zoneDevice().devmMemremapPages(a.get(0).bits(), t));
                }));
        r.register(FunctionDef.prototype("struct address_space *lab_dax_file(const char *name, struct dev_pagemap *pgmap)").mutates()
                .group(KINDS).source("(lab; fs/dax.c dax_iomap_pte_fault, dax_associate_entry; mm/memory.c vmf_insert_page_mkwrite, "
                        + "insert_page; mm/memremap.c free_zone_device_folio)")
                .meaning("a file on a filesystem mounted -o dax over a MEMORY_DEVICE_FS_DAX pgmap (type 3): lab_mmap it MAP_SHARED "
                        + "and a fault maps the device page itself, no page cache: the first use sets folio->mapping = the file's "
                        + "address_space and index = the file offset (dax_associate_entry), each mapping adds a reference and a "
                        + "mapcount (insert_page). munmap or exit drops them; at refcount 0 free_zone_device_folio() leaves the page in "
                        + "its pgmap (FS DAX only wakes waiters and keeps mapping), never in the buddy allocator. lab_vmas shows "
                        + "VM_HUGEPAGE, as ext4 and xfs set for DAX. memory_failure on a used block: SIGBUS to every mapper, "
                        + "'dax page: Recovered', the page stays poisoned in the pgmap")
                .simplification("the lab's filesystem is the identity: file offset i is the pgmap's PFN start + i, one file per pgmap, "
                        + "as large as the range. Every fault maps one 4 KiB PTE (no dax_iomap_pmd_fault); no DAX entries in i_pages, "
                        + "no dirty tracking (DAX writes go straight to the device), no truncate, no MAP_SYNC; the pgmap cannot be "
                        + "unmapped while the file exists")
                .impl((c, a) -> {
                    String name = a.get(0).text();
                    if (name == null) throw KernelError.error("lab_dax_file(): the name must be a string literal, e.g. \"pmem0-file\"");
                    if (a.get(1).bits() == 0) throw c.nullDeref(0);
                    return Value.pointer(MmFunctions.MAPPING_PTR, c.machine().userMemory().createDaxFile(name, a.get(1).bits()).address());
                }));
        r.register(FunctionDef.prototype("void memunmap_pages(struct dev_pagemap *pgmap)").mutates().group(KINDS)
                .source("mm/memremap.c")
                .meaning("tear a ZONE_DEVICE range down; the lab then gives its PFNs to the buddy allocator, as hot-adding the "
                        + "range as System RAM would (daxctl reconfigure-device --mode=system-ram)")
                .simplification("refused while a page is in use (the kernel waits for the last reference); the lowest range goes first")
                .impl((c, a) -> {
                    if (a.get(0).bits() == 0) throw c.nullDeref(0);
                    c.machine().zoneDevice().memunmapPages(a.get(0).bits());
                    return Value.VOID;
                }));
        r.register(FunctionDef.prototype("bool is_zone_device_page(const struct page *page)").group(KINDS)
                .source("include/linux/mmzone.h").meaning("page_zonenum(page) == ZONE_DEVICE: the zone field of the flags word is 4")
                .impl((c, a) -> Value.of(CType.BOOL, FlagsWord.isZoneDevice(c.machine().memmap().flags(c.pagePfn(a.get(0)))) ? 1 : 0)));
        r.register(FunctionDef.prototype("struct dev_pagemap *page_pgmap(const struct page *page)").group(KINDS)
                .source("include/linux/memremap.h").meaning("a ZONE_DEVICE page's pgmap (folio->pgmap, offset 8)")
                .impl((c, a) -> {
                    long pfn = c.pagePfn(a.get(0));
                    if (!FlagsWord.isZoneDevice(c.machine().memmap().flags(pfn))) {
                        throw KernelError.error("page_pgmap(): PFN " + pfn + " is not a ZONE_DEVICE page (the kernel's VM_WARN_ON_ONCE_PAGE)");
                    }
                    return Value.pointer(PGMAP_PTR, c.machine().memmap().word(pfn, 1));
                }));
        r.register(FunctionDef.prototype("int vm_insert_page(struct vm_area_struct *vma, unsigned long addr, struct page *page)")
                .mutates().group(KINDS).source("mm/memory.c (vm_insert_page, validate_page_before_insert, insert_page_into_pte_locked)")
                .meaning("a driver maps one of its pages (alloc_pages) into a process: the VMA becomes VM_MIXEDMAP, the page gains "
                        + "a reference and a mapping (its _mapcount goes from -1 to 0), and page_owner_type then says 'driver page "
                        + "mapped to user space' (M in the memmap). munmap, fork (the child maps it too) and exit drop or add "
                        + "mappings as for any page. Returns 0, -EFAULT, -EINVAL (anonymous, slab or typed page), -EBUSY or -ENOMEM")
                .simplification("the driver's VMA would belong to its device file; the lab takes an anonymous VMA nothing has "
                        + "faulted in yet and treats it as the driver's shared mapping (no copy-on-write); other addresses in it "
                        + "fault with VM_FAULT_SIGBUS")
                .impl((c, a) -> {
                    long addr = a.get(0).bits();
                    if (addr == 0) throw c.nullDeref(0);
                    var e = c.machine().userMemory().vmaAt(addr);
                    if (e == null) throw KernelError.error(String.format("vm_insert_page(): 0x%016x is not a live vm_area_struct "
                            + "(find_vma() gives one)", addr));
                    return Value.integer(c.machine().userMemory().vmInsertPage(e.getKey(), e.getValue(), a.get(1).bits(), c.pagePfn(a.get(2))));
                }));
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
                .simplification("flags are ignored (no MF_ACTION_REQUIRED). hugetlb: a free pool folio is dissolved ('free huge page: "
                        + "Recovered'); an in-use one gets PG_hwpoison on the folio, 'huge page: Failed', -EBUSY, and the pool never "
                        + "hands it out again (the lab's hugetlb folios are never mapped). A page of a large folio: PG_has_hwpoisoned, "
                        + "then try_to_split_thp_page() (split_folio's rules); if the split fails (pinned, referenced, locked) "
                        + "the failed-split path: SIGBUS to every mapper, 'unsplit thp: Failed', -EHWPOISON. A ZONE_DEVICE page goes to "
                        + "memory_failure_dev_pagemap: a block of a DAX file (lab_dax_file) gets PG_hwpoison, its mappers SIGBUS, "
                        + "'dax page: Recovered', 0; any other device page has no mapping, so dax_lock_folio fails, 'dax page: Failed', "
                        + "-EBUSY, no PG_hwpoison. A poisoned order-0 page that is later freed is kept off the free lists, as "
                        + "free_pages_prepare does")
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
                        + "pages (zsmalloc pages, user folios, balloon pages) move into free pages near the end until a free order-order block "
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

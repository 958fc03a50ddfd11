package org.memdesclab.sim.lang;

import static org.memdesclab.sim.lang.CallContext.folio;
import static org.memdesclab.sim.lang.CallContext.page;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.memdesclab.sim.Addresses;
import org.memdesclab.sim.AddressSpace;
import org.memdesclab.sim.KernelError;
import org.memdesclab.sim.Mm;
import org.memdesclab.sim.PageFlag;
import org.memdesclab.sim.PageType;
import org.memdesclab.sim.UserMemory;

/**
 * Processes, page tables, the page cache, the LRU lists and GUP from the console: kernel functions with
 * their 6.18 prototypes where one fits a console (an mm, an address, a folio), and lab_ helpers where the
 * kernel's entry point is a system call or fills an array.
 */
final class MmFunctions {
    static final String PROC = "Processes and page tables";
    static final String CACHE = "The page cache";
    static final String LRU = "LRU lists and reclaim";
    static final String GUP = "GUP (get_user_pages, pin_user_pages)";
    static final CType.Ptr MM_PTR = CType.ptrTo("mm_struct");
    static final CType.Ptr VMA_PTR = CType.ptrTo("vm_area_struct");
    static final CType.Ptr MAPPING_PTR = CType.ptrTo("address_space");
    static final CType.Ptr PTDESC_PTR = CType.ptrTo("ptdesc");

    private static final String MODEL = "x86_64 4-level paging (PGD, PUD, PMD, PTE; P4D folded), 4 KiB pages and, in VM_HUGEPAGE "
            + "anonymous VMAs, 2 MiB THPs mapped by a huge PMD, a PGD of one page (a kernel without page-table isolation: with PTI it is order 1), user half only";

    private MmFunctions() {}

    /** Console constants for this area: mmap's PROT_ and MAP_, fault flags and codes, GUP flags. */
    static Map<String, Value> constants() {
        Map<String, Value> c = new LinkedHashMap<>();
        c.put("PROT_READ", Value.ulong(UserMemory.PROT_READ));
        c.put("PROT_WRITE", Value.ulong(UserMemory.PROT_WRITE));
        c.put("PROT_EXEC", Value.ulong(UserMemory.PROT_EXEC));
        c.put("MAP_SHARED", Value.ulong(UserMemory.MAP_SHARED));
        c.put("MAP_PRIVATE", Value.ulong(UserMemory.MAP_PRIVATE));
        c.put("MAP_FIXED", Value.ulong(UserMemory.MAP_FIXED));
        c.put("MAP_ANONYMOUS", Value.ulong(UserMemory.MAP_ANONYMOUS));
        c.put("FAULT_FLAG_WRITE", Value.of(CType.UINT, UserMemory.FAULT_FLAG_WRITE));
        c.put("VM_FAULT_OOM", Value.of(CType.UINT, UserMemory.VM_FAULT_OOM));
        c.put("VM_FAULT_SIGBUS", Value.of(CType.UINT, UserMemory.VM_FAULT_SIGBUS));
        c.put("VM_FAULT_SIGSEGV", Value.of(CType.UINT, UserMemory.VM_FAULT_SIGSEGV));
        c.put("FOLL_WRITE", Value.of(CType.UINT, UserMemory.FOLL_WRITE));
        c.put("FOLL_FORCE", Value.of(CType.UINT, UserMemory.FOLL_FORCE));
        c.put("FOLL_LONGTERM", Value.of(CType.UINT, UserMemory.FOLL_LONGTERM));
        c.put("GUP_PIN_COUNTING_BIAS", Value.integer(UserMemory.GUP_PIN_COUNTING_BIAS));
        c.put("FOLIO_MAPPING_ANON", Value.ulong(UserMemory.FOLIO_MAPPING_ANON));
        c.put("TASK_SIZE", Value.ulong(UserMemory.TASK_SIZE));
        c.put("MADV_HUGEPAGE", Value.integer(UserMemory.MADV_HUGEPAGE));
        c.put("MADV_NOHUGEPAGE", Value.integer(UserMemory.MADV_NOHUGEPAGE));
        return c;
    }

    private static UserMemory um(CallContext c) { return c.machine().userMemory(); }

    private static Mm mm(CallContext c, Value v) {
        if (v.bits() == 0) throw c.nullDeref(0);
        return um(c).requireMm(v.bits(), c.function());
    }

    private static AddressSpace file(CallContext c, Value v) {
        if (v.bits() == 0) throw c.nullDeref(0);
        AddressSpace as = um(c).fileAt(v.bits());
        if (as == null) {
            throw KernelError.error(String.format("%s(): 0x%016x is not a file's struct address_space (lab_create_file() makes one)",
                    c.function(), v.bits()));
        }
        return as;
    }

    /** A struct folio * argument: a tail page is refused, as the kernel's VM_BUG_ON_FOLIO(folio_test_tail) would. */
    private static long folioPfn(CallContext c, Value v) {
        long pfn = c.pagePfn(v);
        if (c.machine().memmap().isTail(pfn)) {
            throw KernelError.error(c.function() + "(): this struct folio * is a tail page (PFN " + pfn + "); a genuine folio "
                    + "pointer comes from page_folio()");
        }
        return pfn;
    }

    private static Value errPtr(CType.Ptr t, long errno) { return Value.pointer(t, -errno); }

    private static boolean flag(CallContext c, long pfn, PageFlag f) { return c.machine().memmap().testFlag(pfn, f); }

    static void register(FunctionRegistry r) {
        registerProcesses(r);
        registerPageCache(r);
        registerLru(r);
        registerGup(r);
        registerThp(r);
    }

    private static void registerProcesses(FunctionRegistry r) {
        r.register(FunctionDef.prototype("struct mm_struct *mm_alloc(void)").mutates().group(PROC)
                .source("kernel/fork.c (mm_alloc, mm_init, mm_alloc_pgd), asm-generic/pgalloc.h (__pgd_alloc)")
                .meaning("a new address space: the mm_struct (kept outside the zone) and its PGD, a zeroed page from the buddy "
                        + "allocator made a ptdesc by pagetable_pgd_ctor (PGTY_table), with pt_mm = the mm and its pt_list on "
                        + "pgd_list; NULL without memory")
                .simplification(MODEL + "; each mm belongs to a process named lab with pid 100, 101, ...")
                .impl((c, a) -> {
                    Mm mm = um(c).mmAlloc();
                    return Value.pointer(MM_PTR, mm == null ? 0 : mm.address());
                }));
        r.register(FunctionDef.prototype("void mmput(struct mm_struct *mm)").mutates().group(PROC)
                .source("kernel/fork.c (mmput, __mmput), mm/mmap.c (exit_mmap)")
                .meaning("the process exits: every VMA is unmapped (folios lose their mappings and references), every page "
                        + "table and finally the PGD go back to the buddy allocator")
                .impl((c, a) -> {
                    um(c).mmput(mm(c, a.get(0)));
                    return Value.VOID;
                }));
        r.register(FunctionDef.prototype("struct mm_struct *dup_mm(struct mm_struct *oldmm)").mutates().group(PROC)
                .source("kernel/fork.c (dup_mm, dup_mmap), mm/memory.c (copy_page_range, copy_present_ptes)")
                .meaning("fork's copy of an address space: every VMA is copied; PTEs are copied only for VMAs with an "
                        + "anon_vma (shared file mappings fault in later). Each shared folio gains a mapping and a reference and "
                        + "loses PG_anon_exclusive; in a private writable mapping both PTEs become read-only for copy-on-write; "
                        + "a pinned (GUP) exclusive folio is copied for the child at once. NULL without memory")
                .simplification("the kernel's also takes the new task_struct; the lab's processes are only their mms")
                .impl((c, a) -> {
                    Mm child = um(c).dupMm(mm(c, a.get(0)));
                    return Value.pointer(MM_PTR, child == null ? 0 : child.address());
                }));
        r.register(FunctionDef.prototype("unsigned long lab_mmap(struct mm_struct *mm, unsigned long addr, unsigned long len, "
                        + "unsigned long prot, unsigned long flags, [struct address_space *mapping], [unsigned long pgoff])")
                .mutates().group(PROC).source("(lab; mm/mmap.c do_mmap, mm/vma.c mmap_region)")
                .meaning("mmap(2) on mm: a new VMA of len bytes (page-aligned up) at addr if free, else the highest free gap "
                        + "below mmap_base 0x7ffff7fff000. MAP_PRIVATE|MAP_ANONYMOUS, or MAP_SHARED / MAP_PRIVATE of a file "
                        + "(mapping, from page pgoff). No page is allocated until a fault. Returns the start address")
                .simplification("no ASLR, no VMA merging, no shmem (MAP_SHARED|MAP_ANONYMOUS is refused), MAP_FIXED refuses "
                        + "to replace an existing mapping; bad arguments are refused with the errno instead of returned")
                .impl((c, a) -> {
                    Mm mm = mm(c, a.get(0));
                    long mapping = a.size() > 5 ? a.get(5).bits() : 0;
                    if (mapping != 0) file(c, a.get(5));
                    long pgoff = a.size() > 6 ? a.get(6).bits() : 0;
                    return Value.ulong(um(c).mmap(mm, a.get(1).bits(), a.get(2).bits(), (int) a.get(3).bits(), (int) a.get(4).bits(),
                            mapping, pgoff));
                }));
        r.register(FunctionDef.prototype("int do_munmap(struct mm_struct *mm, unsigned long start, size_t len, [struct list_head *uf])")
                .mutates().group(PROC).source("mm/mmap.c, mm/vma.c (do_vmi_munmap), mm/memory.c (zap_pte_range), mm/mmap.c "
                        + "(free_pgtables)")
                .meaning("unmap [start, start+len): VMAs are split at the ends and removed; each PTE is cleared, its folio loses "
                        + "a mapping and a reference (a dirty PTE of a file folio marks the folio dirty first), and a page table "
                        + "with no entries whose span no VMA covers any more is freed (the PGD stays)")
                .impl((c, a) -> Value.integer(um(c).munmap(mm(c, a.get(0)), a.get(1).bits(), a.get(2).bits()))));
        r.register(FunctionDef.prototype("struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr)").group(PROC)
                .source("mm/mmap.c").meaning("the first VMA that ends above addr (it may start above addr too), or NULL")
                .impl((c, a) -> {
                    Mm mm = mm(c, a.get(0));
                    for (Mm.Vma v : mm.vmas().values()) if (v.end() > a.get(1).bits()) return Value.pointer(VMA_PTR, v.address());
                    return Value.pointer(VMA_PTR, 0);
                }));
        r.register(FunctionDef.prototype("vm_fault_t handle_mm_fault(struct vm_area_struct *vma, unsigned long address, "
                        + "unsigned int flags, [struct pt_regs *regs])").mutates().group(PROC)
                .source("mm/memory.c (handle_mm_fault, __handle_mm_fault, do_anonymous_page, do_read_fault, do_cow_fault, "
                        + "do_shared_fault, do_wp_page, wp_page_copy)")
                .meaning("a page fault at address: missing PUD, PMD and PTE tables are allocated; an anonymous VMA gets a new "
                        + "zeroed folio (mapping = anon_vma | FOLIO_MAPPING_ANON, index = address >> PAGE_SHIFT, mapcount 1, "
                        + "PG_anon_exclusive, on the inactive anon LRU); a file VMA finds or reads the page-cache folio and maps "
                        + "it (mapcount and refcount + 1), a private write copies it, a shared write marks it dirty; a write "
                        + "to a read-only PTE reuses an exclusive anonymous folio or copies (COW). Returns 0 or VM_FAULT_*")
                .simplification("a read fault on anonymous memory allocates a zeroed folio instead of mapping the shared zero "
                        + "page; the access check of the arch fault handler returns VM_FAULT_SIGSEGV here; no fault-around, "
                        + "no readahead, no large page-cache folios; THPs only in VM_HUGEPAGE VMAs (lab_madvise), and a read fault there "
                        + "allocates a THP too (use_zero_page is 0)")
                .impl((c, a) -> {
                    long addr = a.get(0).bits();
                    if (addr == 0) throw c.nullDeref(0);
                    var e = um(c).vmaAt(addr);
                    if (e == null) throw KernelError.error(String.format("handle_mm_fault(): 0x%016x is not a live vm_area_struct "
                            + "(find_vma() gives one)", addr));
                    int flags = (int) a.get(2).bits();
                    if ((flags & ~UserMemory.FAULT_FLAG_WRITE) != 0) {
                        throw KernelError.error("handle_mm_fault(): the lab knows FAULT_FLAG_WRITE (or 0 for a read fault)");
                    }
                    return Value.of(CType.INT_NAMES.get("vm_fault_t"), um(c).handleMmFault(e.getKey(), e.getValue(), a.get(1).bits(), flags));
                }));
        r.register(FunctionDef.prototype("void lab_page_walk(struct mm_struct *mm, unsigned long addr)").group(PROC)
                .source("(lab; arch/x86/mm/fault.c dump_pagetable, mm/pagewalk.c)")
                .meaning("walk mm's page tables for addr: for each level the table's PFN and ptdesc, the index and the entry "
                        + "(PFN << 12 | _PAGE_* bits: 0x67 = present, RW, user, accessed, dirty; bit 63 = NX), then the page and "
                        + "folio it maps")
                .impl((c, a) -> {
                    c.printAll(um(c).walk(mm(c, a.get(0)), a.get(1).bits()));
                    return Value.VOID;
                }));
        r.register(FunctionDef.prototype("void lab_vmas(struct mm_struct *mm)").group(PROC)
                .source("(lab; fs/proc/task_mmu.c show_map_vma)")
                .meaning("print mm's VMAs as /proc/PID/maps does (start-end, rwx and p or s, file offset, device, inode, "
                        + "name), each followed by its vm_area_struct and, once it has one, its anon_vma")
                .simplification("the lab's files have no device or inode: 00:00 0 and the file's name")
                .impl((c, a) -> {
                    for (Mm.Vma v : mm(c, a.get(0)).vmas().values()) {
                        AddressSpace as = v.anonymous() ? null : um(c).fileAt(v.mapping());
                        String perms = UserMemory.protString(v.prot()) + (v.shared() ? "s" : "p");
                        long off = as == null ? 0 : v.pgoff() << Addresses.PAGE_SHIFT;
                        c.print(String.format("%08x-%08x %s %08x 00:00 0%s    vm_area_struct 0x%016x%s", v.start(), v.end(), perms, off,
                                as == null ? "" : "    " + as.name(), v.address(),
                                v.anonVma() == 0 ? "" : String.format(", anon_vma 0x%016x", v.anonVma()))
                                + (um(c).isMixedMap(v) ? ", VM_MIXEDMAP" : "")
                                + (um(c).isHugePage(v) || um(c).isDax(v) ? ", VM_HUGEPAGE" : "")
                                // ext4/xfs mmap_prepare of a DAX file: DAX ops and VM_HUGEPAGE; the pages are refcounted
                                // folios since 6.15, so neither VM_MIXEDMAP nor VM_PFNMAP
                                + (um(c).isDax(v) ? ", DAX (vma_is_dax)" : ""));
                    }
                    return Value.VOID;
                }));
        r.register(FunctionDef.prototype("void *lab_mm_pgd(struct mm_struct *mm)").group(PROC)
                .source("(lab; include/linux/mm_types.h mm->pgd)").meaning("mm->pgd: the PGD page's direct-map address")
                .impl((c, a) -> Value.pointer(CType.VOID_PTR, Addresses.directMapAddress(mm(c, a.get(0)).pgd()))));
        r.register(FunctionDef.prototype("struct ptdesc *virt_to_ptdesc(const void *x)").group(PROC)
                .source("include/linux/mm.h").meaning("the ptdesc of the page-table page at direct-map address x (a cast of "
                        + "virt_to_page)")
                .impl((c, a) -> {
                    long x = a.get(0).bits();
                    if (!Addresses.inDirectMap(x)) throw KernelError.error(String.format("virt_to_ptdesc(): 0x%016x is not a direct-map address", x));
                    long pfn = (x - Addresses.PAGE_OFFSET) >>> Addresses.PAGE_SHIFT;
                    if (!c.machine().validPfn(pfn)) throw c.pageFault(Addresses.pageAddress(pfn), pfn);
                    return Value.pointer(PTDESC_PTR, Addresses.pageAddress(pfn));
                }));
        r.register(FunctionDef.prototype("struct ptdesc *page_ptdesc(struct page *page)").group(PROC).source("include/linux/mm_types.h")
                .meaning("the page seen as a struct ptdesc (a cast: ptdesc overlays struct page)")
                .impl((c, a) -> {
                    long pfn = c.pagePfn(a.get(0));
                    if ((c.machine().memmap().pageType(pfn) >>> 24) != PageType.PGTY_table.value()) {
                        c.note("this page is not a page table (page_type is not PGTY_table): the ptdesc fields mean nothing here");
                    }
                    return Value.pointer(PTDESC_PTR, Addresses.pageAddress(pfn));
                }));
        r.register(FunctionDef.prototype("struct page *ptdesc_page(struct ptdesc *pt)").group(PROC).source("include/linux/mm_types.h")
                .meaning("the same memory seen as a struct page (a cast)").impl((c, a) -> page(c.pfnOf(a.get(0)))));
        r.register(FunctionDef.prototype("struct folio *ptdesc_folio(struct ptdesc *pt)").group(PROC).source("include/linux/mm_types.h")
                .meaning("the same memory seen as a struct folio (a cast)").impl((c, a) -> folio(c.pfnOf(a.get(0)))));
        r.register(FunctionDef.prototype("int PageTable(const struct page *page)").group(PROC).source("include/linux/page-flags.h")
                .meaning("page_type is PGTY_table: a page-table page")
                .impl((c, a) -> Value.integer((c.machine().memmap().pageType(c.pagePfn(a.get(0))) >>> 24) == PageType.PGTY_table.value() ? 1 : 0)));
    }

    private static void registerPageCache(FunctionRegistry r) {
        r.register(FunctionDef.prototype("struct address_space *lab_create_file(const char *name, long size)").mutates().group(CACHE)
                .source("(lab; an inode's i_data)").meaning("a file of size bytes with an empty page cache; its address_space "
                        + "(kept outside the zone) has a_ops->dirty_folio = filemap_dirty_folio")
                .simplification("the file's contents are not stored; a read fault or filemap_add_folio makes a page cached")
                .impl((c, a) -> {
                    String name = a.get(0).text();
                    if (name == null) throw KernelError.error("lab_create_file(): the name must be a string literal, e.g. \"log\"");
                    return Value.pointer(MAPPING_PTR, um(c).createFile(name, a.get(1).bits()).address());
                }));
        r.register(FunctionDef.prototype("int filemap_add_folio(struct address_space *mapping, struct folio *folio, pgoff_t index, "
                        + "gfp_t gfp)").mutates().group(CACHE).source("mm/filemap.c (filemap_add_folio, __filemap_add_folio)")
                .meaning("put a locked folio in the page cache at index: refcount + nr pages (the cache's references), "
                        + "folio->mapping = mapping, folio->index = index, then folio_add_lru (inactive file). 0, or -EEXIST")
                .simplification("no memcg charge, no workingset shadow entries")
                .impl((c, a) -> Value.integer(um(c).filemapAddFolio(file(c, a.get(0)), folioPfn(c, a.get(1)), a.get(2).bits()))));
        r.register(FunctionDef.prototype("struct folio *filemap_get_folio(struct address_space *mapping, pgoff_t index)").mutates()
                .group(CACHE).source("include/linux/pagemap.h, mm/filemap.c (__filemap_get_folio)")
                .meaning("the cached folio at index with one more reference (folio_put it when done), or ERR_PTR(-ENOENT)")
                .impl((c, a) -> {
                    long h = um(c).filemapGetFolio(file(c, a.get(0)), a.get(1).bits());
                    if (h < 0) {
                        c.note("ERR_PTR(-ENOENT): nothing is cached at that index");
                        return errPtr(CType.FOLIO_PTR, 2);
                    }
                    return folio(h);
                }));
        r.register(FunctionDef.prototype("struct address_space *folio_mapping(struct folio *folio)").group(CACHE).source("mm/util.c")
                .meaning("the file's address_space of a page-cache folio; NULL for anonymous and slab folios (whose mapping word "
                        + "means something else)")
                .impl((c, a) -> {
                    long pfn = folioPfn(c, a.get(0));
                    AddressSpace as = um(c).folioFile(pfn);
                    return Value.pointer(MAPPING_PTR, as == null ? 0 : as.address());
                }));
        r.register(FunctionDef.prototype("bool folio_test_anon(const struct folio *folio)").group(CACHE).source("include/linux/page-flags.h")
                .meaning("bit 0 of folio->mapping (FOLIO_MAPPING_ANON): an anonymous folio, whose mapping is its anon_vma")
                .impl((c, a) -> Value.of(CType.BOOL, c.machine().memmap().mapping(folioPfn(c, a.get(0))) & 1)));
        r.register(FunctionDef.prototype("bool PageAnon(const struct page *page)").group(CACHE).source("include/linux/page-flags.h")
                .meaning("folio_test_anon(page_folio(page))")
                .impl((c, a) -> Value.of(CType.BOOL, c.machine().memmap().mapping(c.machine().compoundHeadPfn(c.pagePfn(a.get(0)))) & 1)));
        r.register(FunctionDef.prototype("bool folio_mark_dirty(struct folio *folio)").mutates().group(CACHE)
                .source("mm/page-writeback.c").meaning("mark the folio dirty the way its owner wants: a page-cache folio through "
                        + "mapping->a_ops->dirty_folio (filemap_dirty_folio: PG_dirty, the dirty tag in i_pages, the inode "
                        + "dirty); an anonymous folio or one with no mapping just gets PG_dirty (noop_dirty_folio). True if it "
                        + "was clean")
                .impl((c, a) -> Value.of(CType.BOOL, um(c).folioMarkDirty(folioPfn(c, a.get(0))) ? 1 : 0)));
        r.register(FunctionDef.prototype("bool set_page_dirty(struct page *page)").mutates().group(CACHE).source("mm/folio-compat.c")
                .meaning("folio_mark_dirty(page_folio(page)): the path of seed 004, where GUP's caller holds only a page and the "
                        + "kernel must find from the memmap whether it is anonymous or a file's, and which file")
                .impl((c, a) -> Value.of(CType.BOOL, um(c).folioMarkDirty(c.machine().compoundHeadPfn(c.pagePfn(a.get(0)))) ? 1 : 0)));
        r.register(FunctionDef.prototype("bool set_page_dirty_lock(struct page *page)").mutates().group(CACHE).source("mm/page-writeback.c")
                .meaning("lock the folio, set_page_dirty, unlock: what unpin_user_pages_dirty_lock does for each page")
                .impl((c, a) -> {
                    long h = c.machine().compoundHeadPfn(c.pagePfn(a.get(0)));
                    um(c).folioLock(h, "set_page_dirty_lock");
                    boolean r2 = um(c).folioMarkDirty(h);
                    um(c).folioUnlock(h);
                    return Value.of(CType.BOOL, r2 ? 1 : 0);
                }));
        r.register(FunctionDef.prototype("void __folio_set_locked(struct folio *folio)").mutates().group(CACHE)
                .source("include/linux/page-flags.h").meaning("PG_locked on a folio nobody else can see yet (before filemap_add_folio)")
                .impl((c, a) -> {
                    um(c).folioLock(folioPfn(c, a.get(0)), "__folio_set_locked");
                    return Value.VOID;
                }));
        r.register(FunctionDef.prototype("void folio_lock(struct folio *folio)").mutates().group(CACHE).source("include/linux/pagemap.h")
                .meaning("take the folio lock (PG_locked)")
                .simplification("a locked folio is refused: the kernel would sleep until someone unlocks it")
                .impl((c, a) -> {
                    um(c).folioLock(folioPfn(c, a.get(0)), "folio_lock");
                    return Value.VOID;
                }));
        r.register(FunctionDef.prototype("void folio_unlock(struct folio *folio)").mutates().group(CACHE).source("mm/filemap.c")
                .meaning("release the folio lock and wake waiters")
                .impl((c, a) -> {
                    um(c).folioUnlock(folioPfn(c, a.get(0)));
                    return Value.VOID;
                }));
        r.register(FunctionDef.prototype("bool folio_clear_dirty_for_io(struct folio *folio)").mutates().group(CACHE)
                .source("mm/page-writeback.c").meaning("before writing a locked folio out: folio_mkclean cleans and "
                        + "write-protects every shared PTE mapping it (a later write faults and dirties it again), then PG_dirty "
                        + "is cleared. True if it was dirty")
                .impl((c, a) -> Value.of(CType.BOOL, um(c).folioClearDirtyForIo(folioPfn(c, a.get(0))) ? 1 : 0)));
        r.register(FunctionDef.prototype("void folio_start_writeback(struct folio *folio)").mutates().group(CACHE)
                .source("include/linux/page-flags.h, mm/page-writeback.c (__folio_start_writeback)")
                .meaning("PG_writeback on a locked folio: the I/O is in flight (the writeback tag is set; the dirty tag goes "
                        + "if PG_dirty is clear)")
                .impl((c, a) -> {
                    um(c).folioStartWriteback(folioPfn(c, a.get(0)));
                    return Value.VOID;
                }));
        r.register(FunctionDef.prototype("void folio_end_writeback(struct folio *folio)").mutates().group(CACHE)
                .source("mm/filemap.c").meaning("the I/O completed: PG_writeback clears and waiters wake")
                .impl((c, a) -> {
                    um(c).folioEndWriteback(folioPfn(c, a.get(0)));
                    return Value.VOID;
                }));
        r.register(FunctionDef.prototype("void truncate_inode_pages(struct address_space *mapping, loff_t lstart)").mutates().group(CACHE)
                .source("mm/truncate.c (truncate_inode_pages_range, truncate_cleanup_folio)")
                .meaning("drop the page cache from byte lstart on: each folio is first unmapped from every process, loses "
                        + "PG_dirty and leaves the cache (mapping NULL, the cache's references dropped; freed if nobody else holds it)")
                .simplification("lstart is rounded up to a page (no partial-page zeroing); a locked folio or one under "
                        + "writeback is refused where the kernel would wait; i_size does not change")
                .impl((c, a) -> {
                    long start = a.get(1).bits();
                    if (start < 0) throw KernelError.error("truncate_inode_pages(): lstart " + start + " is negative");
                    um(c).truncate(file(c, a.get(0)), (start + Addresses.PAGE_SIZE - 1) >>> Addresses.PAGE_SHIFT);
                    return Value.VOID;
                }));
        r.register(FunctionDef.prototype("int filemap_check_errors(struct address_space *mapping)").mutates().group(CACHE)
                .source("mm/filemap.c").meaning("the error recorded on the file (-EIO after memory failure destroyed dirty data), "
                        + "cleared once reported; 0 if none")
                .impl((c, a) -> {
                    AddressSpace as = file(c, a.get(0));
                    return Value.integer(um(c).takeError(as));
                }));
        r.register(FunctionDef.prototype("void lab_page_cache(struct address_space *mapping)").group(CACHE).source("(lab)")
                .meaning("print the file's cached folios by index, with their flags, mapcount and refcount")
                .impl((c, a) -> {
                    AddressSpace as = file(c, a.get(0));
                    c.print(as.name() + ": " + as.sizePages() + " page(s), nrpages " + as.nrpages(c.machine()));
                    for (var e : as.pages().entrySet()) {
                        long h = e.getValue();
                        c.print(String.format("  index %d: PFN %d, refcount %d, mapcount %d%s%s%s%s", e.getKey(), h,
                                c.machine().memmap().refcount(h), um(c).mapcount(h), flag(c, h, PageFlag.PG_dirty) ? ", dirty" : "",
                                flag(c, h, PageFlag.PG_writeback) ? ", writeback" : "", flag(c, h, PageFlag.PG_locked) ? ", locked" : "",
                                flag(c, h, PageFlag.PG_lru) ? (flag(c, h, PageFlag.PG_active) ? ", active" : ", inactive") : ""));
                    }
                    return Value.VOID;
                }));
    }

    private static void registerLru(FunctionRegistry r) {
        r.register(FunctionDef.prototype("void folio_add_lru(struct folio *folio)").mutates().group(LRU).source("mm/swap.c")
                .meaning("PG_lru, and the folio goes on the head of its list: anon if PG_swapbacked, file otherwise; active if "
                        + "PG_active")
                .simplification("the per-CPU folio batch is drained at once (as lru_add_drain would)")
                .impl((c, a) -> {
                    um(c).folioAddLru(folioPfn(c, a.get(0)));
                    return Value.VOID;
                }));
        r.register(FunctionDef.prototype("void folio_activate(struct folio *folio)").mutates().group(LRU).source("mm/swap.c")
                .meaning("an inactive LRU folio moves to the head of its active list and gets PG_active")
                .impl((c, a) -> {
                    um(c).folioActivate(folioPfn(c, a.get(0)));
                    return Value.VOID;
                }));
        r.register(FunctionDef.prototype("unsigned long lab_reclaim(unsigned long nr_to_reclaim)").mutates().group(LRU)
                .source("(lab; mm/vmscan.c shrink_lruvec, shrink_folio_list, __remove_mapping)")
                .meaning("free up to nr_to_reclaim pages of clean, unmapped, unlocked page-cache folios that only the cache "
                        + "holds, from the tail of inactive_file; if short, deactivate active_file and scan again. Returns the "
                        + "pages freed")
                .simplification("the real shrink_folio_list also unmaps mapped folios that were not referenced (try_to_unmap), "
                        + "starts writeback of dirty ones (pageout), swaps anonymous folios out, honours the referenced bits "
                        + "and PG_referenced, and balances anon against file by swappiness; the lab has no swap and does none "
                        + "of that")
                .impl((c, a) -> Value.ulong(um(c).reclaim(a.get(0).bits()))));
        r.register(FunctionDef.prototype("void lab_lru(void)").group(LRU).source("(lab; the node's lruvec)")
                .meaning("print the four LRU lists, head first, with their sizes in pages")
                .impl((c, a) -> {
                    for (int i = 0; i < UserMemory.LRU_NAMES.length; i++) {
                        List<Long> l = um(c).lruList(i);
                        StringBuilder sb = new StringBuilder(UserMemory.LRU_NAMES[i] + " (" + um(c).lruSize(i) + "):");
                        for (long p : l) sb.append(' ').append(p);
                        c.print(sb.toString());
                    }
                    return Value.VOID;
                }));
        r.register(FunctionDef.prototype("bool folio_test_lru(const struct folio *folio)").group(LRU).source("include/linux/page-flags.h")
                .meaning("PG_lru: the folio is on an LRU list").impl((c, a) -> Value.of(CType.BOOL, flag(c, folioPfn(c, a.get(0)), PageFlag.PG_lru) ? 1 : 0)));
        r.register(FunctionDef.prototype("bool folio_test_active(const struct folio *folio)").group(LRU).source("include/linux/page-flags.h")
                .meaning("PG_active: on an active list").impl((c, a) -> Value.of(CType.BOOL, flag(c, folioPfn(c, a.get(0)), PageFlag.PG_active) ? 1 : 0)));
        r.register(FunctionDef.prototype("bool folio_test_dirty(const struct folio *folio)").group(LRU).source("include/linux/page-flags.h")
                .meaning("PG_dirty").impl((c, a) -> Value.of(CType.BOOL, flag(c, folioPfn(c, a.get(0)), PageFlag.PG_dirty) ? 1 : 0)));
        r.register(FunctionDef.prototype("bool folio_test_writeback(const struct folio *folio)").group(LRU).source("include/linux/page-flags.h")
                .meaning("PG_writeback").impl((c, a) -> Value.of(CType.BOOL, flag(c, folioPfn(c, a.get(0)), PageFlag.PG_writeback) ? 1 : 0)));
        r.register(FunctionDef.prototype("bool folio_test_locked(const struct folio *folio)").group(LRU).source("include/linux/page-flags.h")
                .meaning("PG_locked").impl((c, a) -> Value.of(CType.BOOL, flag(c, folioPfn(c, a.get(0)), PageFlag.PG_locked) ? 1 : 0)));
        r.register(FunctionDef.prototype("bool PageAnonExclusive(const struct page *page)").group(LRU).source("include/linux/page-flags.h")
                .meaning("PG_anon_exclusive (an alias of PG_owner_2 on anonymous pages): only one process maps this page, so a "
                        + "write may reuse it and GUP may pin it")
                .impl((c, a) -> Value.of(CType.BOOL, flag(c, c.pagePfn(a.get(0)), PageFlag.PG_owner_2) ? 1 : 0)));
    }

    static final String THP = "Transparent huge pages";

    private static void registerThp(FunctionRegistry r) {
        r.register(FunctionDef.prototype("int lab_madvise(struct mm_struct *mm, unsigned long start, int advice)").mutates().group(THP)
                .source("(lab; mm/madvise.c, mm/khugepaged.c hugepage_madvise)")
                .meaning("madvise(2) on the VMA that starts at start: MADV_HUGEPAGE sets VM_HUGEPAGE (a later anonymous fault whose "
                        + "2 MiB-aligned 2 MiB lies inside the VMA maps an order-9 THP with one huge PMD, if a free order-9 block "
                        + "exists; otherwise order 0, as do_huge_pmd_anonymous_page falls back), MADV_NOHUGEPAGE clears it. "
                        + "Returns 0 or -EINVAL")
                .simplification("THP enabled = madvise, defrag = never (no compaction for a THP), use_zero_page = 0, no "
                        + "khugepaged, no mTHP orders; the whole VMA, not a range")
                .impl((c, a) -> Value.integer(um(c).madvise(mm(c, a.get(0)), a.get(1).bits(), (int) a.get(2).bits()))));
        r.register(FunctionDef.prototype("int split_folio(struct folio *folio)").mutates().group(THP)
                .source("mm/huge_memory.c (__folio_split, can_split_folio, __split_huge_pmd; split_huge_pages debugfs)")
                .meaning("split a large anonymous or page-cache folio into order-0 folios, as writing to debugfs "
                        + "split_huge_pages does: huge PMDs mapping it become PTE tables (the deposited ones); each page gets "
                        + "the head's flags, mapping, index + i, a reference per PTE (and the page cache's) and an LRU place; an "
                        + "anonymous page no PTE maps is freed. -EAGAIN if pinned or held by anyone else (can_split_folio) or "
                        + "locked, -EBUSY under writeback, -EINVAL for a small folio")
                .simplification("no deferred split queue; only to order 0; the split pages go to the head of the LRU list")
                .impl((c, a) -> Value.integer(um(c).splitFolio(folioPfn(c, a.get(0))))));
        r.register(FunctionDef.prototype("int split_huge_page(struct page *page)").mutates().group(THP)
                .source("include/linux/huge_mm.h").meaning("split_folio(page_folio(page))")
                .impl((c, a) -> Value.integer(um(c).splitFolio(c.pagePfn(a.get(0))))));
    }

    private static void registerGup(FunctionRegistry r) {
        r.register(FunctionDef.prototype("struct page *get_user_page_vma_remote(struct mm_struct *mm, unsigned long addr, "
                        + "int gup_flags, [struct vm_area_struct **vmap])").mutates().group(GUP)
                .source("include/linux/mm.h, mm/gup.c (get_user_pages_remote, __get_user_pages, follow_page_mask, try_grab_folio)")
                .meaning("the page mapped at addr with one more reference (FOLL_GET): faults it in first if it is not present, "
                        + "or, with FOLL_WRITE, not writable (which breaks COW). ERR_PTR(-EFAULT) without a VMA or write access; "
                        + "release with put_page")
                .simplification("vmap is not filled in")
                .impl((c, a) -> gupValue(c, a, false)));
        r.register(FunctionDef.prototype("struct page *lab_pin_user_page(struct mm_struct *mm, unsigned long addr, unsigned int gup_flags)")
                .mutates().group(GUP).source("(lab; mm/gup.c pin_user_pages_remote(mm, addr, 1, gup_flags, &page, NULL))")
                .meaning("pin the page at addr for DMA (FOLL_PIN): a small folio's refcount grows by GUP_PIN_COUNTING_BIAS "
                        + "(1024), a large folio's by 1 and its _pincount by 1, so folio_maybe_dma_pinned() can tell. A shared "
                        + "anonymous page is unshared (copied) first, so the pin never sees another process's later writes. "
                        + "Release with unpin_user_page")
                .simplification("FOLL_LONGTERM would first migrate a folio out of ZONE_MOVABLE or CMA; the lab has neither")
                .impl((c, a) -> gupValue(c, a, true)));
        r.register(FunctionDef.prototype("void unpin_user_page(struct page *page)").mutates().group(GUP).source("mm/gup.c (gup_put_folio)")
                .meaning("drop one FOLL_PIN: GUP_PIN_COUNTING_BIAS references from a small folio, or 1 reference and 1 "
                        + "_pincount from a large one (the last reference frees it)")
                .impl((c, a) -> {
                    um(c).unpinUserPage(c.pagePfn(a.get(0)));
                    return Value.VOID;
                }));
        r.register(FunctionDef.prototype("bool folio_maybe_dma_pinned(struct folio *folio)").group(GUP).source("include/linux/mm.h")
                .meaning("large: _pincount > 0; small: refcount >= GUP_PIN_COUNTING_BIAS (1024 ordinary references would "
                        + "look pinned too: 'maybe')")
                .impl((c, a) -> Value.of(CType.BOOL, um(c).maybeDmaPinned(folioPfn(c, a.get(0))) ? 1 : 0)));
    }

    private static Value gupValue(CallContext c, List<Value> a, boolean pin) {
        Mm mm = mm(c, a.get(0));
        long r = um(c).gup(mm, a.get(1).bits(), (int) a.get(2).bits(), pin);
        if (r < 0) {
            c.note("ERR_PTR(" + r + "): " + (r == -14 ? "-EFAULT" : "-ENOMEM"));
            return errPtr(CType.PAGE_PTR, -r);
        }
        return page(r);
    }
}

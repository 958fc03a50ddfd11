package org.memdesclab.sim;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * User memory: processes ({@link Mm}) with x86_64 4-level page tables whose pages are {@code struct
 * ptdesc}s, anonymous folios, the page cache ({@link AddressSpace}), the LRU lists and GUP references.
 * It is the machine's {@link UserFolios}: the PFN walkers (compaction, memory_failure) reach processes
 * and files through it.
 *
 * <p>Page-table contents are page contents, not struct page words, so they are kept here (512 entries
 * per table page, by PFN); each table page's struct page is a ptdesc with PGTY_table, and the PGD's
 * ptdesc has {@code pt_mm} and sits on {@code pgd_list}, as on x86. Every public operation validates,
 * then mutates; refusals throw {@link KernelError}.
 */
public final class UserMemory implements UserFolios {
    // x86_64 page-table entry bits (arch/x86/include/asm/pgtable_types.h)
    public static final long _PAGE_PRESENT = 0x1, _PAGE_RW = 0x2, _PAGE_USER = 0x4, _PAGE_ACCESSED = 0x20,
            _PAGE_DIRTY = 0x40, _PAGE_NX = 1L << 63;
    /** What pmd_populate and friends write above a table: present, RW, user, accessed, dirty. */
    public static final long _PAGE_TABLE = 0x67;
    /** _PAGE_PSE: in a PMD entry, "this entry maps a 2 MiB page", not a PTE table. */
    public static final long _PAGE_PSE = 0x80;
    /** HPAGE_PMD_ORDER on x86_64: a PMD maps 512 pages. */
    public static final int HPAGE_PMD_ORDER = 9;
    public static final long HPAGE_PMD_SIZE = 1L << 21;
    /** ENTIRELY_MAPPED (mm/internal.h): added to _nr_pages_mapped while a PMD maps the whole folio. */
    public static final int ENTIRELY_MAPPED = 0x800000;
    public static final int MADV_HUGEPAGE = 14, MADV_NOHUGEPAGE = 15;
    static final int EAGAIN = 11;
    static final long PTE_PFN_MASK = 0x000ffffffffff000L;
    public static final int PTRS_PER_TABLE = 512;
    static final String[] LEVEL = {"pgd", "pud", "pmd", "pte"};

    public static final int PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4;
    public static final int MAP_SHARED = 1, MAP_PRIVATE = 2, MAP_FIXED = 0x10, MAP_ANONYMOUS = 0x20;
    public static final int FAULT_FLAG_WRITE = 0x1;
    /** FAULT_FLAG_UNSHARE (1 << 10): GUP's fault that replaces a shared anonymous page by an exclusive copy. */
    static final int FAULT_FLAG_UNSHARE = 0x400;
    public static final int VM_FAULT_OOM = 0x1, VM_FAULT_SIGBUS = 0x2, VM_FAULT_SIGSEGV = 0x40;
    // the enum in include/linux/mm_types.h: FOLL_WRITE 1 << 0, FOLL_FORCE 1 << 3, FOLL_LONGTERM 1 << 8
    public static final int FOLL_WRITE = 0x1, FOLL_FORCE = 0x8, FOLL_LONGTERM = 0x100;
    /** include/linux/mm.h: each FOLL_PIN of a small folio adds this to its refcount. */
    public static final int GUP_PIN_COUNTING_BIAS = 1024;
    public static final long FOLIO_MAPPING_ANON = 0x1;
    static final int EEXIST = 17, ENOENT = 2, EFAULT = 14, ENOMEM = 12, EINVAL = 22, EIO = 5;

    /** Top of the user address space with 4-level paging, and where top-down mmap starts (no ASLR). */
    public static final long TASK_SIZE = 0x00007ffffffff000L;
    public static final long MMAP_BASE = 0x00007ffff7fff000L;

    // simulated kernel objects outside the zone (slab objects in a real kernel)
    static final long MM_BASE = 0xffff888100a00000L, MM_STRIDE = 0x400;
    static final long VMA_BASE = 0xffff888100c00000L, VMA_STRIDE = 0xc0;
    static final long ANON_VMA_BASE = 0xffff888100e00000L, ANON_VMA_STRIDE = 0x80;
    static final long MAPPING_BASE = 0xffff888101000000L, MAPPING_STRIDE = 0x800;
    /** pgd_list (arch/x86/mm/pgtable.c) and the node's lruvec lists, static kernel data. */
    static final long PGD_LIST_ADDR = 0xffffffff82e40a10L;

    /** enum lru_list: LRU_INACTIVE_ANON, LRU_ACTIVE_ANON, LRU_INACTIVE_FILE, LRU_ACTIVE_FILE. */
    public static final String[] LRU_NAMES = Lru.NAMES;
    private static final int PGD_LIST = 0;

    /** One page-table page: its level, owner and entries. */
    static final class Table {
        final int level;
        final long mm;
        final long[] e;
        int present;

        Table(int level, long mm) { this(level, mm, new long[PTRS_PER_TABLE], 0); }

        private Table(int level, long mm, long[] e, int present) {
            this.level = level;
            this.mm = mm;
            this.e = e;
            this.present = present;
        }

        Table copy() { return new Table(level, mm, e.clone(), present); }
    }

    private final Machine m;
    private final Memmap mem;
    private final Trace trace;
    /** pgd_list: every PGD's ptdesc, linked through pt_list. */
    private final ListHeads lists;
    private final Lru lru;
    private final TreeMap<Long, Mm> mms;
    private final HashMap<Long, Table> tables;
    private final TreeMap<Long, AddressSpace> files;
    private int nextMm, nextVma, nextAnonVma, nextFile;
    /** VMAs (by vm_area_struct address) that vm_insert_page() made VM_MIXEDMAP; the Vma record has no vm_flags. */
    private final java.util.TreeSet<Long> mixedMap = new java.util.TreeSet<>();
    /** VMAs that madvise(MADV_HUGEPAGE) marked VM_HUGEPAGE (THP "enabled" is "madvise" in the lab). */
    private final java.util.TreeSet<Long> hugeVmas = new java.util.TreeSet<>();
    /**
     * pgtable_trans_huge_deposit(): the PTE table each PMD-mapped THP keeps in reserve, so that splitting the
     * PMD never needs memory. Keyed by PMD table PFN * 512 + index.
     */
    private final HashMap<Long, Long> deposited = new HashMap<>();
    /** fsdax files: address_space address -> the FS_DAX pgmap whose pages hold the file (see {@link #createDaxFile}). */
    private final TreeMap<Long, Long> daxFiles = new TreeMap<>();

    UserMemory(Machine m, Memmap mem, Trace trace) {
        this.m = m;
        this.mem = mem;
        this.trace = trace;
        this.lists = new ListHeads(mem, new long[] {PGD_LIST_ADDR});
        this.lru = new Lru(m, mem, trace);
        this.mms = new TreeMap<>();
        this.tables = new HashMap<>();
        this.files = new TreeMap<>();
    }

    private UserMemory(UserMemory o, Machine m, Memmap mem, Trace trace) {
        this.m = m;
        this.mem = mem;
        this.trace = trace;
        this.lists = o.lists.copy(mem);
        this.lru = o.lru.copy(m, mem, trace);
        this.mms = new TreeMap<>();
        for (var e : o.mms.entrySet()) mms.put(e.getKey(), e.getValue().copy());
        this.tables = new HashMap<>();
        for (var e : o.tables.entrySet()) tables.put(e.getKey(), e.getValue().copy());
        this.files = new TreeMap<>();
        for (var e : o.files.entrySet()) files.put(e.getKey(), e.getValue().copy());
        this.nextMm = o.nextMm;
        this.nextVma = o.nextVma;
        this.nextAnonVma = o.nextAnonVma;
        this.nextFile = o.nextFile;
        this.mixedMap.addAll(o.mixedMap);
        this.hugeVmas.addAll(o.hugeVmas);
        this.deposited.putAll(o.deposited);
        this.daxFiles.putAll(o.daxFiles);
    }

    UserMemory copy(Machine m2, Memmap mem2, Trace trace2) { return new UserMemory(this, m2, mem2, trace2); }

    // ---------------------------------------------------------------- lookups

    /** The live mm_struct at {@code addr}, or null. */
    public Mm mmAt(long addr) { return mms.get(addr); }

    /** Live processes' mm_structs in creation order. */
    public List<Mm> mms() { return List.copyOf(mms.values()); }

    /** The VMA whose vm_area_struct is at {@code addr}, with its mm, or null. */
    public Map.Entry<Mm, Mm.Vma> vmaAt(long addr) {
        for (Mm mm : mms.values()) {
            for (Mm.Vma v : mm.vmas().values()) if (v.address() == addr) return Map.entry(mm, v);
        }
        return null;
    }

    /** The file whose address_space is at {@code addr}, or null. */
    public AddressSpace fileAt(long addr) { return files.get(addr); }

    public List<AddressSpace> files() { return List.copyOf(files.values()); }

    /** True if {@code pfn} is a page-table page of some process. */
    public boolean isTable(long pfn) { return tables.containsKey(pfn); }

    /** Pages on one LRU list (enum lru_list order). */
    public long lruSize(int list) { return lru.size(list); }

    /** Head PFNs on one LRU list, from the head of the list (most recently added) to its tail. */
    public List<Long> lruList(int list) { return lru.list(list); }

    /** Page-table pages in use across all processes. */
    public int nrPageTables() { return tables.size(); }

    // ---------------------------------------------------------------- small helpers

    private static long pageAlignUp(long len) { return (len + Addresses.PAGE_SIZE - 1) & ~(Addresses.PAGE_SIZE - 1); }

    private static int index(long addr, int level) { return (int) ((addr >>> (39 - 9 * level)) & 511); }

    private static long spanOf(int level) { return 1L << (39 - 9 * level + 9); }

    static long entryPfn(long e) { return (e & PTE_PFN_MASK) >>> Addresses.PAGE_SHIFT; }

    private static String hex(long v) { return String.format("0x%016x", v); }

    /** Order-0 pages the current CPU could allocate now (buddy lists plus its own per-CPU list). */
    private long available() {
        long n = m.zone().freePages();
        if (m.pcp() != null) n += m.pcpList(m.cpu(), 0).length;
        return Memdescs.usablePages(m, n); // memdesc: room for the descriptors too
    }

    private void emit(String fn, String detail) { if (trace.on()) trace.emit(fn, detail); }

    private boolean isAnonFolio(long head) { return (mem.mapping(head) & FOLIO_MAPPING_ANON) != 0; }

    private boolean large(long head) { return mem.isHead(head); }

    /** folio_mapcount(). */
    public int mapcount(long head) {
        if (large(head)) return (int) m.folioField(head, "_large_mapcount") + 1;
        int t = mem.pageType(head);
        return PageType.hasType(t) ? 0 : t + 1;
    }

    /** folio_maybe_dma_pinned(): _pincount on a large folio, the refcount bias on a small one. */
    public boolean maybeDmaPinned(long head) {
        if (large(head)) return m.folioField(head, "_pincount") > 0;
        return mem.refcount(head) >= GUP_PIN_COUNTING_BIAS;
    }

    private int nrPages(long head) { return 1 << m.compoundOrder(head); }

    // ---------------------------------------------------------------- page tables

    /** pagetable_alloc + the level's constructor: a zeroed page with PGTY_table, or -1. */
    private long allocTable(long mmAddr, int level) {
        long pfn = Memdescs.allocPages(m, Memdescs.Kind.PTDESC, Gfp.GFP_KERNEL | Gfp.__GFP_ZERO | Gfp.__GFP_ACCOUNT, 0); // memdesc: a ptdesc first
        if (pfn < 0) return -1;
        mem.setPageType(pfn, PageType.PGTY_table.word());
        if (level == 0) {
            mem.setWord(pfn, Memmap.W_INDEX, mmAddr);
            lists.add(pfn, PGD_LIST);
        }
        tables.put(pfn, new Table(level, mmAddr));
        if (trace.on()) emit("pagetable_" + LEVEL[level] + "_ctor", "PFN " + pfn + " is a " + LEVEL[level] + " table: page_type PGTY_table"
                + (level == 0 ? ", pt_mm = " + hex(mmAddr) + ", on pgd_list" : level >= 2 ? ", split ptlock in ptdesc->ptl" : ""));
        return pfn;
    }

    /** pagetable_dtor_free: clear the type (and unlink a PGD from pgd_list), then __free_pages. */
    private void freeTable(long pfn) {
        Table t = tables.remove(pfn);
        if (t.level == 0) lists.del(pfn, PGD_LIST);
        mem.setPageType(pfn, PageType.NO_TYPE);
        if (trace.on()) emit("pagetable_dtor_free", "the " + LEVEL[t.level] + " table at PFN " + pfn + " is empty: back to the buddy allocator");
        m.freePages(pfn, 0);
    }

    private void setEntry(long tablePfn, int idx, long value) {
        Table t = tables.get(tablePfn);
        boolean was = (t.e[idx] & _PAGE_PRESENT) != 0;
        boolean now = (value & _PAGE_PRESENT) != 0;
        t.e[idx] = value;
        t.present += (now ? 1 : 0) - (was ? 1 : 0);
    }

    /**
     * The PTE table covering {@code addr}: allocating missing levels when {@code alloc} (__pud_alloc,
     * __pmd_alloc, __pte_alloc), else -1 if one is missing; -2 when an allocation failed.
     */
    private long pteTable(Mm mm, long addr, boolean alloc) {
        long table = mm.pgd();
        for (int level = 0; level < 3; level++) {
            Table t = tables.get(table);
            int idx = index(addr, level);
            if (isLeaf(level, t.e[idx])) return -3;
            if ((t.e[idx] & _PAGE_PRESENT) == 0) {
                if (!alloc) return -1;
                long child = allocTable(mm.address(), level + 1);
                if (child < 0) return -2;
                setEntry(table, idx, (child << Addresses.PAGE_SHIFT) | _PAGE_TABLE);
                if (trace.on()) emit(LEVEL[level] + "_populate", LEVEL[level] + " entry " + idx + " of PFN " + table + " now points at the "
                        + LEVEL[level + 1] + " table at PFN " + child);
            }
            table = entryPfn(t.e[idx]);
        }
        return table;
    }

    private long pte(Mm mm, long addr) {
        long t = pteTable(mm, addr, false);
        return t < 0 ? 0 : tables.get(t).e[index(addr, 3)];
    }

    /** A visitor of present PTEs. */
    private interface PteVisitor {
        void visit(long ptePfn, int idx, long addr, long entry);
    }

    /** Calls {@code v} for each present PTE of {@code mm} in [start, end), in address order (PMD leaves are skipped). */
    private void forEachPte(Mm mm, long start, long end, PteVisitor v) { walkRange(mm.pgd(), 0, 0, start, end, v, null); }

    /** Calls {@code v} for each PMD entry that maps a THP and overlaps [start, end): (pmd table, index, address, entry). */
    private void forEachHugePmd(Mm mm, long start, long end, PteVisitor v) { walkRange(mm.pgd(), 0, 0, start, end, null, v); }

    /** pmd_trans_huge(): a present PMD entry with _PAGE_PSE. */
    private static boolean isLeaf(int level, long e) { return level == 2 && (e & (_PAGE_PRESENT | _PAGE_PSE)) == (_PAGE_PRESENT | _PAGE_PSE); }

    private void walkRange(long tablePfn, int level, long base, long start, long end, PteVisitor v, PteVisitor pmdV) {
        Table t = tables.get(tablePfn);
        long step = 1L << (39 - 9 * level);
        for (int i = 0; i < PTRS_PER_TABLE; i++) {
            long lo = base + i * step;
            long hi = lo + step;
            if (hi <= start || lo >= end) continue;
            long e = t.e[i];
            if ((e & _PAGE_PRESENT) == 0) continue;
            if (isLeaf(level, e)) {
                if (pmdV != null) pmdV.visit(tablePfn, i, lo, e);
            } else if (level == 3) {
                if (v != null) v.visit(tablePfn, i, lo, e);
            } else {
                walkRange(entryPfn(e), level + 1, lo, start, end, v, pmdV);
            }
        }
    }

    /**
     * free_pgtables() for the tables around {@code addr}: bottom-up, a table with no entries whose whole
     * span no VMA of the mm still covers is unhooked from its parent and freed. The PGD stays until mmput.
     */
    private void freeTablesIfUnused(Mm mm, long addr) {
        long[] path = new long[4];
        path[0] = mm.pgd();
        for (int level = 0; level < 3; level++) {
            long e = tables.get(path[level]).e[index(addr, level)];
            if ((e & _PAGE_PRESENT) == 0 || isLeaf(level, e)) return;
            path[level + 1] = entryPfn(e);
        }
        for (int level = 3; level >= 1; level--) {
            Table t = tables.get(path[level]);
            long span = spanOf(level);
            long lo = addr & ~(span - 1);
            if (t.present != 0 || overlapsVma(mm, lo, lo + span)) return;
            setEntry(path[level - 1], index(addr, level - 1), 0);
            freeTable(path[level]);
        }
    }

    private static boolean overlapsVma(Mm mm, long lo, long hi) {
        var e = mm.vmaTree().lowerEntry(hi);
        return e != null && e.getValue().end() > lo;
    }

    /** One line per level for {@code addr}: the table, its ptdesc, the entry; then the folio mapped. */
    public List<String> walk(Mm mm, long addr) {
        List<String> out = new ArrayList<>();
        long table = mm.pgd();
        for (int level = 0; level < 4; level++) {
            int idx = index(addr, level);
            long e = tables.get(table).e[idx];
            out.add(String.format("%s: PFN %d, ptdesc %s%s, entry %d = 0x%016x", LEVEL[level], table, hex(Addresses.pageAddress(table)),
                    level == 0 ? " (pt_mm " + hex(mem.word(table, Memmap.W_INDEX)) + ")" : "", idx, e));
            if (isLeaf(level, e)) {
                long head = entryPfn(e);
                long pfn = head + ((addr >>> Addresses.PAGE_SHIFT) & (PTRS_PER_TABLE - 1));
                Folio f = m.folio(head);
                out.add(String.format("huge PMD (_PAGE_PSE): no PTE table; it maps the order-%d folio at PFN %d (%s), page %s (PFN %d); "
                        + "refcount %d, folio_mapcount %d, _entire_mapcount %d, _large_mapcount %d, page _mapcount %d, _nr_pages_mapped %#x%s",
                        f.order(), head, hex(Addresses.pageAddress(head)), hex(Addresses.pageAddress(pfn)), pfn, f.refcount(), f.mapcount(),
                        f.entireMapcount() - 1, f.mapcount() - 1, mem.pageType(pfn), f.nrPagesMapped(),
                        (e & _PAGE_RW) == 0 ? ", PMD read-only" : ", PMD writable"));
                Long dep = deposited.get(table * PTRS_PER_TABLE + idx);
                if (dep != null) out.add("deposited PTE table (pgtable_trans_huge_deposit): PFN " + dep + ", kept for a split");
                return out;
            }
            if ((e & _PAGE_PRESENT) == 0) {
                out.add("not present: " + (level == 3 ? "the page is not mapped (a fault would map it)" : "no " + LEVEL[level + 1]
                        + " table yet (a fault would allocate one)"));
                return out;
            }
            table = entryPfn(e);
        }
        long pfn = table;
        long head = m.compoundHeadPfn(pfn);
        String kind = isAnonFolio(head) ? "anon, mapping " + hex(mem.mapping(head)) + " (anon_vma | FOLIO_MAPPING_ANON)"
                : folioFile(head) == null ? "a driver's page (vm_insert_page), mapping NULL" : "file, mapping " + hex(mem.mapping(head));
        out.add(String.format("page %s (PFN %d) of folio %s: %s, index %d, mapcount %d, refcount %d%s", hex(Addresses.pageAddress(pfn)),
                pfn, hex(Addresses.pageAddress(head)), kind, mem.word(head, Memmap.W_INDEX), mapcount(head), mem.refcount(head),
                (pte(mm, addr) & _PAGE_RW) == 0 ? ", PTE read-only" : ", PTE writable"));
        return out;
    }

    // ---------------------------------------------------------------- rmap and references

    /** Counts one more PTE mapping of {@code pfn} (folio_add_*_rmap_pte). */
    private void addRmap(long pfn) {
        long head = m.compoundHeadPfn(pfn);
        mem.setPageType(pfn, mem.pageType(pfn) + 1);
        if (large(head)) {
            m.setFolioField(head, "_large_mapcount", m.folioField(head, "_large_mapcount") + 1);
            if (mem.pageType(pfn) == 0) m.setFolioField(head, "_nr_pages_mapped", m.folioField(head, "_nr_pages_mapped") + 1);
        }
    }

    /** folio_remove_rmap_pte. */
    private void removeRmap(long pfn) {
        long head = m.compoundHeadPfn(pfn);
        mem.setPageType(pfn, mem.pageType(pfn) - 1);
        if (large(head)) {
            m.setFolioField(head, "_large_mapcount", m.folioField(head, "_large_mapcount") - 1);
            if (mem.pageType(pfn) == -1) m.setFolioField(head, "_nr_pages_mapped", m.folioField(head, "_nr_pages_mapped") - 1);
        }
    }

    /** folio_put(), taking the folio off the LRU first when this is the last reference (__page_cache_release). */
    private void putFolio(long head) {
        if (mem.refcount(head) == 1) {
            if (mem.testFlag(head, PageFlag.PG_lru)) lruDel(head);
            mem.clearFlag(head, PageFlag.PG_active);
        }
        m.folioPut(head);
    }

    private void refAdd(long head, int n) { mem.setRefcount(head, mem.refcount(head) + n); }

    // ---------------------------------------------------------------- LRU

    private void lruAddNow(long head) { lru.add(head); }

    private void lruDel(long head) { lru.del(head); }

    private void requireUserFolio(long head, String fn) {
        if (!m.validPfn(head) || mem.isTail(head)) {
            throw KernelError.error(fn + "(): PFN " + head + " is a tail page, not a folio (use page_folio())");
        }
        if (mem.refcount(head) <= 0) throw m.vmBug(head, "VM_BUG_ON_FOLIO(!folio_ref_count(folio))", fn + "() of a free page");
        if (PageType.hasType(mem.pageType(head))) {
            throw KernelError.error(fn + "(): PFN " + head + " has page type " + PageType.of(mem.pageType(head)).shortName()
                    + ": only folios of user memory (anonymous or page cache) go on the LRU");
        }
    }

    /** folio_add_lru(): PG_lru and the list for its kind (the per-CPU folio batch is drained at once). */
    public void folioAddLru(long head) {
        requireUserFolio(head, "folio_add_lru");
        if (mem.testFlag(head, PageFlag.PG_lru)) {
            throw m.vmBug(head, "VM_BUG_ON_FOLIO(folio_test_lru(folio))", "folio_add_lru() of a folio already on an LRU list");
        }
        lruAddNow(head);
    }

    /** folio_activate(): an inactive LRU folio moves to the head of its active list with PG_active. */
    public boolean folioActivate(long head) {
        requireUserFolio(head, "folio_activate");
        if (!mem.testFlag(head, PageFlag.PG_lru) || mem.testFlag(head, PageFlag.PG_active)
                || mem.testFlag(head, PageFlag.PG_unevictable)) {
            if (trace.on()) emit("folio_activate", "PFN " + head + " is not an inactive LRU folio: nothing to do");
            return false;
        }
        lruDel(head);
        mem.setFlag(head, PageFlag.PG_active);
        lruAddNow(head);
        return true;
    }

    // ---------------------------------------------------------------- processes

    /** mm_alloc() + mm_init's pgd_alloc: a new address space with an empty PGD, or null without memory. */
    public Mm mmAlloc() {
        if (available() < 1) {
            if (trace.on()) emit("mm_alloc", "pgd_alloc failed: no free page");
            return null;
        }
        long addr = MM_BASE + MM_STRIDE * nextMm;
        Mm mm = new Mm(addr, 100 + nextMm, -1);
        nextMm++;
        mm.setPgd(allocTable(addr, 0));
        mms.put(addr, mm);
        if (trace.on()) emit("mm_alloc", "mm_struct " + hex(addr) + " (pid " + mm.pid() + "), pgd at PFN " + mm.pgd());
        return mm;
    }

    /** The mm_struct at {@code addr}, or a refusal naming the function. */
    public Mm requireMm(long addr, String fn) {
        Mm mm = mms.get(addr);
        if (mm == null) {
            throw KernelError.error(String.format("%s(): 0x%016x is not a live struct mm_struct (mm_alloc() or dup_mm() makes one; "
                    + "mmput() ends it)", fn, addr));
        }
        return mm;
    }

    /**
     * do_mmap(): a new VMA of {@code len} bytes. Returns its start. Anonymous private mappings get
     * vm_pgoff = start >> PAGE_SHIFT; file mappings name the file's address_space.
     */
    public long mmap(Mm mm, long addr, long len, int prot, int flags, long mapping, long pgoff) {
        String fn = "do_mmap";
        if (len <= 0 || len > TASK_SIZE) throw KernelError.error(fn + "(): len " + len + " is not a valid length: -EINVAL");
        len = pageAlignUp(len);
        int type = flags & (MAP_SHARED | MAP_PRIVATE);
        if (type != MAP_SHARED && type != MAP_PRIVATE) {
            throw KernelError.error(fn + "(): flags need exactly one of MAP_SHARED and MAP_PRIVATE: -EINVAL");
        }
        boolean anon = (flags & MAP_ANONYMOUS) != 0;
        if (anon && mapping != 0) throw KernelError.error(fn + "(): MAP_ANONYMOUS with a file: -EINVAL");
        if (!anon && mapping == 0) throw KernelError.error(fn + "(): no file and no MAP_ANONYMOUS: -EBADF");
        if (anon && type == MAP_SHARED) {
            throw KernelError.error(fn + "(): MAP_SHARED|MAP_ANONYMOUS memory is shmem, which the lab does not simulate "
                    + "(use MAP_PRIVATE)");
        }
        if (!anon && fileAt(mapping) == null) throw KernelError.error(String.format("%s(): 0x%016x is not a file's address_space", fn, mapping));
        if ((prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) != 0) throw KernelError.error(fn + "(): unknown prot bits: -EINVAL");
        if ((addr & (Addresses.PAGE_SIZE - 1)) != 0 && (flags & MAP_FIXED) != 0) {
            throw KernelError.error(fn + "(): MAP_FIXED address " + hex(addr) + " is not page aligned: -EINVAL");
        }
        long start = getUnmappedArea(mm, addr & ~(Addresses.PAGE_SIZE - 1), len, (flags & MAP_FIXED) != 0);
        long vmaAddr = VMA_BASE + VMA_STRIDE * nextVma++;
        long off = anon ? start >>> Addresses.PAGE_SHIFT : pgoff;
        mm.vmaTree().put(start, new Mm.Vma(vmaAddr, start, start + len, prot, type == MAP_SHARED, anon ? 0 : mapping, off, 0));
        if (trace.on()) emit("do_mmap", String.format("VMA 0x%x-0x%x %s%s (vm_area_struct %s), vm_pgoff %d", start, start + len, protString(prot),
                type == MAP_SHARED ? " shared" : " private", hex(vmaAddr), off)
                + (anon ? "" : ", file " + fileAt(mapping).name()) + "; no page is allocated until a fault");
        return start;
    }

    /** The rwx letters of /proc/PID/maps for a prot value. */
    public static String protString(int prot) {
        return ((prot & PROT_READ) != 0 ? "r" : "-") + ((prot & PROT_WRITE) != 0 ? "w" : "-") + ((prot & PROT_EXEC) != 0 ? "x" : "-");
    }

    /** get_unmapped_area(): the hint if it is free, else the highest gap below mmap_base (top-down). */
    private long getUnmappedArea(Mm mm, long hint, long len, boolean fixed) {
        if (hint != 0 || fixed) {
            boolean inRange = hint >= Addresses.PAGE_SIZE && hint + len <= TASK_SIZE;
            if (inRange && !overlapsVma(mm, hint, hint + len)) return hint;
            if (fixed) {
                throw KernelError.error("do_mmap(): MAP_FIXED range " + hex(hint) + "+" + len + (inRange ? " overlaps an existing "
                        + "mapping (the lab does not replace mappings: do_munmap() it first)" : " is outside the user address space")
                        + ": -EEXIST");
            }
        }
        long end = MMAP_BASE;
        for (Mm.Vma v : mm.vmaTree().descendingMap().values()) {
            if (v.start() >= end) continue;
            if (v.end() <= end - len) return end - len;
            end = Math.min(end, v.start());
        }
        if (end - len >= Addresses.PAGE_SIZE) return end - len;
        throw KernelError.error("do_mmap(): no room for " + len + " bytes: -ENOMEM");
    }

    /**
     * do_munmap(): splits VMAs at start and end, removes those inside, zaps their PTEs (each folio loses
     * a mapping and a reference; a dirty PTE of a file folio marks the folio dirty first), then frees
     * page tables that nothing uses any more.
     */
    public int munmap(Mm mm, long start, long len) {
        if ((start & (Addresses.PAGE_SIZE - 1)) != 0 || len <= 0 || start + len > TASK_SIZE) {
            throw KernelError.error("do_munmap(): start " + hex(start) + " must be page aligned and len " + len + " positive: -EINVAL");
        }
        long end = start + pageAlignUp(len);
        List<Mm.Vma> hit = new ArrayList<>();
        for (Mm.Vma v : mm.vmaTree().values()) if (v.start() < end && v.end() > start) hit.add(v);
        for (Mm.Vma v : hit) {
            mm.vmaTree().remove(v.start());
            if (v.start() < start) mm.vmaTree().put(v.start(), v.withRange(v.address(), v.start(), start));
            if (v.end() > end) {
                Mm.Vma right = v.withRange(VMA_BASE + VMA_STRIDE * nextVma++, end, v.end());
                mm.vmaTree().put(end, right);
                if (mixedMap.contains(v.address())) mixedMap.add(right.address());
                if (hugeVmas.contains(v.address())) hugeVmas.add(right.address());
            }
            long s = Math.max(start, v.start());
            long e = Math.min(end, v.end());
            if (trace.on()) emit("do_munmap", String.format("unmap 0x%x-0x%x of the VMA at 0x%x", s, e, v.start()));
            zapRange(mm, v, s, e);
        }
        for (Mm.Vma v : hit) freeTablesInRange(mm, Math.max(start, v.start()), Math.min(end, v.end()));
        pruneMixedMap();
        return 0;
    }

    private void zapRange(Mm mm, Mm.Vma v, long s, long e) {
        // zap_pmd_range(): a huge PMD wholly inside the range goes at once (zap_huge_pmd); one the range
        // only partly covers is split into PTEs first (__split_huge_pmd), and those PTEs are zapped below
        List<long[]> pmds = new ArrayList<>();
        forEachHugePmd(mm, s, e, (t, i, a, entry) -> pmds.add(new long[] {t, i, a, entry}));
        for (long[] p : pmds) {
            if (p[2] >= s && p[2] + HPAGE_PMD_SIZE <= e) zapHugePmd(p[0], (int) p[1], p[3]);
            else splitHugePmd(mm, p[0], (int) p[1], p[2]);
        }
        List<long[]> ptes = new ArrayList<>();
        forEachPte(mm, s, e, (t, i, a, entry) -> ptes.add(new long[] {t, i, a, entry}));
        for (long[] p : ptes) zapPte(p[0], (int) p[1], p[3]);
    }

    /** zap_present_ptes for one PTE. */
    private void zapPte(long ptePfn, int idx, long entry) {
        long pfn = entryPfn(entry);
        long head = m.compoundHeadPfn(pfn);
        setEntry(ptePfn, idx, 0);
        // a driver's page (vm_insert_page) has no address_space to tell about a dirty PTE
        if (!isAnonFolio(head) && folioFile(head) != null && !isDaxPage(head) && (entry & _PAGE_DIRTY) != 0) folioMarkDirty(head);
        removeRmap(pfn);
        if (trace.on()) emit("zap_pte_range", "PTE for PFN " + pfn + " cleared: mapcount " + mapcount(head) + ", then folio_put");
        putFolio(head);
    }

    /** free_pgtables() over [s, e): visits only tables that exist, bottom-up, so a huge range costs nothing extra. */
    private void freeTablesInRange(Mm mm, long s, long e) { pruneTables(mm, mm.pgd(), 0, 0, s, e); }

    private void pruneTables(Mm mm, long tablePfn, int level, long base, long s, long e) {
        Table t = tables.get(tablePfn);
        long step = 1L << (39 - 9 * level);
        for (int i = 0; i < PTRS_PER_TABLE; i++) {
            long lo = base + i * step;
            if (lo + step <= s || lo >= e || (t.e[i] & _PAGE_PRESENT) == 0 || isLeaf(level, t.e[i])) continue;
            long child = entryPfn(t.e[i]);
            if (level + 1 < 3) pruneTables(mm, child, level + 1, lo, s, e);
            if (tables.get(child).present == 0 && !overlapsVma(mm, lo, lo + step)) {
                setEntry(tablePfn, i, 0);
                freeTable(child);
            }
        }
    }

    // ---------------------------------------------------------------- drivers: vm_insert_page

    static final int EBUSY = 16;

    /** True if vm_insert_page() made this VMA VM_MIXEDMAP. */
    public boolean isMixedMap(Mm.Vma vma) { return mixedMap.contains(vma.address()); }

    /**
     * vm_insert_page(vma, addr, page): a driver maps one of its own pages (alloc_pages) into a process, as
     * its mmap handler does. The VMA becomes VM_MIXEDMAP; insert_page_into_pte_locked() takes a reference
     * (folio_get), adds a file-style rmap (the page's _mapcount goes from -1 to 0, folio_mapcount 1) and
     * sets the PTE. Returns 0, -EFAULT (addr outside the VMA), -EINVAL (validate_page_before_insert: an
     * anonymous, slab or typed page), -EBUSY (a PTE is there) or -ENOMEM (no page for a table).
     *
     * <p>Simplified: a driver's VMA would be the device file's; the lab takes an anonymous VMA nothing has
     * faulted in yet (no anon_vma) and treats it as the driver's shared mapping (PTE writable if the VMA
     * is, no copy-on-write). Other addresses of it fault with VM_FAULT_SIGBUS (no vm_ops->fault).
     */
    public int vmInsertPage(Mm mm, Mm.Vma vma, long addr, long pfn) {
        if (addr < vma.start() || addr >= vma.end()) return -EFAULT;
        long head = m.compoundHeadPfn(pfn);
        int type = mem.pageType(pfn);
        if (isAnonFolio(head) || PageType.hasType(mem.pageType(head))) {
            if (trace.on()) emit("validate_page_before_insert", "PFN " + pfn + " is anonymous, slab or typed: -EINVAL");
            return -EINVAL;
        }
        if (mem.refcount(head) <= 0 || FlagsWord.isZoneDevice(mem.flags(pfn)) || head != pfn || mem.isHead(pfn) || folioFile(head) != null
                || MemoryTypes.isPpPage(mem, pfn) || mem.testFlag(pfn, PageFlag.PG_reserved)) {
            throw KernelError.error("vm_insert_page(): the lab's drivers map an allocated order-0 page of their own (alloc_pages), "
                    + "not PFN " + pfn + " (" + PageOwnerType.classify(m, pfn).label() + ", refcount " + mem.refcount(head) + ")");
        }
        if (!mixedMap.contains(vma.address()) && (!vma.anonymous() || vma.anonVma() != 0)) {
            throw KernelError.error("vm_insert_page(): the lab's drivers map into an anonymous VMA that nothing has faulted in yet "
                    + "(lab_mmap MAP_PRIVATE|MAP_ANONYMOUS, then no access); this VMA " + (vma.anonymous() ? "has anonymous memory" : "maps a file"));
        }
        long page = addr & ~(Addresses.PAGE_SIZE - 1);
        long table = pteTable(mm, page, true);
        if (table == -2) return -ENOMEM;
        int idx = index(page, 3);
        if ((tables.get(table).e[idx] & _PAGE_PRESENT) != 0) {
            if (trace.on()) emit("insert_page", "a PTE is already there: -EBUSY");
            return -EBUSY;
        }
        mixedMap.add(vma.address());
        refAdd(pfn, 1);
        addRmap(pfn);
        setEntry(table, idx, (pfn << Addresses.PAGE_SHIFT) | ptePresent(vma) | (vma.writable() ? _PAGE_RW : 0));
        if (trace.on()) {
            emit("vm_insert_page", "VM_MIXEDMAP; PFN " + pfn + " mapped at " + hex(page) + ": mapcount " + (type + 2) + ", refcount "
                    + mem.refcount(pfn));
        }
        return 0;
    }

    /** A fault in a VM_MIXEDMAP VMA: a present PTE allows the access; a missing one is SIGBUS (no vm_ops->fault). */
    private int mixedMapFault(Mm mm, long page, boolean write) {
        long table = pteTable(mm, page, false);
        long entry = table < 0 ? 0 : tables.get(table).e[index(page, 3)];
        if ((entry & _PAGE_PRESENT) == 0) {
            if (trace.on()) emit("handle_mm_fault", "VM_MIXEDMAP VMA without vm_ops->fault and no PTE at " + hex(page) + ": VM_FAULT_SIGBUS");
            return VM_FAULT_SIGBUS;
        }
        if (write && (entry & _PAGE_RW) == 0) return VM_FAULT_SIGSEGV;
        setEntry(table, index(page, 3), entry | _PAGE_ACCESSED | (write ? _PAGE_DIRTY : 0));
        return 0;
    }

    /** Forgets VM_MIXEDMAP and VM_HUGEPAGE marks of VMAs that no longer exist. */
    private void pruneMixedMap() {
        if (mixedMap.isEmpty() && hugeVmas.isEmpty()) return;
        java.util.Set<Long> live = new java.util.HashSet<>();
        for (Mm mm : mms.values()) for (Mm.Vma v : mm.vmaTree().values()) live.add(v.address());
        mixedMap.retainAll(live);
        hugeVmas.retainAll(live);
    }

    /** mmput() → exit_mmap(): unmap every VMA, free every page table, then the PGD. */
    public void mmput(Mm mm) {
        for (Mm.Vma v : new ArrayList<>(mm.vmaTree().values())) zapRange(mm, v, v.start(), v.end());
        mm.vmaTree().clear();
        freeAllTables(mm.pgd(), 0);
        mms.remove(mm.address());
        pruneMixedMap();
        if (trace.on()) emit("mmput", "exit_mmap freed every mapping and page table of pid " + mm.pid());
    }

    private void freeAllTables(long pfn, int level) {
        Table t = tables.get(pfn);
        if (level < 3) {
            for (int i = 0; i < PTRS_PER_TABLE; i++) {
                if ((t.e[i] & _PAGE_PRESENT) != 0) {
                    if (!isLeaf(level, t.e[i])) freeAllTables(entryPfn(t.e[i]), level + 1);
                    setEntry(pfn, i, 0);
                }
            }
        }
        freeTable(pfn);
    }

    // ---------------------------------------------------------------- faults

    /**
     * handle_mm_fault(): walks (allocating tables), then do_anonymous_page, do_read_fault, do_cow_fault,
     * do_shared_fault or do_wp_page. Returns 0 or a VM_FAULT_* code; a fault that runs out of memory keeps
     * the tables it allocated, as the kernel does.
     */
    public int handleMmFault(Mm mm, Mm.Vma vma, long addr, int flags) {
        boolean write = (flags & FAULT_FLAG_WRITE) != 0;
        boolean unshare = (flags & FAULT_FLAG_UNSHARE) != 0;
        if (addr < vma.start() || addr >= vma.end()) {
            if (trace.on()) emit("handle_mm_fault", hex(addr) + " is outside the VMA: VM_FAULT_SIGSEGV");
            return VM_FAULT_SIGSEGV;
        }
        if (write && !vma.writable() || (vma.prot() & (PROT_READ | PROT_WRITE | PROT_EXEC)) == 0) {
            if (trace.on()) emit("handle_mm_fault", "access not allowed by the VMA (" + protString(vma.prot()) + "): VM_FAULT_SIGSEGV");
            return VM_FAULT_SIGSEGV;
        }
        long page = addr & ~(Addresses.PAGE_SIZE - 1);
        if (mixedMap.contains(vma.address())) return mixedMapFault(mm, page, write);
        if (isDax(vma)) return daxFault(mm, vma, page, write);
        int huge = hugePmdFault(mm, vma, page, write, unshare);
        if (huge != VM_FAULT_FALLBACK) return huge;
        long table = pteTable(mm, page, true);
        if (table == -2) return VM_FAULT_OOM;
        int idx = index(page, 3);
        long entry = tables.get(table).e[idx];
        if ((entry & _PAGE_PRESENT) != 0) {
            if (write && (entry & _PAGE_RW) == 0 || unshare && isAnonFolio(m.compoundHeadPfn(entryPfn(entry)))
                    && !mem.testFlag(entryPfn(entry), PageFlag.PG_owner_2)) {
                return doWpPage(mm, vma, page, table, idx, entry, unshare);
            }
            setEntry(table, idx, entry | _PAGE_ACCESSED | (write ? _PAGE_DIRTY : 0));
            if (trace.on()) emit("handle_pte_fault", "the PTE is present and allows the access: nothing to do");
            return 0;
        }
        if (vma.anonymous()) return doAnonymousPage(mm, vma, page, table, idx, write);
        return doFileFault(mm, vma, page, table, idx, write);
    }

    private long ptePresent(Mm.Vma vma) {
        return _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | ((vma.prot() & PROT_EXEC) == 0 ? _PAGE_NX : 0);
    }

    private long anonVmaFor(Mm mm, Mm.Vma vma) {
        if (vma.anonVma() != 0) return vma.anonVma();
        long av = ANON_VMA_BASE + ANON_VMA_STRIDE * nextAnonVma++;
        mm.vmaTree().put(vma.start(), vma.withAnonVma(av));
        if (trace.on()) emit("anon_vma_prepare", "the VMA at " + hex(vma.start()) + " gets anon_vma " + hex(av));
        return av;
    }

    /** A new exclusive anonymous folio for {@code addr} (folio_add_new_anon_rmap + folio_add_lru_vma), or -1. */
    private long newAnonFolio(Mm mm, Mm.Vma vma, long addr) {
        long folio = m.folioAlloc(Gfp.GFP_HIGHUSER_MOVABLE | Gfp.__GFP_ZERO, 0);
        if (folio < 0) return -1;
        long av = anonVmaFor(mm, mm.vmaAt(addr));
        mem.setFlag(folio, PageFlag.PG_uptodate);
        mem.setFlag(folio, PageFlag.PG_swapbacked);
        mem.setWord(folio, Memmap.W_MAPPING, av | FOLIO_MAPPING_ANON);
        mem.setWord(folio, Memmap.W_INDEX, vma.linearPageIndex(addr));
        mem.setPageType(folio, 0);
        mem.setFlags(folio, mem.flags(folio) | (1L << PageFlag.PG_anon_exclusive));
        if (trace.on()) emit("folio_add_new_anon_rmap", "PFN " + folio + ": mapping = " + hex(av | FOLIO_MAPPING_ANON) + ", index "
                + vma.linearPageIndex(addr) + ", mapcount 1, PG_anon_exclusive");
        lruAddNow(folio);
        return folio;
    }

    private int doAnonymousPage(Mm mm, Mm.Vma vma, long addr, long table, int idx, boolean write) {
        if (available() < 1) {
            if (trace.on()) emit("do_anonymous_page", "no memory for the folio: VM_FAULT_OOM");
            return VM_FAULT_OOM;
        }
        long folio = newAnonFolio(mm, vma, addr);
        long e = (folio << Addresses.PAGE_SHIFT) | ptePresent(vma);
        if (write) e |= _PAGE_RW | _PAGE_DIRTY;
        setEntry(table, idx, e);
        if (trace.on()) emit("do_anonymous_page", String.format("%s fault at 0x%x: PTE %d of PFN %d = 0x%016x", write ? "write" : "read", addr, idx, table, e));
        return 0;
    }

    private int doFileFault(Mm mm, Mm.Vma vma, long addr, long table, int idx, boolean write) {
        AddressSpace as = fileAt(vma.mapping());
        long index = vma.linearPageIndex(addr);
        if (index >= as.sizePages()) {
            if (trace.on()) emit("filemap_fault", "index " + index + " is beyond the end of " + as.name() + ": VM_FAULT_SIGBUS");
            return VM_FAULT_SIGBUS;
        }
        boolean cow = write && !vma.shared();
        long need = (cacheLookup(as, index) < 0 ? 1 : 0) + (cow ? 1 : 0);
        if (available() < need) {
            if (trace.on()) emit("filemap_fault", "no memory: VM_FAULT_OOM");
            return VM_FAULT_OOM;
        }
        long head = cacheLookup(as, index);
        if (head < 0) {
            head = m.folioAlloc(Gfp.GFP_HIGHUSER_MOVABLE, 0);
            mem.setFlag(head, PageFlag.PG_locked);
            addToCache(as, head, index);
            mem.setFlag(head, PageFlag.PG_uptodate);
            mem.clearFlag(head, PageFlag.PG_locked);
            refAdd(head, -1);
            if (trace.on()) emit("filemap_fault", "index " + index + " of " + as.name() + " was not cached: read into PFN " + head
                    + " (PG_uptodate); readahead drops its allocation reference, the cache keeps one");
        } else {
            if (trace.on()) emit("filemap_fault", "index " + index + " of " + as.name() + " is in the page cache at PFN " + head);
        }
        long pfn = head + (index - mem.word(head, Memmap.W_INDEX));
        if (cow) {
            long copy = newAnonFolio(mm, vma, addr);
            long e = (copy << Addresses.PAGE_SHIFT) | ptePresent(vma) | _PAGE_RW | _PAGE_DIRTY;
            setEntry(table, idx, e);
            if (trace.on()) emit("do_cow_fault", "private write: copied the file page into anonymous PFN " + copy);
            return 0;
        }
        refAdd(head, 1);
        addRmap(pfn);
        long e = (pfn << Addresses.PAGE_SHIFT) | ptePresent(vma);
        if (write) {
            e |= _PAGE_RW | _PAGE_DIRTY;
            folioMarkDirty(head);
        }
        setEntry(table, idx, e);
        if (trace.on()) emit(write ? "do_shared_fault" : "do_read_fault", String.format("PTE %d of PFN %d = 0x%016x: mapcount %d, refcount %d", idx, table, e,
                mapcount(head), mem.refcount(head)));
        return 0;
    }

    /** do_wp_page(): reuse an exclusive anonymous folio, make a shared file PTE writable, or copy. */
    private int doWpPage(Mm mm, Mm.Vma vma, long addr, long table, int idx, long entry, boolean unshare) {
        long pfn = entryPfn(entry);
        long head = m.compoundHeadPfn(pfn);
        if (vma.shared()) {
            setEntry(table, idx, entry | _PAGE_RW | _PAGE_DIRTY | _PAGE_ACCESSED);
            folioMarkDirty(head);
            if (trace.on()) emit("wp_page_shared", "write to a shared file page: PTE made writable, folio_mark_dirty");
            return 0;
        }
        if (isAnonFolio(head) && !large(head)) {
            boolean exclusive = mem.testFlag(pfn, PageFlag.PG_owner_2);
            if (!exclusive && mapcount(head) == 1 && mem.refcount(head) == 1) {
                mem.setFlags(pfn, mem.flags(pfn) | (1L << PageFlag.PG_anon_exclusive));
                exclusive = true;
            }
            if (exclusive) {
                if (!unshare) setEntry(table, idx, entry | _PAGE_RW | _PAGE_DIRTY | _PAGE_ACCESSED);
                if (trace.on()) emit("wp_page_reuse", "PFN " + pfn + " is mapped only here: reuse it" + (unshare ? "" : ", PTE made writable"));
                return 0;
            }
        }
        if (available() < 1) {
            if (trace.on()) emit("wp_page_copy", "no memory for the copy: VM_FAULT_OOM");
            return VM_FAULT_OOM;
        }
        long copy = newAnonFolio(mm, vma, addr);
        long e = (copy << Addresses.PAGE_SHIFT) | ptePresent(vma) | (unshare ? 0 : _PAGE_RW | _PAGE_DIRTY);
        setEntry(table, idx, e);
        removeRmap(pfn);
        if (trace.on()) emit("wp_page_copy", (unshare ? "unshare" : "copy-on-write") + ": PFN " + copy + " replaces PFN " + pfn + " in this PTE; the old "
                + "folio loses a mapping and a reference");
        putFolio(head);
        return 0;
    }

    // ---------------------------------------------------------------- transparent huge pages

    /** VM_FAULT_FALLBACK: the huge-page path declined, take the PTE path. */
    static final int VM_FAULT_FALLBACK = 0x800;

    /** True if madvise(MADV_HUGEPAGE) marked the VMA VM_HUGEPAGE. */
    public boolean isHugePage(Mm.Vma vma) { return hugeVmas.contains(vma.address()); }

    /**
     * madvise(MADV_HUGEPAGE / MADV_NOHUGEPAGE) on the whole VMA at {@code start}: sets or clears VM_HUGEPAGE.
     * With THP "enabled" = madvise (the lab's setting), only VM_HUGEPAGE anonymous VMAs get THPs on a fault.
     * Returns 0 or -EINVAL (no VMA starts there, or a file / VM_MIXEDMAP VMA for MADV_HUGEPAGE).
     */
    public int madvise(Mm mm, long start, int advice) {
        Mm.Vma vma = mm.vmaTree().get(start);
        if (vma == null || advice != MADV_HUGEPAGE && advice != MADV_NOHUGEPAGE) return -EINVAL;
        if (advice == MADV_NOHUGEPAGE) {
            hugeVmas.remove(vma.address());
            return 0;
        }
        if (!vma.anonymous() || vma.shared() || mixedMap.contains(vma.address())) {
            if (trace.on()) emit("madvise", "MADV_HUGEPAGE: the lab's THPs are private anonymous memory only: -EINVAL");
            return -EINVAL;
        }
        hugeVmas.add(vma.address());
        if (trace.on()) emit("hugepage_madvise", "VMA " + hex(vma.start()) + "-" + hex(vma.end()) + " is VM_HUGEPAGE");
        return 0;
    }

    /** The PMD entry mapping {@code addr} if it is a huge PMD, else 0. */
    private long hugePmdEntry(Mm mm, long addr) {
        long table = mm.pgd();
        for (int level = 0; level < 2; level++) {
            long e = tables.get(table).e[index(addr, level)];
            if ((e & _PAGE_PRESENT) == 0) return 0;
            table = entryPfn(e);
        }
        long e = tables.get(table).e[index(addr, 2)];
        return isLeaf(2, e) ? e : 0;
    }

    /** The PMD table covering {@code addr}, allocating PUD and PMD tables; -2 without memory. */
    private long pmdTable(Mm mm, long addr) {
        long table = mm.pgd();
        for (int level = 0; level < 2; level++) {
            Table t = tables.get(table);
            int idx = index(addr, level);
            if ((t.e[idx] & _PAGE_PRESENT) == 0) {
                long child = allocTable(mm.address(), level + 1);
                if (child < 0) return -2;
                setEntry(table, idx, (child << Addresses.PAGE_SHIFT) | _PAGE_TABLE);
            }
            table = entryPfn(t.e[idx]);
        }
        return table;
    }

    /**
     * create_huge_pmd / do_huge_pmd_wp_page for a fault: returns VM_FAULT_FALLBACK when the PTE path must
     * handle it (no VM_HUGEPAGE, the 2 MiB around addr not inside the VMA, a PTE table already there, or
     * no free order-9 block: THP_FAULT_FALLBACK).
     */
    private int hugePmdFault(Mm mm, Mm.Vma vma, long addr, boolean write, boolean unshare) {
        long existing = hugePmdEntry(mm, addr);
        if (existing != 0) {
            long pmdT = pmdTable(mm, addr);
            int idx = index(addr, 2);
            if (write && (existing & _PAGE_RW) == 0 || unshare && !mem.testFlag(entryPfn(existing), PageFlag.PG_owner_2)) {
                return doHugePmdWpPage(mm, vma, pmdT, idx, addr, existing, unshare);
            }
            setEntry(pmdT, idx, existing | _PAGE_ACCESSED | (write ? _PAGE_DIRTY : 0));
            if (trace.on()) emit("huge_pmd_set_accessed", "the huge PMD allows the access: nothing to do");
            return 0;
        }
        long haddr = addr & ~(HPAGE_PMD_SIZE - 1);
        if (!hugeVmas.contains(vma.address()) || !vma.anonymous() || vma.shared() || haddr < vma.start()
                || haddr + HPAGE_PMD_SIZE > vma.end()) {
            return VM_FAULT_FALLBACK;
        }
        long table = mm.pgd();
        for (int level = 0; level < 2 && table >= 0; level++) {
            long e = tables.get(table).e[index(addr, level)];
            table = (e & _PAGE_PRESENT) == 0 ? -1 : entryPfn(e);
        }
        if (table >= 0 && (tables.get(table).e[index(addr, 2)] & _PAGE_PRESENT) != 0) return VM_FAULT_FALLBACK; // pmd_none() is false
        return doHugePmdAnonymousPage(mm, vma, haddr, write);
    }

    /**
     * do_huge_pmd_anonymous_page(): vma_alloc_folio(order 9) or fall back; pte_alloc_one for the deposit;
     * folio_add_new_anon_rmap at PMD level (_entire_mapcount 0, _large_mapcount 0, _nr_pages_mapped
     * ENTIRELY_MAPPED, page _mapcounts stay -1, PG_anon_exclusive on the first page), folio_add_lru_vma, and
     * a dirty writable huge PMD (the lab's use_zero_page is 0, so read faults allocate too).
     */
    private int doHugePmdAnonymousPage(Mm mm, Mm.Vma vma, long haddr, boolean write) {
        long folio = m.folioAlloc(Gfp.GFP_HIGHUSER_MOVABLE | Gfp.__GFP_ZERO | Gfp.__GFP_NOWARN, HPAGE_PMD_ORDER);
        if (folio < 0) {
            if (trace.on()) emit("do_huge_pmd_anonymous_page", "no free order-9 block: THP_FAULT_FALLBACK, an order-0 folio instead");
            return VM_FAULT_FALLBACK;
        }
        long pmdT = pmdTable(mm, haddr);
        long deposit = pmdT < 0 ? -1 : allocTable(mm.address(), 3);
        if (deposit < 0) {
            m.folioPut(folio);
            if (trace.on()) emit("do_huge_pmd_anonymous_page", "no page for the PTE table to deposit: VM_FAULT_OOM");
            return VM_FAULT_OOM;
        }
        long av = anonVmaFor(mm, mm.vmaAt(haddr));
        mem.setFlag(folio, PageFlag.PG_uptodate);
        mem.setFlag(folio, PageFlag.PG_swapbacked);
        mem.setWord(folio, Memmap.W_MAPPING, av | FOLIO_MAPPING_ANON);
        mem.setWord(folio, Memmap.W_INDEX, vma.linearPageIndex(haddr));
        m.setFolioField(folio, "_large_mapcount", 0);
        m.setFolioField(folio, "_entire_mapcount", 0);
        m.setFolioField(folio, "_nr_pages_mapped", ENTIRELY_MAPPED);
        mem.setFlags(folio, mem.flags(folio) | (1L << PageFlag.PG_anon_exclusive));
        lruAddNow(folio);
        int idx = index(haddr, 2);
        deposited.put(pmdT * PTRS_PER_TABLE + idx, deposit);
        long e = (folio << Addresses.PAGE_SHIFT) | ptePresent(vma) | _PAGE_PSE | (vma.writable() ? _PAGE_RW | _PAGE_DIRTY : 0);
        setEntry(pmdT, idx, e);
        if (trace.on()) emit("do_huge_pmd_anonymous_page", String.format("%s fault: order-9 folio at PFN %d mapped by PMD %d of PFN %d = 0x%016x; "
                + "PTE table PFN %d deposited; _entire_mapcount 0, _large_mapcount 0, _nr_pages_mapped ENTIRELY_MAPPED", write ? "write" : "read",
                folio, idx, pmdT, e, deposit));
        return 0;
    }

    /**
     * do_huge_pmd_wp_page(): an exclusive anonymous THP (PG_anon_exclusive, or refcount 1 and mapped once) is
     * reused and the PMD made writable; otherwise the PMD is split and the PTE path copies the one page.
     */
    private int doHugePmdWpPage(Mm mm, Mm.Vma vma, long pmdT, int idx, long addr, long e, boolean unshare) {
        long head = entryPfn(e);
        boolean exclusive = mem.testFlag(head, PageFlag.PG_owner_2);
        if (!exclusive && mem.refcount(head) == 1 && mapcount(head) == 1) {
            mem.setFlags(head, mem.flags(head) | (1L << PageFlag.PG_anon_exclusive));
            exclusive = true;
        }
        if (exclusive) {
            if (!unshare) setEntry(pmdT, idx, e | _PAGE_RW | _PAGE_DIRTY | _PAGE_ACCESSED);
            if (trace.on()) emit("do_huge_pmd_wp_page", "THP at PFN " + head + " is exclusive: reuse it" + (unshare ? "" : ", PMD made writable"));
            return 0;
        }
        if (trace.on()) emit("do_huge_pmd_wp_page", "THP at PFN " + head + " is shared: split the PMD, copy only the written page");
        splitHugePmd(mm, pmdT, idx, addr & ~(HPAGE_PMD_SIZE - 1));
        return VM_FAULT_FALLBACK;
    }

    /** folio_remove_rmap_pmd(): _entire_mapcount and _large_mapcount down; the last one takes ENTIRELY_MAPPED off. */
    private void removeRmapPmd(long head) {
        long entire = m.folioField(head, "_entire_mapcount") - 1;
        m.setFolioField(head, "_entire_mapcount", entire);
        m.setFolioField(head, "_large_mapcount", m.folioField(head, "_large_mapcount") - 1);
        if (entire == -1) m.setFolioField(head, "_nr_pages_mapped", m.folioField(head, "_nr_pages_mapped") - ENTIRELY_MAPPED);
    }

    /** zap_huge_pmd(): clear the PMD, withdraw and free the deposited table, remove the rmap, folio_put. */
    private void zapHugePmd(long pmdT, int idx, long entry) {
        long head = entryPfn(entry);
        setEntry(pmdT, idx, 0);
        Long dep = deposited.remove(pmdT * PTRS_PER_TABLE + idx);
        if (dep != null) freeTable(dep);
        removeRmapPmd(head);
        if (trace.on()) emit("zap_huge_pmd", "huge PMD for the THP at PFN " + head + " cleared, deposited table freed: mapcount "
                + mapcount(head) + ", then folio_put");
        putFolio(head);
    }

    /**
     * __split_huge_pmd_locked() for anonymous memory: the deposited PTE table is withdrawn and filled with
     * 512 PTEs carrying the PMD's bits; folio_ref_add(511) so each PTE holds a reference,
     * folio_add_anon_rmap_ptes (each page _mapcount 0, _large_mapcount + 512, PG_anon_exclusive on every page
     * if the PMD was exclusive), then folio_remove_rmap_pmd. The folio stays one order-9 folio.
     */
    private void splitHugePmd(Mm mm, long pmdT, int idx, long haddr) {
        long e = tables.get(pmdT).e[idx];
        long head = entryPfn(e);
        long pteT = deposited.remove(pmdT * PTRS_PER_TABLE + idx);
        boolean exclusive = mem.testFlag(head, PageFlag.PG_owner_2);
        long bits = e & ~PTE_PFN_MASK & ~_PAGE_PSE;
        for (int i = 0; i < PTRS_PER_TABLE; i++) {
            long pfn = head + i;
            setEntry(pteT, i, (pfn << Addresses.PAGE_SHIFT) | bits);
            addRmap(pfn);
            if (exclusive) mem.setFlags(pfn, mem.flags(pfn) | (1L << PageFlag.PG_anon_exclusive));
        }
        refAdd(head, PTRS_PER_TABLE - 1);
        removeRmapPmd(head);
        setEntry(pmdT, idx, (pteT << Addresses.PAGE_SHIFT) | _PAGE_TABLE);
        if (trace.on()) emit("__split_huge_pmd", String.format("PMD %d of PFN %d at 0x%x now points at PTE table PFN %d (withdrawn): 512 PTEs, "
                + "refcount %d, _large_mapcount %d, _entire_mapcount %d", idx, pmdT, haddr, pteT, mem.refcount(head),
                m.folioField(head, "_large_mapcount"), m.folioField(head, "_entire_mapcount")));
    }

    /** Splits every huge PMD that maps the folio at {@code head}, in every process. */
    private void splitHugePmdsOf(long head) {
        if (!large(head) || m.folioField(head, "_entire_mapcount") < 0) return;
        for (Mm mm : mms.values()) {
            List<long[]> hits = new ArrayList<>();
            forEachHugePmd(mm, 0, TASK_SIZE, (t, i, a, e) -> { if (entryPfn(e) == head) hits.add(new long[] {t, i, a}); });
            for (long[] h : hits) splitHugePmd(mm, h[0], (int) h[1], h[2]);
        }
    }

    /** copy_huge_pmd() of a pinned exclusive THP splits the parent's PMD and falls back to the PTE copy: done before fork counts. */
    private void splitPinnedHugePmds(Mm old) {
        List<long[]> hits = new ArrayList<>();
        forEachHugePmd(old, 0, TASK_SIZE, (t, i, a, e) -> {
            long head = entryPfn(e);
            if (mem.testFlag(head, PageFlag.PG_owner_2) && maybeDmaPinned(head)) hits.add(new long[] {t, i, a});
        });
        for (long[] h : hits) splitHugePmd(old, h[0], (int) h[1], h[2]);
    }

    /**
     * copy_huge_pmd(): the child gets the same huge PMD (and its own deposited table); the folio gains a
     * reference, _entire_mapcount and _large_mapcount + 1, loses PG_anon_exclusive; both PMDs are write-protected.
     */
    private void copyHugePmd(Mm.Vma v, Mm child, Mm.Vma cv, long srcT, int idx, long addr, long e) {
        long head = entryPfn(e);
        long dstT = pmdTable(child, addr);
        long deposit = allocTable(child.address(), 3);
        refAdd(head, 1);
        m.setFolioField(head, "_entire_mapcount", m.folioField(head, "_entire_mapcount") + 1);
        m.setFolioField(head, "_large_mapcount", m.folioField(head, "_large_mapcount") + 1);
        mem.setFlags(head, mem.flags(head) & ~(1L << PageFlag.PG_anon_exclusive));
        if (v.cow() && (e & _PAGE_RW) != 0) {
            e &= ~_PAGE_RW;
            setEntry(srcT, idx, e);
        }
        int cidx = index(addr, 2);
        deposited.put(dstT * PTRS_PER_TABLE + cidx, deposit);
        setEntry(dstT, cidx, e & ~_PAGE_ACCESSED);
        if (trace.on()) emit("copy_huge_pmd", "THP at PFN " + head + " shared with the child: _entire_mapcount " + m.folioField(head, "_entire_mapcount")
                + ", refcount " + mem.refcount(head) + ", both PMDs read-only");
    }

    /**
     * split_folio() as the debugfs split_huge_pages file drives it (folio_try_get, folio_trylock,
     * split_folio, unlock, put): splits a large anonymous or page-cache folio into order-0 folios.
     * Returns 0, -EINVAL (not a large user folio), -EBUSY (under writeback, or not anonymous and not in
     * the page cache) or -EAGAIN (locked, or can_split_folio() fails: a pin or another extra reference).
     * Huge PMDs mapping it are split first; each page then gets the head's flags (PG_uptodate, PG_dirty,
     * PG_swapbacked, PG_active, PG_referenced, PG_workingset), mapping, index + i, a place on the LRU after
     * the head, and one reference per PTE (plus the page cache's); an anonymous page nobody maps is freed.
     */
    public int splitFolio(long pfn) { return splitFolio(pfn, false); }

    /**
     * memory_failure()'s try_to_split_thp_page() and what follows for the poisoned page: null when the split
     * fails (the caller takes the "unsplit thp" path), else the order-0 action's lines. memory_failure's own
     * reference stays on the poisoned page, so even an unmapped one is not freed by the split.
     */
    public List<String> memoryFailureAfterSplit(long pfn) {
        long head = m.compoundHeadPfn(pfn);
        if (!large(head) || splitFolio(pfn, true) != 0) return null;
        if (owns(pfn)) return memoryFailure(pfn);
        // an anonymous page no PTE mapped: me_pagecache_clean finds no mapping; the reference keeps it
        mem.setWord(pfn, Memmap.W_MAPPING, 0);
        return new ArrayList<>(List.of(String.format("Memory failure: %#x: recovery action for clean LRU page: Recovered", pfn)));
    }

    private int splitFolio(long pfn, boolean keepPoisoned) {
        if (!m.validPfn(pfn)) throw KernelError.error("split_folio(): PFN " + pfn + " is outside the machine");
        long head = m.compoundHeadPfn(pfn);
        if (!large(head) || mem.refcount(head) <= 0) {
            if (trace.on()) emit("split_folio", "PFN " + head + " is not a large folio: -EINVAL");
            return -EINVAL;
        }
        if (m.memdescs() != null) {
            throw KernelError.error("split_folio(): the memdesc profile's folio split is not modelled; use the 6.18 profile");
        }
        AddressSpace as = folioFile(head);
        if (PageType.hasType(mem.pageType(head)) || !isAnonFolio(head) && as == null) {
            if (trace.on()) emit("__folio_split", "PFN " + head + " is neither anonymous nor in the page cache: -EBUSY");
            return -EBUSY;
        }
        if (mem.testFlag(head, PageFlag.PG_writeback)) {
            if (trace.on()) emit("__folio_split", "folio under writeback: -EBUSY");
            return -EBUSY;
        }
        if (mem.testFlag(head, PageFlag.PG_locked)) {
            if (trace.on()) emit("split_huge_pages", "folio_trylock() failed: skipped (-EAGAIN)");
            return -EAGAIN;
        }
        int nr = nrPages(head);
        int extra = as != null ? nr : 0;
        if (mem.refcount(head) != mapcount(head) + extra) {
            if (trace.on()) emit("can_split_folio", String.format("refcount %d (with ours %d) but mapcount %d + %d extra + 1: someone else holds "
                    + "it (GUP, a pin): -EAGAIN", mem.refcount(head), mem.refcount(head) + 1, mapcount(head), extra));
            return -EAGAIN;
        }
        splitHugePmdsOf(head);
        long mapping = mem.mapping(head);
        long index = mem.word(head, Memmap.W_INDEX);
        long copy = mem.flags(head) & (PageFlag.PG_uptodate.mask() | PageFlag.PG_dirty.mask() | PageFlag.PG_swapbacked.mask()
                | PageFlag.PG_active.mask() | PageFlag.PG_referenced.mask() | PageFlag.PG_workingset.mask());
        boolean onLru = mem.testFlag(head, PageFlag.PG_lru);
        if (onLru) lruDel(head);
        // lru_add_split_folio: the new folios go where the old one was; the lab puts them at the list's head, in order
        List<Long> toLru = new ArrayList<>();
        // the folio fields in page[1] and page[2] go: the order byte, PG_large_rmappable, PG_has_hwpoisoned
        for (String f : List.of("_large_mapcount", "_nr_pages_mapped", "_entire_mapcount", "_pincount", "_nr_pages", "_mm_ids",
                "_mm_id_mapcount[0]", "_mm_id_mapcount[1]", "_deferred_list.next", "_deferred_list.prev")) {
            m.setFolioField(head, f, 0);
        }
        mem.setWord(head + 1, Memmap.W_FLAGS, mem.flags(head + 1) & ~0xffL & ~(1L << PageFlag.PG_large_rmappable)
                & ~(1L << PageFlag.PG_has_hwpoisoned));
        mem.clearFlag(head, PageFlag.PG_head);
        List<Long> freed = new ArrayList<>();
        for (int i = 0; i < nr; i++) {
            long p = head + i;
            if (i > 0) {
                mem.setWord(p, Memmap.W_LRU_NEXT, 0);
                mem.setWord(p, Memmap.W_LRU_PREV, 0);
                mem.setWord(p, Memmap.W_PRIVATE, 0);
                mem.setFlags(p, mem.flags(p) | copy);
            }
            mem.setWord(p, Memmap.W_MAPPING, mapping);
            mem.setWord(p, Memmap.W_INDEX, index + i);
            int refs = mem.pageType(p) + 1 + (as != null ? 1 : 0);
            if (as != null) as.tree().put(index + i, p);
            if (refs == 0 && keepPoisoned && p == pfn) {
                mem.setRefcount(p, 1); // memory_failure's reference, off the LRU
                mem.clearFlag(p, PageFlag.PG_active);
                continue;
            }
            mem.setRefcount(p, refs);
            if (refs == 0) {
                freed.add(p);
                continue;
            }
            if (onLru) toLru.add(p);
        }
        for (int i = toLru.size() - 1; i >= 0; i--) lruAddNow(toLru.get(i));
        for (long p : freed) {
            mem.setWord(p, Memmap.W_MAPPING, 0);
            mem.setFlags(p, mem.flags(p) & ~(PageFlag.PG_dirty.mask() | PageFlag.PG_active.mask() | PageFlag.PG_referenced.mask()
                    | PageFlag.PG_workingset.mask() | PageFlag.PG_swapbacked.mask() | PageFlag.PG_uptodate.mask() | (1L << PageFlag.PG_anon_exclusive)));
            mem.setRefcount(p, 1);
            m.folioPut(p);
        }
        if (trace.on()) emit("__folio_split", "order-" + Integer.numberOfTrailingZeros(nr) + " folio at PFN " + head + " is now " + nr
                + " order-0 folios; " + freed.size() + " unmapped anonymous page(s) freed");
        return 0;
    }

    // ---------------------------------------------------------------- fork

    /**
     * dup_mm(): a new mm with copies of every VMA; copy_page_range copies the PTEs of VMAs that have an
     * anon_vma (the rest fault in later). Anonymous folios gain a mapping and a reference, lose
     * PG_anon_exclusive, and both PTEs become read-only in a COW mapping; a pinned exclusive folio is
     * copied for the child at once. Returns null, changing nothing, when memory would run out.
     */
    public Mm dupMm(Mm old) {
        splitPinnedHugePmds(old);
        long need = 1 + tablesNeeded(old) + pinnedToCopy(old);
        if (available() < need) {
            if (trace.on()) emit("dup_mm", "needs " + need + " pages, " + available() + " free: -ENOMEM");
            return null;
        }
        Mm child = mmAlloc();
        for (Mm.Vma v : old.vmaTree().values()) {
            long av = v.anonVma() == 0 ? 0 : ANON_VMA_BASE + ANON_VMA_STRIDE * nextAnonVma++;
            Mm.Vma cv = new Mm.Vma(VMA_BASE + VMA_STRIDE * nextVma++, v.start(), v.end(), v.prot(), v.shared(), v.mapping(), v.pgoff(), av);
            child.vmaTree().put(cv.start(), cv);
            // copy_page_range() also copies VM_MIXEDMAP VMAs: their pages cannot be faulted in again
            if (mixedMap.contains(v.address())) mixedMap.add(cv.address());
            if (hugeVmas.contains(v.address())) hugeVmas.add(cv.address());
            if (v.anonVma() == 0 && !mixedMap.contains(v.address())) continue;
            List<long[]> pmds = new ArrayList<>();
            forEachHugePmd(old, v.start(), v.end(), (t, i, a, e) -> pmds.add(new long[] {t, i, a, e}));
            for (long[] p : pmds) copyHugePmd(v, child, cv, p[0], (int) p[1], p[2], p[3]);
            List<long[]> ptes = new ArrayList<>();
            forEachPte(old, v.start(), v.end(), (t, i, a, e) -> ptes.add(new long[] {t, i, a, e}));
            for (long[] p : ptes) copyPte(old, v, child, cv, p[0], (int) p[1], p[2], p[3]);
        }
        if (trace.on()) emit("dup_mm", "pid " + child.pid() + " is a copy of pid " + old.pid() + " (" + child.vmaTree().size() + " VMAs)");
        return child;
    }

    private void copyPte(Mm old, Mm.Vma v, Mm child, Mm.Vma cv, long srcTable, int idx, long addr, long e) {
        long pfn = entryPfn(e);
        long head = m.compoundHeadPfn(pfn);
        long dstTable = pteTable(child, addr, true);
        if (isAnonFolio(head) && mem.testFlag(pfn, PageFlag.PG_owner_2) && maybeDmaPinned(head)) {
            long copy = newAnonFolio(child, cv, addr);
            long ce = (copy << Addresses.PAGE_SHIFT) | ptePresent(cv) | (cv.writable() ? _PAGE_RW | _PAGE_DIRTY : 0);
            setEntry(dstTable, idx, ce);
            if (trace.on()) emit("copy_present_page", "PFN " + pfn + " may be pinned for DMA: the child gets its own copy, PFN " + copy);
            return;
        }
        refAdd(head, 1);
        addRmap(pfn);
        if (isAnonFolio(head)) mem.setFlags(pfn, mem.flags(pfn) & ~(1L << PageFlag.PG_anon_exclusive));
        if (v.cow() && !mixedMap.contains(v.address()) && (e & _PAGE_RW) != 0) {
            e &= ~_PAGE_RW;
            setEntry(srcTable, idx, e);
        }
        setEntry(dstTable, idx, e & ~_PAGE_ACCESSED);
        if (trace.on()) emit("copy_present_ptes", "PFN " + pfn + " shared with the child: mapcount " + mapcount(head) + ", refcount " + mem.refcount(head)
                + (v.cow() ? ", both PTEs read-only" : ""));
    }

    private long tablesNeeded(Mm old) {
        java.util.Set<Long> pud = new java.util.HashSet<>(), pmd = new java.util.HashSet<>(), pte = new java.util.HashSet<>();
        for (Mm.Vma v : old.vmaTree().values()) {
            if (v.anonVma() == 0 && !mixedMap.contains(v.address())) continue;
            forEachPte(old, v.start(), v.end(), (t, i, a, e) -> {
                pud.add(a >>> 39);
                pmd.add(a >>> 30);
                pte.add(a >>> 21);
            });
            // a huge PMD needs the upper tables and a PTE table to deposit
            forEachHugePmd(old, v.start(), v.end(), (t, i, a, e) -> {
                pud.add(a >>> 39);
                pmd.add(a >>> 30);
                pte.add(a >>> 21);
            });
        }
        return pud.size() + pmd.size() + pte.size();
    }

    private long pinnedToCopy(Mm old) {
        long[] n = {0};
        for (Mm.Vma v : old.vmaTree().values()) {
            if (v.anonVma() == 0) continue;
            forEachPte(old, v.start(), v.end(), (t, i, a, e) -> {
                long pfn = entryPfn(e);
                long head = m.compoundHeadPfn(pfn);
                if (isAnonFolio(head) && mem.testFlag(pfn, PageFlag.PG_owner_2) && maybeDmaPinned(head)) n[0]++;
            });
        }
        return n[0];
    }

    // ---------------------------------------------------------------- the page cache

    /** A new empty file of {@code size} bytes with its address_space (the lab's stand-in for creating an inode). */
    public AddressSpace createFile(String name, long size) {
        if (name == null || name.isEmpty()) throw KernelError.error("lab_create_file(): the file needs a name");
        if (size < 0) throw KernelError.error("lab_create_file(): size " + size + " is negative");
        for (AddressSpace a : files.values()) if (a.name().equals(name)) throw KernelError.error("lab_create_file(): " + name + " exists");
        long addr = MAPPING_BASE + MAPPING_STRIDE * nextFile++;
        AddressSpace as = new AddressSpace(addr, name, pageAlignUp(size) >>> Addresses.PAGE_SHIFT);
        files.put(addr, as);
        if (trace.on()) emit("lab_create_file", name + ": address_space " + hex(addr) + ", " + as.sizePages() + " page(s) long, a_ops->dirty_folio = "
                + "filemap_dirty_folio");
        return as;
    }

    /** The head PFN caching {@code index}, or -1. */
    private long cacheLookup(AddressSpace as, long index) {
        var e = as.tree().floorEntry(index);
        if (e == null) return -1;
        long head = e.getValue();
        return index < e.getKey() + nrPages(head) ? head : -1;
    }

    private void addToCache(AddressSpace as, long head, long index) {
        int nr = nrPages(head);
        refAdd(head, nr);
        mem.setWord(head, Memmap.W_MAPPING, as.address());
        mem.setWord(head, Memmap.W_INDEX, index);
        as.tree().put(index, head);
        if (trace.on()) emit("__filemap_add_folio", "PFN " + head + " at index " + index + " of " + as.name() + ": mapping, index, refcount +" + nr);
        lruAddNow(head);
    }

    /** filemap_add_folio(): 0, or -EEXIST when the index is taken. */
    public int filemapAddFolio(AddressSpace as, long head, long index) {
        if (daxFiles.containsKey(as.address())) {
            throw KernelError.error("filemap_add_folio(): " + as.name() + " is a DAX file: it has no page cache, its pages are the "
                    + "device's (i_pages holds DAX entries, not folios)");
        }
        requireUserFolio(head, "filemap_add_folio");
        if (!mem.testFlag(head, PageFlag.PG_locked)) {
            throw m.vmBug(head, "VM_BUG_ON_FOLIO(!folio_test_locked(folio))", "filemap_add_folio() needs a locked folio "
                    + "(__folio_set_locked() a new one first)");
        }
        if (mem.testFlag(head, PageFlag.PG_swapbacked)) {
            throw m.vmBug(head, "VM_BUG_ON_FOLIO(folio_test_swapbacked(folio))", "filemap_add_folio() of an anonymous folio");
        }
        int nr = nrPages(head);
        if (index < 0 || (index & (nr - 1)) != 0) {
            throw m.vmBug(head, "VM_BUG_ON_FOLIO(index & (folio_nr_pages(folio) - 1))", "index " + index
                    + " is not aligned to the folio's " + nr + " pages");
        }
        for (long i = index; i < index + nr; i++) {
            if (cacheLookup(as, i) >= 0) {
                if (trace.on()) emit("filemap_add_folio", "index " + i + " of " + as.name() + " is already cached: -EEXIST");
                return -EEXIST;
            }
        }
        if (mem.mapping(head) != 0 || mem.testFlag(head, PageFlag.PG_lru)) {
            throw KernelError.error(String.format("filemap_add_folio(): PFN %d already belongs to %s; a folio is in one page "
                    + "cache at a time", head, mem.mapping(head) != 0 ? String.format("the address_space at 0x%016x", mem.mapping(head))
                    : "an LRU list"));
        }
        addToCache(as, head, index);
        return 0;
    }

    /** filemap_get_folio(): the cached folio with one more reference, or -1 (ERR_PTR(-ENOENT)). */
    public long filemapGetFolio(AddressSpace as, long index) {
        long head = cacheLookup(as, index);
        if (head < 0) return -1;
        refAdd(head, 1);
        if (trace.on()) emit("filemap_get_folio", "index " + index + " of " + as.name() + " is PFN " + head + ": refcount now " + mem.refcount(head));
        return head;
    }

    /** filemap_check_errors(): the file's recorded error, cleared once reported. */
    public int takeError(AddressSpace as) {
        int e = as.error();
        as.setError(0);
        return e;
    }

    /** The file whose address_space a folio's mapping names, or null (anonymous, slab, no mapping). */
    public AddressSpace folioFile(long head) {
        long mapping = mem.mapping(head);
        return (mapping & 3) == 0 ? files.get(mapping) : null;
    }

    /**
     * folio_mark_dirty(): through mapping->a_ops->dirty_folio (filemap_dirty_folio) for a page-cache
     * folio; noop_dirty_folio (just PG_dirty) otherwise. Returns true if the folio was clean.
     */
    public boolean folioMarkDirty(long head) {
        if (mem.refcount(head) <= 0 && !PageType.hasType(mem.pageType(head))) {
            throw m.vmBug(head, "VM_BUG_ON_FOLIO(!folio_ref_count(folio))", "folio_mark_dirty() of a free page");
        }
        boolean was = mem.testFlag(head, PageFlag.PG_dirty);
        AddressSpace as = isDaxPage(head) ? null : folioFile(head); // a DAX file's a_ops->dirty_folio is noop_dirty_folio
        if (!was) mem.setFlag(head, PageFlag.PG_dirty);
        if (as != null) {
            if (trace.on()) emit("filemap_dirty_folio", was ? "PFN " + head + " was already dirty" : "PFN " + head + ": PG_dirty, PAGECACHE_TAG_DIRTY in "
                    + as.name() + "'s i_pages, __mark_inode_dirty(I_DIRTY_PAGES)");
        } else {
            if (trace.on()) emit("noop_dirty_folio", "PFN " + head + (isAnonFolio(head) ? " is anonymous" : " has no address_space")
                    + ": only PG_dirty" + (was ? " (already set)" : ""));
        }
        return !was;
    }

    private void requireLocked(long head, String fn) {
        if (!mem.testFlag(head, PageFlag.PG_locked)) {
            throw m.vmBug(head, "VM_BUG_ON_FOLIO(!folio_test_locked(folio))", fn + "() needs the folio locked (folio_lock() it first)");
        }
    }

    /** __folio_set_locked / folio_lock: refuses a locked folio (folio_lock would sleep forever in the lab). */
    public void folioLock(long head, String fn) {
        requireUserFolio(head, fn);
        if (mem.testFlag(head, PageFlag.PG_locked)) {
            throw KernelError.error(fn + "(): PFN " + head + " is already locked; the kernel's folio_lock() would sleep until "
                    + "folio_unlock(), which nobody will call here");
        }
        mem.setFlag(head, PageFlag.PG_locked);
    }

    public void folioUnlock(long head) {
        requireLocked(head, "folio_unlock");
        mem.clearFlag(head, PageFlag.PG_locked);
    }

    /** folio_clear_dirty_for_io(): folio_mkclean (write-protect and clean the PTEs), then clear PG_dirty. */
    public boolean folioClearDirtyForIo(long head) {
        requireUserFolio(head, "folio_clear_dirty_for_io");
        requireLocked(head, "folio_clear_dirty_for_io");
        for (Mm mm : mms.values()) {
            for (Mm.Vma v : mm.vmaTree().values()) {
                if (!v.shared()) continue;
                List<long[]> hits = new ArrayList<>();
                forEachPte(mm, v.start(), v.end(), (t, i, a, e) -> {
                    if (m.compoundHeadPfn(entryPfn(e)) == head && (e & (_PAGE_DIRTY | _PAGE_RW)) != 0) hits.add(new long[] {t, i, e});
                });
                for (long[] h : hits) setEntry(h[0], (int) h[1], h[2] & ~(_PAGE_DIRTY | _PAGE_RW));
                if (!hits.isEmpty()) if (trace.on()) emit("folio_mkclean", hits.size() + " PTE(s) of pid " + mm.pid() + " cleaned and write-protected");
            }
        }
        boolean was = mem.testFlag(head, PageFlag.PG_dirty);
        mem.clearFlag(head, PageFlag.PG_dirty);
        if (trace.on()) emit("folio_clear_dirty_for_io", "PFN " + head + (was ? ": PG_dirty cleared for writeback" : " was clean"));
        return was;
    }

    /** folio_start_writeback(): PG_writeback on a locked folio; the dirty tag goes when PG_dirty is clear. */
    public void folioStartWriteback(long head) {
        requireUserFolio(head, "folio_start_writeback");
        requireLocked(head, "folio_start_writeback");
        if (mem.testFlag(head, PageFlag.PG_writeback)) {
            throw m.vmBug(head, "VM_BUG_ON_FOLIO(folio_test_writeback(folio))", "folio_start_writeback() of a folio already under writeback");
        }
        mem.setFlag(head, PageFlag.PG_writeback);
        if (trace.on()) emit("__folio_start_writeback", "PFN " + head + ": PG_writeback, PAGECACHE_TAG_WRITEBACK"
                + (mem.testFlag(head, PageFlag.PG_dirty) ? "" : ", PAGECACHE_TAG_DIRTY cleared"));
    }

    /** folio_end_writeback(): the I/O finished; PG_writeback clears and waiters wake. */
    public void folioEndWriteback(long head) {
        requireUserFolio(head, "folio_end_writeback");
        if (!mem.testFlag(head, PageFlag.PG_writeback)) {
            throw m.vmBug(head, "VM_BUG_ON_FOLIO(!folio_test_writeback(folio))", "folio_end_writeback() of a folio not under writeback");
        }
        mem.clearFlag(head, PageFlag.PG_writeback);
        if (trace.on()) emit("folio_end_writeback", "PFN " + head + ": PG_writeback cleared, waiters woken");
    }

    /**
     * truncate_inode_pages(): every cached folio from {@code startIndex} on is unmapped from every process
     * (unmap_mapping_folio), loses PG_dirty (folio_cancel_dirty) and leaves the page cache, dropping the
     * cache's references. Refuses, changing nothing, where the kernel would sleep on a lock or writeback.
     */
    public int truncate(AddressSpace as, long startIndex) {
        if (daxFiles.containsKey(as.address())) {
            throw KernelError.error("truncate(): " + as.name() + " is a DAX file; the lab does not model dax_delete_mapping_entry "
                    + "(truncating a DAX file). Nothing changed");
        }
        List<Long> heads = new ArrayList<>();
        for (var e : as.tree().entrySet()) if (e.getKey() + nrPages(e.getValue()) > startIndex) heads.add(e.getValue());
        for (long h : heads) {
            if (mem.testFlag(h, PageFlag.PG_writeback) || mem.testFlag(h, PageFlag.PG_locked)) {
                throw KernelError.error("truncate_inode_pages(): PFN " + h + " is " + (mem.testFlag(h, PageFlag.PG_locked) ? "locked"
                        : "under writeback") + "; the kernel would sleep until it is not (call " + (mem.testFlag(h, PageFlag.PG_locked)
                        ? "folio_unlock" : "folio_end_writeback") + "() first)");
            }
            if (mem.isHead(h) && mem.word(h, Memmap.W_INDEX) < startIndex) {
                throw KernelError.error("truncate_inode_pages(): the large folio at PFN " + h + " straddles index " + startIndex
                        + "; the lab does not split folios");
            }
        }
        for (long h : heads) {
            unmapFolioEverywhere(h);
            mem.clearFlag(h, PageFlag.PG_dirty);
            as.tree().remove(mem.word(h, Memmap.W_INDEX));
            mem.setWord(h, Memmap.W_MAPPING, 0);
            int nr = nrPages(h);
            if (trace.on()) emit("truncate_inode_folio", "PFN " + h + " leaves " + as.name() + "'s page cache: mapping NULL, the cache's "
                    + nr + " reference(s) dropped");
            for (int i = 0; i < nr; i++) putFolio(h);
        }
        return heads.size();
    }

    /** try_to_unmap / unmap_mapping_folio: every PTE of every process that maps a page of this folio. */
    private int unmapFolioEverywhere(long head) {
        splitHugePmdsOf(head);
        int n = 0;
        for (Mm mm : new ArrayList<>(mms.values())) {
            List<long[]> hits = new ArrayList<>();
            for (Mm.Vma v : mm.vmaTree().values()) {
                forEachPte(mm, v.start(), v.end(), (t, i, a, e) -> {
                    if (m.compoundHeadPfn(entryPfn(e)) == head) hits.add(new long[] {t, i, a, e});
                });
            }
            for (long[] h : hits) {
                refAdd(head, 1);
                zapPte(h[0], (int) h[1], h[3]);
                refAdd(head, -1);
                freeTablesIfUnused(mm, h[2]);
                n++;
            }
        }
        return n;
    }

    /** PIDs of processes that map a page of this folio. */
    private List<Mm> mappers(long head) {
        List<Mm> out = new ArrayList<>();
        for (Mm mm : mms.values()) {
            boolean[] hit = {false};
            for (Mm.Vma v : mm.vmaTree().values()) {
                forEachPte(mm, v.start(), v.end(), (t, i, a, e) -> {
                    if (m.compoundHeadPfn(entryPfn(e)) == head) hit[0] = true;
                });
                forEachHugePmd(mm, v.start(), v.end(), (t, i, a, e) -> {
                    if (entryPfn(e) == head) hit[0] = true;
                });
            }
            if (hit[0]) out.add(mm);
        }
        return out;
    }

    // ---------------------------------------------------------------- reclaim

    /**
     * A simple shrink_lruvec: from the tail of inactive_file, free folios that are clean, unmapped, not
     * locked or under writeback, and held only by the page cache; if that is not enough, deactivate the
     * tail of active_file once and scan again. Returns the pages freed.
     */
    public long reclaim(long nrToReclaim) {
        if (nrToReclaim <= 0) throw KernelError.error("lab_reclaim(): nr_to_reclaim must be positive");
        long freed = scanInactiveFile(nrToReclaim);
        if (freed < nrToReclaim && !lru.isEmpty(Lru.ACTIVE_FILE)) {
            List<Long> active = lruList(3);
            for (int i = active.size() - 1; i >= 0; i--) {
                long h = active.get(i);
                lruDel(h);
                mem.clearFlag(h, PageFlag.PG_active);
                lruAddNow(h);
                if (trace.on()) emit("shrink_active_list", "PFN " + h + " deactivated to inactive_file");
            }
            freed += scanInactiveFile(nrToReclaim - freed);
        }
        if (trace.on()) emit("lab_reclaim", freed + " page(s) reclaimed; anonymous folios stay (no swap)");
        return freed;
    }

    private long scanInactiveFile(long want) {
        long freed = 0;
        List<Long> inactive = lruList(2);
        for (int i = inactive.size() - 1; i >= 0 && freed < want; i--) {
            long h = inactive.get(i);
            String why = mem.testFlag(h, PageFlag.PG_dirty) ? "dirty (the kernel would start writeback)"
                    : mem.testFlag(h, PageFlag.PG_writeback) ? "under writeback" : mem.testFlag(h, PageFlag.PG_locked) ? "locked"
                    : mapcount(h) > 0 ? "mapped (the kernel would try_to_unmap it if not recently referenced)"
                    : folioFile(h) == null ? "not in a page cache" : mem.refcount(h) != nrPages(h) ? "held by someone else (refcount "
                    + mem.refcount(h) + ")" : null;
            if (why != null) {
                if (trace.on()) emit("shrink_folio_list", "PFN " + h + " kept: " + why);
                continue;
            }
            AddressSpace as = folioFile(h);
            as.tree().remove(mem.word(h, Memmap.W_INDEX));
            mem.setWord(h, Memmap.W_MAPPING, 0);
            int nr = nrPages(h);
            if (trace.on()) emit("__remove_mapping", "PFN " + h + " (index " + mem.word(h, Memmap.W_INDEX) + " of " + as.name() + ") reclaimed");
            for (int k = 0; k < nr; k++) putFolio(h);
            freed += nr;
        }
        return freed;
    }

    // ---------------------------------------------------------------- GUP

    /**
     * get_user_pages / pin_user_pages for one address: faults the page in as needed (a write fault for
     * FOLL_WRITE, an unshare fault to pin a shared anonymous page), then takes the reference: FOLL_GET adds
     * 1; FOLL_PIN adds GUP_PIN_COUNTING_BIAS to a small folio's refcount, or 1 and one _pincount to a large
     * one. Returns the PFN, or a negative errno.
     */
    public long gup(Mm mm, long addr, int gupFlags, boolean pin) {
        if ((gupFlags & ~(FOLL_WRITE | FOLL_FORCE | FOLL_LONGTERM)) != 0) {
            throw KernelError.error("gup flags " + String.format("%#x", gupFlags) + ": the lab knows FOLL_WRITE, FOLL_FORCE and FOLL_LONGTERM");
        }
        if (!pin && (gupFlags & FOLL_LONGTERM) != 0) {
            throw KernelError.error("get_user_pages(): FOLL_LONGTERM needs FOLL_PIN (use pin_user_pages): the kernel WARNs and returns -EINVAL");
        }
        Mm.Vma vma = mm.vmaAt(addr);
        boolean write = (gupFlags & FOLL_WRITE) != 0;
        if (vma == null || write && !vma.writable()) {
            if (trace.on()) emit("__get_user_pages", vma == null ? "no VMA at " + hex(addr) + ": -EFAULT" : "write to a read-only VMA: -EFAULT");
            return -EFAULT;
        }
        if (pin && (gupFlags & FOLL_LONGTERM) != 0 && isDax(vma)) {
            // check_vma_flags(): vma_is_fsdax() and FOLL_LONGTERM; the filesystem could not move or truncate the blocks
            if (trace.on()) emit("check_vma_flags", "FOLL_LONGTERM on an fsdax VMA: -EOPNOTSUPP");
            return -EOPNOTSUPP;
        }
        for (int attempt = 0; attempt < 3; attempt++) {
            long e = pte(mm, addr);
            long pfn = entryPfn(e);
            long pmdE = hugePmdEntry(mm, addr);
            if (pmdE != 0) { // follow_huge_pmd: the page inside the THP
                e = pmdE;
                pfn = entryPfn(pmdE) + ((addr >>> Addresses.PAGE_SHIFT) & (PTRS_PER_TABLE - 1));
            }
            boolean present = (e & _PAGE_PRESENT) != 0;
            boolean needWrite = present && write && (e & _PAGE_RW) == 0;
            // PG_anon_exclusive of a PMD mapping lives on the folio's first page
            long exclPfn = pmdE != 0 ? entryPfn(pmdE) : pfn;
            boolean needUnshare = present && pin && !write && isAnonFolio(m.compoundHeadPfn(pfn)) && !mem.testFlag(exclPfn, PageFlag.PG_owner_2);
            if (present && !needWrite && !needUnshare) {
                long head = m.compoundHeadPfn(pfn);
                if (!pin) refAdd(head, 1);
                else if (large(head)) {
                    refAdd(head, 1);
                    m.setFolioField(head, "_pincount", m.folioField(head, "_pincount") + 1);
                } else {
                    refAdd(head, GUP_PIN_COUNTING_BIAS);
                }
                if (trace.on()) emit(pin ? "try_grab_folio(FOLL_PIN)" : "try_grab_folio(FOLL_GET)", "PFN " + pfn + ": refcount " + mem.refcount(head)
                        + (pin && large(head) ? ", _pincount " + m.folioField(head, "_pincount") : ""));
                return pfn;
            }
            int r = handleMmFault(mm, vma, addr, (write ? FAULT_FLAG_WRITE : 0) | (needUnshare ? FAULT_FLAG_UNSHARE : 0));
            if (r != 0) return (r & VM_FAULT_OOM) != 0 ? -ENOMEM : -EFAULT;
        }
        return -EFAULT;
    }

    /** unpin_user_page(): drops one FOLL_PIN reference. */
    public void unpinUserPage(long pfn) {
        long head = m.compoundHeadPfn(pfn);
        if (!maybeDmaPinned(head)) {
            throw m.vmBug(head, "WARN_ON_ONCE(!folio_maybe_dma_pinned(folio))", "unpin_user_page() of a page that is not pinned");
        }
        if (large(head)) {
            m.setFolioField(head, "_pincount", m.folioField(head, "_pincount") - 1);
            putFolio(head);
        } else {
            refAdd(head, -(GUP_PIN_COUNTING_BIAS - 1));
            putFolio(head);
        }
    }

    // ---------------------------------------------------------------- UserFolios

    @Override
    public boolean owns(long head) {
        if (!m.validPfn(head) || mem.isTail(head) || mem.refcount(head) <= 0) return false;
        if (isAnonFolio(head)) return mapcount(head) > 0 || mem.testFlag(head, PageFlag.PG_lru);
        AddressSpace as = folioFile(head);
        return as != null && cacheLookup(as, mem.word(head, Memmap.W_INDEX)) == head;
    }

    /** The references the folio's owners hold: one per PTE, and the page cache's one per page. */
    int ownersRefs(long head) {
        int refs = 0;
        for (long p = head; p < head + nrPages(head); p++) {
            int t = mem.pageType(p);
            if (!PageType.hasType(t)) refs += t + 1;
        }
        if (large(head)) refs += (int) m.folioField(head, "_entire_mapcount") + 1; // one per huge PMD
        if (folioFile(head) != null) refs += nrPages(head);
        return refs;
    }

    /**
     * {@inheritDoc} Ask before taking the isolation reference: a folio whose refcount exceeds its owners'
     * references (one per PTE, one per cached page) is held by someone else (get_user_pages, a driver), and
     * migration would fail on the refcount check (folio_migrate_mapping: -EAGAIN).
     */
    @Override
    public String whyUnmovable(long head) {
        if (maybeDmaPinned(head)) return "pinned by GUP (folio_maybe_dma_pinned)";
        if (large(head) && m.folioField(head, "_entire_mapcount") >= 0) {
            return "a PMD-mapped THP (the lab does not migrate huge PMD mappings; split_folio() it first)";
        }
        if (mem.testFlag(head, PageFlag.PG_writeback)) return "under writeback (PG_writeback)";
        if (mem.testFlag(head, PageFlag.PG_locked)) return "locked (PG_locked)";
        if (mem.refcount(head) > ownersRefs(head)) {
            return "has extra references (refcount " + mem.refcount(head) + ", owners " + ownersRefs(head) + ")";
        }
        return null;
    }

    /**
     * Moves an owned folio to {@code newHead}. Reference accounting: the owners' references (one per PTE,
     * one per cached page) move to the new folio, which keeps none of its allocation's; whatever else the
     * old folio held (the caller's isolation reference) stays with it.
     */
    @Override
    public void migrate(long head, long newHead) {
        int nr = nrPages(head);
        int owners = ownersRefs(head);
        boolean onLru = mem.testFlag(head, PageFlag.PG_lru);
        if (onLru) lruDel(head);
        long keep = PageFlag.PG_uptodate.mask() | PageFlag.PG_dirty.mask() | PageFlag.PG_active.mask()
                | PageFlag.PG_referenced.mask() | PageFlag.PG_swapbacked.mask() | PageFlag.PG_workingset.mask();
        mem.setFlags(newHead, mem.flags(newHead) | (mem.flags(head) & keep));
        mem.setFlags(head, mem.flags(head) & ~(PageFlag.PG_dirty.mask() | PageFlag.PG_active.mask()));
        mem.setWord(newHead, Memmap.W_MAPPING, mem.mapping(head));
        mem.setWord(newHead, Memmap.W_INDEX, mem.word(head, Memmap.W_INDEX));
        AddressSpace as = folioFile(head);
        if (as != null) {
            as.tree().put(mem.word(head, Memmap.W_INDEX), newHead);
            mem.setWord(head, Memmap.W_MAPPING, 0);
        }
        for (Mm mm : mms.values()) {
            List<long[]> hits = new ArrayList<>();
            for (Mm.Vma v : mm.vmaTree().values()) {
                forEachPte(mm, v.start(), v.end(), (t, i, a, e) -> {
                    if (m.compoundHeadPfn(entryPfn(e)) == head) hits.add(new long[] {t, i, e});
                });
            }
            for (long[] h : hits) {
                long oldPfn = entryPfn(h[2]);
                long np = newHead + (oldPfn - head);
                setEntry(h[0], (int) h[1], (h[2] & ~PTE_PFN_MASK) | (np << Addresses.PAGE_SHIFT));
                removeRmap(oldPfn);
                addRmap(np);
                if (mem.testFlag(oldPfn, PageFlag.PG_owner_2)) {
                    mem.setFlags(np, mem.flags(np) | (1L << PageFlag.PG_anon_exclusive));
                }
            }
        }
        for (long p = head; p < head + nr; p++) mem.setFlags(p, mem.flags(p) & ~(1L << PageFlag.PG_anon_exclusive));
        mem.setRefcount(newHead, owners);
        mem.setRefcount(head, mem.refcount(head) - owners);
        if (onLru) lruAddNow(newHead);
        if (trace.on()) emit("migrate_folio", "PFN " + head + " → PFN " + newHead + ": PTEs, page-cache slot and LRU position moved");
    }

    /**
     * The memory-failure action for a poisoned page of an owned folio, as mm/memory-failure.c does it with
     * vm.memory_failure_early_kill = 1: hwpoison_user_mappings unmaps the folio from every process and
     * kills each with SIGBUS (kill_proc); then me_pagecache_dirty / me_pagecache_clean take it off the LRU,
     * record -EIO on a dirty file (mapping_set_error) and drop it from the page cache. The folio keeps one
     * reference (memory_failure's own), so a poisoned page never returns to the free lists.
     */
    /**
     * memory_failure() on a page of a large folio when try_to_split_thp_page() fails: kill_procs_now()
     * sends SIGBUS to every process that maps the folio (they exit); the folio stays where it is.
     * Returns the kernel's lines ("unsplit thp" comes from the caller).
     */
    public List<String> killMappersNow(long pfn) {
        long head = m.compoundHeadPfn(pfn);
        List<String> out = new ArrayList<>();
        List<Mm> victims = mappers(head);
        for (Mm mm : victims) {
            out.add(String.format("Memory failure: %#x: Sending SIGBUS to lab:%d due to hardware memory corruption", pfn, mm.pid()));
        }
        for (Mm mm : victims) if (mms.containsKey(mm.address())) mmput(mm);
        return out;
    }

    @Override
    public List<String> memoryFailure(long pfn) {
        long head = m.compoundHeadPfn(pfn);
        List<String> out = new ArrayList<>();
        AddressSpace as = folioFile(head);
        if (!owns(head)) return out;
        boolean[] dirty = {mem.testFlag(head, PageFlag.PG_dirty)};
        List<Mm> victims = mappers(head);
        for (Mm mm : victims) {
            for (Mm.Vma v : mm.vmaTree().values()) {
                forEachPte(mm, v.start(), v.end(), (t, i, a, e) -> {
                    if (m.compoundHeadPfn(entryPfn(e)) == head && (e & _PAGE_DIRTY) != 0) dirty[0] = true;
                });
            }
        }
        String type = dirty[0] ? "dirty LRU page" : "clean LRU page";
        refAdd(head, 1);
        for (Mm mm : victims) {
            out.add(String.format("Memory failure: %#x: Sending SIGBUS to lab:%d due to hardware memory corruption", pfn, mm.pid()));
        }
        unmapFolioEverywhere(head);
        for (Mm mm : victims) if (mms.containsKey(mm.address())) mmput(mm);
        if (mem.testFlag(head, PageFlag.PG_lru)) lruDel(head);
        mem.clearFlag(head, PageFlag.PG_active);
        if (as != null) {
            if (dirty[0]) as.setError(-EIO);
            mem.clearFlag(head, PageFlag.PG_dirty);
            as.tree().remove(mem.word(head, Memmap.W_INDEX));
            mem.setWord(head, Memmap.W_MAPPING, 0);
            refAdd(head, -nrPages(head));
            if (trace.on()) emit("truncate_error_folio", "PFN " + head + " dropped from " + as.name() + "'s page cache"
                    + (dirty[0] ? "; mapping_set_error(-EIO): the next fsync() reports the lost data" : ""));
        }
        out.add(String.format("Memory failure: %#x: recovery action for %s: Recovered", pfn, type));
        return out;
    }

    // ---------------------------------------------------------------- fsdax: a DAX file over a ZONE_DEVICE range

    static final int EOPNOTSUPP = 95;

    /**
     * A file on a filesystem mounted with {@code -o dax} over the MEMORY_DEVICE_FS_DAX range at {@code pgmapAddr}
     * (pmem's namespace): the file's page i is the device page at the range's PFN start + i. Its address_space
     * never caches folios; a fault maps the device page itself.
     *
     * <p>Simplified: the lab's "filesystem" is the identity (file offset i is block i of the device, one file
     * per pgmap, as large as the range); the kernel asks the filesystem's iomap for the block.
     */
    public AddressSpace createDaxFile(String name, long pgmapAddr) {
        ZoneDevice.Pgmap pg = m.zoneDevice().pgmapAt(pgmapAddr);
        if (pg == null) throw KernelError.error(String.format("lab_dax_file(): 0x%016x is not a live struct dev_pagemap", pgmapAddr));
        if (pg.type() != ZoneDevice.Type.MEMORY_DEVICE_FS_DAX) {
            throw KernelError.error("lab_dax_file(): the pgmap is " + pg.type() + "; a DAX filesystem needs MEMORY_DEVICE_FS_DAX (type 3)");
        }
        if (daxFiles.containsValue(pgmapAddr)) {
            throw KernelError.error("lab_dax_file(): the lab puts one DAX file on a pgmap, and this one has one ("
                    + fileAt(daxFileOn(pgmapAddr)).name() + ")");
        }
        AddressSpace as = createFile(name, pg.nr() << Addresses.PAGE_SHIFT);
        daxFiles.put(as.address(), pgmapAddr);
        if (trace.on()) emit("lab_dax_file", name + " lives on the fsdax pgmap " + hex(pgmapAddr) + ": index i is PFN " + pg.start() + " + i");
        return as;
    }

    /** The address_space of the DAX file on a pgmap, or 0. */
    public long daxFileOn(long pgmapAddr) {
        for (var e : daxFiles.entrySet()) if (e.getValue() == pgmapAddr) return e.getKey();
        return 0;
    }

    /** True if the file is a DAX file (IS_DAX(inode)). */
    public boolean isDaxFile(long mapping) { return daxFiles.containsKey(mapping); }

    /** vma_is_dax(): the VMA maps a DAX file. */
    public boolean isDax(Mm.Vma vma) { return !vma.anonymous() && daxFiles.containsKey(vma.mapping()); }

    private boolean isDaxPage(long pfn) { return FlagsWord.isZoneDevice(mem.flags(pfn)); }

    /**
     * dax_iomap_pte_fault(): the file's block is a device page; dax_associate_entry() sets folio->mapping and
     * folio->index on its first use (they stay until the DAX entry leaves the file, not when the last PTE
     * goes), then vmf_insert_page_mkwrite() -> insert_page(): folio_get (refcount + 1), folio_add_file_rmap_pte
     * (mapcount + 1), a PTE that is writable and dirty for a write fault. A private write copies the block to
     * an anonymous folio (dax_fault_cow_page). A block memory_failure() poisoned is VM_FAULT_SIGBUS.
     */
    private int daxFault(Mm mm, Mm.Vma vma, long page, boolean write) {
        AddressSpace as = fileAt(vma.mapping());
        ZoneDevice.Pgmap pg = m.zoneDevice().pgmapAt(daxFiles.get(vma.mapping()));
        long index = vma.linearPageIndex(page);
        if (index >= as.sizePages()) {
            if (trace.on()) emit("dax_iomap_pte_fault", "index " + index + " is beyond the end of " + as.name() + ": VM_FAULT_SIGBUS");
            return VM_FAULT_SIGBUS;
        }
        long pfn = pg.start() + index;
        boolean cow = write && !vma.shared();
        long table = pteTable(mm, page, true);
        if (table == -2) return VM_FAULT_OOM;
        int idx = index(page, 3);
        long entry = tables.get(table).e[idx];
        if ((entry & _PAGE_PRESENT) != 0) {
            if (!write || (entry & _PAGE_RW) != 0 || vma.shared()) {
                // a read, or wp_pfn_shared -> dax_iomap_fault(write) making the PTE writable and dirty
                setEntry(table, idx, entry | _PAGE_ACCESSED | (write ? _PAGE_RW | _PAGE_DIRTY : 0));
                if (trace.on()) emit("handle_pte_fault", "DAX PTE for PFN " + entryPfn(entry) + (write ? " made writable and dirty" : " is present"));
                return 0;
            }
            // private write to a read-only PTE of the device page: copy, dropping the device page's mapping
            if (available() < 1) return VM_FAULT_OOM;
            zapPte(table, idx, entry);
            long copy = newAnonFolio(mm, vma, page);
            setEntry(table, idx, (copy << Addresses.PAGE_SHIFT) | ptePresent(vma) | _PAGE_RW | _PAGE_DIRTY);
            if (trace.on()) emit("wp_page_copy", "private write: the DAX block copied into anonymous PFN " + copy);
            return 0;
        }
        if (mem.testFlag(pfn, PageFlag.PG_hwpoison)) {
            if (trace.on()) emit("dax_iomap_pte_fault", "PFN " + pfn + " is poisoned (a pmem bad block): VM_FAULT_SIGBUS");
            return VM_FAULT_SIGBUS;
        }
        if (cow) {
            if (available() < 1) return VM_FAULT_OOM;
            long copy = newAnonFolio(mm, vma, page);
            setEntry(table, idx, (copy << Addresses.PAGE_SHIFT) | ptePresent(vma) | _PAGE_RW | _PAGE_DIRTY);
            if (trace.on()) emit("dax_fault_cow_page", "private write: block " + index + " of " + as.name() + " copied into anonymous PFN " + copy);
            return 0;
        }
        if (mem.mapping(pfn) == 0) {
            mem.setWord(pfn, Memmap.W_MAPPING, as.address());
            mem.setWord(pfn, Memmap.W_INDEX, index);
            if (trace.on()) emit("dax_associate_entry", "PFN " + pfn + ": mapping = " + as.name() + "'s address_space, index = " + index);
        }
        refAdd(pfn, 1);
        addRmap(pfn);
        long e = (pfn << Addresses.PAGE_SHIFT) | ptePresent(vma) | (write ? _PAGE_RW | _PAGE_DIRTY : 0);
        setEntry(table, idx, e);
        if (trace.on()) emit("vmf_insert_page_mkwrite", String.format("insert_page: PTE %d of PFN %d = 0x%016x: mapcount %d, refcount %d",
                idx, table, e, mapcount(pfn), mem.refcount(pfn)));
        return 0;
    }

    /**
     * mf_generic_kill_procs() for a DAX page the lab's file uses: collect_procs() finds every process whose
     * PTEs map it, unmap_and_kill() runs unmap_mapping_range() over the block and kill_procs() sends each SIGBUS
     * (the lab's processes exit on it). Returns the kernel's lines, without action_result's.
     */
    List<String> daxKillProcs(long pfn) {
        List<String> out = new ArrayList<>();
        List<Mm> victims = mappers(pfn);
        mem.setFlag(pfn, PageFlag.PG_hwpoison);
        refAdd(pfn, 1); // dax_lock_folio's hold, so the unmapping cannot free it under us
        unmapFolioEverywhere(pfn);
        for (Mm mm : victims) {
            out.add(String.format("Memory failure: %#x: Sending SIGBUS to lab:%d due to hardware memory corruption", pfn, mm.pid()));
        }
        for (Mm mm : victims) if (mms.containsKey(mm.address())) mmput(mm);
        m.folioPut(pfn);
        return out;
    }

    private void checkDax(List<String> problems) {
        for (var e : daxFiles.entrySet()) {
            ZoneDevice.Pgmap pg = m.zoneDevice().pgmapAt(e.getValue());
            AddressSpace as = fileAt(e.getKey());
            if (pg == null || as == null) {
                problems.add("DAX file at " + hex(e.getKey()) + " has lost its file or its pgmap");
                continue;
            }
            if (!as.tree().isEmpty()) problems.add("DAX file " + as.name() + " has page-cache folios");
            for (long pfn = pg.start(); pfn < pg.end(); pfn++) {
                long mapping = mem.mapping(pfn);
                int ref = mem.refcount(pfn), mapcount = mem.pageType(pfn) + 1;
                if (mapping != 0 && (mapping != as.address() || mem.word(pfn, Memmap.W_INDEX) != pfn - pg.start())) {
                    problems.add("fsdax PFN " + pfn + " is associated with the wrong file or index");
                }
                if (ref < mapcount || ref > 0 && mapping == 0) problems.add("fsdax PFN " + pfn + ": refcount " + ref + ", mapcount " + mapcount);
                if (mem.isHead(pfn) || mem.isTail(pfn)) problems.add("fsdax PFN " + pfn + " is part of a compound page");
            }
        }
    }

    // ---------------------------------------------------------------- invariants and digest

    long digest() {
        long h = lists.digest() * 31 + lru.digest();
        for (Mm mm : mms.values()) h = (h * 31 + mm.address()) * 31 + mm.pgd() * 7 + mm.vmas().hashCode();
        List<Long> keys = new ArrayList<>(tables.keySet());
        java.util.Collections.sort(keys);
        for (long k : keys) {
            Table t = tables.get(k);
            h = h * 31 + k;
            h = h * 31 + java.util.Arrays.hashCode(t.e) + t.level;
        }
        for (AddressSpace a : files.values()) h = h * 31 + a.digest();
        h = h * 31 + mixedMap.hashCode();
        h = h * 31 + hugeVmas.hashCode() + 7L * deposited.hashCode() + 11L * daxFiles.hashCode();
        return ((h * 31 + nextMm) * 31 + nextVma) * 31 + nextAnonVma * 17L + nextFile;
    }

    /** Mapcounts match the PTEs, LRU lists match PG_lru, page tables are typed and counted, caches point back. */
    void check(List<String> problems) {
        Map<Long, Integer> ptes = new HashMap<>();
        Map<Long, Integer> pmdMaps = new HashMap<>();
        int pgds = 0;
        Map<Long, Integer> parents = new HashMap<>();
        for (Mm mm : mms.values()) {
            pgds++;
            Table root = tables.get(mm.pgd());
            if (root == null || root.level != 0) problems.add("pid " + mm.pid() + ": pgd PFN " + mm.pgd() + " is not a pgd table");
            else if (mem.word(mm.pgd(), Memmap.W_INDEX) != mm.address()) problems.add("pgd PFN " + mm.pgd() + ": pt_mm is not its mm");
        }
        for (var en : tables.entrySet()) {
            long pfn = en.getKey();
            Table t = en.getValue();
            if ((mem.pageType(pfn) >>> 24) != PageType.PGTY_table.value()) problems.add("table PFN " + pfn + " is not PGTY_table");
            // get_page() on a table is legal (6.18 refuses it only for slab and large kmalloc): one reference at least
            if (mem.refcount(pfn) < 1) problems.add("table PFN " + pfn + " has refcount " + mem.refcount(pfn));
            int present = 0;
            for (int ix = 0; ix < PTRS_PER_TABLE; ix++) {
                long e = t.e[ix];
                if ((e & _PAGE_PRESENT) == 0) continue;
                present++;
                long child = entryPfn(e);
                if (isLeaf(t.level, e)) {
                    pmdMaps.merge(child, 1, Integer::sum);
                    if (!deposited.containsKey(pfn * PTRS_PER_TABLE + ix)) {
                        problems.add("huge PMD in PFN " + pfn + " has no deposited PTE table");
                    }
                } else if (t.level < 3) {
                    parents.merge(child, 1, Integer::sum);
                    Table c = tables.get(child);
                    if (c == null || c.level != t.level + 1) problems.add(LEVEL[t.level] + " PFN " + pfn + " points at PFN " + child
                            + ", which is not a " + LEVEL[t.level + 1] + " table");
                } else {
                    ptes.merge(child, 1, Integer::sum);
                }
            }
            if (present != t.present) problems.add("table PFN " + pfn + " counts " + t.present + " entries but has " + present);
        }
        for (var en : tables.entrySet()) {
            int n = parents.getOrDefault(en.getKey(), 0);
            if (deposited.containsValue(en.getKey())) {
                if (n != 0 || en.getValue().present != 0) problems.add("deposited table PFN " + en.getKey() + " is in use");
                continue;
            }
            if (en.getValue().level > 0 && n != 1) problems.add("table PFN " + en.getKey() + " is referenced by " + n + " upper entries");
        }
        int onPgdList = 0;
        for (long p = lists.first(PGD_LIST); p >= 0 && onPgdList <= pgds; p = lists.nextPfn(p, PGD_LIST)) onPgdList++;
        if (onPgdList != pgds) problems.add("pgd_list holds " + onPgdList + " pgds for " + pgds + " processes");
        Map<Long, Integer> cacheRefs = new HashMap<>();
        for (AddressSpace as : files.values()) {
            for (var e : as.tree().entrySet()) {
                long h = e.getValue();
                if (mem.mapping(h) != as.address()) problems.add("PFN " + h + " is cached in " + as.name() + " but its mapping differs");
                if (mem.word(h, Memmap.W_INDEX) != e.getKey()) problems.add("PFN " + h + " is at index " + e.getKey() + " but says "
                        + mem.word(h, Memmap.W_INDEX));
                cacheRefs.merge(h, nrPages(h), Integer::sum);
            }
        }
        Map<Long, Integer> mappedPerFolio = new HashMap<>();
        for (long pfn = 0; pfn < m.nrPages(); pfn++) {
            int t = mem.pageType(pfn);
            int have = PageType.hasType(t) ? 0 : t + 1;
            int want = ptes.getOrDefault(pfn, 0);
            long hd = m.compoundHeadPfn(pfn);
            boolean ours = want > 0 || m.validPfn(hd) && mem.refcount(hd) > 0 && (isAnonFolio(hd) || folioFile(hd) != null);
            if (ours && have != want && !(PageType.hasType(t) && want == 0)) {
                problems.add("PFN " + pfn + " has mapcount " + have + " but " + want + " PTE(s) map it");
            }
            if (want > 0) mappedPerFolio.merge(m.compoundHeadPfn(pfn), want, Integer::sum);
        }
        for (var e : pmdMaps.entrySet()) {
            long h = e.getKey();
            mappedPerFolio.merge(h, e.getValue(), Integer::sum);
            if (!large(h) || m.folioField(h, "_entire_mapcount") + 1 != e.getValue()) {
                problems.add("THP PFN " + h + " is mapped by " + e.getValue() + " huge PMD(s) but its _entire_mapcount is "
                        + (large(h) ? m.folioField(h, "_entire_mapcount") : "absent (not a large folio)"));
            }
        }
        for (long d : deposited.values()) if (!tables.containsKey(d)) problems.add("deposited table PFN " + d + " is not a table");
        for (var e : mappedPerFolio.entrySet()) {
            long h = e.getKey();
            int need = e.getValue() + cacheRefs.getOrDefault(h, 0);
            if (mem.refcount(h) < need) problems.add("folio PFN " + h + " has refcount " + mem.refcount(h) + " but " + need + " owners");
            if (large(h) && m.folioField(h, "_large_mapcount") + 1 != e.getValue()) {
                problems.add("large folio PFN " + h + " has _large_mapcount " + m.folioField(h, "_large_mapcount") + " for " + e.getValue()
                        + " PTEs and huge PMDs");
            }
        }
        lru.check(problems);
        checkDax(problems);
    }
}

package org.memdesclab.sim;

import java.util.Map;
import java.util.TreeMap;

/**
 * A simulated process's address space, {@code struct mm_struct}: its page-table root (the PGD page) and
 * its VMAs by start address. The mm_struct itself lives at a fixed address outside the zone
 * (design.md: structures the kernel keeps in slab caches or statically never disturb the buddy state);
 * its PGD is a page of the zone, a {@code struct ptdesc} whose {@code pt_mm} points back here.
 */
public final class Mm {
    private final long address;
    private final int pid;
    private long pgd;
    private final TreeMap<Long, Vma> vmas;

    Mm(long address, int pid, long pgd) {
        this.address = address;
        this.pid = pid;
        this.pgd = pgd;
        this.vmas = new TreeMap<>();
    }

    private Mm(Mm o) {
        this.address = o.address;
        this.pid = o.pid;
        this.pgd = o.pgd;
        this.vmas = new TreeMap<>(o.vmas);
    }

    Mm copy() { return new Mm(this); }

    /** The simulated address of this struct mm_struct. */
    public long address() { return address; }

    /** The pid of the process that owns this mm (the lab's processes are named "lab"). */
    public int pid() { return pid; }

    /** PFN of the PGD page (mm->pgd is its direct-map address). */
    public long pgd() { return pgd; }

    void setPgd(long pfn) { pgd = pfn; }

    /** VMAs by start address, in address order. */
    public Map<Long, Vma> vmas() { return java.util.Collections.unmodifiableMap(vmas); }

    TreeMap<Long, Vma> vmaTree() { return vmas; }

    /** find_vma() restricted to a VMA that contains {@code addr}, or null. */
    public Vma vmaAt(long addr) {
        var e = vmas.floorEntry(addr);
        return e != null && addr < e.getValue().end() ? e.getValue() : null;
    }

    /**
     * A {@code struct vm_area_struct}: [start, end), protection, MAP_SHARED or private, the file's
     * address_space (0 for anonymous memory), the file offset in pages of {@code start} ({@code vm_pgoff};
     * for private anonymous memory do_mmap sets it to {@code start >> PAGE_SHIFT}), and the anon_vma that
     * anonymous folios of this VMA point at (0 until the first anonymous fault: anon_vma_prepare).
     */
    public record Vma(long address, long start, long end, int prot, boolean shared, long mapping, long pgoff, long anonVma) {
        public boolean anonymous() { return mapping == 0; }

        public boolean writable() { return (prot & UserMemory.PROT_WRITE) != 0; }

        /** linear_page_index(): the page's index in the file, or its virtual page number for anonymous memory. */
        public long linearPageIndex(long addr) { return ((addr - start) >>> Addresses.PAGE_SHIFT) + pgoff; }

        /** is_cow_mapping(): private and may be written, so writes must copy. */
        public boolean cow() { return !shared && writable(); }

        Vma withRange(long address2, long s, long e) {
            return new Vma(address2, s, e, prot, shared, mapping, pgoff + ((s - start) >>> Addresses.PAGE_SHIFT), anonVma);
        }

        Vma withAnonVma(long av) { return new Vma(address, start, end, prot, shared, mapping, pgoff, av); }
    }
}

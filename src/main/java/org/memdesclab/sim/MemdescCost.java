package org.memdesclab.sim;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * What describing this machine's memory costs in its kernel profile: the memmap (one struct page per
 * page frame) plus, in the memdesc profiles, the separately allocated descriptors (the slab pages
 * of the {@code folio}, {@code slab}, {@code ptdesc}, {@code netmem_desc} and {@code zpdesc} caches, and the static
 * boot array for the slab cache's own slabs). A lab figure, not a kernel interface: a lesson runs one workload under two profiles and
 * compares. 64-byte struct pages cost 64/4096 = 1.5625 % of memory; one word costs 0.1953125 %.
 *
 * @param profile          the kernel profile id
 * @param pages            page frames in the machine
 * @param structPageSize   sizeof(struct page) in the profile
 * @param folios           folio descriptors allocated
 * @param slabs            slab descriptors allocated (including the boot array's)
 * @param ptdescs          page-table descriptors allocated
 * @param netmems          page_pool page descriptors allocated
 * @param zpdescs          zsmalloc page descriptors allocated
 * @param objectBytes      bytes of the descriptor objects themselves
 * @param slabPages        pages the descriptor caches' slabs occupy
 * @param bootBytes        bytes of the static boot array in use
 */
public record MemdescCost(String profile, long pages, int structPageSize, long folios, long slabs, long ptdescs,
                          long netmems, long zpdescs, long objectBytes,
                          long slabPages, long bootBytes) {

    public static MemdescCost of(Machine m) {
        KernelProfile p = m.profile();
        Memdescs d = m.memdescs();
        if (d == null) return new MemdescCost(p.id(), m.nrPages(), p.structPageSize(), 0, 0, 0, 0, 0, 0, 0, 0);
        long slabPages = 0, objects = 0;
        for (Memdescs.Kind kind : Memdescs.Kind.values()) {
            for (long slab : m.slub().slabsOf(d.cache(m, kind))) slabPages += 1L << m.compoundOrder(slab);
            objects += (long) d.count(kind) * kind.size();
        }
        return new MemdescCost(p.id(), m.nrPages(), p.structPageSize(), d.folioCount(), d.slabCount(),
                d.count(Memdescs.Kind.PTDESC), d.count(Memdescs.Kind.NETMEM), d.count(Memdescs.Kind.ZPDESC), objects, slabPages,
                (long) d.bootSlabCount() * Memdescs.SLAB_DESC_SIZE);
    }

    public long memoryBytes() { return pages * Addresses.PAGE_SIZE; }

    public long memmapBytes() { return pages * structPageSize; }

    /** Memory the descriptors take: their slab pages and the boot array. */
    public long descriptorBytes() { return slabPages * Addresses.PAGE_SIZE + bootBytes; }

    public long totalBytes() { return memmapBytes() + descriptorBytes(); }

    /** Exact percentage of memory (a power-of-two denominator always gives a finite decimal). */
    public static String percent(long bytes, long of) {
        return new BigDecimal(bytes).multiply(BigDecimal.valueOf(100)).divide(new BigDecimal(of)).stripTrailingZeros().toPlainString();
    }

    public String memmapPercent() { return percent(memmapBytes(), memoryBytes()); }

    public String totalPercent() { return percent(totalBytes(), memoryBytes()); }

    /** The report memdesc_cost() prints. */
    public List<String> lines() {
        List<String> out = new ArrayList<>();
        out.add(String.format("profile %s: %d pages x %d bytes = %d bytes of memory", profile, pages, Addresses.PAGE_SIZE, memoryBytes()));
        out.add(String.format("memmap: %d x sizeof(struct page) %d = %d bytes (%s %%)", pages, structPageSize, memmapBytes(),
                memmapPercent()));
        if (!KernelProfile.byId(profile).allocatesDescriptors()) {
            out.add("descriptors: none allocated separately (folio, slab, ptdesc, netmem and zpdesc state lives in struct page)");
        } else {
            out.add(String.format("descriptors: %d struct folio, %d struct slab, %d struct ptdesc, %d struct netmem_desc, %d struct zpdesc = "
                    + "%d bytes of objects; %d slab page(s) = %d bytes, boot array %d bytes", folios, slabs, ptdescs, netmems, zpdescs, objectBytes,
                    slabPages, slabPages * Addresses.PAGE_SIZE, bootBytes));
        }
        out.add(String.format("total: %d bytes = %s %% of memory", totalBytes(), totalPercent()));
        return out;
    }

    /** The header of the compare_profiles table. */
    public static String tableHeader() {
        return String.format("%-9s %11s %12s %16s %11s", "profile", "struct page", "memmap bytes", "descriptor bytes", "% of memory");
    }

    public String tableRow() {
        return String.format("%-9s %11d %12d %16d %11s", profile, structPageSize, memmapBytes(), descriptorBytes(), totalPercent());
    }
}

package org.memdesclab.sim;

import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What a simulated machine is made of. A machine is a pure function of its configuration and the
 * statements run on it, so this record (plus the statements) is all that needs storing.
 *
 * @param pages     number of page frames in the zone (1 to {@link #MAX_PAGES})
 * @param cpus      number of CPUs (SLUB sizes its slabs by it; each has its own per-CPU lists)
 * @param pcp       whether per-CPU page lists are used (off: every alloc and free goes to the buddy
 *                  lists directly, like the kernel's boot pageset)
 * @param pcpBatch  per_cpu_pages.batch
 * @param pcpHigh   per_cpu_pages.high (high_min = high_max)
 * @param reserved  PFNs reserved at boot (PG_reserved, never given to the buddy allocator)
 * @param profile   kernel profile id
 * @param slabNomerge the {@code slab_nomerge} boot option: kmem_cache_create never merges a new cache
 *                  into an existing one (off by default, as in kernels built with CONFIG_SLAB_MERGE_DEFAULT)
 */
public record MachineConfig(int pages, int cpus, boolean pcp, int pcpBatch, int pcpHigh, SortedSet<Long> reserved,
                            String profile, boolean slabNomerge) {
    public static final int MAX_PAGES = 4 * 1024 * 1024;
    public static final int MAX_CPUS = 64;
    public static final int DEFAULT_PAGES = 64;
    public static final int DEFAULT_CPUS = 4;
    public static final int DEFAULT_PCP_BATCH = 4;
    public static final int DEFAULT_PCP_HIGH = 32;

    public MachineConfig {
        if (pages < 1 || pages > MAX_PAGES) {
            throw new IllegalArgumentException("pages must be between 1 and " + MAX_PAGES + ", not " + pages);
        }
        if (cpus < 1 || cpus > MAX_CPUS) {
            throw new IllegalArgumentException("cpus must be between 1 and " + MAX_CPUS + ", not " + cpus);
        }
        if (pcpBatch < 1 || pcpBatch > 1024) throw new IllegalArgumentException("pcp batch must be between 1 and 1024");
        if (pcpHigh < 0 || pcpHigh > 65536) throw new IllegalArgumentException("pcp high must be between 0 and 65536");
        reserved = new TreeSet<>(reserved == null ? List.of() : reserved);
        for (long r : reserved) {
            if (r < 0 || r >= pages) {
                throw new IllegalArgumentException("reserved PFN " + r + " is outside the machine (0.." + (pages - 1) + ")");
            }
        }
        reserved = java.util.Collections.unmodifiableSortedSet(reserved);
        KernelProfile.byId(profile);
    }

    /** A configuration with cache merging on (the kernel's default). */
    public MachineConfig(int pages, int cpus, boolean pcp, int pcpBatch, int pcpHigh, SortedSet<Long> reserved, String profile) {
        this(pages, cpus, pcp, pcpBatch, pcpHigh, reserved, profile, false);
    }

    /** The default machine: 64 pages, 4 CPUs, no per-CPU lists, nothing reserved, the 6.18 profile. */
    public static MachineConfig defaults() { return withPages(DEFAULT_PAGES); }

    public static MachineConfig withPages(int pages) {
        return new MachineConfig(pages, DEFAULT_CPUS, false, DEFAULT_PCP_BATCH, DEFAULT_PCP_HIGH, new TreeSet<>(),
                KernelProfile.DEFAULT_ID);
    }

    public MachineConfig withCpus(int n) {
        return new MachineConfig(pages, n, pcp, pcpBatch, pcpHigh, reserved, profile, slabNomerge);
    }

    public MachineConfig withPcp(boolean on) {
        return new MachineConfig(pages, cpus, on, pcpBatch, pcpHigh, reserved, profile, slabNomerge);
    }

    public MachineConfig withPcp(int batch, int high) {
        return new MachineConfig(pages, cpus, true, batch, high, reserved, profile, slabNomerge);
    }

    public MachineConfig withReserved(java.util.Collection<Long> pfns) {
        return new MachineConfig(pages, cpus, pcp, pcpBatch, pcpHigh, new TreeSet<>(pfns), profile, slabNomerge);
    }

    public MachineConfig withProfile(String id) {
        return new MachineConfig(pages, cpus, pcp, pcpBatch, pcpHigh, reserved, id, slabNomerge);
    }

    /** The same machine booted with (true) or without the slab_nomerge option. */
    public MachineConfig withSlabNomerge(boolean on) {
        return new MachineConfig(pages, cpus, pcp, pcpBatch, pcpHigh, reserved, profile, on);
    }
}

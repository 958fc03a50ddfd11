package org.memdesclab.sim;

/**
 * Per-CPU page lists (struct per_cpu_pages), one set per CPU, for orders 0 to 3. Mirrors
 * {@code rmqueue_pcplist}, {@code nr_pcp_alloc}, {@code rmqueue_bulk}, {@code free_frozen_page_commit},
 * {@code nr_pcp_high}, {@code nr_pcp_free} and {@code free_pcppages_bulk} in mm/page_alloc.c, with
 * {@code high_min == high_max} (no automatic tuning), no THP-order lists, and the zone never under
 * reclaim. Pages on these lists are free but not PageBuddy, not counted in /proc/buddyinfo, and do not
 * merge until they are returned to the buddy lists.
 */
public final class PerCpuPages {
    public static final int MIGRATE_PCPTYPES = 3;
    public static final int PCP_MAX_ORDER = Zone.PAGE_ALLOC_COSTLY_ORDER;
    public static final int NR_PCP_LISTS = MIGRATE_PCPTYPES * (PCP_MAX_ORDER + 1) + 2;
    public static final int PCP_BATCH_SCALE_MAX = 5;
    /** offsetof(struct per_cpu_pages, lists) in the simulated per-CPU area. */
    static final long LISTS_OFFSET = 32;
    private static final int PCPF_PREV_FREE_HIGH_ORDER = 1;

    private final int cpus;
    private final int batch;
    private final int highMin;
    private final int highMax;
    private final int firstAnchor;
    private final int[] count;
    private final int[] high;
    private final int[] allocFactor;
    private final int[] freeCount;
    private final int[] flags;

    PerCpuPages(int cpus, int batch, int high, int firstAnchor) {
        this.cpus = cpus;
        this.batch = batch;
        this.highMin = high;
        this.highMax = high;
        this.firstAnchor = firstAnchor;
        this.count = new int[cpus];
        this.high = new int[cpus];
        java.util.Arrays.fill(this.high, high);
        this.allocFactor = new int[cpus];
        this.freeCount = new int[cpus];
        this.flags = new int[cpus];
    }

    private PerCpuPages(PerCpuPages o) {
        this.cpus = o.cpus;
        this.batch = o.batch;
        this.highMin = o.highMin;
        this.highMax = o.highMax;
        this.firstAnchor = o.firstAnchor;
        this.count = o.count.clone();
        this.high = o.high.clone();
        this.allocFactor = o.allocFactor.clone();
        this.freeCount = o.freeCount.clone();
        this.flags = o.flags.clone();
    }

    PerCpuPages copy() { return new PerCpuPages(this); }

    static long listAddress(int cpu, int pindex) {
        return Addresses.PERCPU_BASE + cpu * Addresses.PERCPU_STRIDE + LISTS_OFFSET + pindex * 16L;
    }

    static int pindex(int order) { return order * MIGRATE_PCPTYPES + Zone.MIGRATE_UNMOVABLE; }

    int listId(int cpu, int order) { return firstAnchor + cpu * NR_PCP_LISTS + pindex(order); }

    static boolean allowedOrder(int order) { return order <= PCP_MAX_ORDER; }

    public int count(int cpu) { return count[cpu]; }

    public int batch() { return batch; }

    public int high(int cpu) { return high[cpu]; }

    int cpus() { return cpus; }

    /** nr_pcp_alloc(): how many blocks rmqueue_bulk should take, doubling while order-0 allocations run. */
    int nrPcpAlloc(int cpu, int order) {
        int h = high[cpu] = clamp(high[cpu], highMin, highMax);
        if (h < batch) return 1;
        int b = order != 0 ? batch : batch << allocFactor[cpu];
        if (order == 0) {
            int maxNrAlloc = Math.max(h - count[cpu] - batch, batch);
            if (b <= maxNrAlloc && allocFactor[cpu] < PCP_BATCH_SCALE_MAX) allocFactor[cpu]++;
            b = Math.min(b, maxNrAlloc);
        }
        if (b > 1) b = Math.max(b >> order, 2);
        return b;
    }

    /** Allocation side bookkeeping (rmqueue_pcplist halves free_count). */
    void noteAlloc(int cpu, int order) {
        freeCount[cpu] >>= 1;
        count[cpu] -= 1 << order;
    }

    void noteBulkAdded(int cpu, int blocks, int order) { count[cpu] += blocks << order; }

    /**
     * free_frozen_page_commit() bookkeeping after the page was put at the list head: returns how many
     * pages free_pcppages_bulk must return to the buddy lists (0 if none).
     */
    int noteFreeAndComputeDrain(int cpu, int order) {
        allocFactor[cpu] >>= 1;
        count[cpu] += 1 << order;
        boolean freeHigh = false;
        if (order > 0 && order <= PCP_MAX_ORDER) {
            freeHigh = freeCount[cpu] >= batch + highMin / 2 && (flags[cpu] & PCPF_PREV_FREE_HIGH_ORDER) != 0;
            flags[cpu] |= PCPF_PREV_FREE_HIGH_ORDER;
        } else {
            flags[cpu] &= ~PCPF_PREV_FREE_HIGH_ORDER;
        }
        if (freeCount[cpu] < (batch << PCP_BATCH_SCALE_MAX)) freeCount[cpu] += 1 << order;
        int h = nrPcpHigh(cpu, freeHigh);
        if (count[cpu] < h) return 0;
        return nrPcpFree(cpu, h, freeHigh);
    }

    private int nrPcpHigh(int cpu, boolean freeHigh) {
        int h = high[cpu] = clamp(high[cpu], highMin, highMax);
        if (h == 0) return 0;
        if (freeHigh) {
            high[cpu] = Math.max(h - (batch << PCP_BATCH_SCALE_MAX), highMin);
            return 0;
        }
        return h;
    }

    private int nrPcpFree(int cpu, int h, boolean freeHigh) {
        if (freeHigh) return Math.min(count[cpu], batch << PCP_BATCH_SCALE_MAX);
        if (h < batch) return 1;
        return clamp(freeCount[cpu], batch, h - batch);
    }

    void noteDrained(int cpu, int pages) { count[cpu] -= pages; }

    private static int clamp(int v, int lo, int hi) { return Math.max(lo, Math.min(hi, v)); }

    long digest() {
        long h = 7;
        for (int c = 0; c < cpus; c++) {
            h = h * 31 + count[c];
            h = h * 31 + high[c];
            h = h * 31 + allocFactor[c];
            h = h * 31 + freeCount[c];
            h = h * 31 + flags[c];
        }
        return h;
    }
}

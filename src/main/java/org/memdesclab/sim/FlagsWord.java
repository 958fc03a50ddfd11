package org.memdesclab.sim;

/**
 * The upper part of {@code page->flags}: node, zone and last_cpupid fields, as a distribution x86_64
 * kernel with SPARSEMEM_VMEMMAP lays them out (no section bits). A Normal-zone page of node 0 that was
 * never touched by NUMA balancing reads {@code 0x17ffffc0000000}: zone 2 at bit 51, last_cpupid
 * all ones (-1, "none") in the 21 bits from bit 30.
 *
 * <p>The zone field is three bits wide: a distribution 6.18 kernel has five zones (DMA, DMA32, Normal,
 * Movable and, with CONFIG_ZONE_DEVICE, Device = 4; /proc/zoneinfo lists all five), and ZONES_WIDTH is
 * order_base_2(5) = 3. That puts the node field at bit 54 and is what makes the familiar
 * 0x17ffffc0000000 come out: 2 &lt;&lt; 51 | 0x1fffff &lt;&lt; 30. A ZONE_DEVICE page of node 0 reads
 * {@code 0x27ffffc0000000}.
 */
public final class FlagsWord {
    public static final int LAST_CPUPID_PGSHIFT = 30;
    public static final int LAST_CPUPID_WIDTH = 21;
    public static final int ZONES_PGSHIFT = 51;
    public static final int ZONES_WIDTH = 3;
    public static final int NODES_PGSHIFT = 54;
    public static final int NODES_WIDTH = 10;
    public static final int ZONE_NORMAL = 2;
    /** enum zone_type: ZONE_DEVICE follows ZONE_MOVABLE (3) on a kernel with CONFIG_ZONE_DEVICE. */
    public static final int ZONE_DEVICE = 4;
    public static final long LAST_CPUPID_MASK = (1L << LAST_CPUPID_WIDTH) - 1;

    /** The flags word every page of the simulated zone starts with. */
    public static final long INITIAL = ((long) ZONE_NORMAL << ZONES_PGSHIFT) | (LAST_CPUPID_MASK << LAST_CPUPID_PGSHIFT);

    /** Bits below this belong to PG_ flags (and LRU generation bits, unused here). */
    public static final long PGFLAGS_MASK = (1L << LAST_CPUPID_PGSHIFT) - 1;

    private FlagsWord() {}

    public static int node(long flags) { return (int) ((flags >>> NODES_PGSHIFT) & ((1L << NODES_WIDTH) - 1)); }

    public static int zone(long flags) { return (int) ((flags >>> ZONES_PGSHIFT) & ((1L << ZONES_WIDTH) - 1)); }

    /** page_zonenum(page) == ZONE_DEVICE: is_zone_device_page(). */
    public static boolean isZoneDevice(long flags) { return zone(flags) == ZONE_DEVICE; }

    /** The flags word with its zone field replaced (set_page_zone). */
    public static long withZone(long flags, int zone) {
        long mask = ((1L << ZONES_WIDTH) - 1) << ZONES_PGSHIFT;
        return (flags & ~mask) | ((long) zone << ZONES_PGSHIFT);
    }

    public static long lastCpupid(long flags) { return (flags >>> LAST_CPUPID_PGSHIFT) & LAST_CPUPID_MASK; }
}

package org.memdesclab.sim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * GFP flags (include/linux/gfp_types.h, 6.18, x86_64, without CONFIG_KASAN_HW_TAGS and LOCKDEP).
 * The simulator honours __GFP_COMP, __GFP_ZERO and __GFP_NOWARN; the others are accepted and shown.
 */
public final class Gfp {
    public static final int __GFP_DMA = 0x01;
    public static final int __GFP_HIGHMEM = 0x02;
    public static final int __GFP_DMA32 = 0x04;
    public static final int __GFP_MOVABLE = 0x08;
    public static final int __GFP_RECLAIMABLE = 0x10;
    public static final int __GFP_HIGH = 0x20;
    public static final int __GFP_IO = 0x40;
    public static final int __GFP_FS = 0x80;
    public static final int __GFP_ZERO = 0x100;
    public static final int __GFP_DIRECT_RECLAIM = 0x400;
    public static final int __GFP_KSWAPD_RECLAIM = 0x800;
    public static final int __GFP_WRITE = 0x1000;
    public static final int __GFP_NOWARN = 0x2000;
    public static final int __GFP_RETRY_MAYFAIL = 0x4000;
    public static final int __GFP_NOFAIL = 0x8000;
    public static final int __GFP_NORETRY = 0x10000;
    public static final int __GFP_MEMALLOC = 0x20000;
    public static final int __GFP_COMP = 0x40000;
    public static final int __GFP_NOMEMALLOC = 0x80000;
    public static final int __GFP_HARDWALL = 0x100000;
    public static final int __GFP_THISNODE = 0x200000;
    public static final int __GFP_ACCOUNT = 0x400000;
    public static final int __GFP_ZEROTAGS = 0x800000;

    public static final int __GFP_RECLAIM = __GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM;
    public static final int GFP_ATOMIC = __GFP_HIGH | __GFP_KSWAPD_RECLAIM;
    public static final int GFP_KERNEL = __GFP_RECLAIM | __GFP_IO | __GFP_FS;
    public static final int GFP_KERNEL_ACCOUNT = GFP_KERNEL | __GFP_ACCOUNT;
    public static final int GFP_NOWAIT = __GFP_KSWAPD_RECLAIM | __GFP_NOWARN;
    public static final int GFP_NOIO = __GFP_RECLAIM;
    public static final int GFP_NOFS = __GFP_RECLAIM | __GFP_IO;
    public static final int GFP_USER = __GFP_RECLAIM | __GFP_IO | __GFP_FS | __GFP_HARDWALL;
    public static final int GFP_DMA = __GFP_DMA;
    public static final int GFP_DMA32 = __GFP_DMA32;
    public static final int GFP_HIGHUSER = GFP_USER | __GFP_HIGHMEM;
    public static final int GFP_HIGHUSER_MOVABLE = GFP_HIGHUSER | __GFP_MOVABLE;
    public static final int GFP_TRANSHUGE_LIGHT = (GFP_HIGHUSER_MOVABLE | __GFP_COMP | __GFP_NOMEMALLOC | __GFP_NOWARN)
            & ~__GFP_RECLAIM;
    public static final int GFP_TRANSHUGE = GFP_TRANSHUGE_LIGHT | __GFP_DIRECT_RECLAIM;

    public static final int __GFP_NO_OBJ_EXT = 0x1000000;

    /** The names %pGg knows, in the order it tries them (include/trace/events/mmflags.h). */
    private static final Map<String, Integer> NAMES = new LinkedHashMap<>();

    static {
        NAMES.put("GFP_TRANSHUGE", GFP_TRANSHUGE);
        NAMES.put("GFP_TRANSHUGE_LIGHT", GFP_TRANSHUGE_LIGHT);
        NAMES.put("GFP_HIGHUSER_MOVABLE", GFP_HIGHUSER_MOVABLE);
        NAMES.put("GFP_HIGHUSER", GFP_HIGHUSER);
        NAMES.put("GFP_USER", GFP_USER);
        NAMES.put("GFP_KERNEL_ACCOUNT", GFP_KERNEL_ACCOUNT);
        NAMES.put("GFP_KERNEL", GFP_KERNEL);
        NAMES.put("GFP_NOFS", GFP_NOFS);
        NAMES.put("GFP_ATOMIC", GFP_ATOMIC);
        NAMES.put("GFP_NOIO", GFP_NOIO);
        NAMES.put("GFP_NOWAIT", GFP_NOWAIT);
        NAMES.put("GFP_DMA", GFP_DMA);
        NAMES.put("GFP_DMA32", GFP_DMA32);
        NAMES.put("__GFP_RECLAIM", __GFP_RECLAIM);
        String[] bits = {"__GFP_DMA", "__GFP_HIGHMEM", "__GFP_DMA32", "__GFP_MOVABLE", "__GFP_RECLAIMABLE", "__GFP_HIGH",
            "__GFP_IO", "__GFP_FS", "__GFP_ZERO", null, "__GFP_DIRECT_RECLAIM", "__GFP_KSWAPD_RECLAIM", "__GFP_WRITE",
            "__GFP_NOWARN", "__GFP_RETRY_MAYFAIL", "__GFP_NOFAIL", "__GFP_NORETRY", "__GFP_MEMALLOC", "__GFP_COMP",
            "__GFP_NOMEMALLOC", "__GFP_HARDWALL", "__GFP_THISNODE", "__GFP_ACCOUNT", "__GFP_ZEROTAGS", "__GFP_NO_OBJ_EXT"};
        for (int i = 0; i < bits.length; i++) if (bits[i] != null) NAMES.put(bits[i], 1 << i);
    }

    private Gfp() {}

    /** Every constant the console knows, by name. */
    public static Map<String, Integer> constants() { return java.util.Collections.unmodifiableMap(NAMES); }

    /**
     * As %pGg prints a mask: walk the names in order, take each whose bits are all present, clear
     * them, and print any bits left over in hex.
     */
    public static String format(int gfp) {
        List<String> parts = new ArrayList<>();
        int rest = gfp;
        for (Map.Entry<String, Integer> e : NAMES.entrySet()) {
            int v = e.getValue();
            if (rest != 0 && (rest & v) == v) {
                parts.add(e.getKey());
                rest &= ~v;
            }
        }
        if (rest != 0) parts.add(String.format("%#x", rest));
        return String.join("|", parts);
    }
}

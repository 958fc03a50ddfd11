package org.memdesclab.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.memdesclab.sim.layout.Field;
import org.memdesclab.sim.layout.Layouts515;
import org.memdesclab.sim.lang.Console;
import org.memdesclab.sim.lang.ExecResult;

/**
 * The 5.15 profile against the 5.15 headers (include/linux/mm_types.h and include/linux/page-flags.h
 * of a 5.15 stable tree, x86_64, 64-bit longs): every struct page member's offset and size, the
 * enum pageflags bit of every flag the lab models, and the "bit cleared" page types.
 */
class Profile515FidelityTest {

    /** offset, size of each struct page member as the 5.15 header declares it (x86_64). */
    private static final Map<String, int[]> HEADER = new LinkedHashMap<>();
    static {
        Object[][] t = {
            {"flags", 0, 8}, {"lru.next", 8, 8}, {"lru.prev", 16, 8}, {"mapping", 24, 8}, {"index", 32, 8}, {"private", 40, 8},
            {"pp_magic", 8, 8}, {"pp", 16, 8}, {"_pp_mapping_pad", 24, 8}, {"dma_addr", 32, 8}, {"dma_addr_upper", 40, 8},
            {"pp_frag_count", 40, 8},
            {"slab_list.next", 8, 8}, {"next", 8, 8}, {"pages", 16, 4}, {"pobjects", 20, 4}, {"slab_cache", 24, 8},
            {"freelist", 32, 8}, {"s_mem", 40, 8}, {"counters", 40, 8},
            {"compound_head", 8, 8}, {"compound_dtor", 16, 1}, {"compound_order", 17, 1}, {"compound_mapcount", 20, 4},
            {"compound_nr", 24, 4},
            {"_compound_pad_1", 8, 8}, {"hpage_pinned_refcount", 16, 4}, {"deferred_list.next", 24, 8},
            {"_pt_pad_1", 8, 8}, {"pmd_huge_pte", 16, 8}, {"_pt_pad_2", 24, 8}, {"pt_mm", 32, 8}, {"ptl", 40, 4},
            {"pgmap", 8, 8}, {"zone_device_data", 16, 8},
            {"_mapcount", 48, 4}, {"page_type", 48, 4}, {"active", 48, 4}, {"units", 48, 4}, {"_refcount", 52, 4},
            {"memcg_data", 56, 8},
        };
        for (Object[] r : t) HEADER.put((String) r[0], new int[] {(int) r[1], (int) r[2]});
    }

    @Test
    void everyStructPageMemberSitsWhereThe515HeaderPutsIt() {
        assertEquals(64, Layouts515.PAGE.size());
        for (var e : HEADER.entrySet()) {
            Field f = Layouts515.PAGE.field(e.getKey());
            assertTrue(f != null, "struct page has no " + e.getKey());
            assertEquals(e.getValue()[0], f.offset(), e.getKey() + " offset");
            assertEquals(e.getValue()[1], f.size(), e.getKey() + " size");
        }
        Field inuse = Layouts515.PAGE.field("inuse"), objects = Layouts515.PAGE.field("objects"), frozen = Layouts515.PAGE.field("frozen");
        assertEquals(List.of(0, 16, 16, 15, 31, 1), List.of(inuse.bitShift(), inuse.bitWidth(), objects.bitShift(), objects.bitWidth(),
                frozen.bitShift(), frozen.bitWidth()), "unsigned inuse:16; objects:15; frozen:1");
    }

    @Test
    void pageFlagBitsFollowThe515Enum() {
        // enum pageflags of 5.15 with CONFIG_MMU, ARCH_USES_PG_UNCACHED (X86_PAT), MEMORY_FAILURE, PAGE_IDLE_FLAG, 64BIT
        List<String> enumOrder = List.of("locked", "referenced", "uptodate", "dirty", "lru", "active", "workingset", "waiters",
                "error", "slab", "owner_priv_1", "arch_1", "reserved", "private", "private_2", "writeback", "head", "mappedtodisk",
                "reclaim", "swapbacked", "unevictable", "mlocked", "uncached", "hwpoison", "young", "idle", "arch_2");
        assertEquals(enumOrder, List.of(Encoding515.NAMES_515));
        Map<PageFlag, String> same = new LinkedHashMap<>();
        for (PageFlag f : PageFlag.values()) same.put(f, f.name().substring(3));
        same.put(PageFlag.PG_owner_2, "mappedtodisk"); // 6.18 renamed it
        for (var e : same.entrySet()) {
            long translated = Encoding515.translateFlags(1L << e.getKey().bit());
            if (e.getKey() == PageFlag.PG_dropbehind) {
                assertEquals(0, translated, "PG_dropbehind is not a 5.15 flag");
                continue;
            }
            assertEquals(1L << enumOrder.indexOf(e.getValue()), translated, e.getKey() + " -> PG_" + e.getValue());
        }
    }

    @Test
    void pageTypesAreTheClearedBitsOf515() {
        Machine m = new Machine(MachineConfig.withPages(64).withProfile("5.15"));
        Console c = new Console(m);
        for (String s : List.of("mm = mm_alloc()", "b = balloon_page_alloc()", "balloon_page_enqueue(b)", "pp = page_pool_create()",
                "q = page_pool_dev_alloc_pages(pp)")) {
            ExecResult r = c.exec(s);
            assertTrue(r.ok(), s + " -> " + r.output());
        }
        Map<Owner, Integer> want = Map.of(Owner.PAGE_TABLE, 0xfffffdff, Owner.OFFLINE, 0xfffffeff, Owner.FREE_HEAD, 0xffffff7f);
        Map<Owner, Integer> seen = new LinkedHashMap<>();
        for (long pfn = 0; pfn < m.nrPages(); pfn++) {
            long[] w = m.profile().encoding().words(m, pfn);
            Owner o = m.owner(pfn);
            if (want.containsKey(o)) {
                assertEquals(want.get(o), (int) w[6], o + " PFN " + pfn);
                seen.put(o, (int) w[6]);
            }
            if (o == Owner.NET_POOL) {
                assertEquals(MemoryTypes.PP_SIGNATURE, w[1], "pp_magic at 8");
                assertEquals(0, w[5], "pp_frag_count of a whole page_pool page");
                assertEquals(1, w[6] >>> 32, "the page's _refcount");
            }
        }
        assertEquals(want.keySet(), seen.keySet());
        Machine g = new Machine(MachineConfig.withPages(64).withProfile("5.15"));
        g.memoryTypes().bootDebugGuardpageMinorder(1);
        long p = g.allocPages(Gfp.GFP_KERNEL, 0);
        assertTrue(p >= 0);
        boolean guard = false;
        for (long pfn = 0; pfn < g.nrPages(); pfn++) {
            if (g.owner(pfn) == Owner.GUARD) {
                assertEquals(0xfffffbff, (int) g.profile().encoding().words(g, pfn)[6], "PG_guard cleared");
                guard = true;
            }
        }
        assertTrue(guard, "a split under debug_guardpage_minorder leaves a guard page");
    }

    /**
     * 5.15's __dump_page (mm/debug.c): mapcount is page_mapcount(), _mapcount + 1 even for a typed page, and
     * there is no page_type line (it came with 6.x); mapping is page_mapping() (NULL for slab and anonymous
     * pages); index is page_to_pgoff(), which for a slab page is the freelist that overlays index.
     */
    @Test
    void dumpPagePrintsWhat515sDumpPagePrinted() {
        Machine m = new Machine(MachineConfig.withPages(64).withProfile("5.15"));
        Console c = new Console(m);
        for (String s : List.of("mm = mm_alloc()", "b = balloon_page_alloc()", "balloon_page_enqueue(b)", "x = kmalloc(100, GFP_KERNEL)",
                "for (i = 0; i < 40; i++) y = kmalloc(100, GFP_KERNEL)", "kfree(x)")) {
            ExecResult r = c.exec(s);
            assertTrue(r.ok(), s + " -> " + r.output());
        }
        // x's slab filled up and was left; freeing x puts it on that slab's own freelist, which 5.15 keeps at index
        boolean slabWithFreelist = false;
        int checked = 0;
        for (long pfn = 0; pfn < m.nrPages(); pfn++) {
            Owner o = m.owner(pfn);
            List<String> d = DumpPage.dump(m, pfn);
            assertTrue(d.stream().noneMatch(l -> l.startsWith("page_type:")), "no page_type line in 5.15: " + d);
            long[] w = m.profile().encoding().words(m, pfn);
            switch (o) {
                case PAGE_TABLE -> assertTrue(d.get(0).contains(" mapcount:-512 "), d.get(0));
                case OFFLINE -> {
                    assertTrue(d.get(0).contains(" mapcount:-256 "), d.get(0));
                    assertTrue(d.get(1).startsWith("flags: ") && !d.get(1).contains("uptodate"), "5.15 had no PG_movable_ops alias: " + d);
                }
                case FREE_HEAD -> assertTrue(d.get(0).contains(" mapcount:-128 "), d.get(0));
                case SLAB -> {
                    if (m.compoundHeadPfn(pfn) != pfn) continue;
                    assertTrue(d.get(0).contains(" mapcount:0 mapping:0000000000000000 index:" + String.format("%#x", w[4]) + " "),
                            "index is the freelist at offset 32: " + d.get(0));
                    slabWithFreelist |= w[4] != 0;
                }
                default -> { continue; }
            }
            checked++;
        }
        assertTrue(checked >= 4, "page table, balloon, free and slab pages: " + checked);
        assertTrue(slabWithFreelist, "a slab whose freelist (index) is not NULL was dumped");
    }
}

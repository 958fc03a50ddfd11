package org.memdesclab.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.memdesclab.cli.SimCommand;
import org.memdesclab.sim.layout.Layouts515;
import org.memdesclab.sim.layout.Layouts618;
import org.memdesclab.sim.layout.LayoutsMemdesc;
import org.memdesclab.sim.layout.MatchAssertion;
import org.memdesclab.sim.layout.StructLayout;

/** The kernel-era profiles: their layouts and MATCH lists, and the raw words each era gives the same state. */
class KernelProfileTest {
    private static final String KNOWN = "(known: 6.18, 5.15, memdesc, memdesc2)";

    @Test
    void unknownProfilesAreRefusedWithTheListOfKnownOnes() {
        var e = assertThrows(IllegalArgumentException.class, () -> KernelProfile.byId("5.16"));
        assertEquals("unknown kernel profile '5.16' " + KNOWN, e.getMessage());
        var c = assertThrows(IllegalArgumentException.class, () -> MachineConfig.defaults().withProfile("memdesc3"));
        assertEquals("unknown kernel profile 'memdesc3' " + KNOWN, c.getMessage());
        var s = assertThrows(IllegalArgumentException.class, () -> SimCommand.configFromArgs("--profile", "6.1").profile());
        assertTrue(s.getMessage().contains("unknown kernel profile '6.1' " + KNOWN), s.getMessage());
        assertEquals(List.of("6.18", "5.15", "memdesc", "memdesc2"), KernelProfile.ids());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"6.18", "5.15", "memdesc", "memdesc2"})
    void everyMatchPairOfTheProfileHolds(String id) {
        KernelProfile p = KernelProfile.byId(id);
        for (MatchAssertion a : p.matches()) {
            StructLayout overlay = p.layout(a.overlay().replace("struct ", ""));
            assertNotNull(overlay, a.spelling());
            assertNotNull(overlay.field(a.overlayField()), a.spelling());
            int pageOff = p.page().offsetof(a.pageField()) + a.pageIndex() * p.page().size();
            assertEquals(pageOff, overlay.offsetof(a.overlayField()), id + ": " + a.spelling());
        }
    }

    @Test
    void onlyTheOverlayEraHasMatchAssertions() {
        assertEquals(Layouts618.FOLIO_MATCH.size() + Layouts618.SLAB_MATCH.size() + Layouts618.ZPDESC_MATCH.size()
                + Layouts618.TABLE_MATCH.size(),
                KernelProfile.LINUX_6_18.matches().size());
        assertEquals(List.of(), KernelProfile.LINUX_5_15.matches(), "5.15 keeps every user's fields in struct page itself");
        assertEquals(List.of(), KernelProfile.MEMDESC.matches(), "memdesc descriptors are separate allocations");
        assertEquals(List.of(), KernelProfile.MEMDESC2.matches());
    }

    @Test
    void theFiveFifteenStructPageKeepsSlabAndCompoundFieldsWhereV515Had() {
        StructLayout p = KernelProfile.LINUX_5_15.page();
        assertEquals(64, p.size());
        assertEquals(8, p.offsetof("slab_list"));
        assertEquals(8, p.offsetof("next"));
        assertEquals(16, p.offsetof("pages"));
        assertEquals(20, p.offsetof("pobjects"));
        assertEquals(24, p.offsetof("slab_cache"));
        assertEquals(32, p.offsetof("freelist"));
        assertEquals(40, p.offsetof("counters"));
        assertEquals(16, p.field("objects").bitShift());
        assertEquals(31, p.field("frozen").bitShift());
        assertEquals(16, p.offsetof("compound_dtor"));
        assertEquals(17, p.offsetof("compound_order"));
        assertEquals(20, p.offsetof("compound_mapcount"));
        assertEquals(24, p.offsetof("compound_nr"));
        assertEquals(16, p.offsetof("hpage_pinned_refcount"));
        assertEquals(24, p.offsetof("deferred_list"));
        assertEquals(32, p.offsetof("index"));
        assertNull(KernelProfile.LINUX_5_15.layout("slab"), "struct slab arrived in 5.17");
        assertNull(KernelProfile.LINUX_5_15.layout("folio"), "struct folio arrived in 5.16");
    }

    @Test
    void memdescStructPagesAreOneAndTwoWords() {
        assertEquals(8, KernelProfile.MEMDESC.structPageSize());
        assertEquals(16, KernelProfile.MEMDESC2.structPageSize());
        assertEquals(0, KernelProfile.MEMDESC.page().offsetof("memdesc"));
        assertEquals(8, KernelProfile.MEMDESC2.page().offsetof("order"));
        assertNull(KernelProfile.MEMDESC.page().field("flags"));
    }

    @Test
    void theCanonicalProfileShowsTheMemmapWordsUnchanged() {
        Machine m = new Machine(MachineConfig.defaults());
        long pfn = m.folioAlloc(Gfp.GFP_KERNEL, 2);
        for (long p = 0; p < 64; p++) assertArrayEquals(m.memmap().words(p), m.profile().encoding().words(m, p));
        assertEquals(m.memmap().flags(pfn), m.readPageView(Addresses.pageAddress(pfn), 8));
    }

    @Test
    void fiveFifteenRenumbersFlagsAndUsesTheBitClearedBuddyType() {
        Machine m = new Machine(MachineConfig.defaults().withProfile("5.15"));
        long[] free = m.profile().encoding().words(m, 0);
        assertEquals(0xffffff7fL, free[6] & 0xffffffffL, "PG_buddy 0x80 cleared from 0xffffffff");
        assertEquals(6, free[5], "private = order of the free block");
        long pfn = m.folioAlloc(Gfp.GFP_KERNEL, 2);
        long[] head = m.profile().encoding().words(m, pfn);
        assertEquals(1L << Encoding515.PG_head, head[0] & FlagsWord.PGFLAGS_MASK, "PG_head is bit 16 in 5.15");
        long[] p1 = m.profile().encoding().words(m, pfn + 1);
        assertEquals(0, p1[0] & FlagsWord.PGFLAGS_MASK, "5.15 keeps no order in page[1]'s flags");
        assertEquals(Addresses.pageAddress(pfn) | 1, p1[1], "compound_head is unchanged");
        assertEquals(2, m.readPageView(Addresses.pageAddress(pfn + 1) + 17, 1), "page[1].compound_order");
        assertEquals(1, m.readPageView(Addresses.pageAddress(pfn + 1) + 16, 1), "COMPOUND_PAGE_DTOR");
        assertEquals(-1, (int) m.readPageView(Addresses.pageAddress(pfn + 1) + 20, 4), "compound_mapcount");
        assertEquals(4, m.readPageView(Addresses.pageAddress(pfn + 1) + 24, 4), "compound_nr");
    }

    @Test
    void fiveFifteenSlabPagesCarryPgSlabTheirCacheAtTwentyFourAndAReference() {
        Machine m = new Machine(MachineConfig.defaults().withProfile("5.15"));
        KmemCache s = m.slub().create("foo", 700, 0, 0, false);
        long obj = m.slub().alloc(s, Gfp.GFP_KERNEL);
        long slab = (obj - Addresses.PAGE_OFFSET) >>> Addresses.PAGE_SHIFT;
        long[] w = m.profile().encoding().words(m, slab);
        assertEquals((1L << Encoding515.PG_slab) | (1L << Encoding515.PG_head), w[0] & FlagsWord.PGFLAGS_MASK);
        assertEquals(s.address(), w[3], "slab_cache at offset 24");
        assertEquals(m.memmap().word(slab, 4), w[4], "freelist at 32");
        assertEquals(m.memmap().word(slab, 5), w[5], "counters at 40");
        assertEquals(0x00000001ffffffffL, w[6], "refcount 1, mapcount -1: no page type for slab in 5.15");
        assertEquals(1, m.memmap().refcount(slab), "the algorithm gave the slab page alloc_pages' reference");
        m.slub().free(s, obj, "kmem_cache_free");
        m.slub().destroy(s);
        assertEquals(List.of(), m.checkConsistency());
        assertEquals(64, m.zone().freePages());
    }

    @Test
    void memdescFolioAllocationCostsASlabObjectAndChangesTheBuddyState() {
        Machine plain = new Machine(MachineConfig.defaults());
        Machine md = new Machine(MachineConfig.defaults().withProfile("memdesc"));
        assertEquals(0, plain.folioAlloc(Gfp.GFP_KERNEL, 2));
        long pfn = md.folioAlloc(Gfp.GFP_KERNEL, 2);
        assertEquals(4, pfn, "PFN 0 went to the folio cache's slab, PFN 1 to the slab cache's slab, 2-3 stay free");
        Memdescs d = md.memdescs();
        long desc = d.folio(pfn);
        assertEquals(Addresses.directMapAddress(0), desc, "the first object of the folio cache's first slab");
        assertEquals(1, md.slub().objectsInUse(d.folioCache(md)));
        assertEquals(1, md.slub().objectsInUse(d.slabCache(md)), "the folio slab's struct slab");
        for (long p = pfn; p < pfn + 4; p++) {
            assertArrayEquals(new long[] {desc | LayoutsMemdesc.MEMDESC_FILE}, md.profile().encoding().words(md, p),
                    "every page of the folio points at its descriptor");
        }
        assertEquals(List.of(), md.checkConsistency());
        md.folioPut(pfn);
        assertEquals(0, d.folio(pfn));
        assertEquals(0, md.slub().objectsInUse(d.folioCache(md)), "the descriptor went back with the folio");
        assertEquals(List.of(), md.checkConsistency());
    }

    @Test
    void memdescInlineWordsCarryTypeSubtypeAndOrder() {
        Machine m = new Machine(MachineConfig.withPages(64).withReserved(List.of(63L)).withProfile("memdesc"));
        long p = m.allocPages(Gfp.GFP_KERNEL, 2);
        long word = m.profile().encoding().words(m, p + 3)[0];
        assertEquals(LayoutsMemdesc.MEMDESC_MISC, word & 0xf);
        assertEquals(LayoutsMemdesc.MISC_DRIVER, (word >>> 4) & 0x7f);
        assertEquals(2, (word >>> 12) & 0x3f, "every page of the alloc_pages block knows the order");
        long reserved = m.profile().encoding().words(m, 63)[0];
        assertEquals(LayoutsMemdesc.MISC_RESERVED, (reserved >>> 4) & 0x7f);
        long free = m.profile().encoding().words(m, 32)[0];
        assertEquals(LayoutsMemdesc.MEMDESC_BUDDY, free & 0xf);
        assertEquals(4, (free >>> 12) & 0x3f, "PFN 32 heads a free order-4 block (63 is reserved)");
        long[] two = KernelProfile.MEMDESC2.encoding().words(m, 32);
        assertEquals(2, two.length);
        assertEquals(4, two[1], "memdesc2 keeps the order in its own word");
        assertEquals(0, (two[0] >>> 12) & 0x3f);
    }

    @Test
    void memdescDescriptorsAreSixteenByteAlignedSoTheTypeFits() {
        Machine m = new Machine(MachineConfig.withPages(256).withProfile("memdesc"));
        for (int i = 0; i < 40; i++) m.folioAlloc(Gfp.GFP_KERNEL, 0);
        long pool = m.zsmalloc().createPool("zram0").address();
        m.zsmalloc().malloc(m.zsmalloc().poolAt(pool), 100, Gfp.GFP_KERNEL, -1);
        for (long p = 0; p < 256; p++) {
            long w = m.profile().encoding().words(m, p)[0];
            long type = w & 0xf;
            if (type == LayoutsMemdesc.MEMDESC_FILE || type == LayoutsMemdesc.MEMDESC_SLAB || type == LayoutsMemdesc.MEMDESC_MOVABLE) {
                long desc = w & ~0xfL;
                assertTrue(Addresses.inDirectMap(desc) || Long.compareUnsigned(desc, Memdescs.BOOT_SLAB_DESC_BASE) >= 0,
                        "PFN " + p + " points at " + Long.toHexString(desc));
                assertTrue(desc != 0, "PFN " + p + " has a descriptor");
            }
        }
        assertEquals(List.of(), m.checkConsistency());
    }

    @Test
    void aMemdescMachineCopiesItsDescriptorsDeeply() {
        Machine m = new Machine(MachineConfig.defaults().withProfile("memdesc"));
        long pfn = m.folioAlloc(Gfp.GFP_KERNEL, 1);
        Machine c = m.copy();
        assertEquals(m.digest(), c.digest());
        m.folioPut(pfn);
        assertEquals(0, m.memdescs().folio(pfn));
        assertTrue(c.memdescs().folio(pfn) != 0, "the copy keeps its own descriptor table");
        assertTrue(m.digest() != c.digest());
        assertEquals(List.of(), c.checkConsistency());
    }

    @Test
    void readingPastTheEraStructPageIsRefused() {
        Machine m = new Machine(MachineConfig.defaults().withProfile("memdesc"));
        var e = assertThrows(KernelError.class, () -> m.readPageView(Addresses.pageAddress(3) + 8, 8));
        assertEquals(List.of("error: the memdesc profile's struct page is 8 bytes: offset 8 of PFN 3's struct page does not exist"),
                e.lines());
    }
}

package org.memdesclab.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.memdesclab.sim.layout.MatchAssertion;
import org.memdesclab.sim.layout.StructLayout;

/** The 6.18 layouts against kernel-6.18-btf.md, and every FOLIO_MATCH pair. */
class LayoutTest {
    private final KernelProfile p = KernelProfile.LINUX_6_18;

    @Test
    void everyFolioMatchPairHolds() {
        assertEquals(17, org.memdesclab.sim.layout.Layouts618.FOLIO_MATCH.size());
        for (MatchAssertion a : org.memdesclab.sim.layout.Layouts618.FOLIO_MATCH) {
            StructLayout overlay = p.layout(a.overlay().replace("struct ", ""));
            assertNotNull(overlay.field(a.overlayField()), a.spelling());
            int pageOff = p.page().offsetof(a.pageField()) + a.pageIndex() * p.page().size();
            assertEquals(pageOff, overlay.offsetof(a.overlayField()), a.spelling());
        }
    }

    @Test
    void sizesAndOffsetsMatchTheRunningKernelsBtf() {
        assertEquals(64, p.page().size());
        assertEquals(256, p.folio().size());
        assertEquals(24, p.page().offsetof("mapping"));
        assertEquals(32, p.page().offsetof("__folio_index"));
        assertEquals(48, p.page().offsetof("page_type"));
        assertEquals(52, p.page().offsetof("_refcount"));
        assertEquals(56, p.page().offsetof("memcg_data"));
        assertEquals(120, p.folio().offsetof("_nr_pages"));
        assertEquals(144, p.folio().offsetof("_deferred_list"));
        assertEquals(92, p.folio().offsetof("_pincount"));
        assertEquals(104, p.folio().offsetof("_mm_ids"));
        assertEquals(232, p.folio().offsetof("_hugetlb_hwpoison"));
    }

    @Test
    void structPageHasNoIndexMemberIn618() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.page().offsetof("index"));
        assertEquals("no member named 'index' in 'struct page'", e.getMessage());
    }

    @Test
    void wordSixHoldsRefcountAboveThePageType() {
        Machine m = new Machine(MachineConfig.defaults());
        long w6 = m.memmap().word(0, Memmap.W_TYPE_REF);
        assertEquals(0x00000000f0000000L, w6);
        m.allocPages(Gfp.GFP_KERNEL, 0);
        assertEquals(0x00000001ffffffffL, m.memmap().word(0, Memmap.W_TYPE_REF));
        assertEquals(1, m.readMemory(Addresses.pageAddress(0) + 52, 4));
    }
}

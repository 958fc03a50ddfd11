package org.memdesclab.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The cost report's arithmetic: memmap bytes, descriptor bytes and the exact percentage of memory. */
class MemdescCostTest {

    @ParameterizedTest(name = "{0} pages")
    @ValueSource(ints = {1, 64, 1000, 4096, 262144})
    void aBootedMachineCostsItsMemmapOnly(int pages) {
        for (String id : List.of("6.18", "5.15")) {
            MemdescCost c = MemdescCost.of(new Machine(MachineConfig.withPages(pages).withProfile(id)));
            assertEquals(64L * pages, c.memmapBytes(), id);
            assertEquals(0, c.descriptorBytes(), id);
            assertEquals("1.5625", c.totalPercent(), id + ": 64 / 4096");
        }
        MemdescCost one = MemdescCost.of(new Machine(MachineConfig.withPages(pages).withProfile("memdesc")));
        assertEquals(8L * pages, one.memmapBytes());
        assertEquals(0, one.descriptorBytes(), "the descriptor caches exist but hold no slab yet");
        assertEquals("0.1953125", one.totalPercent(), "8 / 4096");
        MemdescCost two = MemdescCost.of(new Machine(MachineConfig.withPages(pages).withProfile("memdesc2")));
        assertEquals("0.390625", two.totalPercent(), "16 / 4096");
        assertEquals(pages * 4096L, two.memoryBytes());
    }

    @Test
    void descriptorsAreChargedByTheSlabPagesTheyOccupyPlusTheBootArray() {
        Machine m = new Machine(MachineConfig.withPages(1024).withProfile("memdesc"));
        for (int i = 0; i < 60; i++) m.folioAlloc(Gfp.GFP_KERNEL, 0);
        MemdescCost c = MemdescCost.of(m);
        // 176-byte folio slots (160 + the free pointer that SLAB_TYPESAFE_BY_RCU moves out of the object, rounded
        // to 16), 23 per page: 60 folios fill three folio slabs; three struct slabs fill part of one slab-cache
        // slab (80-byte slots), described by the boot array
        assertEquals(176, m.memdescs().folioCache(m).size());
        assertEquals(23, m.memdescs().folioCache(m).objectsPerSlab());
        assertEquals(60, c.folios());
        assertEquals(4, c.slabs());
        assertEquals(4, c.slabPages());
        assertEquals(64, c.bootBytes());
        assertEquals(60 * 160 + 4 * 64, c.objectBytes());
        assertEquals(4 * 4096 + 64, c.descriptorBytes());
        assertEquals(8 * 1024 + 4 * 4096 + 64, c.totalBytes());
        assertEquals(MemdescCost.percent(8 * 1024 + 4 * 4096 + 64, 1024L * 4096), c.totalPercent());
        assertEquals("0.58746337890625", c.totalPercent());
    }

    @Test
    void theReportPrintsEveryFigure() {
        Machine m = new Machine(MachineConfig.withPages(64).withProfile("memdesc"));
        m.folioAlloc(Gfp.GFP_KERNEL, 2);
        assertEquals(List.of(
                "profile memdesc: 64 pages x 4096 bytes = 262144 bytes of memory",
                "memmap: 64 x sizeof(struct page) 8 = 512 bytes (0.1953125 %)",
                "descriptors: 1 struct folio, 2 struct slab, 0 struct ptdesc, 0 struct netmem_desc, 0 struct zpdesc = 288 bytes of objects; 2 slab page(s) = 8192 bytes, boot array 64 bytes",
                "total: 8768 bytes = 3.3447265625 % of memory"), MemdescCost.of(m).lines());
    }
}

package org.memdesclab.lesson;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.memdesclab.sim.Machine;
import org.memdesclab.sim.Owner;
import org.memdesclab.sim.lang.Console;
import org.memdesclab.sim.lang.ExecResult;

/**
 * The capstone's prose makes claims about the machine its setup leaves (what is free, who holds each
 * row, how many calls clear a row). LessonSolutionsTest proves the reference path; this test pins the
 * claims, so that a simulator change that moves the setup's pages fails here with a clear message.
 */
class CapstoneLessonTest {
    private static final Lesson CAPSTONE = new DirectoryLessonCatalog(Path.of("content"), GoalChecks.standard(), 0)
            .find("capstone").orElseThrow();

    private static Console boot() {
        Console c = LessonMachines.boot(CAPSTONE);
        assertEquals(List.of(), c.machine().checkConsistency());
        return c;
    }

    private static String buddyinfo(Console c) {
        ExecResult r = c.exec("cat /proc/buddyinfo");
        assertTrue(r.ok());
        return String.join(" ", r.output().get(0).replace("Node 0, zone   Normal", "").trim().split("\\s+"));
    }

    @Test
    void theSetupLeaves44FreePagesInBlocksOfAtMostOrder2() {
        Console c = boot();
        assertEquals("8 8 5 0 0 0 0 0 0 0 0", buddyinfo(c));
        ExecResult r = c.exec("big = folio_alloc(GFP_KERNEL, 4)");
        assertTrue(r.output().stream().anyMatch(l -> l.contains("page allocation failure: order:4")), r.output().toString());
    }

    @Test
    void theRowsHoldWhatTheLessonSays() {
        Machine m = boot().machine();
        for (long pfn = 4; pfn <= 7; pfn++) assertEquals(Owner.SLAB, m.owner(pfn), "rx_ring slab at PFN " + pfn);
        assertEquals(Owner.SLAB, m.owner(9), "kmalloc-128 slab page");
        assertEquals(Owner.HEAD, m.owner(20), "leaked folio head");
        for (long pfn = 21; pfn <= 23; pfn++) assertEquals(Owner.TAIL, m.owner(pfn));
        for (long pfn : new long[] {26, 33, 37, 41, 45, 50, 61}) assertEquals(Owner.PAGE, m.owner(pfn), "leaked page " + pfn);
        assertEquals(Owner.LARGE_KMALLOC, m.owner(56), "leaked large kmalloc");
        long inUse = 0;
        for (long pfn = 0; pfn < 64; pfn++) {
            Owner o = m.owner(pfn);
            if (o != Owner.FREE_HEAD && o != Owner.FREE_INSIDE) inUse++;
        }
        assertEquals(20, inUse);
    }

    @Test
    void eachRowWithoutSlabsClearsWithTheCallsTheLessonCounts() {
        assertRowClears(List.of("folio_put(page_folio(pfn_to_page(22)))", "__free_page(pfn_to_page(26))"), 16);
        assertRowClears(List.of("__free_page(pfn_to_page(33))", "__free_page(pfn_to_page(37))",
                "__free_page(pfn_to_page(41))", "__free_page(pfn_to_page(45))"), 32);
        assertRowClears(List.of("__free_page(pfn_to_page(50))", "kfree(page_address(pfn_to_page(56)))",
                "__free_page(pfn_to_page(61))"), 48);
    }

    private static void assertRowClears(List<String> frees, long row) {
        Console c = boot();
        for (int i = 0; i < frees.size(); i++) {
            assertTrue(c.exec(frees.get(i)).ok(), frees.get(i));
            assertEquals(List.of(), c.machine().checkConsistency(), frees.get(i));
            boolean order4 = c.machine().owner(row) == Owner.FREE_HEAD && c.machine().zone().buddyOrder(row) == 4;
            assertEquals(i == frees.size() - 1, order4, "row " + row + " after " + (i + 1) + " of " + frees.size() + " frees");
        }
        ExecResult r = c.exec("folio_pfn(folio_alloc(GFP_KERNEL, 4))");
        assertEquals(List.of(String.valueOf(row)), r.output());
    }

    @Test
    void aTailPageOrASlabPageCannotBeFreedDirectlyAndNothingChanges() {
        Console c = boot();
        String before = buddyinfo(c);
        for (String s : List.of("__free_pages(pfn_to_page(22), 0)", "__free_page(pfn_to_page(9))", "__free_pages(pfn_to_page(4), 2)",
                "folio_put(pfn_to_page(22))")) {
            ExecResult r = c.exec(s);
            assertFalse(r.ok(), s);
            assertEquals(before, buddyinfo(c), s);
        }
        assertEquals(Owner.SLAB, c.machine().owner(9));
        assertEquals(Owner.HEAD, c.machine().owner(20));
    }

    @Test
    void compactionEmptiesARowOfAnonymousPagesButWalksPastSlabsPageTablesAndBig() {
        Console c = boot();
        Step compact = null;
        for (Step s : CAPSTONE.steps()) {
            if (s.id().equals("compact")) { compact = s; break; }
            for (String st : s.solution()) assertTrue(c.exec(st).ok(), s.id() + ": " + st);
        }
        assertTrue(compact != null, "the capstone has a compaction step");
        assertEquals(CAPSTONE.steps().get(CAPSTONE.steps().size() - 1), compact, "compaction is the last step, after the clean-up");
        List<String> sol = compact.solution();
        for (String st : sol.subList(0, sol.indexOf("compact_zone(4)"))) assertTrue(c.exec(st).ok(), st);
        Machine m = c.machine();
        assertEquals(0, m.zone().nrFree(4), "the scattered anonymous pages leave no order-4 block");
        assertEquals(Owner.ANON, m.owner(34), "anonymous pages sit in row 32-47");
        assertEquals(Owner.PAGE_TABLE, m.owner(8), "the process's page tables land among the slabs");
        ExecResult r = c.exec("compact_zone(4)");
        assertTrue(r.output().get(0).startsWith("COMPACT_SUCCESS: migrated "), r.output().toString());
        assertEquals(List.of(), c.machine().checkConsistency());
        assertEquals(Owner.FREE_HEAD, m.owner(32));
        assertEquals(4, m.zone().buddyOrder(32), "row 32-47 is one free order-4 block");
        assertEquals(List.of("32"), c.exec("folio_pfn(folio_alloc(GFP_KERNEL, 4))").output());
        List<String> stayed = c.exec("compact_zone(-1)").output();
        for (String pfn : List.of("PFN 4: slab", "PFN 9: slab", "PFN 8: page table", "PFN 16: kernel page")) {
            assertTrue(stayed.stream().anyMatch(l -> l.contains(pfn)), pfn + " in " + stayed);
        }
    }
}

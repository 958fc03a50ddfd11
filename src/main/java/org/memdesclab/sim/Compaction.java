package org.memdesclab.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * compact_zone() as mm/compaction.c runs it (6.18): a migration scanner walks the zone up from its first
 * PFN and a free scanner walks down from its last block, a block at a time. isolate_migratepages()
 * takes the movable pages of one block: LRU folios that {@link UserFolios} owns and may move, and
 * pages with movable_ops (zsmalloc's zpdescs, PG_movable_ops). isolate_freepages() takes the free buddy
 * blocks of the highest block not yet scanned; compaction_alloc() hands them out (splitting a larger
 * one when needed) and migrate_pages() moves each page there, freeing the old one, which merges with
 * its free buddies. __compact_finished() stops with COMPACT_SUCCESS once a free block of the requested
 * order exists, or COMPACT_COMPLETE when the scanners meet. Everything else (slab, page tables, reserved
 * pages, pinned folios, kernel pages) stays where it is, and the result lists what was in the way.
 *
 * <p>Simplifications: one zone with one migratetype, so the suitability check is "a free block of the
 * order exists"; no watermarks, no deferral, no skip bits, no async mode; a machine with fewer than
 * two pageblocks (512 pages each) is scanned in blocks of 8 pages, or the scanners would meet at once;
 * per-CPU free pages are not drained first. Balloon pages (PGTY_offline with PG_movable_ops) move through
 * balloon_page_migrate. ZONE_DEVICE pages are not in the zone: both scanners stop below them.
 */
public final class Compaction {
    /** enum compact_result names (include/linux/compaction.h) the lab can return. */
    public static final String COMPACT_SUCCESS = "COMPACT_SUCCESS", COMPACT_COMPLETE = "COMPACT_COMPLETE";

    /** What compaction did: the result, pages moved, the scanners' last positions and what stayed. */
    public record Result(String result, int order, int migrated, long migratePfn, long freePfn, List<String> unmovable) {}

    private static final int MAX_REASONS = 8;
    private static final int SMALL_BLOCK_ORDER = 3;

    private final Machine m;
    private final Memmap mm;
    private final Zone zone;
    private final Trace trace;
    private final int blockOrder;
    /** cc->freepages[order]: isolated free blocks, in isolation order. */
    private final List<List<Long>> freepages = new ArrayList<>();
    private final List<String> unmovable = new ArrayList<>();
    private long migratePfn;
    private long freePfn;
    private int migrated;

    private Compaction(Machine m) {
        this.m = m;
        this.mm = m.memmap();
        this.zone = m.zone();
        this.trace = m.trace();
        this.blockOrder = blockOrder(m.nrPages());
        for (int o = 0; o < Zone.NR_PAGE_ORDERS; o++) freepages.add(new ArrayList<>());
    }

    /** pageblock_order, or the lab's small block for machines under two pageblocks. */
    public static int blockOrder(int pages) {
        return pages >= 2 << Zone.PAGEBLOCK_ORDER ? Zone.PAGEBLOCK_ORDER : SMALL_BLOCK_ORDER;
    }

    /**
     * compact_zone() for an allocation of {@code order}, or of the whole zone for order -1 (what
     * {@code echo 1 > /proc/sys/vm/compact_memory} runs).
     */
    public static Result compactZone(Machine m, int order) {
        if (order < -1 || order > Zone.MAX_PAGE_ORDER) {
            throw KernelError.error("compact_zone(): order " + order + " is outside -1 (whole zone) .. " + Zone.MAX_PAGE_ORDER);
        }
        return new Compaction(m).run(order);
    }

    private Result run(int order) {
        long block = 1L << blockOrder;
        migratePfn = 0;
        freePfn = ((zoneEnd() - 1L) >> blockOrder) << blockOrder;
        if (trace.on()) trace.emit("compact_zone", "order " + order + ": migration scanner at PFN 0, free scanner at PFN " + freePfn, 0);
        if (order >= 0 && hasFreeBlock(order)) {
            if (trace.on()) trace.emit("compaction_suit_allocation_order", "a free order-" + order + " block exists already");
            return new Result(COMPACT_SUCCESS, order, 0, migratePfn, freePfn, List.of());
        }
        String result = COMPACT_COMPLETE;
        while (true) {
            if ((freePfn >> blockOrder) <= (migratePfn >> blockOrder)) {
                if (trace.on()) trace.emit("__compact_finished", "the scanners met at PFN " + migratePfn + ": COMPACT_COMPLETE");
                break;
            }
            List<long[]> isolated = isolateMigratepages(migratePfn, migratePfn + block);
            migratePfn += block;
            if (!migratePages(isolated)) {
                if (trace.on()) trace.emit("compaction_alloc", "no free page left above the migration scanner: COMPACT_COMPLETE");
                break;
            }
            if (order >= 0 && hasFreeBlock(order)) {
                result = COMPACT_SUCCESS;
                if (trace.on()) trace.emit("__compact_finished", "a free order-" + order + " block exists: COMPACT_SUCCESS");
                break;
            }
        }
        releaseFreeList();
        return new Result(result, order, migrated, migratePfn, freePfn, List.copyOf(unmovable));
    }

    /** zone_end_pfn(): device memory at the top of the lab's PFNs is ZONE_DEVICE, not this zone. */
    private long zoneEnd() { return m.zoneDevice().lowestDevicePfn(); }

    private boolean hasFreeBlock(int order) {
        for (int o = order; o < Zone.NR_PAGE_ORDERS; o++) if (zone.nrFree(o) > 0) return true;
        return false;
    }

    /** isolate_migratepages_block(): the movable pages of one block, as (head, order) pairs; records what is not. */
    private List<long[]> isolateMigratepages(long start, long end) {
        List<long[]> out = new ArrayList<>();
        end = Math.min(end, zoneEnd());
        for (long pfn = start; pfn < end; ) {
            if (mm.isBuddy(pfn)) {
                pfn += 1L << zone.buddyOrder(pfn);
                continue;
            }
            long head = m.compoundHeadPfn(pfn);
            int order = m.compoundOrder(head);
            long next = head + (1L << order);
            if (mm.refcount(head) == 0 && m.freeBlockHead(pfn) >= 0) {
                pfn++;
                continue;
            }
            String why = whyUnmovable(pfn, head);
            if (why == null) {
                out.add(new long[] {head, order});
            } else if (why.length() > 0 && unmovable.size() < MAX_REASONS) {
                unmovable.add("PFN " + pfn + ": " + why);
            }
            pfn = Math.max(pfn + 1, next);
        }
        if (trace.on()) {
            trace.emit("isolate_migratepages_block", "PFNs " + start + "-" + (end - 1) + ": " + out.size() + " movable page(s) isolated");
        }
        return out;
    }

    /** null if the page can move; "" if it is not in use (nothing to say); else why it stays. */
    private String whyUnmovable(long pfn, long head) {
        int ref = mm.refcount(head);
        if (m.onPcpList(pfn)) return "";
        if ((mm.pageType(head) >>> 24) == PageType.PGTY_zsmalloc.value()) {
            return mm.testFlag(head, PageFlag.PG_uptodate) ? null : "zsmalloc page not yet movable";
        }
        if ((mm.pageType(head) >>> 24) == PageType.PGTY_offline.value()) {
            return MemoryTypes.isMovableBalloonPage(mm, head) ? null : "offline page without movable_ops (unmovable)";
        }
        if (m.userFolios().owns(head)) return m.userFolios().whyUnmovable(head);
        if (mm.testFlag(pfn, PageFlag.PG_hwpoison)) return "hwpoisoned page (kept by memory_failure)";
        // the rest of a non-compound allocation: its first page was reported already
        if (ref == 0 && PageOwnerType.classify(m, pfn) == PageOwnerType.Kind.INSIDE) return "";
        return PageOwnerType.classify(m, pfn).label() + " (unmovable)";
    }

    /** migrate_pages(): each isolated page into a page from compaction_alloc(); false when the free scanner ran dry. */
    private boolean migratePages(List<long[]> isolated) {
        for (long[] src : isolated) {
            long head = src[0];
            int order = (int) src[1];
            long dst = compactionAlloc(order);
            if (dst < 0) return false;
            if ((mm.pageType(head) >>> 24) == PageType.PGTY_zsmalloc.value()) {
                m.prepCompactionTarget(dst, 0, false);
                m.zsmalloc().migratePage(head, dst);
            } else if ((mm.pageType(head) >>> 24) == PageType.PGTY_offline.value()) {
                m.prepCompactionTarget(dst, 0, false);
                m.memoryTypes().balloonPageMigrate(head, dst);
            } else {
                m.folioGet(head); // isolate_migratepages_block's folio_try_get: the isolation reference
                m.prepCompactionTarget(dst, order, true);
                m.userFolios().migrate(head, dst);
                Memdescs.migrate(m, head, dst); // memdesc profiles: the folio's descriptor follows it
                m.folioPut(head); // migrate_folio_done: the old folio, now unmapped, goes back to the buddy allocator
            }
            migrated += 1 << order;
            if (trace.on()) trace.emit("migrate_pages", "PFN " + head + " moved to PFN " + dst + (order > 0 ? " (order " + order + ")" : ""));
        }
        return true;
    }

    /** compaction_alloc(): the first isolated free block of the smallest order that fits, split down to size. */
    private long compactionAlloc(int order) {
        while (true) {
            for (int o = order; o < Zone.NR_PAGE_ORDERS; o++) {
                List<Long> l = freepages.get(o);
                if (l.isEmpty()) continue;
                long pfn = l.remove(0);
                while (o > order) {
                    o--;
                    freepages.get(o).add(0, pfn + (1L << o));
                }
                return pfn;
            }
            if (!isolateFreepages()) return -1;
        }
    }

    /** isolate_freepages(): the free blocks of the next block down, above the migration scanner; false if none is left. */
    private boolean isolateFreepages() {
        long block = 1L << blockOrder;
        while (freePfn >= migratePfn) {
            long start = freePfn;
            long end = Math.min(start + block, zoneEnd());
            freePfn -= block;
            int got = 0;
            for (long pfn = start; pfn < end; ) {
                if (mm.isBuddy(pfn)) {
                    int o = zone.buddyOrder(pfn);
                    zone.delFromFreeList(pfn, o);
                    freepages.get(o).add(pfn);
                    got += 1 << o;
                    pfn += 1L << o;
                } else {
                    pfn++;
                }
            }
            if (trace.on()) trace.emit("isolate_freepages_block", "PFNs " + start + "-" + (end - 1) + ": " + got + " free page(s) isolated");
            if (got > 0) return true;
        }
        return false;
    }

    /** release_free_list(): isolated free pages nobody used go back to the buddy allocator. */
    private void releaseFreeList() {
        for (int o = 0; o < Zone.NR_PAGE_ORDERS; o++) {
            for (long pfn : freepages.get(o)) zone.freeOnePage(pfn, o, false);
            freepages.get(o).clear();
        }
    }
}

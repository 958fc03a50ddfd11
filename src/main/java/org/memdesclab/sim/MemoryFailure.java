package org.memdesclab.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * memory_failure(pfn, flags) as mm/memory-failure.c runs it in 6.18 (no hugetlb path: the lab has no
 * hugetlb folios). A ZONE_DEVICE PFN goes to memory_failure_dev_pagemap(); a page of a large folio takes
 * try_to_split_thp_page() first (the failed-split path when it cannot). Otherwise TestSetPageHWPoison, then
 * get_hwpoison_page() decides by owner. A free
 * buddy page is taken off its free list (take_page_off_buddy) and kept with one reference, never to be
 * allocated again. LRU folios (user memory) go to their owner's actions through {@link UserFolios}.
 * Everything else the kernel cannot handle: slab, page tables, zsmalloc, reserved and other kernel
 * pages are reported as "unhandlable" and the error is Ignored (the page stays PG_hwpoison; the next
 * kernel read of it takes the machine down, which the lab does not simulate).
 *
 * <p>The printed lines use the kernel's formats ({@code pr_fmt} "Memory failure: ", action_result's
 * "%#lx: recovery action for %s: %s"). A second hit is action_result(MF_MSG_ALREADY_POISONED), "already
 * poisoned page" in the trees that also have MF_MSG_PFN_MAP (the first version said "already poisoned";
 * which one 6.18 prints was read from neighbouring trees, not from a 6.18 tag).
 */
public final class MemoryFailure {
    /** What the kernel's memory_failure() returns. */
    public static final int EBUSY = -16, EHWPOISON = -133, ENXIO = -6;

    /** The result: the return value and the lines the kernel printed. */
    public record Result(int ret, List<String> log) {}

    private MemoryFailure() {}

    /** Runs memory_failure(pfn, 0) on the machine. A PFN outside the machine changes nothing. */
    public static Result run(Machine m, long pfn) {
        List<String> log = new ArrayList<>();
        Memmap mm = m.memmap();
        if (!m.validPfn(pfn)) {
            // pfn_to_online_page() is NULL and the PFN is not ZONE_DEVICE
            log.add(String.format("Memory failure: %#x: memory outside kernel control", pfn));
            return new Result(ENXIO, log);
        }
        Trace trace = m.trace();
        ZoneDevice.Pgmap pgmap = m.zoneDevice().pgmapOf(pfn);
        if (pgmap != null) return devPagemap(m, pfn, pgmap, log);
        if (m.memoryTypes().isHugetlbFolio(m.compoundHeadPfn(pfn))) return hugetlb(m, pfn, m.compoundHeadPfn(pfn), log);
        if (mm.testFlag(pfn, PageFlag.PG_hwpoison)) {
            return new Result(EHWPOISON, action(log, pfn, "already poisoned page", "Failed"));
        }
        mm.setFlag(pfn, PageFlag.PG_hwpoison);
        if (trace.on()) trace.emit("memory_failure", String.format("PFN %d: TestSetPageHWPoison", pfn), 0);
        long head = m.compoundHeadPfn(pfn);
        long block = m.freeBlockHead(pfn);
        if (block >= 0) {
            // get_hwpoison_page() returned 0 and is_free_buddy_page(): take_page_off_buddy()
            takePageOffBuddy(m, block, pfn);
            mm.setRefcount(pfn, 1);
            return new Result(0, action(log, pfn, "free buddy page", "Recovered"));
        }
        if (m.userFolios().owns(head) || mm.testFlag(head, PageFlag.PG_lru)) {
            if (!m.userFolios().owns(head)) {
                return new Result(EBUSY, action(log, pfn, "get hwpoison page", "Ignored"));
            }
            if (mm.isHead(head)) return unsplitThp(m, pfn, head, log);
            log.addAll(m.userFolios().memoryFailure(pfn));
            return new Result(0, log);
        }
        // HWPoisonHandlable() is false: not LRU, not a free buddy page. get_any_page() retries, then gives up.
        String why = switch (PageOwnerType.classify(m, pfn)) {
            case SLAB, LARGE_KMALLOC -> "slab and kmalloc pages hold kernel objects nobody can move or drop";
            case PAGE_TABLE -> "a page table cannot be rebuilt from anywhere";
            case RESERVED -> "kernel text and data have no second copy";
            case ZSMALLOC -> "zsmalloc pages are movable only for compaction, not for memory_failure";
            case FREE_PCP -> "a free page on a per-CPU list is not PageBuddy (the kernel drains the lists only when it retries)";
            default -> "the kernel has no way to find and stop this page's user";
        };
        if (trace.on()) trace.emit("get_any_page", "PFN " + pfn + " is not HWPoisonHandlable: " + why);
        log.add(String.format("Memory failure: %#x: unhandlable page.", pfn));
        return new Result(EBUSY, action(log, pfn, "get hwpoison page", "Ignored"));
    }

    /**
     * memory_failure_dev_pagemap(): pfn_to_online_page() is NULL for ZONE_DEVICE and get_dev_pagemap() finds the
     * pgmap. For FS DAX, pmem's pgmap->ops->memory_failure asks the filesystem (dax_holder_notify_failure); the
     * lab's DAX file sits on a filesystem without holder ops (ext4's case), so that returns -EOPNOTSUPP and
     * mf_generic_kill_procs() runs. Its dax_lock_folio() needs folio->mapping: a page no DAX file has used is
     * -EBUSY before SetPageHWPoison, "dax page: Failed", not marked; device-private and coherent pages have no
     * mapping either. A page a DAX file uses gets PG_hwpoison, every process mapping it is unmapped
     * (unmap_mapping_range) and sent SIGBUS, and action_result says "dax page: Recovered". The page stays
     * in its pgmap; a later fault on that block is VM_FAULT_SIGBUS.
     */
    private static Result devPagemap(Machine m, long pfn, ZoneDevice.Pgmap pgmap, List<String> log) {
        Memmap mm = m.memmap();
        boolean daxFile = pgmap.type() == ZoneDevice.Type.MEMORY_DEVICE_FS_DAX && mm.mapping(pfn) != 0
                && m.userMemory().isDaxFile(mm.mapping(pfn));
        if (!daxFile) {
            if (m.trace().on()) {
                m.trace().emit("memory_failure_dev_pagemap", String.format("PFN %d is ZONE_DEVICE (%s, pgmap 0x%016x): dax_lock_folio finds "
                        + "no mapping, -EBUSY", pfn, pgmap.type(), pgmap.addr()), 0);
            }
            return new Result(EBUSY, action(log, pfn, "dax page", "Failed"));
        }
        if (m.trace().on()) {
            m.trace().emit("mf_generic_kill_procs", String.format("PFN %d is block %d of a DAX file: SetPageHWPoison, collect_procs, "
                    + "unmap_and_kill", pfn, mm.word(pfn, Memmap.W_INDEX)), 0);
        }
        log.addAll(m.userMemory().daxKillProcs(pfn));
        return new Result(0, action(log, pfn, "dax page", "Recovered"));
    }

    /**
     * A page of a large folio: memory_failure() sets PG_has_hwpoisoned on the folio and calls
     * try_to_split_thp_page(). When the split succeeds (split_folio's rules), the poisoned page is handled as an
     * order-0 folio. When it fails: kill_procs_now() (SIGBUS to every mapper), put_page, "unsplit thp: Failed", -EHWPOISON. The
     * folio keeps its place and the page its PG_hwpoison.
     */
    private static Result unsplitThp(Machine m, long pfn, long head, List<String> log) {
        Memmap mm = m.memmap();
        mm.setFlags(head + 1, mm.flags(head + 1) | (1L << PageFlag.PG_has_hwpoisoned));
        List<String> split = m.userMemory().memoryFailureAfterSplit(pfn);
        if (split != null) {
            // try_to_split_thp_page() succeeded: the poisoned page is an order-0 folio now, handled as one
            log.addAll(split);
            return new Result(0, log);
        }
        if (m.trace().on()) m.trace().emit("try_to_split_thp_page", "the folio at PFN " + head + " could not be split (pinned, locked or "
                + "under writeback)", 0);
        log.addAll(m.userMemory().killMappersNow(pfn));
        return new Result(EHWPOISON, action(log, pfn, "unsplit thp", "Failed"));
    }

    /**
     * try_memory_failure_hugetlb(): a second hit is -EHWPOISON; a free pool folio ("free huge page") is
     * dissolved to the buddy allocator (dissolve_free_hugetlb_folio) and the poisoned page taken off its
     * free list with one reference (__page_handle_poison): Recovered, 0. An in-use one: {@link #hugetlbInUse}.
     */
    private static Result hugetlb(Machine m, long pfn, long head, List<String> log) {
        Memmap mm = m.memmap();
        if (mm.testFlag(head, PageFlag.PG_hwpoison)) return new Result(EHWPOISON, action(log, pfn, "already poisoned page", "Failed"));
        if (mm.refcount(head) > 0) return hugetlbInUse(m, pfn, head, log);
        if (m.trace().on()) m.trace().emit("try_memory_failure_hugetlb", "PFN " + pfn + " is in the free hugetlb folio at PFN " + head, 0);
        m.memoryTypes().dissolveFreeHugetlbFolio(head);
        mm.setFlag(pfn, PageFlag.PG_hwpoison);
        long block = m.freeBlockHead(pfn);
        if (block >= 0) {
            takePageOffBuddy(m, block, pfn);
            mm.setRefcount(pfn, 1);
            return new Result(0, action(log, pfn, "free huge page", "Recovered"));
        }
        return new Result(EBUSY, action(log, pfn, "free huge page", "Failed"));
    }

    /**
     * An in-use hugetlb folio: get_huge_page_for_hwpoison() takes a reference and hugetlb_set_folio_hwpoison()
     * sets PG_hwpoison on the folio (the raw page goes on its _hugetlb_hwpoison list, not flagged: HVO may
     * share its struct page). The lab's hugetlb folios are never mapped (no hugetlbfs), so
     * hwpoison_user_mappings() has no process to unmap or kill. me_huge_page(): no mapping, so folio_put of
     * memory_failure's reference, then __page_handle_poison(): dissolve_free_hugetlb_folio() is -EBUSY while
     * the owner holds it: "huge page: Failed", -EBUSY. The owner's last folio_put puts it on the free list,
     * where dequeue_hugetlb_folio_node_exact() skips it: it is never handed out again.
     */
    private static Result hugetlbInUse(Machine m, long pfn, long head, List<String> log) {
        m.memmap().setFlag(head, PageFlag.PG_hwpoison);
        if (m.trace().on()) {
            m.trace().emit("try_memory_failure_hugetlb", "PFN " + pfn + " is in the in-use hugetlb folio at PFN " + head + ": PG_hwpoison on "
                    + "the folio; nobody maps it; dissolve_free_hugetlb_folio is -EBUSY while its owner holds it", 0);
        }
        return new Result(EBUSY, action(log, pfn, "huge page", "Failed"));
    }

    private static List<String> action(List<String> log, long pfn, String type, String result) {
        log.add(String.format("Memory failure: %#x: recovery action for %s: %s", pfn, type, result));
        return log;
    }

    /**
     * take_page_off_buddy(): the free block holding the page leaves its list and break_down_buddy_pages()
     * gives every part except the target back, each half at the head of its list.
     */
    static void takePageOffBuddy(Machine m, long block, long target) {
        Zone z = m.zone();
        int high = z.buddyOrder(block);
        int order = high;
        z.delFromFreeList(block, high);
        long page = block;
        long size = 1L << high;
        while (high > 0) {
            high--;
            size >>= 1;
            long buddy;
            if (target >= page + size) {
                buddy = page;
                page = page + size;
            } else {
                buddy = page + size;
            }
            if (!z.setPageGuard(buddy, high)) z.addToFreeList(buddy, high, false);
        }
        if (m.trace().on()) {
            m.trace().emit("take_page_off_buddy", "PFN " + target + " leaves the free order-" + order
                    + " block at PFN " + block + "; the rest goes back to the free lists");
        }
    }
}

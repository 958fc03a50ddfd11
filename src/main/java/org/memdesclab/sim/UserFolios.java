package org.memdesclab.sim;

import java.util.List;

/**
 * What the PFN walkers (compaction's migration scanner, {@code memory_failure}) need from the code that
 * owns user memory: processes with their page tables, and the page cache. The walkers start from a PFN
 * and the memmap alone (seed 004); when the memmap says "an LRU folio", they hand the folio to this
 * interface, as the kernel hands it to {@code migrate_folio} and the memory-failure actions.
 * Until processes and the page cache exist, {@link #NONE} owns nothing.
 */
public interface UserFolios {
    /** True when the folio whose head is {@code head} is mapped by a process or cached for a file. */
    boolean owns(long head);

    /**
     * Why the folio cannot be migrated now ("pinned by GUP", "under writeback", ...), or null when it can.
     * Called only for folios this interface owns.
     */
    String whyUnmovable(long head);

    /**
     * Moves an owned folio to {@code newHead}, a freshly allocated folio of the same order: copies its
     * flags, mapping and index, and makes every page-table entry, page-cache slot and LRU position that
     * named the old folio name the new one. The old folio is left unmapped and off the LRU, holding only
     * the caller's reference.
     */
    void migrate(long head, long newHead);

    /**
     * The memory-failure action for a poisoned page of an owned folio (PG_hwpoison is already set):
     * drop a clean page-cache folio, report a dirty one to its file, unmap an anonymous one and kill its
     * processes with SIGBUS. Returns the kernel's log lines.
     */
    List<String> memoryFailure(long pfn);

    /** Owns nothing: the machine before processes and files exist. */
    UserFolios NONE = new UserFolios() {
        @Override public boolean owns(long head) { return false; }
        @Override public String whyUnmovable(long head) { return "not a user folio"; }
        @Override public void migrate(long head, long newHead) { throw new IllegalStateException("no user folios"); }
        @Override public List<String> memoryFailure(long pfn) { return List.of(); }
    };
}

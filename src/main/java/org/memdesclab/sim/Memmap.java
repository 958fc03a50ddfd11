package org.memdesclab.sim;

import java.util.Arrays;

/**
 * The memmap: one 64-byte struct page per page frame, stored as eight raw 64-bit words per page in a
 * single primitive array (struct-of-arrays would cost more memory and time). Word i of PFN n holds
 * bytes 8i..8i+7 of that struct page, little-endian, exactly as x86_64 stores it: word 6 is
 * {@code _refcount << 32 | page_type/_mapcount}.
 */
public final class Memmap {
    public static final int WORDS = 8;
    public static final int W_FLAGS = 0, W_LRU_NEXT = 1, W_LRU_PREV = 2, W_MAPPING = 3, W_INDEX = 4,
            W_PRIVATE = 5, W_TYPE_REF = 6, W_MEMCG = 7;

    private final long[] words;
    private final int nrPages;

    Memmap(int nrPages) {
        this.nrPages = nrPages;
        this.words = new long[nrPages * WORDS];
    }

    private Memmap(Memmap other) {
        this.nrPages = other.nrPages;
        this.words = other.words.clone();
    }

    Memmap copy() { return new Memmap(this); }

    public int nrPages() { return nrPages; }

    public long word(long pfn, int i) { return words[(int) pfn * WORDS + i]; }

    void setWord(long pfn, int i, long v) { words[(int) pfn * WORDS + i] = v; }

    /** All eight words of one struct page (a copy). */
    public long[] words(long pfn) { return Arrays.copyOfRange(words, (int) pfn * WORDS, (int) pfn * WORDS + WORDS); }

    public long flags(long pfn) { return words[(int) pfn * WORDS]; }

    void setFlags(long pfn, long v) { words[(int) pfn * WORDS] = v; }

    public boolean testFlag(long pfn, PageFlag f) { return (flags(pfn) & f.mask()) != 0; }

    void setFlag(long pfn, PageFlag f) { words[(int) pfn * WORDS] |= f.mask(); }

    void clearFlag(long pfn, PageFlag f) { words[(int) pfn * WORDS] &= ~f.mask(); }

    /** The low 32 bits of word 6: page_type, or _mapcount when the page has no type. */
    public int pageType(long pfn) { return (int) words[(int) pfn * WORDS + W_TYPE_REF]; }

    void setPageType(long pfn, int v) {
        int i = (int) pfn * WORDS + W_TYPE_REF;
        words[i] = (words[i] & 0xffffffff00000000L) | (v & 0xffffffffL);
    }

    public int refcount(long pfn) { return (int) (words[(int) pfn * WORDS + W_TYPE_REF] >>> 32); }

    void setRefcount(long pfn, int v) {
        int i = (int) pfn * WORDS + W_TYPE_REF;
        words[i] = (words[i] & 0xffffffffL) | ((long) v << 32);
    }

    public long mapping(long pfn) { return words[(int) pfn * WORDS + W_MAPPING]; }

    public long privateWord(long pfn) { return words[(int) pfn * WORDS + W_PRIVATE]; }

    /** The word at offset 8: lru.next, or compound_head of a tail page (bit 0 set). */
    public long compoundWord(long pfn) { return words[(int) pfn * WORDS + W_LRU_NEXT]; }

    public boolean isBuddy(long pfn) { return (pageType(pfn) >>> 24) == PageType.PGTY_buddy.value(); }

    public boolean isTail(long pfn) { return (compoundWord(pfn) & 1) != 0; }

    public boolean isHead(long pfn) { return testFlag(pfn, PageFlag.PG_head); }

    /** Reads {@code size} bytes (1, 2, 4 or 8) at byte offset {@code off} of the memmap, little-endian. */
    public long readBytes(long byteOffset, int size) {
        long v = 0;
        for (int b = size - 1; b >= 0; b--) {
            long at = byteOffset + b;
            long w = words[(int) (at >>> 3)];
            v = (v << 8) | ((w >>> ((at & 7) * 8)) & 0xff);
        }
        return v;
    }

    /** Writes the low {@code size} bytes of {@code value} at byte offset {@code off}, little-endian. */
    void writeBytes(long byteOffset, int size, long value) {
        for (int b = 0; b < size; b++) {
            long at = byteOffset + b;
            int wi = (int) (at >>> 3);
            int shift = (int) ((at & 7) * 8);
            words[wi] = (words[wi] & ~(0xffL << shift)) | (((value >>> (8 * b)) & 0xff) << shift);
        }
    }

    public long byteSize() { return (long) nrPages * Addresses.STRUCT_PAGE_SIZE; }

    /** A hash of every word, for "nothing changed" checks. */
    long digest() {
        long h = 0x9E3779B97F4A7C15L;
        for (long w : words) h = (h ^ w) * 0x100000001B3L + (h >>> 29);
        return h;
    }
}

package org.memdesclab.sim;

/**
 * The memmap: one 64-byte struct page per page frame, stored as eight raw 64-bit words per page in a
 * single primitive array (struct-of-arrays would cost more memory and time). Word i of PFN n holds
 * bytes 8i..8i+7 of that struct page, little-endian, exactly as x86_64 stores it: word 6 is
 * {@code _refcount << 32 | page_type/_mapcount}. The words are split into 1 MiB chunks so that a large
 * memmap is never one "humongous" allocation, which G1 rounds up to whole regions.
 */
public final class Memmap {
    public static final int WORDS = 8;
    public static final int W_FLAGS = 0, W_LRU_NEXT = 1, W_LRU_PREV = 2, W_MAPPING = 3, W_INDEX = 4,
            W_PRIVATE = 5, W_TYPE_REF = 6, W_MEMCG = 7;

    /** Pages per chunk: 2^14 pages = 2^17 words = 1 MiB. */
    private static final int CHUNK_SHIFT = 14 + 3;
    private static final int CHUNK_MASK = (1 << CHUNK_SHIFT) - 1;

    private final long[][] chunks;
    private final int nrPages;

    Memmap(int nrPages) {
        this.nrPages = nrPages;
        long totalWords = (long) nrPages * WORDS;
        int n = (int) ((totalWords + CHUNK_MASK) >>> CHUNK_SHIFT);
        this.chunks = new long[n][];
        for (int c = 0; c < n; c++) {
            long left = totalWords - ((long) c << CHUNK_SHIFT);
            chunks[c] = new long[(int) Math.min(left, 1L << CHUNK_SHIFT)];
        }
    }

    private Memmap(Memmap other) {
        this.nrPages = other.nrPages;
        this.chunks = new long[other.chunks.length][];
        for (int c = 0; c < chunks.length; c++) chunks[c] = other.chunks[c].clone();
    }

    private long w(long index) { return chunks[(int) (index >>> CHUNK_SHIFT)][(int) (index & CHUNK_MASK)]; }

    private void set(long index, long v) { chunks[(int) (index >>> CHUNK_SHIFT)][(int) (index & CHUNK_MASK)] = v; }

    Memmap copy() { return new Memmap(this); }

    public int nrPages() { return nrPages; }

    public long word(long pfn, int i) { return w(pfn * WORDS + i); }

    void setWord(long pfn, int i, long v) { set(pfn * WORDS + i, v); }

    /** All eight words of one struct page (a copy). */
    public long[] words(long pfn) {
        long[] out = new long[WORDS];
        for (int i = 0; i < WORDS; i++) out[i] = w(pfn * WORDS + i);
        return out;
    }

    public long flags(long pfn) { return w(pfn * WORDS); }

    void setFlags(long pfn, long v) { set(pfn * WORDS, v); }

    public boolean testFlag(long pfn, PageFlag f) { return (flags(pfn) & f.mask()) != 0; }

    void setFlag(long pfn, PageFlag f) { set(pfn * WORDS, flags(pfn) | f.mask()); }

    void clearFlag(long pfn, PageFlag f) { set(pfn * WORDS, flags(pfn) & ~f.mask()); }

    /** The low 32 bits of word 6: page_type, or _mapcount when the page has no type. */
    public int pageType(long pfn) { return (int) w(pfn * WORDS + W_TYPE_REF); }

    void setPageType(long pfn, int v) {
        long i = pfn * WORDS + W_TYPE_REF;
        set(i, (w(i) & 0xffffffff00000000L) | (v & 0xffffffffL));
    }

    public int refcount(long pfn) { return (int) (w(pfn * WORDS + W_TYPE_REF) >>> 32); }

    void setRefcount(long pfn, int v) {
        long i = pfn * WORDS + W_TYPE_REF;
        set(i, (w(i) & 0xffffffffL) | ((long) v << 32));
    }

    public long mapping(long pfn) { return w(pfn * WORDS + W_MAPPING); }

    public long privateWord(long pfn) { return w(pfn * WORDS + W_PRIVATE); }

    /** The word at offset 8: lru.next, or compound_head of a tail page (bit 0 set). */
    public long compoundWord(long pfn) { return w(pfn * WORDS + W_LRU_NEXT); }

    public boolean isBuddy(long pfn) { return (pageType(pfn) >>> 24) == PageType.PGTY_buddy.value(); }

    public boolean isTail(long pfn) { return (compoundWord(pfn) & 1) != 0; }

    public boolean isHead(long pfn) { return testFlag(pfn, PageFlag.PG_head); }

    /** Reads {@code size} bytes (1, 2, 4 or 8) at byte offset {@code off} of the memmap, little-endian. */
    public long readBytes(long byteOffset, int size) {
        long in = byteOffset & 7;
        if (in + size <= 8) {
            // the common case: the field lies inside one word
            long word = w(byteOffset >>> 3) >>> (in * 8);
            return size == 8 ? word : word & ((1L << (size * 8)) - 1);
        }
        long v = 0;
        for (int b = size - 1; b >= 0; b--) {
            long at = byteOffset + b;
            long word = w(at >>> 3);
            v = (v << 8) | ((word >>> ((at & 7) * 8)) & 0xff);
        }
        return v;
    }

    /** Writes the low {@code size} bytes of {@code value} at byte offset {@code off}, little-endian. */
    void writeBytes(long byteOffset, int size, long value) {
        for (int b = 0; b < size; b++) {
            long at = byteOffset + b;
            long wi = at >>> 3;
            int shift = (int) ((at & 7) * 8);
            set(wi, (w(wi) & ~(0xffL << shift)) | (((value >>> (8 * b)) & 0xff) << shift));
        }
    }

    public long byteSize() { return (long) nrPages * Addresses.STRUCT_PAGE_SIZE; }

    /** A hash of every word, for "nothing changed" checks. */
    long digest() {
        long h = 0x9E3779B97F4A7C15L;
        for (long[] chunk : chunks) for (long x : chunk) h = (h ^ x) * 0x100000001B3L + (h >>> 29);
        return h;
    }
}

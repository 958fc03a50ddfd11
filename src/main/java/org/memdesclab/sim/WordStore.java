package org.memdesclab.sim;

/**
 * Simulated kernel memory that is kept as aligned 64-bit words (SLUB's and zsmalloc's descriptors):
 * byte-granular little-endian reads on top of one word accessor.
 */
interface WordStore {
    /** The aligned 64-bit word at {@code alignedAddr}. */
    long word(long alignedAddr);

    /** Reads {@code size} (1 to 8) little-endian bytes at {@code addr}, possibly spanning two words. */
    default long read(long addr, int size) {
        long first = addr & ~7L;
        long last = (addr + size - 1) & ~7L;
        int shift = (int) (addr - first) * 8;
        long lo = word(first);
        long v = first == last ? lo >>> shift : (lo >>> shift) | (word(last) << (64 - shift));
        return size == 8 ? v : v & ((1L << (size * 8)) - 1);
    }
}

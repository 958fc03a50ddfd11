package org.memdesclab.sim;

import java.util.Arrays;

/**
 * An open-addressing hash map from long to long without boxing (linear probing, backward-shift
 * deletion). Key 0 is reserved as "empty": the simulator's keys are kernel addresses, never 0.
 * Used for SLUB's sparse object memory and its set of free objects, which sit on the allocation fast path.
 */
final class LongLongMap {
    private long[] keys;
    private long[] vals;
    private int size;
    private int mask;

    LongLongMap() { this(16); }

    private LongLongMap(int capacity) {
        keys = new long[capacity];
        vals = new long[capacity];
        mask = capacity - 1;
    }

    LongLongMap copy() {
        LongLongMap m = new LongLongMap(keys.length);
        m.keys = keys.clone();
        m.vals = vals.clone();
        m.size = size;
        return m;
    }

    int size() { return size; }

    private static int hash(long k) {
        long h = k * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 29));
    }

    private int find(long k) {
        int i = hash(k) & mask;
        while (true) {
            long x = keys[i];
            if (x == k) return i;
            if (x == 0) return -1;
            i = (i + 1) & mask;
        }
    }

    boolean containsKey(long k) { return find(k) >= 0; }

    /** The value for {@code k}, or {@code dflt} if absent. */
    long get(long k, long dflt) {
        int i = find(k);
        return i < 0 ? dflt : vals[i];
    }

    void put(long k, long v) {
        if (k == 0) throw new IllegalArgumentException("key 0");
        int i = hash(k) & mask;
        while (true) {
            long x = keys[i];
            if (x == k) {
                vals[i] = v;
                return;
            }
            if (x == 0) break;
            i = (i + 1) & mask;
        }
        keys[i] = k;
        vals[i] = v;
        if (++size * 2 > keys.length) grow();
    }

    void remove(long k) {
        int i = find(k);
        if (i < 0) return;
        size--;
        // backward-shift deletion keeps every remaining key reachable from its home slot
        int j = i;
        while (true) {
            j = (j + 1) & mask;
            long x = keys[j];
            if (x == 0) break;
            int home = hash(x) & mask;
            boolean between = i <= j ? (home > i && home <= j) : (home > i || home <= j);
            if (!between) {
                keys[i] = x;
                vals[i] = vals[j];
                i = j;
            }
        }
        keys[i] = 0;
        vals[i] = 0;
    }

    private void grow() {
        long[] ok = keys;
        long[] ov = vals;
        keys = new long[ok.length * 2];
        vals = new long[ok.length * 2];
        mask = keys.length - 1;
        size = 0;
        for (int i = 0; i < ok.length; i++) if (ok[i] != 0) put(ok[i], ov[i]);
    }

    /** An order-independent hash of the contents (equal maps hash equally whatever their history). */
    long contentHash() {
        long h = size;
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != 0) {
                long e = keys[i] * 0x9E3779B97F4A7C15L ^ vals[i] * 0xC2B2AE3D27D4EB4FL;
                h += e ^ (e >>> 31);
            }
        }
        return h;
    }

    @Override
    public String toString() { return "LongLongMap(" + size + " of " + Arrays.stream(keys).filter(k -> k != 0).count() + ")"; }
}

package org.memdesclab.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Generated sequences under every kernel profile: seeded pages, folios, kmalloc (small and large) and
 * a kmem_cache, allocated and released at random. After every step the invariants hold (in the memdesc
 * profiles: every folio and slab has a live descriptor and no descriptor outlives its owner), every
 * PFN encodes to a struct page of the profile's size, and the same step on a copy gives the same digest.
 * A failure names the profile, seed and step.
 */
class ProfileProperties {
    private static final int STEPS = 600;

    static List<Arguments> machines() {
        List<Arguments> out = new ArrayList<>();
        long seed = 0x9f0f11e;
        for (String profile : KernelProfile.ids()) {
            for (int pages : new int[] {64, 300, 1024}) {
                out.add(Arguments.of(profile, pages, false, seed++));
                out.add(Arguments.of(profile, pages, true, seed++));
            }
        }
        return out;
    }

    private record Held(long handle, int order, String kind) {}

    @ParameterizedTest(name = "{0}, {1} pages, pcp={2}, seed={3}")
    @MethodSource("machines")
    void invariantsAndEncodingsHoldAfterEveryStep(String profile, int pages, boolean pcp, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        MachineConfig cfg = MachineConfig.withPages(pages).withProfile(profile).withCpus(2);
        if (pcp) cfg = cfg.withPcp(1 + rnd.nextInt(8), 8 + rnd.nextInt(64));
        Machine m = new Machine(cfg);
        KmemCache cache = m.slub().create("prop", 24 + rnd.nextInt(1000), 0, 0, false);
        List<Held> held = new ArrayList<>();
        check(m, profile, seed, -1, "boot");
        for (int step = 0; step < STEPS; step++) {
            String op = step(m, cache, held, rnd);
            check(m, profile, seed, step, op);
        }
        while (!held.isEmpty()) release(m, held, held.size() - 1);
        m.drainAllPages();
        check(m, profile, seed, STEPS, "release all");
        if (m.memdescs() != null) assertEquals(0, m.memdescs().folioCount(), profile + " seed " + seed + ": folio descriptors leaked");
        m.slub().destroy(cache);
        check(m, profile, seed, STEPS, "destroy");
    }

    private String step(Machine m, KmemCache cache, List<Held> held, SplittableRandom rnd) {
        int dice = rnd.nextInt(100);
        int order = rnd.nextInt(10) < 8 ? rnd.nextInt(3) : rnd.nextInt(6);
        if (dice < 20) {
            long p = m.allocPages(Gfp.GFP_KERNEL | (rnd.nextBoolean() ? Gfp.__GFP_COMP : 0), order);
            if (p >= 0) held.add(new Held(p, order, "pages"));
            return "alloc_pages order " + order + " -> " + p;
        } else if (dice < 40) {
            long p = m.folioAlloc(Gfp.GFP_KERNEL, order);
            if (p >= 0) held.add(new Held(p, order, "folio"));
            return "folio_alloc order " + order + " -> " + p;
        } else if (dice < 55) {
            long size = rnd.nextInt(10) < 8 ? 1 + rnd.nextInt(2048) : 8193 + rnd.nextInt(20000);
            long x = m.slub().kmalloc(size, Gfp.GFP_KERNEL);
            if (x != 0 && x != org.memdesclab.sim.Slub.ZERO_SIZE_PTR) held.add(new Held(x, 0, "kmalloc"));
            return "kmalloc " + size + " -> " + Long.toHexString(x);
        } else if (dice < 70) {
            long x = m.slub().alloc(cache, Gfp.GFP_KERNEL);
            if (x != 0) held.add(new Held(x, 0, "cache"));
            return "kmem_cache_alloc -> " + Long.toHexString(x);
        } else if (dice < 73) {
            m.setCpu(rnd.nextInt(m.config().cpus()));
            return "set_cpu";
        } else if (!held.isEmpty()) {
            int i = rnd.nextInt(held.size());
            Held h = held.get(i);
            release(m, held, i);
            return "release " + h;
        }
        return "noop";
    }

    private void release(Machine m, List<Held> held, int i) {
        Held h = held.remove(i);
        switch (h.kind) {
            case "pages" -> m.freePages(h.handle, h.order);
            case "folio" -> m.folioPut(h.handle);
            case "kmalloc" -> m.slub().kfree(h.handle);
            default -> m.slub().free(m.slub().caches().stream().filter(k -> k.name().equals("prop")).findFirst().orElseThrow(),
                    h.handle, "kmem_cache_free");
        }
    }

    private void check(Machine m, String profile, long seed, int step, String op) {
        String where = profile + " seed " + seed + ", step " + step + " (" + op + ")";
        List<String> problems = m.checkConsistency();
        if (!problems.isEmpty()) fail(where + ": " + problems);
        int words = m.profile().structPageSize() / 8;
        for (long p = 0; p < m.nrPages(); p++) {
            long[] w = m.profile().encoding().words(m, p);
            if (w.length != words) fail(where + ": PFN " + p + " encodes to " + w.length + " words");
            if (m.memdescs() != null) {
                long type = w[0] & 0xf;
                boolean pointer = type == 2 || type == 3 || type == 5 || type == 6;
                if (pointer && (w[0] & ~0xfL) == 0) fail(where + ": PFN " + p + " has a typed NULL descriptor");
            }
        }
    }
}

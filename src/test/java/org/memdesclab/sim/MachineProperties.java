package org.memdesclab.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Generated operation sequences: seeded random allocations, folios, references, splits and frees on
 * machines of several sizes (powers of two and not), with and without per-CPU lists and reserved
 * pages. After every step the invariants must hold and free + allocated + reserved = total.
 * A failure names the seed and step so the case can be replayed.
 */
class MachineProperties {
    private static final int STEPS = 2_500;

    static List<Arguments> machines() {
        List<Arguments> out = new ArrayList<>();
        long seed = 0x5eed;
        int[] sizes = {1, 3, 64, 100, 777, 1024, 4099};
        for (int size : sizes) {
            out.add(Arguments.of(size, false, false, seed++));
            out.add(Arguments.of(size, true, false, seed++));
            if (size > 8) out.add(Arguments.of(size, false, true, seed++));
        }
        return out;
    }

    /** What the test believes it holds: an allocation and how to release it. */
    private record Held(long pfn, int order, Kind kind) {}

    private enum Kind { PAGES, COMPOUND, FOLIO, SPLIT_PAGE }

    @ParameterizedTest(name = "{0} pages, pcp={1}, reserved={2}, seed={3}")
    @MethodSource("machines")
    void invariantsHoldAfterEveryStep(int pages, boolean pcp, boolean reserve, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        MachineConfig cfg = MachineConfig.withPages(pages);
        if (pcp) cfg = cfg.withPcp(1 + rnd.nextInt(8), 8 + rnd.nextInt(64));
        TreeSet<Long> reserved = new TreeSet<>();
        if (reserve) for (int i = 0; i < 1 + pages / 50; i++) reserved.add((long) rnd.nextInt(pages));
        cfg = cfg.withReserved(reserved).withCpus(2);
        Machine m = new Machine(cfg);
        List<Held> held = new ArrayList<>();
        check(m, held, reserved.size(), seed, -1, "boot");
        for (int step = 0; step < STEPS; step++) {
            String op = step(m, held, rnd);
            check(m, held, reserved.size(), seed, step, op);
        }
        // release everything: the machine must return to a fully merged state
        while (!held.isEmpty()) release(m, held, held.size() - 1);
        m.drainAllPages();
        check(m, held, reserved.size(), seed, STEPS, "release all");
        assertEquals(pages - reserved.size(), m.zone().freePages(), "seed " + seed + ": not every page came back");
        Machine fresh = new Machine(cfg);
        for (int o = 0; o < Zone.NR_PAGE_ORDERS; o++) {
            assertEquals(fresh.zone().nrFree(o), m.zone().nrFree(o), "seed " + seed + ": free_area[" + o + "] differs from boot");
        }
    }

    private String step(Machine m, List<Held> held, SplittableRandom rnd) {
        int dice = rnd.nextInt(100);
        int order = rnd.nextInt(10) < 7 ? rnd.nextInt(3) : rnd.nextInt(Zone.NR_PAGE_ORDERS);
        if (dice < 30) {
            long p = m.allocPages(Gfp.GFP_KERNEL, order);
            if (p >= 0) held.add(new Held(p, order, Kind.PAGES));
            return "alloc_pages order " + order + " -> " + p;
        } else if (dice < 40) {
            long p = m.allocPages(Gfp.GFP_KERNEL | Gfp.__GFP_COMP, order);
            if (p >= 0) held.add(new Held(p, order, order > 0 ? Kind.COMPOUND : Kind.PAGES));
            return "alloc_pages comp order " + order + " -> " + p;
        } else if (dice < 55) {
            long p = m.folioAlloc(Gfp.GFP_KERNEL, order);
            if (p >= 0) held.add(new Held(p, order, Kind.FOLIO));
            return "folio_alloc order " + order + " -> " + p;
        } else if (dice < 60 && !held.isEmpty()) {
            int i = rnd.nextInt(held.size());
            Held h = held.get(i);
            if (h.kind == Kind.PAGES && h.order > 0) {
                m.splitPage(h.pfn, h.order);
                held.remove(i);
                for (long p = h.pfn; p < h.pfn + (1L << h.order); p++) held.add(new Held(p, 0, Kind.SPLIT_PAGE));
                return "split_page " + h.pfn + " order " + h.order;
            }
            return "noop";
        } else if (dice < 65 && !held.isEmpty()) {
            // an extra reference, then __free_pages while it is held (scenario 17 path), then put_page
            int i = rnd.nextInt(held.size());
            Held h = held.get(i);
            m.getPage(h.pfn);
            if (h.kind == Kind.PAGES) {
                m.freePages(h.pfn, h.order);
                held.set(i, new Held(h.pfn, 0, Kind.SPLIT_PAGE));
            } else {
                m.putPage(h.pfn);
            }
            return "get+free " + h.pfn;
        } else if (dice < 68) {
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
            case PAGES, COMPOUND -> m.freePages(h.pfn, h.order);
            case FOLIO -> m.folioPut(h.pfn);
            case SPLIT_PAGE -> m.putPage(h.pfn);
        }
    }

    private void check(Machine m, List<Held> held, int reserved, long seed, int step, String op) {
        List<String> problems = m.checkConsistency();
        if (!problems.isEmpty()) fail("seed " + seed + ", step " + step + " (" + op + "): " + problems);
        long allocated = 0;
        for (Held h : held) allocated += 1L << h.order;
        long total = m.freePagesTotal() + allocated + reserved;
        if (total != m.nrPages()) {
            fail("seed " + seed + ", step " + step + " (" + op + "): free " + m.freePagesTotal() + " + allocated " + allocated
                    + " + reserved " + reserved + " != " + m.nrPages());
        }
    }
}

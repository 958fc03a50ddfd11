package org.memdesclab.web;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.memdesclab.sim.Machine;
import org.memdesclab.sim.Owner;
import org.memdesclab.sim.Zone;

/**
 * The memmap as the page draws it: one cell per PFN (letter, colour class, accessible name) and one
 * outline per block (free buddy block, compound page, multi-page allocation), for a window of at most
 * {@link #WINDOW} PFNs. Built from the machine, compared before and after a statement to find what to
 * send. Flat values only: templates never see the simulator.
 */
public final class MemmapView {
    /** Cells drawn one by one; larger machines show an overview and a movable window of this many. */
    public static final int WINDOW = 4096;

    /** One PFN cell. {@code label} is the accessible name without its "PFN n: " prefix. */
    public record Cell(long pfn, String letter, String kind, String label) {
        public String id() { return "c" + pfn; }

        public String ariaLabel() { return "PFN " + pfn + ": " + label; }

        /**
         * The cell's markup. Written in Java rather than a template fragment: a 4,096-cell window renders
         * in milliseconds this way. {@code oob} marks it as an htmx out-of-band swap.
         */
        public String html(boolean oob, boolean tabStop) {
            StringBuilder sb = new StringBuilder(160);
            sb.append("<div role=\"gridcell\" id=\"c").append(pfn).append("\" class=\"cell k-").append(kind)
                    .append("\" tabindex=\"").append(tabStop ? "0" : "-1").append("\" aria-label=\"");
            escape(sb, ariaLabel());
            sb.append("\" data-pfn=\"").append(pfn).append('"');
            if (oob) sb.append(" hx-swap-oob=\"true\"");
            sb.append("><b>");
            escape(sb, letter);
            return sb.append("</b><i>").append(pfn).append("</i></div>").toString();
        }

        /** The part that does not depend on the PFN, so runs of equal cells compress. */
        boolean sameLook(Cell o) { return letter.equals(o.letter) && kind.equals(o.kind) && label.equals(o.label); }
    }

    /** An outlined block: {@code kind} is free, compound or alloc; placed on the grid by row and column. */
    public record Block(long start, int order, String kind, int row, int col, int rowSpan, int colSpan) {
        /** Identifies start, order and kind, so a changed block is one removal plus one addition. */
        public String id() { return "blk" + start + "-" + order + kind.charAt(0); }

        /** The CSS grid-area value (lab.js applies it; the CSP allows no style attributes). */
        public String gridArea() {
            return (row + 1) + "/" + (col + 1) + "/span " + rowSpan + "/span " + colSpan;
        }
    }

    /** A run of consecutive changed cells that look alike: the compact form of a large change. */
    public record Run(long from, long to, String letter, String kind, String label) {}

    private final long from;
    private final int count;
    private final int columns;
    private final List<Cell> cells;
    private final Map<Long, Block> blocks;

    private MemmapView(long from, int count, int columns, List<Cell> cells, Map<Long, Block> blocks) {
        this.from = from;
        this.count = count;
        this.columns = columns;
        this.cells = cells;
        this.blocks = blocks;
    }

    /** Grid width: 16 columns up to 256 pages, then 32 (a power of two, so aligned blocks are rectangles). */
    public static int columnsFor(int pages) { return pages <= 256 ? 16 : 32; }

    /** Clamps a requested window start to a multiple of {@link #WINDOW} inside the machine. */
    public static long windowStart(Machine m, long requested) {
        if (m.nrPages() <= WINDOW || requested < 0) return 0;
        long last = ((m.nrPages() - 1L) / WINDOW) * WINDOW;
        return Math.min(last, (requested / WINDOW) * WINDOW);
    }

    public static MemmapView of(Machine m, long requestedFrom) {
        long from = windowStart(m, requestedFrom);
        int count = (int) Math.min(WINDOW, m.nrPages() - from);
        int cols = columnsFor(m.nrPages());
        List<Cell> cells = new ArrayList<>(count);
        Map<Long, Block> blocks = new HashMap<>();
        long end = from + count;
        long pfn = from;
        while (pfn < end) {
            Owner o = m.owner(pfn);
            switch (o) {
                case FREE_HEAD -> {
                    int order = m.zone().buddyOrder(pfn);
                    long size = 1L << order;
                    cells.add(new Cell(pfn, "B" + order, "fh", "free, head of an order-" + order + " block"
                            + (order == 0 ? "" : " (PFNs " + pfn + "–" + (pfn + size - 1) + ")")));
                    addBlock(blocks, pfn, order, "free", from, cols);
                    String inside = "free, inside the order-" + order + " block at PFN " + pfn;
                    for (long p = pfn + 1; p < Math.min(end, pfn + size); p++) cells.add(new Cell(p, "·", "fi", inside));
                    pfn += size;
                }
                case HEAD -> {
                    int order = m.compoundOrder(pfn);
                    long size = 1L << order;
                    cells.add(new Cell(pfn, "H", "hd", "head of an order-" + order + " compound page (PFNs " + pfn + "–"
                            + (pfn + size - 1) + "), refcount " + m.memmap().refcount(pfn)));
                    addBlock(blocks, pfn, order, "compound", from, cols);
                    long p = pfn + 1;
                    for (; p < Math.min(end, pfn + size) && m.owner(p) == Owner.TAIL; p++) {
                        cells.add(new Cell(p, "T", "tl", "tail page of the compound page at PFN " + pfn));
                    }
                    pfn = p;
                }
                case PAGE -> {
                    cells.add(new Cell(pfn, "P", "pg", "allocated page, refcount " + m.memmap().refcount(pfn)));
                    long p = pfn + 1;
                    while (p < end && m.owner(p) == Owner.PAGE_INSIDE) p++;
                    long run = p - pfn;
                    if (run > 1) {
                        int order = 63 - Long.numberOfLeadingZeros(run);
                        boolean aligned = Long.bitCount(run) == 1 && (pfn & (run - 1)) == 0;
                        String inside = "allocated, part of the allocation at PFN " + pfn + " (no refcount of its own)";
                        for (long q = pfn + 1; q < p; q++) cells.add(new Cell(q, "p", "pi", inside));
                        if (aligned) addBlock(blocks, pfn, order, "alloc", from, cols);
                    }
                    pfn = p;
                }
                case SLAB, LARGE_KMALLOC -> {
                    long head = m.compoundHeadPfn(pfn);
                    boolean slab = o == Owner.SLAB;
                    String what = slab ? "slab" : "large kmalloc allocation";
                    if (head == pfn) {
                        int order = m.compoundOrder(pfn);
                        cells.add(new Cell(pfn, slab ? "S" : "K", slab ? "sl" : "km", (slab ? "slab page of " + cacheName(m, pfn)
                                : "large kmalloc allocation") + ", order " + order));
                        addBlock(blocks, pfn, order, slab ? "slab" : "kmalloc", from, cols);
                    } else {
                        cells.add(new Cell(pfn, slab ? "s" : "k", slab ? "sl" : "km", "tail page of the " + what + " at PFN " + head));
                    }
                    pfn++;
                }
                default -> {
                    cells.add(single(m, pfn, o));
                    pfn++;
                }
            }
        }
        return new MemmapView(from, count, cols, cells, blocks);
    }

    /** The name of the kmem_cache a slab belongs to: struct slab's slab_cache is the word at offset 8. */
    static String cacheName(Machine m, long head) {
        try {
            var c = m.slub().cacheAt(m.memmap().word(head, 1));
            return c == null ? "an unknown cache" : c.name();
        } catch (RuntimeException e) {
            return "an unknown cache";
        }
    }

    private static Cell single(Machine m, long pfn, Owner o) {
        return switch (o) {
            case FREE_INSIDE -> {
                long head = m.freeBlockHead(pfn);
                yield new Cell(pfn, "·", "fi", "free, inside the order-" + m.zone().buddyOrder(head) + " block at PFN " + head);
            }
            case FREE_PCP -> new Cell(pfn, "C", "pc", "free, on CPU per-CPU list (pcp)");
            case TAIL -> new Cell(pfn, "T", "tl", "tail page of the compound page at PFN " + m.compoundHeadPfn(pfn));
            case PAGE_INSIDE -> new Cell(pfn, "p", "pi", "allocated, part of a larger allocation (no refcount of its own)");
            case RESERVED -> new Cell(pfn, "R", "rs", "reserved at boot (PG_reserved)");
            case HEAD -> new Cell(pfn, "H", "hd", "head of a compound page");
            case PAGE -> new Cell(pfn, "P", "pg", "allocated page");
            case FREE_HEAD -> new Cell(pfn, "B", "fh", "free block head");
            case SLAB -> new Cell(pfn, "S", "sl", "slab page");
            case LARGE_KMALLOC -> new Cell(pfn, "K", "km", "large kmalloc allocation");
            case ZSMALLOC -> new Cell(pfn, "Z", "zs", "zsmalloc page (a zspage's zpdesc, PGTY_zsmalloc)");
            case PAGE_TABLE -> new Cell(pfn, "G", "pt", "page-table page (a struct ptdesc, PGTY_table)");
            case ANON -> new Cell(pfn, "A", "an", "anonymous folio, mapcount " + m.userMemory().mapcount(pfn) + ", refcount "
                    + m.memmap().refcount(pfn));
            case FILE -> new Cell(pfn, "F", "fc", "page-cache folio, index " + m.memmap().word(pfn, 4) + ", refcount "
                    + m.memmap().refcount(pfn));
            case OFFLINE -> new Cell(pfn, "O", "of", "logically offline: in the balloon (PGTY_offline)");
            case GUARD -> new Cell(pfn, "D", "gd", "debug_pagealloc guard page (PGTY_guard)");
            case NET_POOL -> new Cell(pfn, "N", "np", "page_pool page of the network stack (pp_magic = PP_SIGNATURE)");
            case ZONE_DEVICE -> new Cell(pfn, "V", "zd", "ZONE_DEVICE page (devm_memremap_pages: zone 4, pgmap at offset 8)");
            case DRIVER_MAPPED -> new Cell(pfn, "M", "dm", "driver page mapped to user space (vm_insert_page), mapcount "
                    + (m.memmap().pageType(pfn) + 1));
        };
    }

    private static void addBlock(Map<Long, Block> blocks, long start, int order, String kind, long from, int cols) {
        long size = 1L << order;
        if (size < 2 && !kind.equals("free")) return;
        long rel = start - from;
        if (rel < 0) return;
        int row = (int) (rel / cols);
        int col = (int) (rel % cols);
        long visible = Math.min(size, WINDOW - rel);
        int colSpan = (int) Math.min(cols, visible);
        int rowSpan = (int) Math.max(1, visible / cols);
        blocks.put(start, new Block(start, order, kind, row, col, rowSpan, colSpan));
    }

    public long from() { return from; }

    public int count() { return count; }

    public int columns() { return columns; }

    public int rows() { return (count + columns - 1) / columns; }

    public List<Cell> cells() { return cells; }

    public List<Block> blocks() { return List.copyOf(blocks.values()); }

    /** The grid's rows and cells; {@code tabStop} is the PFN that gets tabindex 0 (the grid's one tab stop). */
    public String gridHtml(long tabStop) {
        long stop = tabStop >= from && tabStop < from + count ? tabStop : from;
        StringBuilder sb = new StringBuilder(count * 150);
        for (int i = 0; i < count; i++) {
            if (i % columns == 0) sb.append(i == 0 ? "" : "</div>\n").append("<div role=\"row\" class=\"mm-row\">");
            Cell c = cells.get(i);
            sb.append(c.html(false, c.pfn() == stop));
        }
        return sb.append("</div>").toString();
    }

    /** Cells as out-of-band swaps. */
    public static String oobHtml(List<Cell> cells) {
        StringBuilder sb = new StringBuilder();
        for (Cell c : cells) sb.append(c.html(true, false)).append('\n');
        return sb.toString();
    }

    static void escape(StringBuilder sb, String s) {
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                default -> sb.append(ch);
            }
        }
    }

    /** Cells grouped into rows for role=row. */
    public List<List<Cell>> cellRows() {
        List<List<Cell>> out = new ArrayList<>();
        for (int i = 0; i < cells.size(); i += columns) out.add(cells.subList(i, Math.min(cells.size(), i + columns)));
        return out;
    }

    /** Cells of {@code after} that differ from this view (same window assumed). */
    public List<Cell> changedCells(MemmapView after) {
        List<Cell> out = new ArrayList<>();
        if (after.from != from || after.count != count) return after.cells;
        for (int i = 0; i < count; i++) {
            if (!cells.get(i).equals(after.cells.get(i))) out.add(after.cells.get(i));
        }
        return out;
    }

    /** Cells of {@code after} whose letter or colour differ here (a new owner, not just a regrouped block). */
    public List<Cell> changedOwners(MemmapView after) {
        List<Cell> out = new ArrayList<>();
        if (after.from != from || after.count != count) return after.cells;
        for (int i = 0; i < count; i++) {
            Cell a = cells.get(i);
            Cell b = after.cells.get(i);
            if (!a.letter().equals(b.letter()) || !a.kind().equals(b.kind())) out.add(b);
        }
        return out;
    }

    /** Blocks present in {@code after} but new or different here. */
    public List<Block> addedOrChangedBlocks(MemmapView after) {
        List<Block> out = new ArrayList<>();
        for (Block b : after.blocks.values()) if (!b.equals(blocks.get(b.start()))) out.add(b);
        return out;
    }

    /** Blocks that disappeared or changed (removed by id before the new ones are added). */
    public List<Block> removedBlocks(MemmapView after) {
        List<Block> out = new ArrayList<>();
        for (Block b : blocks.values()) if (!b.equals(after.blocks.get(b.start()))) out.add(b);
        return out;
    }

    /** Compresses changed cells into runs of consecutive PFNs that look alike. */
    public static List<Run> runs(List<Cell> changed) {
        List<Run> out = new ArrayList<>();
        Cell first = null;
        Cell last = null;
        for (Cell c : changed) {
            if (first != null && c.pfn() == last.pfn() + 1 && c.sameLook(first)) {
                last = c;
                continue;
            }
            if (first != null) out.add(new Run(first.pfn(), last.pfn(), first.letter(), first.kind(), first.label()));
            first = c;
            last = c;
        }
        if (first != null) out.add(new Run(first.pfn(), last.pfn(), first.letter(), first.kind(), first.label()));
        return out;
    }

    /** A text description of the whole machine for screen readers: the blocks in PFN order, merged runs. */
    public static String summary(Machine m) {
        StringBuilder sb = new StringBuilder();
        long free = m.freePagesTotal();
        sb.append(m.nrPages()).append(" pages, ").append(free).append(" free. ");
        int shown = 0;
        long pfn = 0;
        while (pfn < m.nrPages() && shown < 40) {
            Owner o = m.owner(pfn);
            long next = pfn + 1;
            String what;
            switch (o) {
                case FREE_HEAD -> {
                    int order = m.zone().buddyOrder(pfn);
                    next = pfn + (1L << order);
                    what = "free order-" + order + " block";
                }
                case HEAD -> {
                    int order = m.compoundOrder(pfn);
                    next = pfn + (1L << order);
                    what = "order-" + order + " compound page";
                }
                default -> {
                    while (next < m.nrPages() && m.owner(next) == o) next++;
                    what = switch (o) {
                        case PAGE -> next - pfn == 1 ? "allocated page" : "allocated pages";
                        case PAGE_INSIDE -> "allocated (part of a larger allocation)";
                        case FREE_PCP -> "free on per-CPU lists";
                        case RESERVED -> "reserved";
                        case SLAB -> "slab pages";
                        case LARGE_KMALLOC -> "large kmalloc pages";
                        case ZSMALLOC -> "zsmalloc pages";
                        case PAGE_TABLE -> "page-table pages";
                        case ANON -> "anonymous folios";
                        case FILE -> "page-cache folios";
                        case OFFLINE -> "offline (balloon) pages";
                        case GUARD -> "guard pages";
                        case NET_POOL -> "page_pool pages";
                        case ZONE_DEVICE -> "ZONE_DEVICE pages";
                        case DRIVER_MAPPED -> next - pfn == 1 ? "driver page mapped to user space" : "driver pages mapped to user space";
                        case TAIL -> "tail pages";
                        default -> "free";
                    };
                }
            }
            sb.append(next - pfn == 1 ? "PFN " + pfn : "PFNs " + pfn + "–" + (next - 1)).append(": ").append(what).append(". ");
            shown++;
            pfn = next;
        }
        if (pfn < m.nrPages()) sb.append("PFNs ").append(pfn).append(" onwards are not described here; move the window to explore them.");
        return sb.toString().strip();
    }

    /** One overview cell per window of {@link #WINDOW} pages, for machines larger than one window. */
    public record OverviewCell(long from, long to, long free, String letter, String kind, boolean current) {
        public String id() { return "ov" + from; }

        public String ariaLabel() {
            return "PFNs " + from + "–" + to + ": " + free + " of " + (to - from + 1) + " pages free" + (current ? " (shown below)" : "");
        }
    }

    public static List<OverviewCell> overview(Machine m, long currentFrom) {
        if (m.nrPages() <= WINDOW) return List.of();
        int windows = (int) ((m.nrPages() + WINDOW - 1L) / WINDOW);
        long[] free = new long[windows];
        for (int o = 0; o < Zone.NR_PAGE_ORDERS; o++) {
            for (long head : m.zone().freeList(o)) {
                long s = head;
                long e = head + (1L << o);
                while (s < e) {
                    int w = (int) (s / WINDOW);
                    long we = Math.min(e, (w + 1L) * WINDOW);
                    free[w] += we - s;
                    s = we;
                }
            }
        }
        List<OverviewCell> out = new ArrayList<>();
        for (int w = 0; w < windows; w++) {
            long f = (long) w * WINDOW;
            long t = Math.min(m.nrPages(), f + WINDOW) - 1;
            long size = t - f + 1;
            String letter = free[w] == size ? "F" : free[w] == 0 ? "A" : "M";
            String kind = free[w] == size ? "fi" : free[w] == 0 ? "pg" : "mx";
            out.add(new OverviewCell(f, t, free[w], letter, kind, f == currentFrom));
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MemmapView v && v.from == from && v.cells.equals(cells) && v.blocks.equals(blocks);
    }

    @Override
    public int hashCode() { return Objects.hash(from, cells); }
}

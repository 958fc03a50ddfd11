package org.memdesclab.web;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.memdesclab.sim.MachineConfig;
import org.memdesclab.store.JournalEntry;

/**
 * The journal folded into what the machine is now: a configuration, the statements of the current
 * branch (including undone ones that redo can bring back), and how many of them are in effect.
 * <ul>
 * <li>statement: drops the undone tail (a new branch), appends, and puts it in effect;</li>
 * <li>undo / redo: one fewer / one more in effect;</li>
 * <li>goto n: n in effect; reset: none in effect (redo still works until the next statement);</li>
 * <li>config: a new machine (sandbox), an empty timeline.</li>
 * </ul>
 * The journal itself keeps every row, so nothing a learner did is lost.
 */
public final class Timeline {
    private MachineConfig config;
    private final List<String> statements = new ArrayList<>();
    private int position;

    public Timeline(MachineConfig config) { this.config = config; }

    public static Timeline fold(MachineConfig base, List<JournalEntry> journal) {
        Timeline t = new Timeline(base);
        for (JournalEntry e : journal) t.apply(e.kind(), e.statement(), e.target());
        return t;
    }

    public void apply(JournalEntry.Kind kind, String statement, int target) {
        switch (kind) {
            case STATEMENT -> {
                statements.subList(position, statements.size()).clear();
                statements.add(statement);
                position++;
            }
            case UNDO -> position = Math.max(0, position - 1);
            case REDO -> position = Math.min(statements.size(), position + 1);
            case RESET -> position = 0;
            case GOTO -> position = Math.max(0, Math.min(statements.size(), target));
            case CONFIG -> {
                config = parseConfig(statement);
                statements.clear();
                position = 0;
            }
        }
    }

    public MachineConfig config() { return config; }

    /** The statements of the current branch, effective and undone. */
    public List<String> statements() { return List.copyOf(statements); }

    /** How many statements are in effect. */
    public int position() { return position; }

    public boolean canUndo() { return position > 0; }

    public boolean canRedo() { return position < statements.size(); }

    /**
     * "pages=64 cpus=4 pcp=0 profile=6.18": the sandbox configuration as the journal stores it
     * (" slab_nomerge=1" is added only when set, so rows written before the option existed read the same).
     */
    public static String formatConfig(MachineConfig c) {
        return "pages=" + c.pages() + " cpus=" + c.cpus() + " pcp=" + (c.pcp() ? 1 : 0) + " profile=" + c.profile()
                + (c.slabNomerge() ? " slab_nomerge=1" : "");
    }

    /** The inverse of {@link #formatConfig}; the order of the parts does not matter. */
    public static MachineConfig parseConfig(String s) {
        MachineConfig d = MachineConfig.defaults();
        int pages = d.pages();
        int cpus = d.cpus();
        boolean pcp = d.pcp();
        boolean nomerge = d.slabNomerge();
        String profile = d.profile();
        for (String part : s.trim().split("\\s+")) {
            int eq = part.indexOf('=');
            if (eq < 0) continue;
            String k = part.substring(0, eq).toLowerCase(Locale.ROOT);
            String v = part.substring(eq + 1);
            switch (k) {
                case "pages" -> pages = Integer.parseInt(v);
                case "cpus" -> cpus = Integer.parseInt(v);
                case "pcp" -> pcp = truthy(v);
                case "profile" -> profile = v;
                case "slab_nomerge" -> nomerge = truthy(v);
                default -> { }
            }
        }
        return MachineConfig.withPages(pages).withCpus(cpus).withPcp(pcp).withProfile(profile).withSlabNomerge(nomerge);
    }

    private static boolean truthy(String v) { return v.equals("1") || v.equalsIgnoreCase("true"); }
}

package org.memdesclab.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.memdesclab.sim.Machine;
import org.memdesclab.sim.MachineConfig;
import org.memdesclab.sim.TraceEvent;
import org.memdesclab.sim.lang.Console;
import org.memdesclab.sim.lang.ExecResult;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sim}: boots one simulated machine and runs console statements from standard input, one per
 * line, printing each statement's output (design.md section 3, "The sim command-line contract").
 */
@Command(name = "sim", mixinStandardHelpOptions = true,
        description = {"Run console statements from standard input on a simulated machine, one per line.",
            "Each statement's output is printed; a failing statement prints error:, BUG: or WARNING: lines and the run goes on."})
public final class SimCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--pages", paramLabel = "N", description = "page frames in the zone (default ${DEFAULT-VALUE})")
    int pages = MachineConfig.DEFAULT_PAGES;

    @Option(names = "--cpus", paramLabel = "N", description = "CPUs (default ${DEFAULT-VALUE})")
    int cpus = MachineConfig.DEFAULT_CPUS;

    @Option(names = "--pcp", description = "use per-CPU page lists (default: off, like the kernel's boot pageset)")
    boolean pcp;

    @Option(names = "--pcp-batch", paramLabel = "N", description = "per-CPU list batch (implies --pcp; default 4)")
    Integer pcpBatch;

    @Option(names = "--pcp-high", paramLabel = "N", description = "per-CPU list high mark (implies --pcp; default 32)")
    Integer pcpHigh;

    @Option(names = "--reserve", paramLabel = "PFNS", description = "reserved PFNs: a list (3,5,7), ranges (0-3) or both")
    String reserve;

    @Option(names = "--profile", paramLabel = "NAME", description = "kernel profile: 6.18, 5.15, memdesc or memdesc2 (default ${DEFAULT-VALUE})")
    String profile = org.memdesclab.sim.KernelProfile.DEFAULT_ID;

    @Option(names = "--slab-nomerge", description = "boot with slab_nomerge: kmem_cache_create never merges caches")
    boolean slabNomerge;

    @Option(names = "--trace", description = "also print what the kernel did, indented, after each statement")
    boolean trace;

    @Override
    public Integer call() {
        MachineConfig config;
        try {
            config = config();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "sim: " + e.getMessage());
        }
        return run(config, new InputStreamReader(System.in, StandardCharsets.UTF_8), System.out, trace);
    }

    /**
     * The machine configuration that {@code sim} options describe (e.g. {@code "--pcp", "--pages", "128"}), for
     * scripts and tests. Throws IllegalArgumentException with a clear message if they are invalid.
     */
    public static MachineConfig configFromArgs(String... args) {
        SimCommand c = new SimCommand();
        try {
            new CommandLine(c).parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return c.config();
    }

    /** The machine configuration the options describe; IllegalArgumentException with a clear message if invalid. */
    MachineConfig config() {
        boolean usePcp = pcp || pcpBatch != null || pcpHigh != null;
        return new MachineConfig(pages, cpus, usePcp, pcpBatch == null ? MachineConfig.DEFAULT_PCP_BATCH : pcpBatch,
                pcpHigh == null ? MachineConfig.DEFAULT_PCP_HIGH : pcpHigh, new java.util.TreeSet<>(parseReserved(reserve)), profile,
                slabNomerge);
    }

    static List<Long> parseReserved(String spec) {
        List<Long> out = new ArrayList<>();
        if (spec == null || spec.isBlank()) return out;
        for (String part : spec.split(",")) {
            String p = part.trim();
            try {
                int dash = p.indexOf('-', 1);
                if (dash > 0) {
                    long a = Long.parseLong(p.substring(0, dash).trim());
                    long b = Long.parseLong(p.substring(dash + 1).trim());
                    if (b < a) throw new IllegalArgumentException("--reserve: range " + p + " ends before it starts");
                    if (b - a > MachineConfig.MAX_PAGES) throw new IllegalArgumentException("--reserve: range " + p + " is too large");
                    for (long x = a; x <= b; x++) out.add(x);
                } else {
                    out.add(Long.parseLong(p));
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--reserve: '" + p + "' is not a PFN or a range A-B");
            }
        }
        return out;
    }

    /**
     * Runs every line of {@code in} on a fresh machine and prints the outputs to {@code out}. Returns
     * the exit status: 0 once the input has been read to the end.
     */
    public static int run(MachineConfig config, Reader in, PrintStream out, boolean trace) {
        Console console = new Console(new Machine(config));
        try (BufferedReader r = new BufferedReader(in)) {
            String line;
            while ((line = r.readLine()) != null) {
                ExecResult res = console.exec(line);
                for (String l : res.output()) out.println(l);
                if (trace) {
                    for (TraceEvent e : res.trace()) out.println("  " + "  ".repeat(Math.max(0, e.depth())) + e.function() + ": " + e.detail());
                }
            }
        } catch (IOException e) {
            System.err.println("sim: cannot read standard input: " + e.getMessage());
            return 1;
        }
        out.flush();
        return 0;
    }
}

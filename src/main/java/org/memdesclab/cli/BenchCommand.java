package org.memdesclab.cli;

import java.util.concurrent.Callable;
import org.memdesclab.bench.SimBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code bench sim}: prints the simulator's speed and memory figures for this machine. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure the lab on this machine and print the figures. Targets: sim.")
public final class BenchCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "TARGET", description = "What to measure: sim")
    String target;

    @Option(names = "--quick", description = "Shorter runs (less precise), for a smoke test.")
    boolean quick;

    @Override
    public Integer call() {
        if (!"sim".equals(target)) {
            System.err.println("bench: unknown target '" + target + "' (known: sim)");
            return 2;
        }
        new SimBenchmark(System.out, quick ? 0.02 : 1.0).run();
        return 0;
    }
}

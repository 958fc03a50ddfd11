package org.memdesclab.bench;

import java.util.concurrent.TimeUnit;
import org.memdesclab.sim.Gfp;
import org.memdesclab.sim.Machine;
import org.memdesclab.sim.MachineConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * JMH cross-check of {@code bench sim}: an alloc_pages + __free_pages pair on a fresh 262,144-page
 * zone. Run with {@code mvn -Pjmh test-compile exec:exec}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AllocatorJmh {
    @Param({"0", "3"})
    int order;

    @Param({"false", "true"})
    boolean tracing;

    private Machine machine;

    @Setup
    public void boot() {
        machine = new Machine(MachineConfig.withPages(262_144));
        machine.trace().setEnabled(tracing);
    }

    @Benchmark
    public long allocFreePair() {
        long pfn = machine.allocPages(Gfp.GFP_KERNEL, order);
        machine.freePages(pfn, order);
        return tracing ? machine.trace().drain().size() : pfn;
    }

    @Benchmark
    public int boot262144Pages() {
        return new Machine(MachineConfig.withPages(262_144)).nrPages();
    }
}

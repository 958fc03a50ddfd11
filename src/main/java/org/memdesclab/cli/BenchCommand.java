package org.memdesclab.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder: the real command arrives with its issue. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "bench (not yet implemented)")
public final class BenchCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("bench: not implemented yet");
        return 1;
    }
}

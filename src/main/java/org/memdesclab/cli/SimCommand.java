package org.memdesclab.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder: the real command arrives with its issue. */
@Command(name = "sim", mixinStandardHelpOptions = true, description = "sim (not yet implemented)")
public final class SimCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("sim: not implemented yet");
        return 1;
    }
}

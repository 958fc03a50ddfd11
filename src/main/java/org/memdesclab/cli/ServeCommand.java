package org.memdesclab.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder: the real command arrives with its issue. */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "serve (not yet implemented)")
public final class ServeCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("serve: not implemented yet");
        return 1;
    }
}

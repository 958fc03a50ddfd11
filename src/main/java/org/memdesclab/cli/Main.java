package org.memdesclab.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The memdesc-lab jar: {@code serve}, {@code sim} and {@code bench}. */
@Command(name = "memdesc-lab", mixinStandardHelpOptions = true, version = "memdesc-lab 0.1.0",
        description = "Memdesc Lab: learn how Linux describes physical memory.",
        subcommands = {ServeCommand.class, SimCommand.class, BenchCommand.class, CdsTrainCommand.class})
public final class Main implements Runnable {
    @Override
    public void run() { new CommandLine(this).usage(System.out); }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }
}

package org.memdesclab.sim.lang;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.memdesclab.cli.SimCommand;
import org.memdesclab.sim.Machine;
import org.memdesclab.sim.MachineConfig;

/**
 * A sim script with its expected output, as stored in src/test/resources/scripts: an optional first
 * line {@code #! OPTIONS} (the sim command's options), {@code #} comment lines, statements, and after
 * each statement the lines it must print, each prefixed with {@code "> "} (a lone {@code ">"} is an
 * empty line). Trailing spaces are significant.
 */
record SimScript(String name, MachineConfig config, List<Step> steps) {

    record Step(int line, String statement, List<String> expected) {}

    static SimScript load(String name) throws IOException {
        try (InputStream in = SimScript.class.getResourceAsStream("/scripts/" + name)) {
            if (in == null) throw new IOException("no script " + name);
            return parse(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    static SimScript parse(String name, String text) {
        MachineConfig config = MachineConfig.defaults();
        List<Step> steps = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        int n = lines.length;
        if (n > 0 && lines[n - 1].isEmpty()) n--;
        for (int i = 0; i < n; i++) {
            String l = lines[i];
            if (i == 0 && l.startsWith("#!")) {
                String opts = l.substring(2).trim();
                config = SimCommand.configFromArgs(opts.isEmpty() ? new String[0] : opts.split("\\s+"));
            } else if (l.startsWith("#")) {
                continue;
            } else if (l.startsWith(">")) {
                if (steps.isEmpty()) throw new IllegalArgumentException(name + ":" + (i + 1) + ": expected output before any statement");
                steps.get(steps.size() - 1).expected().add(l.equals(">") ? "" : l.substring(2));
            } else {
                steps.add(new Step(i + 1, l, new ArrayList<>()));
            }
        }
        return new SimScript(name, config, steps);
    }

    /** Runs the script on a fresh machine through a Console, checking each statement's output and the invariants. */
    Console runAndCheck() {
        Console c = new Console(new Machine(config));
        for (Step s : steps) {
            ExecResult r = c.exec(s.statement());
            String where = name + ":" + s.line() + ": " + s.statement();
            assertEquals(String.join("\n", s.expected()), String.join("\n", r.output()), where);
            assertTrue(c.machine().checkConsistency().isEmpty(), where + ": invariants broken: " + c.machine().checkConsistency());
        }
        return c;
    }
}

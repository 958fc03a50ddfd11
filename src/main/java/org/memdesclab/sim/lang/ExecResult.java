package org.memdesclab.sim.lang;

import java.util.List;
import org.memdesclab.sim.TraceEvent;

/**
 * The outcome of one console statement.
 *
 * @param ok     false if the statement was refused (then nothing changed)
 * @param output exactly the lines the {@code sim} command prints for it
 * @param trace  what the kernel did, in call order
 * @param notes  teaching remarks that are not part of the output
 */
public record ExecResult(boolean ok, List<String> output, List<TraceEvent> trace, List<String> notes) {
    public ExecResult {
        output = List.copyOf(output);
        trace = List.copyOf(trace);
        notes = List.copyOf(notes);
    }
}

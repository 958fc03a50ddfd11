package org.memdesclab.sim;

import java.util.List;

/**
 * A refused operation: what the kernel (or the C compiler) would print. Thrown before anything is
 * changed, so the machine is exactly as it was.
 */
public final class KernelError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient List<String> lines;

    public KernelError(List<String> lines) {
        super(String.join("\n", lines), null, false, false);
        this.lines = List.copyOf(lines);
    }

    public KernelError(String line) { this(List.of(line)); }

    /** An error with the conventional "error: " prefix. */
    public static KernelError error(String message) { return new KernelError("error: " + message); }

    public List<String> lines() { return lines; }
}

package org.memdesclab.lesson;

import java.util.List;
import org.memdesclab.sim.MachineConfig;

/** The sandbox: a lesson with no steps, any machine, order 0. */
public final class Sandbox {
    public static final String ID = "sandbox";

    private Sandbox() {}

    /** The sandbox on the default machine (64 pages). */
    public static Lesson lesson() { return lesson(MachineConfig.defaults()); }

    /** The sandbox on a machine the learner chose. */
    public static Lesson lesson(MachineConfig machine) {
        return new Lesson(ID, "Sandbox", 0, "A machine of your own: allocate, free and inspect anything, with no goals.", machine,
                List.of(), Markdown.html("""
                        No steps and no goals here: type any statement into the console (`help` lists them all) and watch \
                        the memmap change. Choose the machine's size, CPUs and per-CPU lists to try what the lessons \
                        only mention."""), List.of(), "");
    }
}

package org.memdesclab.lesson;

import java.util.List;
import org.memdesclab.sim.MachineConfig;

/**
 * One lesson, loaded from content/lessons/NN-id/lesson.md (YAML front matter + Markdown).
 *
 * @param id          stable id used in URLs and the journal ("memmap", "buddy", "sandbox")
 * @param title       shown in the page title and the lesson list
 * @param order       position in the course (1, 2, ...); the sandbox has 0
 * @param summary     one sentence for the home page
 * @param machine     the machine each learner gets
 * @param setup       statements run on a fresh machine before the learner's own (not journaled)
 * @param introHtml   the prose before the steps, rendered from Markdown
 * @param steps       the ordered steps
 * @param realKernelHtml the "in the real kernel" section, rendered (may be empty)
 */
public record Lesson(String id, String title, int order, String summary, MachineConfig machine, List<String> setup,
                     String introHtml, List<Step> steps, String realKernelHtml) {
    public Lesson {
        setup = List.copyOf(setup);
        steps = List.copyOf(steps);
    }
}

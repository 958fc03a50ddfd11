package org.memdesclab.lesson;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The verifier names each way a lesson's reference path can be wrong. */
class LessonVerifierTest {
    private final LessonParser parser = new LessonParser(GoalChecks.standard());
    private final LessonVerifier verifier = new LessonVerifier(GoalChecks.standard());

    private List<String> verify(String setup, String goal, String solution) {
        return verifier.verify(parser.parse("t", "01-t", "---\nid: t\ntitle: T\nsetup:\n" + setup + "steps:\n  - id: s\n    title: S\n"
                + "    goal: " + goal + "\n    hints: [h]\n    solution:\n" + solution + "---\n"));
    }

    @Test
    void aSoundLessonHasNoProblems() {
        assertEquals(List.of(), verify("", "{free_blocks: {order: 5}}", "      - p = alloc_pages(GFP_KERNEL, 0)\n"));
    }

    @Test
    void aGoalAlreadyMetBeforeItsSolutionIsReported() {
        assertEquals(List.of("step 1 (\"s\"): the goal is already met before its solution runs, so the step would complete at once"),
                verify("", "all_free", "      - pfn_to_page(1)\n"));
    }

    @Test
    void aFailingStatementAndAMissedGoalAreReported() {
        List<String> problems = verify("", "{free_blocks: {order: 5}}", "      - __free_pages(nope, 0)\n");
        assertEquals(2, problems.size());
        assertEquals(true, problems.get(0).startsWith("step 1 (\"s\"): solution statement `__free_pages(nope, 0)` fails: error: "), problems.get(0));
        assertEquals("step 1 (\"s\"): the goal is not met after its solution: No free block of order 5 yet: buddyinfo shows 0 under order 5.",
                problems.get(1));
    }

    @Test
    void aFailingSetupStatementIsReported() {
        List<String> problems = verify("  - alloc_pages(GFP_KERNEL, 11)x\n", "{free_blocks: {order: 5}}", "      - p = alloc_pages(GFP_KERNEL, 0)\n");
        assertEquals(1, problems.size());
        assertEquals(true, problems.get(0).startsWith("setup statement 1 `alloc_pages(GFP_KERNEL, 11)x` fails: error: "), problems.get(0));
    }
}

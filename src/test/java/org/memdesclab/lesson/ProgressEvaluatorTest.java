package org.memdesclab.lesson;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.memdesclab.sim.lang.Console;

/** Steps complete in order; the current step is the first not completed; its reason is returned when unmet. */
class ProgressEvaluatorTest {
    static final Lesson LESSON = new LessonParser(GoalChecks.standard()).parse("test", "05-steps", """
            ---
            id: steps
            title: Three steps
            steps:
              - id: split
                title: Split
                goal: {free_blocks: {order: 5}}
                hints: [h]
                solution: ["p = alloc_pages(GFP_KERNEL, 0)"]
              - id: look
                title: Look
                goal: {ran: {function: page_to_pfn}}
                hints: [h]
                solution: ["page_to_pfn(p)"]
              - id: free
                title: Free
                goal: all_free
                hints: [h]
                solution: ["__free_pages(p, 0)"]
            ---
            """);

    private final ProgressEvaluator evaluator = new ProgressEvaluator(GoalChecks.standard());
    private final Console console = LessonMachines.boot(LESSON);
    private final List<GoalContext.RanStatement> history = new ArrayList<>();

    private Progress after(Set<String> completed, String... statements) {
        history.addAll(LessonMachines.run(console, List.of(statements)));
        return evaluator.evaluate(LESSON, completed, LessonMachines.context(console, history));
    }

    @Test
    void atTheStartTheFirstStepIsCurrentWithItsReason() {
        Progress p = after(Set.of());
        assertEquals("split", p.currentStep().id());
        assertEquals(0, p.currentIndex());
        assertEquals(List.of(), p.newlyCompleted());
        assertEquals("No free block of order 5 yet: buddyinfo shows 0 under order 5.", p.reason());
    }

    @Test
    void meetingTheCurrentGoalCompletesItAndMovesOn() {
        Progress p = after(Set.of(), "p = alloc_pages(GFP_KERNEL, 0)");
        assertEquals(List.of("split"), p.newlyCompleted());
        assertEquals("look", p.currentStep().id());
        assertEquals(1, p.currentIndex());
        assertEquals("You have not run page_to_pfn() successfully yet.", p.reason());
    }

    @Test
    void aLaterGoalMetEarlyDoesNotCompleteAheadOfItsTurn() {
        Progress p = after(Set.of(), "page_to_pfn(pfn_to_page(1))");
        assertEquals(List.of(), p.newlyCompleted(), "step 2's goal is met, but step 1 comes first");
        assertEquals("split", p.currentStep().id());
    }

    @Test
    void oneStatementCanCompleteSeveralStepsInOrder() {
        Progress p = after(Set.of(), "page_to_pfn(pfn_to_page(1))", "p = alloc_pages(GFP_KERNEL, 0)");
        assertEquals(List.of("split", "look"), p.newlyCompleted());
        assertEquals("free", p.currentStep().id());
        assertEquals("1 page is still allocated (starting at PFN 0).", p.reason());
    }

    @Test
    void completedStepsStayCompletedWhenTheMachineChanges() {
        Progress p = after(Set.of("split"), "p = alloc_pages(GFP_KERNEL, 0)", "__free_pages(p, 0)");
        assertEquals("look", p.currentStep().id(), "split's goal no longer holds, but it was completed");
        assertEquals(List.of(), p.newlyCompleted());
    }

    @Test
    void theLessonIsCompleteWhenEveryStepIs() {
        Progress p = after(Set.of("split", "look"), "p = alloc_pages(GFP_KERNEL, 0)", "__free_pages(p, 0)");
        assertEquals(List.of("free"), p.newlyCompleted());
        assertNull(p.currentStep());
        assertEquals(3, p.currentIndex());
        assertEquals("", p.reason());
        assertTrue(p.lessonComplete());
    }

    @Test
    void theSandboxIsAlwaysComplete() {
        Progress p = evaluator.evaluate(Sandbox.lesson(), Set.of(), LessonMachines.context(LessonMachines.boot(Sandbox.lesson()), List.of()));
        assertTrue(p.lessonComplete());
    }

    @Test
    void currentStepNeedsNoMachine() {
        assertEquals("look", ProgressEvaluator.currentStep(LESSON, Set.of("split")).id());
        assertNull(ProgressEvaluator.currentStep(LESSON, Set.of("split", "look", "free")));
    }
}

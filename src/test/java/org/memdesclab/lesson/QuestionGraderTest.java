package org.memdesclab.lesson;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.memdesclab.sim.Machine;
import org.memdesclab.sim.lang.Console;

/** Choice questions by index; predict questions against a copy of the learner's machine, any right answer accepted. */
class QuestionGraderTest {
    private final QuestionGrader grader = new QuestionGrader();
    private final Lesson lesson = Sandbox.lesson();
    private final Console console = LessonMachines.boot(lesson);
    private final List<GoalContext.RanStatement> history = new ArrayList<>();

    private void run(String... statements) { history.addAll(LessonMachines.run(console, List.of(statements))); }

    private GoalContext ctx() { return LessonMachines.context(console, history); }

    private static Question predict(String statement) {
        return new Question("q", "predict", "<p>?</p>", List.of(), -1, statement, "");
    }

    private static final Question CHOICE = new Question("c", "choice", "<p>?</p>", List.of("a", "b", "c"), 1, "", "");

    @Test
    void aChoiceIsRightOnlyAtTheAnswerIndex() {
        assertEquals(new QuestionGrader.Grade(true, true, "b", "Right."), grader.gradeChoice(CHOICE, 1));
        assertEquals(new QuestionGrader.Grade(false, true, "b", "Not this one."), grader.gradeChoice(CHOICE, 0));
        assertFalse(grader.gradeChoice(CHOICE, 7).correct());
    }

    @Test
    void aPredictionIsComparedWithWhatTheLearnersOwnMachinePrints() {
        Question q = predict("p2 = alloc_pages(GFP_KERNEL, 0)\ncat /proc/buddyinfo");
        String fresh = "Node 0, zone   Normal      1      1      1      1      1      1      0      0      0      0      0 ";
        assertTrue(grader.gradePredict(q, fresh, lesson, ctx()).correct());
        run("p = alloc_pages(GFP_KERNEL, 0)");
        QuestionGrader.Grade g = grader.gradePredict(q, fresh, lesson, ctx());
        assertFalse(g.correct(), "on this learner's machine the next allocation takes PFN 1 and leaves order 0 empty");
        assertEquals("Node 0, zone   Normal      0      1      1      1      1      1      0      0      0      0      0 ", g.expected());
        assertEquals("Not quite. Here is what the kernel prints.", g.message());
    }

    @Test
    void withAnswerFromLastOnlyTheLastStatementsOutputCounts() {
        run("a = alloc_pages(GFP_KERNEL, 0)", "b = alloc_pages(GFP_KERNEL, 0)", "__free_pages(a, 0)");
        String statement = "compact_zone(6)\ncat /proc/buddyinfo";
        Question all = predict(statement);
        Question last = new Question("q", "predict", "<p>?</p>", List.of(), -1, statement, "", java.util.Map.of(), true);
        String buddyinfo = grader.expected(all, lesson, ctx()).text();
        assertTrue(buddyinfo.lines().count() > 1, "compact_zone prints a report before buddyinfo: " + buddyinfo);
        String lastLine = buddyinfo.lines().reduce((x, y) -> y).orElseThrow();
        assertEquals(lastLine, grader.expected(last, lesson, ctx()).text());
        assertTrue(grader.gradePredict(last, lastLine, lesson, ctx()).correct());
        assertFalse(grader.gradePredict(all, lastLine, lesson, ctx()).correct(), "without it the report is part of the answer");
    }

    @Test
    void whitespaceCaseAndTheLineLabelDoNotMatter() {
        Question q = predict("cat /proc/buddyinfo");
        assertTrue(grader.gradePredict(q, "node 0, zone normal 0 0 0 0 0 0 1 0 0 0 0", lesson, ctx()).correct());
        assertTrue(grader.gradePredict(q, "  0 0 0 0 0 0 1 0 0 0 0\n", lesson, ctx()).correct());
        assertFalse(grader.gradePredict(q, "0 0 0 0 0 0 1", lesson, ctx()).correct());
        assertFalse(grader.gradePredict(q, "", lesson, ctx()).correct());
    }

    @Test
    void aPointerAnswerIsAcceptedInEitherCase() {
        Question q = predict("pfn_to_page(10)");
        assertTrue(grader.gradePredict(q, "0xFFFFEA0000000280", lesson, ctx()).correct());
        assertFalse(grader.gradePredict(q, "0xffffea0000000a00", lesson, ctx()).correct());
    }

    @Test
    void gradingUsesTheLearnersVariablesButNeverTouchesTheirMachine() {
        run("p = alloc_pages(GFP_KERNEL, 0)", "q = alloc_pages(GFP_KERNEL, 0)");
        long digest = console.machine().digest();
        Question free = predict("__free_pages(p, 0)\ncat /proc/buddyinfo");
        QuestionGrader.Grade g = grader.gradePredict(free, "1 1 1 1 1 1 0 0 0 0 0", lesson, ctx());
        assertTrue(g.correct(), g.expected());
        assertEquals(digest, console.machine().digest());
        assertEquals(2, console.machine().nrPages() - console.machine().freePagesTotal());
    }

    @Test
    void whenTheHistoryDoesNotRebuildTheMachineACopyIsUsed() {
        Machine m = console.machine();
        console.exec("p = alloc_pages(GFP_KERNEL, 3)"); // not recorded in the history
        QuestionGrader.Grade g = grader.gradePredict(predict("cat /proc/buddyinfo"), "0 0 0 1 1 1 0 0 0 0 0", lesson, ctx());
        assertTrue(g.correct(), g.expected());
        assertEquals(8, m.nrPages() - m.freePagesTotal());
    }

    @Test
    void aQuestionWhoseStatementFailsHereIsNotApplicable() {
        QuestionGrader.Grade g = grader.gradePredict(predict("__free_pages(p, 0)\ncat /proc/buddyinfo"), "anything", lesson, ctx());
        assertFalse(g.applicable());
        assertFalse(g.correct());
        assertTrue(g.message().startsWith("This question does not fit your machine as it is now: `__free_pages(p, 0)` fails there (error: "),
                g.message());
    }

    @Test
    void kindsAreNotMixedUp() {
        assertThrows(IllegalArgumentException.class, () -> grader.gradeChoice(predict("1"), 0));
        assertThrows(IllegalArgumentException.class, () -> grader.gradePredict(CHOICE, "b", lesson, ctx()));
    }

    @Test
    void labelsAreStrippedLineByLine() {
        assertEquals("1 2\n0x10", QuestionGrader.withoutLabels("Node 0, zone Normal 1 2\nrefcount 0x10"));
        assertTrue(QuestionGrader.matches(" A  b\n c ", "a b c"));
    }
}

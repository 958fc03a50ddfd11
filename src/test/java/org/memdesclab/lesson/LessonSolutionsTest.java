package org.memdesclab.lesson;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.memdesclab.sim.lang.Console;
import org.memdesclab.sim.lang.ExecResult;

/**
 * Every lesson in content/ is reachable: replaying the setup and then each step's reference solution
 * in order, every statement succeeds, every goal is not met before its own solution and is met right
 * after it, and the progress evaluator completes the steps one by one.
 */
class LessonSolutionsTest {
    private static final GoalChecks CHECKS = GoalChecks.standard();

    static List<Lesson> contentLessons() {
        return new DirectoryLessonCatalog(Path.of("content"), CHECKS, 0).lessons().stream().filter(l -> l.order() > 0).toList();
    }

    @Test
    void theContentFolderLoadsWithoutProblems() {
        DirectoryLessonCatalog catalog = new DirectoryLessonCatalog(Path.of("content"), CHECKS, 0);
        assertEquals(List.of(), catalog.problems());
        assertTrue(catalog.lessons().size() >= 3, "sandbox plus at least two lessons");
    }

    @TestFactory
    Stream<DynamicTest> everyGoalIsMetExactlyAfterItsOwnSolution() {
        return contentLessons().stream().map(lesson -> DynamicTest.dynamicTest(lesson.id(), () -> replay(lesson)));
    }

    private static void replay(Lesson lesson) {
        Console console = LessonMachines.boot(lesson); // the lesson's machine after its setup statements
        List<GoalContext.RanStatement> history = new ArrayList<>();
        Set<String> completed = new HashSet<>();
        ProgressEvaluator progress = new ProgressEvaluator(CHECKS);
        for (Step step : lesson.steps()) {
            String where = lesson.id() + "/" + step.id();
            GoalResult before = CHECKS.evaluate(step.goal(), LessonMachines.context(console, history));
            assertFalse(before.met(), where + ": goal already met before its solution");
            assertFalse(before.reason().isBlank(), where + ": an unmet goal must say why");
            Progress p0 = progress.evaluate(lesson, completed, LessonMachines.context(console, history));
            assertEquals(step.id(), p0.currentStep().id(), where + ": should be the current step");
            for (String s : step.solution()) {
                ExecResult r = console.exec(s);
                assertTrue(r.ok(), where + ": solution statement `" + s + "` failed: " + r.output());
                history.add(LessonMachines.ran(s, r));
            }
            GoalResult after = CHECKS.evaluate(step.goal(), LessonMachines.context(console, history));
            assertTrue(after.met(), where + ": goal not met after its solution: " + after.reason());
            Progress p1 = progress.evaluate(lesson, completed, LessonMachines.context(console, history));
            assertEquals(List.of(step.id()), p1.newlyCompleted(), where + ": exactly this step completes");
            completed.addAll(p1.newlyCompleted());
        }
        assertTrue(progress.evaluate(lesson, completed, LessonMachines.context(console, history)).lessonComplete());
        assertEquals(List.of(), console.machine().checkConsistency(), lesson.id() + ": machine invariants after the lesson");
    }

    @Test
    void theVerifierAgreesThatEveryLessonIsSound() {
        LessonVerifier verifier = new LessonVerifier(CHECKS);
        for (Lesson l : contentLessons()) assertEquals(List.of(), verifier.verify(l), l.id());
    }

    @TestFactory
    Stream<DynamicTest> everyLessonHasTheShapeTheCurriculumAsksFor() {
        return contentLessons().stream().map(l -> DynamicTest.dynamicTest(l.id(), () -> {
            assertTrue(l.steps().size() >= 4 && l.steps().size() <= 8, l.id() + ": 4 to 8 steps");
            assertFalse(l.introHtml().isBlank(), l.id() + ": intro");
            assertFalse(l.realKernelHtml().isBlank(), l.id() + ": an \"In the real kernel\" section");
            assertFalse(l.summary().isBlank(), l.id() + ": summary");
            long predicts = l.steps().stream().flatMap(s -> s.questions().stream()).filter(q -> q.kind().equals("predict")).count();
            assertTrue(predicts >= 1, l.id() + ": at least one predict question");
            long varied = l.steps().stream().flatMap(s -> s.questions().stream()).filter(q -> q.kind().equals("predict") && q.varies()).count();
            assertTrue(varied >= 2, l.id() + ": at least two predict questions with seeded variants (vary:)");
            for (Step s : l.steps()) {
                assertTrue(s.hintsHtml().size() >= 2 && s.hintsHtml().size() <= 3, l.id() + "/" + s.id() + ": 2 or 3 hint tiers");
                assertFalse(s.proseHtml().isBlank(), l.id() + "/" + s.id() + ": prose");
            }
        }));
    }

    /**
     * A varied question whose last statement only adds or multiplies a variable onto a fixed value
     * ({@code PageAnon(p) + {{n}}}) varies the arithmetic, not what the machine does: the variable
     * must change what the lab runs.
     */
    private static final java.util.regex.Pattern ARITHMETIC_WRAPPER =
            java.util.regex.Pattern.compile("[*+]\\s*\\{\\{\\w+}}\\s*$|^\\s*\\{\\{\\w+}}\\s*[*+]");

    @Test
    void noVariedQuestionJustWrapsAFixedAnswerInArithmetic() {
        assertTrue(ARITHMETIC_WRAPPER.matcher("PageAnon(pfn_to_page(4)) + {{n}}").find(), "the pattern catches a wrapper");
        assertFalse(ARITHMETIC_WRAPPER.matcher("__free_page(pfn_to_page(33 + 4 * {{k}}))").find(), "and not a varied argument");
        for (Lesson l : contentLessons()) {
            for (Step s : l.steps()) {
                for (Question q : s.questions()) {
                    if (!q.varies()) continue;
                    String[] lines = q.statement().split("\n");
                    assertFalse(ARITHMETIC_WRAPPER.matcher(lines[lines.length - 1]).find(),
                            l.id() + "/" + s.id() + "/" + q.id() + ": vary what the machine does, not arithmetic on a fixed answer: "
                                    + lines[lines.length - 1]);
                }
            }
        }
    }

    /** Lesson Markdown is rendered with raw HTML escaped, so a tag an author typed would show as text. */
    private static final java.util.regex.Pattern ESCAPED_TAG =
            java.util.regex.Pattern.compile("&lt;/?(sup|sub|br|em|strong|b|i|a|p|span|div|code|kbd|var|ul|li|pre)\\b");

    @Test
    void noLessonTextUsesRawHtmlTags() {
        for (Lesson l : contentLessons()) {
            List<String> html = new ArrayList<>(List.of(l.introHtml(), l.realKernelHtml()));
            for (Step s : l.steps()) {
                html.add(s.proseHtml());
                html.addAll(s.hintsHtml());
                for (Question q : s.questions()) {
                    html.add(q.promptHtml());
                    html.add(q.explanationHtml());
                    html.addAll(q.choices());
                }
            }
            for (String h : html) assertFalse(ESCAPED_TAG.matcher(h).find(), l.id() + ": raw HTML is escaped, use Markdown: " + h);
        }
    }

    @Test
    void everyHintProseAndQuestionRendersToNonEmptyHtml() {
        for (Lesson l : contentLessons()) {
            for (Step s : l.steps()) {
                String where = l.id() + "/" + s.id();
                assertTrue(s.proseHtml().startsWith("<"), where + " prose");
                for (String h : s.hintsHtml()) assertTrue(h.startsWith("<") && h.length() > 10, where + " hint: " + h);
                for (Question q : s.questions()) {
                    assertTrue(q.promptHtml().startsWith("<p>") && q.promptHtml().length() > 10, where + " question " + q.id());
                    assertFalse(q.explanationHtml().isBlank(), where + " question " + q.id() + " explanation");
                    for (String c : q.choices()) assertFalse(c.isBlank(), where + " choice");
                }
            }
        }
    }

    @Test
    void everyPredictQuestionHasAnAnswerAtTheStartOfItsStep() {
        QuestionGrader grader = new QuestionGrader();
        for (Lesson l : contentLessons()) {
            Console console = LessonMachines.boot(l);
            List<GoalContext.RanStatement> history = new ArrayList<>();
            for (Step s : l.steps()) {
                for (Question q : s.questions()) {
                    if (!q.kind().equals("predict")) continue;
                    GoalContext ctx = LessonMachines.context(console, history);
                    long digest = console.machine().digest();
                    for (long seed = 0; seed < (q.varies() ? 16 : 1); seed++) {
                        Question v = q.variant(seed);
                        assertFalse(v.statement().contains("{{") || v.promptHtml().contains("{{") || v.explanationHtml().contains("{{"),
                                l.id() + "/" + q.id() + ": every variable is filled in");
                        QuestionGrader.Outcome o = grader.expected(v, l, ctx);
                        assertTrue(o.ok(), l.id() + "/" + q.id() + " seed " + seed + ": " + o.failure());
                        assertFalse(o.text().isBlank(), l.id() + "/" + q.id() + " prints something");
                        assertTrue(grader.gradePredict(v, o.text(), l, ctx).correct());
                    }
                    assertEquals(digest, console.machine().digest(), "grading must not touch the learner's machine");
                }
                history.addAll(LessonMachines.run(console, s.solution()));
            }
        }
    }
}

package org.memdesclab.lesson;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.memdesclab.sim.MachineConfig;

/** lesson.md parsing: a good file in full, and each kind of broken file with its exact message. */
class LessonParserTest {
    static final String FILE = "content/lessons/03-demo/lesson.md";
    static final String GOOD = """
            ---
            id: demo
            title: A demo lesson
            summary: Tests the loader.
            machine:
              pages: 128
              cpus: 2
              pcp: true
              pcp_batch: 8
              pcp_high: 64
              reserved: [0, "4-6"]
            setup:
              - p = alloc_pages(GFP_KERNEL, 0)
            steps:
              - id: first
                title: First step
                prose: |
                  Some *prose* with `code`.
                goal:
                  check: free_blocks
                  order: 3
                hints:
                  - A gentle hint.
                  - |
                    An explicit one:

                        q = alloc_pages(GFP_KERNEL, 0)
                solution:
                  - q = alloc_pages(GFP_KERNEL, 0)
                questions:
                  - kind: choice
                    prompt: Which?
                    choices: ["`a`", b]
                    answer: b
                    explanation: Because.
                  - id: guess
                    kind: predict
                    prompt: What prints?
                    statement: |
                      r = alloc_pages(GFP_KERNEL, 0)
                      page_to_pfn(r)
              - id: second
                title: Second step
                goal: all_free
                hints: [Free everything.]
                solution: ["__free_pages(p, 0)"]
            ---
            The *intro*.

            ```
            ## In the real kernel (inside a code block: not a heading)
            ```

            ## In the real kernel

            See `mm/page_alloc.c`.

            ## Afterword

            Back in the intro.
            """;

    private final LessonParser parser = new LessonParser(GoalChecks.standard());

    private Lesson parse(String text) { return parser.parse(FILE, "03-demo", text); }

    private String error(String text) {
        LessonFormatException e = assertThrows(LessonFormatException.class, () -> parse(text));
        assertEquals(FILE, e.file());
        assertEquals(FILE + ": " + e.problem(), e.getMessage());
        return e.problem();
    }

    @Test
    void aGoodLessonLoadsCompletely() {
        Lesson l = parse(GOOD);
        assertEquals("demo", l.id());
        assertEquals(3, l.order());
        assertEquals("A demo lesson", l.title());
        assertEquals("Tests the loader.", l.summary());
        assertEquals(new MachineConfig(128, 2, true, 8, 64, new java.util.TreeSet<>(List.of(0L, 4L, 5L, 6L)), "6.18"), l.machine());
        assertEquals(List.of("p = alloc_pages(GFP_KERNEL, 0)"), l.setup());
        assertEquals(2, l.steps().size());

        Step first = l.steps().get(0);
        assertEquals("first", first.id());
        assertEquals("<p>Some <em>prose</em> with <code>code</code>.</p>", first.proseHtml());
        assertEquals(new GoalSpec("free_blocks", Map.of("order", 3)), first.goal());
        assertEquals("<p>A gentle hint.</p>", first.hintsHtml().get(0));
        assertTrue(first.hintsHtml().get(1).contains("<pre><code>q = alloc_pages(GFP_KERNEL, 0)"));
        assertEquals(List.of("q = alloc_pages(GFP_KERNEL, 0)"), first.solution());

        Question choice = first.questions().get(0);
        assertEquals(new Question("first-q1", "choice", "<p>Which?</p>", List.of("<code>a</code>", "b"), 1, "", "<p>Because.</p>"), choice);
        Question predict = first.questions().get(1);
        assertEquals(new Question("guess", "predict", "<p>What prints?</p>", List.of(), -1,
                "r = alloc_pages(GFP_KERNEL, 0)\npage_to_pfn(r)", ""), predict);

        Step second = l.steps().get(1);
        assertEquals(new GoalSpec("all_free", Map.of()), second.goal());
        assertEquals("", second.proseHtml());

        assertTrue(l.introHtml().startsWith("<p>The <em>intro</em>.</p>"), l.introHtml());
        assertTrue(l.introHtml().contains("## In the real kernel (inside a code block"), "fenced heading stays in the intro");
        assertTrue(l.introHtml().contains("<h2>Afterword</h2>"), "a later ## section returns to the intro");
        assertEquals("<p>See <code>mm/page_alloc.c</code>.</p>", l.realKernelHtml());
    }

    @Test
    void defaultsMachineOrderAndReasonsWhenLeftOut() {
        Lesson l = parse("""
                ---
                id: demo
                title: T
                steps:
                  - {id: s, title: S, goal: all_free, hints: [h], solution: [x = 1]}
                ---
                """);
        assertEquals(MachineConfig.defaults(), l.machine());
        assertEquals(3, l.order());
        assertEquals("", l.introHtml());
        assertEquals("", l.realKernelHtml());
        assertEquals("", l.summary());
    }

    @Test
    void rawHtmlInLessonsIsEscaped() {
        Lesson l = parse(GOOD.replace("The *intro*.", "<script>alert(1)</script>"));
        assertTrue(l.introHtml().contains("&lt;script&gt;"), l.introHtml());
    }

    @Test
    void windowsLineEndingsAndAByteOrderMarkAreAccepted() {
        assertEquals("demo", parse("\uFEFF" + GOOD.replace("\n", "\r\n")).id());
    }

    @Test
    void missingFrontMatter() {
        assertEquals("the file must start with a line \"---\", then the YAML front matter, then another \"---\" line", error("# Just markdown\n"));
    }

    @Test
    void unclosedFrontMatter() {
        assertEquals("the front matter is not closed: add a line \"---\" after it", error("---\nid: demo\ntitle: T\n"));
    }

    @Test
    void invalidYamlNamesTheLine() {
        String problem = error("---\nid: demo\ntitle: T\nsteps:\n  - id: a\n   title: bad indent\n---\n");
        assertTrue(problem.startsWith("the front matter is not valid YAML at line 6, column 4: "), problem);
    }

    @Test
    void unknownTopLevelKey() {
        assertEquals("front matter: unknown key \"titel\"; allowed keys are id, machine, order, setup, steps, summary, title",
                error(GOOD.replace("title: A demo lesson", "titel: A demo lesson")));
    }

    @Test
    void missingTitle() {
        assertEquals("front matter: missing \"title\"", error(GOOD.replace("title: A demo lesson\n", "")));
    }

    @Test
    void idMustMatchTheFolder() {
        assertEquals("id \"demo2\" does not match the folder name \"03-demo\" (expected id \"demo\")", error(GOOD.replace("id: demo", "id: demo2")));
    }

    @Test
    void orderMustMatchTheFolder() {
        assertEquals("order 4 does not match the number 3 in the folder name \"03-demo\" (leave order out, or rename the folder)",
                error(GOOD.replace("title: A demo lesson", "title: A demo lesson\norder: 4")));
    }

    @Test
    void badFolderName() {
        LessonFormatException e = assertThrows(LessonFormatException.class, () -> parser.parse(FILE, "demo", GOOD));
        assertTrue(e.problem().startsWith("the lesson folder \"demo\" must be named NN-id"), e.problem());
    }

    @Test
    void slabNomergeInTheMachineBootsWithoutCacheMerging() {
        assertFalse(parse(GOOD).machine().slabNomerge(), "merging is on by default, as in the kernel");
        assertTrue(parse(GOOD.replace("pcp: true", "pcp: true\n  slab_nomerge: true")).machine().slabNomerge());
    }

    @Test
    void aLessonMachineCanAskForAKernelProfile() {
        assertEquals("memdesc", parse(GOOD.replace("pcp: true", "pcp: true\n  profile: memdesc")).machine().profile());
        assertEquals("5.15", parse(GOOD.replace("pcp: true", "pcp: true\n  profile: 5.15")).machine().profile(),
                "an unquoted 5.15 is a YAML number and still names the profile");
        assertEquals("6.18", parse(GOOD).machine().profile());
    }

    @Test
    void badMachine() {
        assertEquals("machine: pages must be between 1 and 4194304, not 0", error(GOOD.replace("pages: 128", "pages: 0")));
        assertEquals("machine: unknown key \"page\"; allowed keys are cpus, pages, pcp, pcp_batch, pcp_high, profile, reserved, slab_nomerge",
                error(GOOD.replace("pages: 128", "page: 128")));
        assertEquals("machine: unknown kernel profile '5.0' (known: 6.18, 5.15, memdesc, memdesc2)", error(GOOD.replace("pcp: true", "pcp: true\n  profile: \"5.0\"")));
        assertEquals("machine: reserved PFN 200 is outside the machine (0..127)", error(GOOD.replace("reserved: [0, \"4-6\"]", "reserved: [200]")));
        assertEquals("machine: \"reserved\" items must be PFNs or ranges like \"0-3\", found the text \"four\"",
                error(GOOD.replace("reserved: [0, \"4-6\"]", "reserved: [four]")));
        assertEquals("machine: \"pcp\" must be true or false, found the text \"sometimes\"", error(GOOD.replace("pcp: true", "pcp: sometimes")));
    }

    @Test
    void noSteps() {
        assertEquals("a lesson needs at least one step under \"steps\"", error("---\nid: demo\ntitle: T\n---\n"));
    }

    @Test
    void stepWithoutGoal() {
        assertEquals("step 2 (\"second\"): missing \"goal\" (every step is checked against the machine; see content/README.md)",
                error(GOOD.replace("    goal: all_free\n", "")));
    }

    @Test
    void stepWithAnUnknownGoalCheck() {
        String problem = error(GOOD.replace("goal: all_free", "goal: all_fre"));
        assertTrue(problem.startsWith("step 2 (\"second\"): goal: unknown goal check \"all_fre\"; known checks are all_free,"), problem);
    }

    @Test
    void stepWithBadGoalParameters() {
        assertEquals("step 1 (\"first\"): goal: check \"free_blocks\": parameter \"order\" must be between 0 and 10, not 12",
                error(GOOD.replace("order: 3", "order: 12")));
    }

    @Test
    void stepWithoutHintsOrSolution() {
        assertEquals("step 2 (\"second\"): missing \"hints\": give at least one hint, from gentle to explicit",
                error(GOOD.replace("    hints: [Free everything.]\n", "")));
        assertEquals("step 2 (\"second\"): missing \"solution\": the statements that reach the goal (tests replay them)",
                error(GOOD.replace("    solution: [\"__free_pages(p, 0)\"]\n", "")));
    }

    @Test
    void duplicateStepIds() {
        assertEquals("step 2: the id \"first\" is used by an earlier step", error(GOOD.replace("id: second", "id: first")));
    }

    @Test
    void keyGivenTwiceIsAnErrorNotASilentOverwrite() {
        String twice = GOOD.replace("    hints: [Free everything.]\n", "    hints: [Free everything.]\n    hints: [Again.]\n");
        String message = error(twice);
        assertTrue(message.startsWith("the front matter is not valid YAML at line "), message);
        assertTrue(message.contains("found duplicate key hints"), message);
    }

    @Test
    void stepKeyTypo() {
        assertEquals("step 2 (\"second\"): unknown key \"hint\"; allowed keys are goal, hints, id, prose, questions, solution, title",
                error(GOOD.replace("hints: [Free everything.]", "hint: [Free everything.]")));
    }

    @Test
    void hintsMustBeAList() {
        assertEquals("step 2 (\"second\"): \"hints\" must be a list (lines starting with \"- \"), found the text \"Free everything.\"",
                error(GOOD.replace("hints: [Free everything.]", "hints: Free everything.")));
    }

    @Test
    void badQuestions() {
        assertEquals("step 1 (\"first\") question 1: \"answer\" \"c\" is not one of the choices", error(GOOD.replace("answer: b", "answer: c")));
        assertEquals("step 1 (\"first\") question 1: \"answer\" 2 is not a choice index (0 to 1); to name a choice by its text, quote it",
                error(GOOD.replace("answer: b", "answer: 2")));
        assertEquals("step 1 (\"first\") question 1: unknown kind \"quiz\"; use choice or predict", error(GOOD.replace("kind: choice", "kind: quiz")));
        assertEquals("step 1 (\"first\") question 1: a choice question needs at least two \"choices\"",
                error(GOOD.replace("choices: [\"`a`\", b]", "choices: [b]")));
        assertEquals("step 1 (\"first\") question 2: missing \"statement\": what the learner predicts the output of",
                error(GOOD.replace("        statement: |\n          r = alloc_pages(GFP_KERNEL, 0)\n          page_to_pfn(r)\n", "")));
        assertEquals("step 1 (\"first\") question 2: a predict question takes no \"choices\" or \"answer\": the lab computes the answer by running \"statement\"",
                error(GOOD.replace("kind: predict", "kind: predict\n        answer: 3")));
        assertEquals("step 1 (\"first\") question 2: answer_from is \"all\" (everything the statements print, the default) or \"last\" "
                + "(only what the last one prints), not \"first\"", error(GOOD.replace("kind: predict", "kind: predict\n        answer_from: first")));
        assertEquals("step 1 (\"first\") question 1: \"answer_from\" belongs to predict questions",
                error(GOOD.replace("kind: choice", "kind: choice\n        answer_from: last")));
    }

    @Test
    void aPredictQuestionCanTakeOnlyTheLastStatementsOutputAsItsAnswer() {
        Question q = parse(GOOD.replace("kind: predict", "kind: predict\n        answer_from: last")).steps().get(0).questions().get(1);
        assertTrue(q.lastOnly());
        assertTrue(q.variant(7).lastOnly(), "a variant keeps it");
        assertFalse(parse(GOOD).steps().get(0).questions().get(1).lastOnly(), "everything printed is the answer by default");
    }

    @Test
    void solutionItemsAreOneStatementEach() {
        assertEquals("step 2 (\"second\"): \"solution\" items must be one statement each, on one line: \"a = 1\nb = 2\"",
                error(GOOD.replace("solution: [\"__free_pages(p, 0)\"]", "solution:\n      - |\n        a = 1\n        b = 2")));
    }

    @Test
    void aCommaInAFlowListThatSplitsAStatementIsCaught() {
        assertEquals("step 2 (\"second\"): \"solution\" item \"p = alloc_pages(GFP_KERNEL\" has unbalanced parentheses; in a [flow, list]"
                + " a comma splits items, so write one \"- statement\" line per statement, or quote the statement",
                error(GOOD.replace("solution: [\"__free_pages(p, 0)\"]", "solution: [p = alloc_pages(GFP_KERNEL, 0)]")));
        assertEquals("front matter: \"setup\" item \"p = alloc_pages(GFP_KERNEL\" has unbalanced parentheses; in a [flow, list] a comma splits items, so write one"
                + " \"- statement\" line per statement, or quote the statement",
                error(GOOD.replace("setup:\n  - p = alloc_pages(GFP_KERNEL, 0)", "setup: [p = alloc_pages(GFP_KERNEL, 0)]")));
    }

    /** Whatever an author breaks, the loader answers with a LessonFormatException naming the file, never another exception. */
    @Test
    void everyMutationOfAGoodFileLoadsOrFailsWithAFormatError() {
        String[] lines = GOOD.split("\n", -1);
        List<String> values = List.of("", " []", " {}", " null", " 5", " -1", " x", " [1, [2]]", " {a: {b: c}}", " \"\"", " 2024-01-01");
        int variants = 0;
        for (int i = 0; i < lines.length; i++) {
            List<String> texts = new java.util.ArrayList<>();
            texts.add(join(lines, i, null));
            int colon = lines[i].indexOf(':');
            if (colon > 0) for (String v : values) texts.add(join(lines, i, lines[i].substring(0, colon + 1) + v));
            for (String t : texts) {
                variants++;
                try {
                    parse(t);
                } catch (LessonFormatException expected) {
                    assertEquals(FILE, expected.file());
                    assertTrue(!expected.problem().isBlank());
                }
            }
        }
        assertTrue(variants > 300, "mutations tried: " + variants);
    }

    private static String join(String[] lines, int at, String replacement) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines.length; i++) {
            if (i == at && replacement == null) continue;
            sb.append(i == at ? replacement : lines[i]).append('\n');
        }
        return sb.toString();
    }

    private static final String VARYING = GOOD
            .replace("        statement: |\n          r = alloc_pages(GFP_KERNEL, 0)\n          page_to_pfn(r)\n",
                    "        statement: __find_buddy_pfn({{pfn}}, {{order}})\n        vary:\n          pfn: [8, 15]\n          order: [0, 2]\n")
            .replace("prompt: What prints?", "prompt: What does __find_buddy_pfn({{pfn}}, {{order}}) print?");

    @Test
    void aPredictQuestionCanVaryWithTheSeed() {
        Question q = parse(VARYING).steps().get(0).questions().get(1);
        assertTrue(q.varies());
        assertEquals(Map.of("pfn", List.of(8L, 15L), "order", List.of(0L, 2L)), q.vary());
        Question a = q.variant(42);
        assertEquals(a, q.variant(42), "the same seed gives the same variant");
        Map<String, Long> v = q.values(42);
        assertEquals("__find_buddy_pfn(" + v.get("pfn") + ", " + v.get("order") + ")", a.statement());
        assertEquals("<p>What does __find_buddy_pfn(" + v.get("pfn") + ", " + v.get("order") + ") print?</p>", a.promptHtml());
        assertTrue(!a.varies());
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (long seed = 0; seed < 200; seed++) {
            Map<String, Long> x = q.values(seed);
            assertTrue(x.get("pfn") >= 8 && x.get("pfn") <= 15 && x.get("order") >= 0 && x.get("order") <= 2, x.toString());
            seen.add(x.toString());
        }
        assertEquals(24, seen.size(), "every combination turns up");
        assertTrue(q.variant(Question.seed("learner-a", "buddy", "guess")).equals(q.variant(Question.seed("learner-a", "buddy", "guess"))));
        assertEquals(Question.seed("a", "b"), Question.seed("a", "b"));
        assertTrue(Question.seed("ab", "c") != Question.seed("a", "bc"));
    }

    @Test
    void badVariablesAreRefused() {
        assertEquals("step 1 (\"first\") question 2: {{order}} is not declared under \"vary\"",
                error(VARYING.replace("          order: [0, 2]\n", "")));
        assertEquals("step 1 (\"first\") question 2: vary: \"extra\" is never used as {{extra}}",
                error(VARYING.replace("order: [0, 2]", "order: [0, 2]\n          extra: [1, 2]")));
        assertEquals("step 1 (\"first\") question 2: vary: \"pfn\" has an empty range [15, 8]", error(VARYING.replace("[8, 15]", "[15, 8]")));
        assertEquals("step 1 (\"first\") question 2: vary: \"pfn\" must be a range [min, max] of two whole numbers",
                error(VARYING.replace("[8, 15]", "[8]")));
        assertEquals("step 1 (\"first\") question 1: only predict questions can \"vary\" (the lab cannot compute a choice question's answer)",
                error(GOOD.replace("answer: b", "answer: b\n        vary: {x: [1, 2]}")));
    }
}

package org.memdesclab.lesson;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.memdesclab.sim.lang.Console;
import org.memdesclab.sim.lang.ExecResult;

/**
 * Grades quiz answers. A "choice" question is graded by index. A "predict" question is graded against
 * the learner's own machine: its statement is run on a copy (never on the learner's machine), so the
 * right answer is whatever the simulator prints there, and any correct prediction is accepted.
 */
public final class QuestionGrader {

    /**
     * The verdict.
     *
     * @param correct    the answer is right
     * @param applicable false when a predict question cannot be asked of this machine (its statement fails here)
     * @param expected   the right answer as text (the right choice, or what the statement prints)
     * @param message    one sentence for the learner
     */
    public record Grade(boolean correct, boolean applicable, String expected, String message) {}

    /** Grades a choice question; {@code chosen} is the index of the learner's pick. */
    public Grade gradeChoice(Question q, int chosen) {
        requireKind(q, "choice");
        String right = q.choices().get(q.answer());
        if (chosen == q.answer()) return new Grade(true, true, right, "Right.");
        if (chosen < 0 || chosen >= q.choices().size()) return new Grade(false, true, right, "Pick one of the choices.");
        return new Grade(false, true, right, "Not this one.");
    }

    /**
     * Grades a predict question against the learner's machine.
     *
     * @param lesson  the lesson (its machine and setup rebuild the learner's console, with their variables)
     * @param context the learner's machine and the statements they ran since the setup
     */
    public Grade gradePredict(Question q, String answer, Lesson lesson, GoalContext context) {
        requireKind(q, "predict");
        Outcome o = expected(q, lesson, context);
        if (!o.ok()) {
            return new Grade(false, false, o.text(), "This question does not fit your machine as it is now: " + o.failure());
        }
        boolean right = matches(answer == null ? "" : answer, o.text());
        return new Grade(right, true, o.text(), right ? "Right: that is what the kernel prints." : "Not quite. Here is what the kernel prints.");
    }

    /** What the question's statements print on a copy of the learner's machine. */
    public record Outcome(boolean ok, String text, String failure) {}

    public Outcome expected(Question q, Lesson lesson, GoalContext context) {
        Console console = consoleFor(lesson, context);
        List<String> out = new ArrayList<>();
        for (String s : q.statement().split("\n")) {
            ExecResult r = console.exec(s);
            if (!r.ok()) {
                return new Outcome(false, String.join("\n", r.output()), "`" + s + "` fails there (" + (r.output().isEmpty() ? "error"
                        : r.output().get(0)) + ").");
            }
            if (q.lastOnly()) out.clear(); // answer_from: last
            out.addAll(r.output());
        }
        return new Outcome(true, String.join("\n", out), "");
    }

    /**
     * A console whose machine equals the learner's but is not theirs: the lesson replayed with the
     * learner's statements (so their variables exist), or, if that does not reproduce their machine,
     * a plain console on a copy.
     */
    static Console consoleFor(Lesson lesson, GoalContext context) {
        List<String> statements = context.history().stream().map(GoalContext.RanStatement::statement).toList();
        try {
            Console replayed = LessonMachines.replay(lesson, statements);
            if (replayed.machine().digest() == context.machine().digest()) return replayed;
        } catch (RuntimeException ignored) {
            // fall through to a copy
        }
        return new Console(context.machine().copy());
    }

    /**
     * True if {@code answer} says what {@code expected} says: whitespace and letter case do not matter,
     * and a line's leading label may be left out (the numbers of a buddyinfo line are enough).
     */
    public static boolean matches(String answer, String expected) {
        String a = normalise(answer);
        if (a.isEmpty()) return false;
        if (a.equals(normalise(expected))) return true;
        return a.equals(normalise(withoutLabels(expected)));
    }

    static String normalise(String s) { return s.strip().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT); }

    /** Each line without its label: everything up to its last word that is not a number. */
    static String withoutLabels(String text) {
        List<String> lines = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] words = line.strip().split("\\s+");
            int last = -1;
            for (int i = 0; i < words.length; i++) if (!isNumber(words[i])) last = i;
            lines.add(String.join(" ", java.util.Arrays.copyOfRange(words, last + 1, words.length)));
        }
        return String.join("\n", lines);
    }

    private static boolean isNumber(String w) { return w.matches("-?\\d+|0x[0-9a-fA-F]+|NULL"); }

    private static void requireKind(Question q, String kind) {
        if (!q.kind().equals(kind)) throw new IllegalArgumentException("question " + q.id() + " is a " + q.kind() + " question, not " + kind);
    }
}

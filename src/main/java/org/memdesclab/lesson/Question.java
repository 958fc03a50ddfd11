package org.memdesclab.lesson;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * A question attached to a step. {@code kind} is "choice" (pick one of {@code choices}; {@code answer}
 * is the index of the right one; choices are inline HTML) or "predict" (the learner predicts what
 * {@code statement} will print on their machine; the answer is computed by running it on a copy, so
 * any right answer is accepted; several statements are separated by newlines).
 *
 * <p>A predict question may {@code vary}: each named variable takes a whole number in its inclusive
 * range [min, max], and {@code {{name}}} in the prompt, statement and explanation is replaced by it.
 * {@link #variant(long)} picks the values from a seed, so each learner (or each exam) gets its own
 * variant and the same seed always gives the same one.
 *
 * <p>{@code lastOnly}: only what the last statement prints is the answer (the earlier ones prepare the
 * copy, e.g. {@code compact_zone(3)} with its report, then {@code cat /proc/buddyinfo}).
 */
public record Question(String id, String kind, String promptHtml, List<String> choices, int answer, String statement,
                       String explanationHtml, Map<String, List<Long>> vary, boolean lastOnly) {
    public Question {
        choices = List.copyOf(choices);
        vary = Map.copyOf(vary);
    }

    /** A question whose answer is everything its statements print. */
    public Question(String id, String kind, String promptHtml, List<String> choices, int answer, String statement,
                    String explanationHtml, Map<String, List<Long>> vary) {
        this(id, kind, promptHtml, choices, answer, statement, explanationHtml, vary, false);
    }

    /** A question without variables. */
    public Question(String id, String kind, String promptHtml, List<String> choices, int answer, String statement,
                    String explanationHtml) {
        this(id, kind, promptHtml, choices, answer, statement, explanationHtml, Map.of());
    }

    /** True if {@link #variant} can give different questions. */
    public boolean varies() { return !vary.isEmpty(); }

    /** The values the variables take for this seed, by name. */
    public Map<String, Long> values(long seed) {
        Map<String, Long> out = new TreeMap<>();
        for (Map.Entry<String, List<Long>> e : new TreeMap<>(vary).entrySet()) {
            long min = e.getValue().get(0);
            long max = e.getValue().get(1);
            SplittableRandom r = new SplittableRandom(seed * 31 + e.getKey().hashCode());
            out.put(e.getKey(), min + r.nextLong(max - min + 1));
        }
        return out;
    }

    /** This question with its variables replaced by the values for {@code seed} (itself if it does not vary). */
    public Question variant(long seed) {
        if (vary.isEmpty()) return this;
        Map<String, Long> v = values(seed);
        return new Question(id, kind, fill(promptHtml, v), choices, answer, fill(statement, v), fill(explanationHtml, v), Map.of(), lastOnly);
    }

    /**
     * A stable seed from text, e.g. {@code seed(learnerId, lessonId, questionId)} for a per-learner
     * variant, or {@code seed(examCode)} for one variant shared by a class (64-bit FNV-1a; the same on
     * every JVM and server).
     */
    public static long seed(String... parts) {
        long h = 0xcbf29ce484222325L;
        for (String part : parts) {
            for (byte b : (part + "\u0000").getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
                h ^= b & 0xff;
                h *= 0x100000001b3L;
            }
        }
        return h;
    }

    private static String fill(String text, Map<String, Long> values) {
        String out = text;
        for (Map.Entry<String, Long> e : values.entrySet()) out = out.replace("{{" + e.getKey() + "}}", String.valueOf(e.getValue()));
        return out;
    }
}

package org.memdesclab.lesson;

import java.util.List;

/**
 * A question attached to a step. {@code kind} is "choice" (pick one of {@code choices}; {@code answer}
 * is the index of the right one) or "predict" (the learner predicts what {@code statement} will print
 * on their machine; the answer is computed by running it on a copy, so any right answer is accepted).
 */
public record Question(String id, String kind, String promptHtml, List<String> choices, int answer, String statement,
                       String explanationHtml) {
    public Question {
        choices = List.copyOf(choices);
    }
}

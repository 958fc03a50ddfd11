package org.memdesclab.lesson;

import java.util.List;

/**
 * One step of a lesson: prose, a goal checked against the live machine after every statement,
 * tiered hints revealed one at a time, a reference solution (statements), optional questions.
 */
public record Step(String id, String title, String proseHtml, GoalSpec goal, List<String> hintsHtml, List<String> solution,
                   List<Question> questions) {
    public Step {
        hintsHtml = List.copyOf(hintsHtml);
        solution = List.copyOf(solution);
        questions = List.copyOf(questions);
    }
}

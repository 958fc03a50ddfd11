package org.memdesclab.lesson;

/** A lesson file a catalog could not load: the file and what is wrong with it (shown to authors). */
public record LessonProblem(String file, String message) {
    public static LessonProblem of(LessonFormatException e) { return new LessonProblem(e.file(), e.problem()); }

    @Override
    public String toString() { return file + ": " + message; }
}

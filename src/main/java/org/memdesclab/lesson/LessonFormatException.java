package org.memdesclab.lesson;

/**
 * A lesson file that cannot be loaded. The message names the file and says what is wrong in words an
 * author can act on, e.g. {@code content/lessons/02-buddy/lesson.md: step 3 ("merge"): goal: unknown
 * check "free_block"; known checks: ...}.
 */
public final class LessonFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String file;
    private final String problem;

    public LessonFormatException(String file, String problem) {
        super(file + ": " + problem);
        this.file = file;
        this.problem = problem;
    }

    public LessonFormatException(String file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
        this.problem = problem;
    }

    /** The file as the author knows it (a path relative to the content folder, or the classpath name). */
    public String file() { return file; }

    /** What is wrong, without the file name. */
    public String problem() { return problem; }
}

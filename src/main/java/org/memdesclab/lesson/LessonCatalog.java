package org.memdesclab.lesson;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The lessons in course order, from the jar ({@link ClasspathLessonCatalog}) or from a folder being
 * edited ({@link DirectoryLessonCatalog}). The sandbox (order 0) comes first.
 */
public interface LessonCatalog {
    /** The sandbox first, then the lessons by order. */
    List<Lesson> lessons();

    Optional<Lesson> find(String id);

    /**
     * Lesson files that could not be loaded, for the author to fix. Always empty for the classpath
     * catalog (it refuses to start instead); the directory catalog lists them and shows each broken
     * lesson as a placeholder whose introduction is the error.
     */
    default List<LessonProblem> problems() { return List.of(); }

    /**
     * The catalog {@code serve} uses: the lessons in the jar when {@code contentDir} is null, else the
     * lessons in that folder, reloaded as they change ({@code serve --content DIR}).
     *
     * @throws LessonFormatException if a packaged lesson is broken
     * @throws IllegalArgumentException if {@code contentDir} does not exist
     */
    static LessonCatalog open(Path contentDir) {
        return contentDir == null ? new ClasspathLessonCatalog() : new DirectoryLessonCatalog(contentDir);
    }
}

package org.memdesclab.lesson;

import java.util.List;
import java.util.Optional;

/** The lessons in course order (plus the sandbox), from the jar or from a folder being edited. */
public interface LessonCatalog {
    List<Lesson> lessons();

    Optional<Lesson> find(String id);
}

/**
 * Lessons as data (design.md section 5): loading {@code content/lessons/NN-id/lesson.md}, checking
 * goals against a learner's machine, progress and quiz grading. Uses {@code sim} and {@code sim.lang};
 * knows nothing of the web or the database.
 *
 * <p>What the web layer calls:
 * <ul>
 *   <li>{@link org.memdesclab.lesson.ClasspathLessonCatalog} (the jar; fails fast) or
 *       {@link org.memdesclab.lesson.DirectoryLessonCatalog} ({@code serve --content DIR}; reloads
 *       changed files, lists broken ones in {@code problems()}), both behind
 *       {@link org.memdesclab.lesson.LessonCatalog}; {@link org.memdesclab.lesson.Sandbox} for a
 *       sandbox on any machine.</li>
 *   <li>{@link org.memdesclab.lesson.LessonMachines#boot} / {@code replay}: a lesson's console after
 *       its setup (and the learner's statements).</li>
 *   <li>{@link org.memdesclab.lesson.ProgressEvaluator#evaluate} after every statement, or
 *       {@link org.memdesclab.lesson.GoalChecks#evaluate} for a single goal.</li>
 *   <li>{@link org.memdesclab.lesson.QuestionGrader}: {@code gradeChoice}, {@code gradePredict} (on
 *       {@link org.memdesclab.lesson.Question#variant} of a varying question).</li>
 * </ul>
 */
package org.memdesclab.lesson;

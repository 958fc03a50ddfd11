package org.memdesclab.lesson;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.memdesclab.sim.MachineConfig;

/** The classpath catalog (index.yaml, fail fast), the directory catalog (scan, reload, show errors) and the sandbox. */
class LessonCatalogTest {
    @TempDir
    Path dir;

    static String lesson(String id, String title) {
        return "---\nid: " + id + "\ntitle: " + title + "\nsteps:\n  - {id: s, title: S, goal: {not: all_free, reason: Allocate a page.},"
                + " hints: [h1, h2], solution: [\"p = alloc_pages(GFP_KERNEL, 0)\"]}\n---\nIntro of " + title + ".\n";
    }

    private void write(String folder, String text) throws IOException {
        Path f = dir.resolve("lessons").resolve(folder).resolve("lesson.md");
        Files.createDirectories(f.getParent());
        Files.writeString(f, text);
    }

    /** Makes a rewrite visible even on filesystems with coarse timestamps. */
    private void touchLater(String folder) throws IOException {
        Path f = dir.resolve("lessons").resolve(folder).resolve("lesson.md");
        Files.setLastModifiedTime(f, FileTime.fromMillis(Files.getLastModifiedTime(f).toMillis() + 5000));
    }

    private static List<String> ids(LessonCatalog c) { return c.lessons().stream().map(Lesson::id).toList(); }

    @Test
    void thePackagedCatalogListsTheSandboxThenTheLessonsInOrder() {
        ClasspathLessonCatalog c = new ClasspathLessonCatalog();
        assertEquals(List.of("sandbox", "memmap", "buddy"), ids(c).subList(0, 3));
        assertEquals("The memmap", c.find("memmap").orElseThrow().title());
        assertTrue(c.find("nope").isEmpty());
        assertEquals(List.of(), c.problems());
    }

    @Test
    void indexYamlListsExactlyTheLessonFolders() throws IOException {
        List<String> folders;
        try (Stream<Path> s = Files.list(Path.of("content/lessons"))) {
            folders = s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertEquals(folders, ClasspathLessonCatalog.folders(getClass().getClassLoader()));
    }

    private ClassLoader loaderFor(Path root) throws IOException {
        return new URLClassLoader(new URL[] {root.toUri().toURL()}, null);
    }

    @Test
    void theClasspathCatalogFailsFastNamingTheBrokenFile() throws IOException {
        Path root = dir.resolve("cp");
        Files.createDirectories(root.resolve("content/lessons/01-one"));
        Files.writeString(root.resolve("content/lessons/index.yaml"), "lessons:\n  - 01-one\n");
        Files.writeString(root.resolve("content/lessons/01-one/lesson.md"), lesson("one", "One").replace("goal:", "gaol:"));
        try (URLClassLoader loader = (URLClassLoader) loaderFor(root)) {
            LessonFormatException e = assertThrows(LessonFormatException.class, () -> new ClasspathLessonCatalog(loader, GoalChecks.standard()));
            assertEquals("content/lessons/01-one/lesson.md", e.file());
            assertTrue(e.problem().startsWith("step 1 (\"s\"): unknown key \"gaol\""), e.problem());
        }
    }

    @Test
    void theClasspathCatalogReportsALessonListedButMissing() throws IOException {
        Path root = dir.resolve("cp");
        Files.createDirectories(root.resolve("content/lessons"));
        Files.writeString(root.resolve("content/lessons/index.yaml"), "lessons:\n  - 01-one\n");
        try (URLClassLoader loader = (URLClassLoader) loaderFor(root)) {
            LessonFormatException e = assertThrows(LessonFormatException.class, () -> new ClasspathLessonCatalog(loader, GoalChecks.standard()));
            assertEquals("content/lessons/01-one/lesson.md: not found on the classpath (is it listed in content/lessons/index.yaml but missing?)",
                    e.getMessage());
        }
    }

    @Test
    void theClasspathCatalogRefusesABadIndex() throws IOException {
        Path root = dir.resolve("cp");
        Files.createDirectories(root.resolve("content/lessons"));
        Files.writeString(root.resolve("content/lessons/index.yaml"), "lessons:\n  - one\n");
        try (URLClassLoader loader = (URLClassLoader) loaderFor(root)) {
            LessonFormatException e = assertThrows(LessonFormatException.class, () -> new ClasspathLessonCatalog(loader, GoalChecks.standard()));
            assertEquals("content/lessons/index.yaml: \"one\" is not a lesson folder name like 01-memmap", e.getMessage());
        }
    }

    @Test
    void theDirectoryCatalogScansFoldersInOrder() throws IOException {
        write("02-two", lesson("two", "Two"));
        write("01-one", lesson("one", "One"));
        Files.createDirectories(dir.resolve("lessons/notes"));
        DirectoryLessonCatalog c = new DirectoryLessonCatalog(dir, GoalChecks.standard(), 0);
        assertEquals(List.of("sandbox", "one", "two"), ids(c));
        assertEquals(List.of(), c.problems());
        assertEquals(dir.resolve("lessons"), c.lessonsDir());
    }

    @Test
    void theDirectoryCatalogAcceptsTheLessonsFolderItself() throws IOException {
        write("01-one", lesson("one", "One"));
        assertEquals(List.of("sandbox", "one"), ids(new DirectoryLessonCatalog(dir.resolve("lessons"), GoalChecks.standard(), 0)));
    }

    @Test
    void theDirectoryCatalogReloadsAChangedNewOrDeletedLesson() throws IOException {
        write("01-one", lesson("one", "One"));
        DirectoryLessonCatalog c = new DirectoryLessonCatalog(dir, GoalChecks.standard(), 0);
        Lesson before = c.find("one").orElseThrow();
        assertEquals("One", before.title());
        assertTrue(c.find("one").orElseThrow() == before, "unchanged files are not parsed again");

        write("01-one", lesson("one", "One, edited"));
        touchLater("01-one");
        assertEquals("One, edited", c.find("one").orElseThrow().title());

        write("02-two", lesson("two", "Two"));
        assertEquals(List.of("sandbox", "one", "two"), ids(c));

        Files.delete(dir.resolve("lessons/02-two/lesson.md"));
        Files.delete(dir.resolve("lessons/02-two"));
        assertEquals(List.of("sandbox", "one"), ids(c));
    }

    @Test
    void aBrokenLessonIsShownAsItsErrorAndFixingItBringsItBack() throws IOException {
        write("01-one", lesson("one", "One"));
        write("02-two", lesson("two", "Two").replace("goal: {not: all_free", "goal: {not: al_free"));
        DirectoryLessonCatalog c = new DirectoryLessonCatalog(dir, GoalChecks.standard(), 0);
        assertEquals(List.of("sandbox", "one", "two"), ids(c));
        assertEquals(1, c.problems().size());
        LessonProblem p = c.problems().get(0);
        assertEquals(dir.resolve("lessons/02-two/lesson.md").toString(), p.file());
        assertTrue(p.message().startsWith("step 1 (\"s\"): goal: not: unknown goal check \"al_free\""), p.message());
        Lesson placeholder = c.find("two").orElseThrow();
        assertEquals("Broken lesson: 02-two", placeholder.title());
        assertTrue(placeholder.steps().isEmpty());
        assertTrue(placeholder.introHtml().contains("unknown goal check &quot;al_free&quot;"), placeholder.introHtml());

        write("02-two", lesson("two", "Two"));
        touchLater("02-two");
        assertEquals(List.of(), c.problems());
        assertEquals("Two", c.find("two").orElseThrow().title());
    }

    @Test
    void aFolderWithoutLessonMdIsReported() throws IOException {
        Files.createDirectories(dir.resolve("lessons/01-empty"));
        DirectoryLessonCatalog c = new DirectoryLessonCatalog(dir, GoalChecks.standard(), 0);
        assertEquals(List.of(new LessonProblem(dir.resolve("lessons/01-empty/lesson.md").toString(),
                "is missing (each lesson folder needs a lesson.md)")), c.problems());
        assertEquals("Broken lesson: 01-empty", c.find("empty").orElseThrow().title());
    }

    @Test
    void aReferenceSolutionThatMissesItsGoalIsReportedButTheLessonStillShows() throws IOException {
        write("01-one", lesson("one", "One").replace("solution: [\"p = alloc_pages(GFP_KERNEL, 0)\"]", "solution: [pfn_to_page(1)]"));
        DirectoryLessonCatalog c = new DirectoryLessonCatalog(dir, GoalChecks.standard(), 0);
        assertEquals("One", c.find("one").orElseThrow().title());
        assertEquals(List.of(new LessonProblem(dir.resolve("lessons/01-one/lesson.md").toString(),
                "step 1 (\"s\"): the goal is not met after its solution: Allocate a page.")), c.problems());
    }

    @Test
    void twoFoldersWithOneIdKeepTheFirst() throws IOException {
        write("01-one", lesson("one", "One"));
        write("02-one", lesson("one", "Other"));
        DirectoryLessonCatalog c = new DirectoryLessonCatalog(dir, GoalChecks.standard(), 0);
        assertEquals(List.of("sandbox", "one"), ids(c));
        assertEquals("One", c.find("one").orElseThrow().title());
        assertEquals(1, c.problems().size());
    }

    @Test
    void aMissingContentFolderIsRefusedAtStartup() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new DirectoryLessonCatalog(dir.resolve("nope")));
        assertEquals("lesson folder " + dir.resolve("nope") + " does not exist", e.getMessage());
    }

    @Test
    void theSandboxHasNoStepsAndAnyMachine() {
        Lesson s = Sandbox.lesson();
        assertEquals("sandbox", s.id());
        assertEquals(0, s.order());
        assertEquals(64, s.machine().pages());
        assertTrue(s.steps().isEmpty());
        assertFalse(s.introHtml().isBlank());
        assertEquals(1024, Sandbox.lesson(MachineConfig.withPages(1024)).machine().pages());
    }

    @Test
    void openPicksTheJarOrTheFolder() throws IOException {
        assertTrue(LessonCatalog.open(null) instanceof ClasspathLessonCatalog);
        write("01-one", lesson("one", "One"));
        LessonCatalog c = LessonCatalog.open(dir);
        assertTrue(c instanceof DirectoryLessonCatalog);
        assertEquals(List.of("sandbox", "one"), ids(c));
    }
}

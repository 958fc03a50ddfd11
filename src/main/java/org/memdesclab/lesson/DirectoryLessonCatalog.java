package org.memdesclab.lesson;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.stream.Stream;
import org.memdesclab.sim.MachineConfig;

/**
 * Lessons read from a folder an author is editing ({@code serve --content DIR}). On access (at most
 * every {@code recheckMillis}) it compares the lesson files' modification times and sizes with what it
 * loaded, and re-reads those that changed: edit, save, reload the page. A broken file never stops the
 * server: it is listed in {@link #problems()} and appears as a placeholder lesson whose introduction
 * is the error message. Each lesson that loads is also replayed with {@link LessonVerifier}; a
 * reference solution that fails or misses its goal is listed in {@link #problems()} too (the lesson
 * itself is still shown).
 *
 * <p>DIR is the content folder (lessons in {@code DIR/lessons/NN-id/lesson.md}); a folder that holds the
 * NN-id folders directly is accepted too. Folders are found by scanning, so index.yaml is not needed
 * here.
 */
public final class DirectoryLessonCatalog implements LessonCatalog {
    private final Path lessonsDir;
    private final LessonParser parser;
    private final LessonVerifier verifier;
    private final long recheckMillis;
    private final Map<Path, Loaded> cache = new HashMap<>();
    private volatile Snapshot snapshot;
    private long lastCheck;

    /** A lesson file as last read: the lesson (null if it could not be parsed) and its problems. */
    private record Loaded(long modified, long size, Lesson lesson, List<LessonProblem> problems) {}

    private record Snapshot(List<Lesson> lessons, Map<String, Lesson> byId, List<LessonProblem> problems) {}

    public DirectoryLessonCatalog(Path contentDir) { this(contentDir, GoalChecks.standard(), 250); }

    /**
     * @param contentDir    the content folder, or the lessons folder itself
     * @param recheckMillis how long a loaded state is trusted before file times are compared again (0: every access)
     */
    public DirectoryLessonCatalog(Path contentDir, GoalChecks checks, long recheckMillis) {
        if (!Files.isDirectory(contentDir)) throw new IllegalArgumentException("lesson folder " + contentDir + " does not exist");
        Path sub = contentDir.resolve("lessons");
        this.lessonsDir = Files.isDirectory(sub) ? sub : contentDir;
        this.parser = new LessonParser(checks);
        this.verifier = new LessonVerifier(checks);
        this.recheckMillis = recheckMillis;
        refresh(true);
    }

    /** Where lesson folders are looked for. */
    public Path lessonsDir() { return lessonsDir; }

    @Override
    public List<Lesson> lessons() {
        refresh(false);
        return snapshot.lessons();
    }

    @Override
    public Optional<Lesson> find(String id) {
        refresh(false);
        return Optional.ofNullable(snapshot.byId().get(id));
    }

    @Override
    public List<LessonProblem> problems() {
        refresh(false);
        return snapshot.problems();
    }

    private synchronized void refresh(boolean force) {
        long now = System.nanoTime() / 1_000_000;
        if (!force && snapshot != null && now - lastCheck < recheckMillis) return;
        lastCheck = now;
        List<Path> folders;
        try (Stream<Path> s = Files.list(lessonsDir)) {
            folders = s.filter(p -> Files.isDirectory(p) && LessonParser.FOLDER.matcher(p.getFileName().toString()).matches())
                    .sorted().toList();
        } catch (IOException e) {
            snapshot = new Snapshot(List.of(Sandbox.lesson()), Map.of(Sandbox.ID, Sandbox.lesson()),
                    List.of(new LessonProblem(lessonsDir.toString(), "cannot list the lesson folders: " + e.getMessage())));
            return;
        }
        boolean changed = snapshot == null || cache.size() != folders.size() || !cache.keySet().containsAll(folders);
        Map<Path, Loaded> next = new LinkedHashMap<>();
        for (Path folder : folders) {
            Path file = folder.resolve("lesson.md");
            long modified = -1;
            long size = -1;
            try {
                modified = Files.getLastModifiedTime(file).toMillis();
                size = Files.size(file);
            } catch (IOException ignored) {
                // reported by load()
            }
            Loaded old = cache.get(folder);
            if (old != null && old.modified() == modified && old.size() == size) {
                next.put(folder, old);
            } else {
                next.put(folder, load(folder, file, modified, size));
                changed = true;
            }
        }
        if (!changed) return;
        cache.clear();
        cache.putAll(next);
        snapshot = build(next.values());
    }

    private Loaded load(Path folder, Path file, long modified, long size) {
        String name = folder.getFileName().toString();
        String shown = file.toString();
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            Lesson lesson = parser.parse(shown, name, text);
            List<LessonProblem> problems = new ArrayList<>();
            try {
                for (String p : verifier.verify(lesson)) problems.add(new LessonProblem(shown, p));
            } catch (RuntimeException e) {
                problems.add(new LessonProblem(shown, "replaying the reference solutions failed: " + e));
            }
            return new Loaded(modified, size, lesson, problems);
        } catch (LessonFormatException e) {
            return new Loaded(modified, size, null, List.of(LessonProblem.of(e)));
        } catch (MalformedInputException e) {
            return new Loaded(modified, size, null, List.of(new LessonProblem(shown, "is not UTF-8 text")));
        } catch (IOException | UncheckedIOException e) {
            String why = Files.exists(file) ? "cannot be read: " + e.getMessage() : "is missing (each lesson folder needs a lesson.md)";
            return new Loaded(modified, size, null, List.of(new LessonProblem(shown, why)));
        }
    }

    private static Snapshot build(Iterable<Loaded> loaded) {
        List<LessonProblem> problems = new ArrayList<>();
        List<Lesson> good = new ArrayList<>();
        for (Loaded l : loaded) {
            problems.addAll(l.problems());
            good.add(l.lesson() != null ? l.lesson() : placeholder(l.problems().get(0)));
        }
        good.sort(Comparator.comparingInt(Lesson::order).thenComparing(Lesson::id));
        Map<String, Lesson> byId = new LinkedHashMap<>();
        byId.put(Sandbox.ID, Sandbox.lesson());
        for (Lesson l : good) {
            if (byId.putIfAbsent(l.id(), l) != null) {
                problems.add(new LessonProblem(l.id(), "two lesson folders give the id \"" + l.id() + "\"; only the first is shown"));
            }
        }
        return new Snapshot(List.copyOf(byId.values()), Map.copyOf(byId), List.copyOf(problems));
    }

    /** A lesson with no steps whose introduction is the error, so the author sees it where the lesson would be. */
    static Lesson placeholder(LessonProblem p) {
        Path folder = Path.of(p.file()).getParent();
        String name = folder == null ? p.file() : folder.getFileName().toString();
        Matcher m = LessonParser.FOLDER.matcher(name);
        String id = m.matches() ? m.group(2) : name;
        int order = m.matches() ? Integer.parseInt(m.group(1)) : 999;
        String intro = "<p class=\"lesson-error\"><strong>This lesson could not be loaded.</strong></p>\n<pre class=\"lesson-error\">"
                + escape(p.toString()) + "</pre>\n<p>Fix the file and reload this page.</p>";
        return new Lesson(id, "Broken lesson: " + name, order, "This lesson file has an error: " + p.message(), MachineConfig.defaults(),
                List.of(), intro, List.of(), "");
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}

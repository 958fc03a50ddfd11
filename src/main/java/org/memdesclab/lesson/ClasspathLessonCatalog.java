package org.memdesclab.lesson;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * The lessons packaged in the jar under {@code content/lessons/}. A jar cannot be listed portably, so
 * {@code content/lessons/index.yaml} names the lesson folders ({@code lessons: [01-memmap, 02-buddy]});
 * a test keeps it in step with the folders. Loads everything once, and fails fast with a
 * {@link LessonFormatException} naming the file if any lesson is broken: a release must not start with
 * a broken course.
 */
public final class ClasspathLessonCatalog implements LessonCatalog {
    public static final String ROOT = "content/lessons/";
    public static final String INDEX = ROOT + "index.yaml";

    private final List<Lesson> lessons;
    private final Map<String, Lesson> byId;

    /** Loads with the built-in goal checks from this class's class loader. */
    public ClasspathLessonCatalog() { this(ClasspathLessonCatalog.class.getClassLoader(), GoalChecks.standard()); }

    public ClasspathLessonCatalog(ClassLoader loader, GoalChecks checks) {
        LessonParser parser = new LessonParser(checks);
        // parsed side by side: cold SnakeYAML is most of serve's start-up, and the parser keeps no state
        List<Lesson> loaded = new ArrayList<>(folders(loader).parallelStream()
                .map(folder -> parser.parse(ROOT + folder + "/lesson.md", folder, read(loader, ROOT + folder + "/lesson.md")))
                .toList());
        loaded.sort(Comparator.comparingInt(Lesson::order));
        Map<String, Lesson> ids = new LinkedHashMap<>();
        Map<Integer, String> orders = new HashMap<>();
        ids.put(Sandbox.ID, Sandbox.lesson());
        for (Lesson l : loaded) {
            if (ids.putIfAbsent(l.id(), l) != null) throw new LessonFormatException(INDEX, "two lessons have the id \"" + l.id() + "\"");
            String other = orders.putIfAbsent(l.order(), l.id());
            if (other != null) throw new LessonFormatException(INDEX, "lessons \"" + other + "\" and \"" + l.id() + "\" have the same order " + l.order());
        }
        this.byId = Map.copyOf(ids);
        this.lessons = List.copyOf(ids.values());
    }

    /** The folder names listed in index.yaml, in the order given. */
    static List<String> folders(ClassLoader loader) {
        Object doc;
        try {
            doc = new Yaml(new SafeConstructor(LessonParser.strictYaml())).load(read(loader, INDEX));
        } catch (YAMLException e) {
            throw new LessonFormatException(INDEX, "not valid YAML: " + e.getMessage(), e);
        }
        if (!(doc instanceof Map<?, ?> m) || !(m.get("lessons") instanceof List<?> l)) {
            throw new LessonFormatException(INDEX, "expected \"lessons:\" followed by a list of lesson folders, e.g. \"- 01-memmap\"");
        }
        List<String> out = new ArrayList<>();
        for (Object o : l) {
            if (!(o instanceof String s) || !LessonParser.FOLDER.matcher(s).matches()) {
                throw new LessonFormatException(INDEX, "\"" + o + "\" is not a lesson folder name like 01-memmap");
            }
            if (out.contains(s)) throw new LessonFormatException(INDEX, "\"" + s + "\" is listed twice");
            out.add(s);
        }
        return out;
    }

    private static String read(ClassLoader loader, String name) {
        try (InputStream in = loader.getResourceAsStream(name)) {
            if (in == null) throw new LessonFormatException(name, "not found on the classpath (is it listed in " + INDEX + " but missing?)");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new LessonFormatException(name, "cannot be read: " + e.getMessage(), e);
        }
    }

    @Override
    public List<Lesson> lessons() { return lessons; }

    @Override
    public Optional<Lesson> find(String id) { return Optional.ofNullable(byId.get(id)); }
}

package org.memdesclab.lesson;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Typed, strict access to one YAML mapping of a lesson file. Every problem is reported as a
 * {@link Problem} whose message starts with where it is ("step 2 (\"split\"): ..."), so the loader can
 * prefix the file name and an author knows exactly what to fix. Unknown keys are refused: a typo
 * ({@code hint:} for {@code hints:}) must not silently drop content.
 */
final class Fields {
    /** A problem in the lesson data; the loader adds the file name. */
    static final class Problem extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Problem(String message) { super(message, null, false, false); }
    }

    private final String where;
    private final Map<String, Object> map;

    private Fields(String where, Map<String, Object> map) {
        this.where = where;
        this.map = map;
    }

    /** Wraps {@code value}, which must be a mapping; {@code where} names it in messages ("" for the top level). */
    @SuppressWarnings("unchecked")
    static Fields of(String where, Object value) {
        if (!(value instanceof Map<?, ?> m)) {
            throw new Problem(prefix(where) + "expected a mapping (key: value lines), found " + describe(value));
        }
        Map<String, Object> copy = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!(e.getKey() instanceof String k)) {
                throw new Problem(prefix(where) + "key " + e.getKey() + " must be a word, not " + describe(e.getKey()));
            }
            copy.put(k, e.getValue());
        }
        return new Fields(where, copy);
    }

    static String prefix(String where) { return where.isEmpty() ? "" : where + ": "; }

    String where() { return where; }

    Map<String, Object> raw() { return map; }

    Problem problem(String message) { return new Problem(prefix(where) + message); }

    /** Refuses any key not in {@code allowed}, naming the allowed ones. */
    void allowOnly(String... allowed) {
        Set<String> ok = Set.of(allowed);
        for (String k : map.keySet()) {
            if (!ok.contains(k)) {
                throw problem("unknown key \"" + k + "\"; allowed keys are " + String.join(", ", new TreeSet<>(ok)));
            }
        }
    }

    boolean has(String key) { return map.containsKey(key) && map.get(key) != null; }

    Object get(String key) { return map.get(key); }

    String string(String key) {
        Object v = map.get(key);
        if (v == null) throw problem("missing \"" + key + "\"");
        return asString(key, v);
    }

    String string(String key, String dflt) {
        Object v = map.get(key);
        return v == null ? dflt : asString(key, v);
    }

    private String asString(String key, Object v) {
        if (v instanceof String s) {
            if (s.isBlank()) throw problem("\"" + key + "\" is empty");
            return s;
        }
        if (v instanceof Number || v instanceof Boolean) return String.valueOf(v);
        throw problem("\"" + key + "\" must be text, found " + describe(v));
    }

    int integer(String key) {
        Object v = map.get(key);
        if (v == null) throw problem("missing \"" + key + "\"");
        return asInt(key, v);
    }

    int integer(String key, int dflt) {
        Object v = map.get(key);
        return v == null ? dflt : asInt(key, v);
    }

    private int asInt(String key, Object v) {
        if (v instanceof Integer i) return i;
        if (v instanceof Long l && l == l.intValue()) return l.intValue();
        throw problem("\"" + key + "\" must be a whole number, found " + describe(v));
    }

    boolean bool(String key, boolean dflt) {
        Object v = map.get(key);
        if (v == null) return dflt;
        if (v instanceof Boolean b) return b;
        throw problem("\"" + key + "\" must be true or false, found " + describe(v));
    }

    /** A list; a missing key gives an empty list. */
    List<Object> list(String key) {
        Object v = map.get(key);
        if (v == null) return List.of();
        if (v instanceof List<?> l) return new ArrayList<>(l);
        throw problem("\"" + key + "\" must be a list (lines starting with \"- \"), found " + describe(v));
    }

    /** A list of text items (statements, hints); a missing key gives an empty list. */
    List<String> strings(String key) {
        List<String> out = new ArrayList<>();
        List<Object> items = list(key);
        for (int i = 0; i < items.size(); i++) {
            Object v = items.get(i);
            if (v instanceof String s && !s.isBlank()) out.add(s);
            else if (v instanceof Number) out.add(String.valueOf(v));
            else throw problem("\"" + key + "\" item " + (i + 1) + " must be non-empty text, found " + describe(v));
        }
        return out;
    }

    static String describe(Object v) {
        if (v == null) return "nothing";
        if (v instanceof Map<?, ?>) return "a mapping";
        if (v instanceof List<?>) return "a list";
        if (v instanceof String s) return "the text \"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\"";
        if (v instanceof Boolean b) return "the value " + b;
        if (v instanceof Number n) return "the number " + n;
        return "a " + v.getClass().getSimpleName();
    }
}

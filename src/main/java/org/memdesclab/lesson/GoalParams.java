package org.memdesclab.lesson;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Typed access to one goal's parameters, for {@link GoalCheck} implementations. Every accessor
 * refuses a wrong value with an {@link IllegalArgumentException} whose message an author can act on;
 * {@link GoalChecks} runs {@link GoalCheck#validate} at load time, so these never fail for a learner.
 */
public final class GoalParams {
    private final String check;
    private final Map<String, Object> params;

    public GoalParams(String check, Map<String, Object> params) {
        this.check = check;
        this.params = params;
    }

    private IllegalArgumentException bad(String message) {
        return new IllegalArgumentException("check \"" + check + "\": " + message);
    }

    /** Refuses parameters outside {@code required} and {@code optional}, and missing required ones. */
    public GoalParams allow(Set<String> required, Set<String> optional) {
        for (String r : required) {
            if (!params.containsKey(r)) throw bad("missing parameter \"" + r + "\"");
        }
        for (String k : params.keySet()) {
            if (!required.contains(k) && !optional.contains(k)) {
                Set<String> all = new TreeSet<>(required);
                all.addAll(optional);
                throw bad("unknown parameter \"" + k + "\"" + (all.isEmpty() ? "; this check takes none"
                        : "; it takes " + String.join(", ", all)));
            }
        }
        return this;
    }

    public boolean has(String key) { return params.containsKey(key); }

    public Object raw(String key) { return params.get(key); }

    public long integer(String key) {
        Object v = params.get(key);
        if (v instanceof Integer || v instanceof Long) return ((Number) v).longValue();
        if (v == null) throw bad("missing parameter \"" + key + "\"");
        throw bad("parameter \"" + key + "\" must be a whole number, not " + Fields.describe(v));
    }

    public long integer(String key, long dflt) { return has(key) ? integer(key) : dflt; }

    /** A whole number in [min, max]. */
    public long integer(String key, long min, long max) {
        long v = integer(key);
        if (v < min || v > max) throw bad("parameter \"" + key + "\" must be between " + min + " and " + max + ", not " + v);
        return v;
    }

    public String string(String key) {
        Object v = params.get(key);
        if (v instanceof String s && !s.isBlank()) return s;
        if (v == null) throw bad("missing parameter \"" + key + "\"");
        throw bad("parameter \"" + key + "\" must be text, not " + Fields.describe(v));
    }

    public boolean bool(String key, boolean dflt) {
        Object v = params.get(key);
        if (v == null) return dflt;
        if (v instanceof Boolean b) return b;
        throw bad("parameter \"" + key + "\" must be true or false, not " + Fields.describe(v));
    }

    /** A list of whole numbers. */
    public List<Long> integers(String key) {
        Object v = params.get(key);
        if (!(v instanceof List<?> l)) throw bad("parameter \"" + key + "\" must be a list of numbers, like [1, 0, 2]");
        List<Long> out = new ArrayList<>();
        for (Object o : l) {
            if (!(o instanceof Integer || o instanceof Long)) {
                throw bad("parameter \"" + key + "\" must hold whole numbers only, found " + Fields.describe(o));
            }
            out.add(((Number) o).longValue());
        }
        return out;
    }

    /** Text or a list of text. */
    public List<String> strings(String key) {
        Object v = params.get(key);
        if (v instanceof String s) return List.of(s);
        if (v instanceof List<?> l && !l.isEmpty()) {
            List<String> out = new ArrayList<>();
            for (Object o : l) {
                if (!(o instanceof String s)) throw bad("parameter \"" + key + "\" must hold text only, found " + Fields.describe(o));
                out.add(s);
            }
            return out;
        }
        throw bad("parameter \"" + key + "\" must be text or a list of text");
    }

    /** Nested goals (of all_of / any_of), already parsed by {@link GoalChecks#parse}. */
    public List<GoalSpec> goals(String key) {
        Object v = params.get(key);
        if (v instanceof List<?> l && !l.isEmpty() && l.stream().allMatch(GoalSpec.class::isInstance)) {
            return l.stream().map(GoalSpec.class::cast).toList();
        }
        throw bad("parameter \"" + key + "\" must be a non-empty list of goals");
    }

    public GoalSpec goal(String key) {
        Object v = params.get(key);
        if (v instanceof GoalSpec g) return g;
        throw bad("parameter \"" + key + "\" must be a goal");
    }
}

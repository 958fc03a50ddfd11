package org.memdesclab.sim.lang;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The functions a console can call, by name, in the order they were registered (help lists them so). */
public final class FunctionRegistry {
    private final Map<String, FunctionDef> byName = new LinkedHashMap<>();

    /** Adds a function; a name can be registered once. */
    public FunctionRegistry register(FunctionDef def) {
        if (byName.putIfAbsent(def.name(), def) != null) throw new IllegalArgumentException("duplicate function " + def.name());
        return this;
    }

    public FunctionDef get(String name) { return byName.get(name); }

    public boolean has(String name) { return byName.containsKey(name); }

    public List<String> names() { return List.copyOf(byName.keySet()); }

    public List<FunctionDef> all() { return Collections.unmodifiableList(new ArrayList<>(byName.values())); }

    /** The group headings, in first-registration order. */
    public List<String> groups() {
        List<String> g = new ArrayList<>();
        for (FunctionDef d : byName.values()) if (!g.contains(d.group())) g.add(d.group());
        return g;
    }

    /** The standard table: page allocator, references, compound pages and folios, addresses, debugging. */
    public static FunctionRegistry standard() {
        FunctionRegistry r = new FunctionRegistry();
        PageFunctions.register(r);
        SlabFunctions.register(r);
        ZsFunctions.register(r);
        MmFunctions.register(r);
        KindFunctions.register(r);
        return r;
    }
}

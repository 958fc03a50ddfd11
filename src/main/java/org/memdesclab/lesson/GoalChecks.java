package org.memdesclab.lesson;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;
import org.memdesclab.sim.Machine;
import org.memdesclab.sim.MachineConfig;
import org.memdesclab.sim.Owner;
import org.memdesclab.sim.PageFlag;
import org.memdesclab.sim.PageType;
import org.memdesclab.sim.Zone;

/**
 * The registry of goal checks: lesson data names a check and gives its parameters; this class finds
 * the strategy, validates the parameters when the lesson loads and evaluates the goal after every
 * statement. Unknown names are a load-time error. Every goal may also carry {@code reason: TEXT},
 * which replaces the check's own explanation when the goal is not met.
 */
public final class GoalChecks {
    /** Goal key that overrides the learner-facing reason of any check. */
    public static final String REASON = "reason";

    private final Map<String, GoalCheck> checks = new TreeMap<>();

    /** A registry holding the given checks (plus nothing else). */
    public GoalChecks(Collection<GoalCheck> checks) {
        for (GoalCheck c : checks) register(c);
    }

    private GoalChecks() {}

    /** The built-in checks, documented in content/README.md. */
    public static GoalChecks standard() {
        GoalChecks g = new GoalChecks();
        for (GoalCheck c : builtins(g)) g.register(c);
        return g;
    }

    public void register(GoalCheck c) {
        if (checks.putIfAbsent(c.name(), c) != null) throw new IllegalArgumentException("goal check " + c.name() + " registered twice");
    }

    public Collection<GoalCheck> all() { return checks.values(); }

    public GoalCheck find(String name) { return checks.get(name); }

    // ---------------------------------------------------------------- lesson data -> GoalSpec

    /**
     * Turns a goal as written in a lesson into a validated {@link GoalSpec}. Accepted forms:
     * {@code all_free} (a check without parameters); {@code {check: free_blocks, order: 3}};
     * {@code {free_blocks: {order: 3}}}; {@code {all_of: [goal, goal]}}; {@code {not: goal}}. Any form
     * given as a mapping may add {@code reason: TEXT}.
     *
     * @throws IllegalArgumentException with an author-facing message
     */
    public GoalSpec parse(Object raw) {
        if (raw instanceof String name) return validated(name, Map.of());
        if (!(raw instanceof Map<?, ?> m) || m.isEmpty()) {
            throw new IllegalArgumentException("a goal must be a check name or a mapping such as {check: free_blocks, order: 3}");
        }
        Map<String, Object> map = new LinkedHashMap<>();
        m.forEach((k, v) -> map.put(String.valueOf(k), v));
        String name;
        Map<String, Object> params = new LinkedHashMap<>();
        if (map.containsKey("check")) {
            if (!(map.get("check") instanceof String s)) throw new IllegalArgumentException("\"check\" must be the name of a goal check");
            name = s;
            map.remove("check");
            params.putAll(map);
        } else {
            Object reason = map.remove(REASON);
            if (map.size() != 1) {
                throw new IllegalArgumentException("a goal mapping needs \"check: NAME\", or exactly one key naming the check; found keys "
                        + String.join(", ", map.keySet()));
            }
            name = map.keySet().iterator().next();
            Object value = map.get(name);
            if (name.equals("not") && value != null && !(value instanceof Map<?, ?> m2 && m2.containsKey("goal"))) {
                params.put("goal", value); // not: GOAL
            } else if (value instanceof Map<?, ?> inner) {
                inner.forEach((k, v) -> params.put(String.valueOf(k), v));
            } else if (value instanceof List<?> l && isCombinator(name)) {
                params.put("goals", l);
            } else if (value != null) {
                throw new IllegalArgumentException("the parameters of \"" + name + "\" must be a mapping, like " + name + ": {order: 3}");
            }
            if (reason != null) params.put(REASON, reason);
        }
        // nested goals are parsed here, so combinators receive GoalSpecs
        if (params.get("goals") instanceof List<?> l && isCombinator(name)) {
            List<GoalSpec> kids = new ArrayList<>();
            for (int i = 0; i < l.size(); i++) {
                try {
                    kids.add(parse(l.get(i)));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(name + " goal " + (i + 1) + ": " + e.getMessage(), e);
                }
            }
            params.put("goals", kids);
        }
        if (name.equals("not") && params.containsKey("goal") && !(params.get("goal") instanceof GoalSpec)) {
            try {
                params.put("goal", parse(params.get("goal")));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("not: " + e.getMessage(), e);
            }
        }
        return validated(name, params);
    }

    private static boolean isCombinator(String name) { return name.equals("all_of") || name.equals("any_of"); }

    private GoalSpec validated(String name, Map<String, Object> params) {
        GoalCheck c = checks.get(name);
        if (c == null) {
            throw new IllegalArgumentException("unknown goal check \"" + name + "\"; known checks are " + String.join(", ", checks.keySet()));
        }
        for (Map.Entry<String, Object> e : params.entrySet()) {
            if (e.getValue() == null) throw new IllegalArgumentException("check \"" + name + "\": parameter \"" + e.getKey() + "\" has no value");
        }
        Object reason = params.get(REASON);
        if (reason != null && !(reason instanceof String s && !s.isBlank())) {
            throw new IllegalArgumentException("check \"" + name + "\": \"reason\" must be text");
        }
        Map<String, Object> own = new LinkedHashMap<>(params);
        own.remove(REASON);
        c.validate(own);
        return new GoalSpec(name, params);
    }

    /** Validates a spec built in code (lesson files go through {@link #parse}). */
    public void validate(GoalSpec spec) {
        validated(spec.check(), spec.params());
    }

    // ---------------------------------------------------------------- evaluation

    /** Evaluates a goal; never throws for a valid spec. */
    public GoalResult evaluate(GoalSpec spec, GoalContext context) {
        GoalCheck c = checks.get(spec.check());
        if (c == null) return GoalResult.notMet("This step names a goal check the lab does not know (" + spec.check() + ").");
        Map<String, Object> params = spec.params();
        Object reason = params.get(REASON);
        if (reason != null) {
            params = new LinkedHashMap<>(params);
            params.remove(REASON);
        }
        GoalResult r;
        try {
            r = c.check(context, params);
        } catch (RuntimeException e) {
            r = GoalResult.notMet("This goal could not be checked: " + e.getMessage());
        }
        if (!r.met() && reason instanceof String s) return GoalResult.notMet(s.strip());
        return r;
    }

    // ---------------------------------------------------------------- the built-in checks

    /** A check made of a validator and an evaluator over {@link GoalParams}. */
    private record Simple(String name, String description, Consumer<GoalParams> validator,
                          BiFunction<GoalContext, GoalParams, GoalResult> evaluator) implements GoalCheck {
        @Override
        public void validate(Map<String, Object> params) { validator.accept(new GoalParams(name, params)); }

        @Override
        public GoalResult check(GoalContext context, Map<String, Object> params) {
            return evaluator.apply(context, new GoalParams(name, params));
        }
    }

    private static Set<String> set(String... s) { return Set.of(s); }

    private static List<GoalCheck> builtins(GoalChecks registry) {
        List<GoalCheck> l = new ArrayList<>();
        l.add(new Simple("ran",
                "The learner successfully ran a statement calling a function. {function: NAME} or {pattern: REGEX} "
                        + "(matched against the whole statement), optional min_times (default 1).",
                p -> {
                    p.allow(set(), set("function", "pattern", "min_times"));
                    if (p.has("function") == p.has("pattern")) {
                        throw new IllegalArgumentException("check \"ran\": give either \"function\" or \"pattern\"");
                    }
                    if (p.has("function")) p.string("function");
                    else compile(p.string("pattern"), "ran");
                    p.integer("min_times", 1);
                }, GoalChecks::ran));
        l.add(new Simple("printed",
                "Some output line of a successful statement matches a regular expression. {pattern: REGEX}; "
                        + "give a reason too, since a pattern means little to a learner.",
                p -> {
                    p.allow(set("pattern"), set());
                    compile(p.string("pattern"), "printed");
                }, GoalChecks::printed));
        l.add(new Simple("free_blocks",
                "nr_free of one order (a /proc/buddyinfo column). {order} plus one of: min (default 1), count (exactly), max; "
                        + "min and max may be combined.",
                p -> {
                    p.allow(set("order"), set("min", "count", "max"));
                    p.integer("order", 0, Zone.MAX_PAGE_ORDER);
                    if (p.has("count") && (p.has("min") || p.has("max"))) {
                        throw new IllegalArgumentException("check \"free_blocks\": \"count\" cannot be combined with \"min\" or \"max\"");
                    }
                    for (String k : List.of("min", "count", "max")) if (p.has(k)) p.integer(k, 0, Integer.MAX_VALUE);
                }, GoalChecks::freeBlocks));
        l.add(new Simple("buddyinfo",
                "/proc/buddyinfo shows exactly these counts. {counts: [n0, n1, ...]} (up to 11 numbers; missing ones are 0).",
                p -> {
                    p.allow(set("counts"), set());
                    List<Long> c = p.integers("counts");
                    if (c.isEmpty() || c.size() > Zone.NR_PAGE_ORDERS) {
                        throw new IllegalArgumentException("check \"buddyinfo\": \"counts\" must hold 1 to 11 numbers (orders 0 to 10)");
                    }
                }, GoalChecks::buddyinfo));
        l.add(new Simple("page_owner",
                "What the memmap says one PFN is. {pfn, owner} where owner is one of " + ownerNames() + " or a list of them.",
                p -> {
                    p.allow(set("pfn", "owner"), set());
                    p.integer("pfn", 0, Integer.MAX_VALUE);
                    for (String o : p.strings("owner")) owner(o);
                }, GoalChecks::pageOwner));
        l.add(new Simple("allocated_pages",
                "How many pages are allocated (not free, not reserved). {min} and/or {max}.",
                p -> {
                    p.allow(set(), set("min", "max"));
                    if (!p.has("min") && !p.has("max")) throw new IllegalArgumentException("check \"allocated_pages\": give \"min\" or \"max\"");
                    if (p.has("min")) p.integer("min", 0, Integer.MAX_VALUE);
                    if (p.has("max")) p.integer("max", 0, Integer.MAX_VALUE);
                }, GoalChecks::allocatedPages));
        l.add(new Simple("folio_exists",
                "An allocated folio of at least this order exists. {min_order} (default 0: any allocated page or folio).",
                p -> {
                    p.allow(set(), set("min_order"));
                    if (p.has("min_order")) p.integer("min_order", 0, Zone.MAX_PAGE_ORDER);
                }, GoalChecks::folioExists));
        l.add(new Simple("all_free",
                "The machine is back to its boot state: every non-reserved page free and merged as far as it goes "
                        + "(same /proc/buddyinfo as a fresh machine, nothing on per-CPU lists). No parameters.",
                p -> p.allow(set(), set()), GoalChecks::allFree));
        l.add(new Simple("refcount",
                "page_ref_count() of one PFN. {pfn, value} (or min instead of value).",
                p -> {
                    p.allow(set("pfn"), set("value", "min"));
                    p.integer("pfn", 0, Integer.MAX_VALUE);
                    if (p.has("value") == p.has("min")) throw new IllegalArgumentException("check \"refcount\": give either \"value\" or \"min\"");
                    if (p.has("value")) p.integer("value");
                    else p.integer("min");
                }, GoalChecks::refcount));
        l.add(new Simple("page_flag",
                "A PG_ flag of one PFN is set (or clear with set: false). {pfn, flag: PG_head, set?}.",
                p -> {
                    p.allow(set("pfn", "flag"), set("set"));
                    p.integer("pfn", 0, Integer.MAX_VALUE);
                    flag(p.string("flag"));
                    p.bool("set", true);
                }, GoalChecks::pageFlag));
        l.add(new Simple("page_type",
                "The page type of one PFN (top byte of page_type). {pfn, type} with type buddy, slab, table, ... or none.",
                p -> {
                    p.allow(set("pfn", "type"), set());
                    p.integer("pfn", 0, Integer.MAX_VALUE);
                    pageType(p.string("type"));
                }, GoalChecks::pageTypeCheck));
        l.add(new Simple("free_list",
                "The blocks on free_area[order], head to tail, are exactly these PFNs. {order, pfns: [..]} ([] for empty).",
                p -> {
                    p.allow(set("order", "pfns"), set());
                    p.integer("order", 0, Zone.MAX_PAGE_ORDER);
                    if (!(p.raw("pfns") instanceof List<?>)) throw new IllegalArgumentException("check \"free_list\": \"pfns\" must be a list");
                    p.integers("pfns");
                }, GoalChecks::freeList));
        l.add(new Simple("all_of", "Every nested goal is met. {goals: [goal, ...]} or all_of: [goal, ...]; the reason is the first unmet one's.",
                p -> {
                    p.allow(set("goals"), set());
                    p.goals("goals");
                }, (c, p) -> {
                    for (GoalSpec g : p.goals("goals")) {
                        GoalResult r = registry.evaluate(g, c);
                        if (!r.met()) return r;
                    }
                    return GoalResult.ok();
                }));
        l.add(new Simple("any_of", "At least one nested goal is met. {goals: [goal, ...]} or any_of: [goal, ...]; the reason is the first one's.",
                p -> {
                    p.allow(set("goals"), set());
                    p.goals("goals");
                }, (c, p) -> {
                    GoalResult first = null;
                    for (GoalSpec g : p.goals("goals")) {
                        GoalResult r = registry.evaluate(g, c);
                        if (r.met()) return r;
                        if (first == null) first = r;
                    }
                    return first;
                }));
        l.add(new Simple("not", "The nested goal is NOT met. {goal: goal} or not: goal; needs a reason, since the learner must undo something.",
                p -> {
                    p.allow(set("goal"), set());
                    p.goal("goal");
                }, (c, p) -> registry.evaluate(p.goal("goal"), c).met()
                        ? GoalResult.notMet("Something this step wants gone is still there.") : GoalResult.ok()));
        return l;
    }

    // ---------------------------------------------------------------- evaluators

    private static Pattern compile(String regex, String check) {
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("check \"" + check + "\": \"pattern\" is not a valid regular expression: "
                    + e.getDescription());
        }
    }

    /** A call of {@code fn}: its name not preceded by an identifier character, then "(". */
    static Pattern callOf(String fn) { return Pattern.compile("(?<![A-Za-z0-9_])" + Pattern.quote(fn) + "\\s*\\("); }

    private static GoalResult ran(GoalContext c, GoalParams p) {
        Pattern pat = p.has("function") ? callOf(p.string("function")) : compile(p.string("pattern"), "ran");
        long want = p.integer("min_times", 1);
        long n = c.history().stream().filter(s -> s.ok() && pat.matcher(s.statement()).find()).count();
        if (n >= want) return GoalResult.ok();
        String what = p.has("function") ? p.string("function") + "()" : "the statement this step asks for";
        if (n == 0) return GoalResult.notMet("You have not run " + what + " successfully yet.");
        return GoalResult.notMet("You have run " + what + " " + times(n) + "; this step wants " + times(want) + ".");
    }

    private static String times(long n) { return n == 1 ? "once" : n == 2 ? "twice" : n + " times"; }

    private static GoalResult printed(GoalContext c, GoalParams p) {
        Pattern pat = compile(p.string("pattern"), "printed");
        for (GoalContext.RanStatement s : c.history()) {
            if (!s.ok()) continue;
            for (String line : s.output()) if (pat.matcher(line).find()) return GoalResult.ok();
        }
        return GoalResult.notMet("None of your statements has printed what this step is looking for yet.");
    }

    private static GoalResult freeBlocks(GoalContext c, GoalParams p) {
        int order = (int) p.integer("order");
        long n = c.machine().zone().nrFree(order);
        String shows = "buddyinfo shows " + n + " under order " + order;
        if (p.has("count")) {
            long want = p.integer("count");
            if (n == want) return GoalResult.ok();
            return GoalResult.notMet("This step wants exactly " + blocks(want, order) + ", but " + shows + ".");
        }
        long min = p.integer("min", p.has("max") ? 0 : 1);
        if (n < min) {
            if (n == 0) return GoalResult.notMet("No free block of order " + order + " yet: " + shows + ".");
            return GoalResult.notMet("Not enough free blocks of order " + order + " yet: " + shows + ", and this step wants at least " + min + ".");
        }
        if (p.has("max") && n > p.integer("max")) {
            return GoalResult.notMet("Too many free blocks of order " + order + ": " + shows + ", and this step wants at most "
                    + p.integer("max") + ".");
        }
        return GoalResult.ok();
    }

    private static String blocks(long n, int order) {
        return n + " free block" + (n == 1 ? "" : "s") + " of order " + order;
    }

    private static List<Long> counts(Machine m) {
        List<Long> out = new ArrayList<>();
        for (int o = 0; o < Zone.NR_PAGE_ORDERS; o++) out.add(m.zone().nrFree(o));
        return out;
    }

    private static String joined(List<Long> l) { return l.stream().map(String::valueOf).collect(Collectors.joining(" ")); }

    private static GoalResult buddyinfo(GoalContext c, GoalParams p) {
        List<Long> want = new ArrayList<>(p.integers("counts"));
        while (want.size() < Zone.NR_PAGE_ORDERS) want.add(0L);
        List<Long> have = counts(c.machine());
        if (have.equals(want)) return GoalResult.ok();
        return GoalResult.notMet("buddyinfo shows " + joined(have) + "; this step wants " + joined(want) + ".");
    }

    private static Owner owner(String name) {
        try {
            return Owner.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("check \"page_owner\": unknown owner \"" + name + "\"; use one of " + ownerNames(), e);
        }
    }

    private static String ownerNames() { return Arrays.stream(Owner.values()).map(Enum::name).collect(Collectors.joining(", ")); }

    /** How the lab describes an owner to a learner, with the memmap letter. */
    static String describe(Owner o) {
        String words = switch (o) {
            case FREE_HEAD -> "the first page of a free block";
            case FREE_INSIDE -> "a free page inside a larger free block";
            case FREE_PCP -> "a free page parked on a per-CPU list";
            case HEAD -> "the head page of a compound page";
            case TAIL -> "a tail page of a compound page";
            case PAGE -> "an allocated page";
            case PAGE_INSIDE -> "an unreferenced page inside a larger allocation";
            case RESERVED -> "a page reserved at boot";
            case SLAB -> "a page of a slab (struct slab, PGTY_slab)";
            case LARGE_KMALLOC -> "a page of a large kmalloc allocation (PGTY_large_kmalloc)";
            case ZSMALLOC -> "a page of a zsmalloc zspage (struct zpdesc, PGTY_zsmalloc)";
            case PAGE_TABLE -> "a page-table page of a process (struct ptdesc, PGTY_table)";
            case ANON -> "an anonymous folio mapped by a process (mapping = anon_vma | FOLIO_MAPPING_ANON)";
            case FILE -> "a folio of a file's page cache (mapping = the file's address_space)";
            case OFFLINE -> "a logically offline page, in the balloon (PGTY_offline)";
            case GUARD -> "a debug_pagealloc guard page (PGTY_guard)";
            case NET_POOL -> "a page_pool page of the network stack (pp_magic = PP_SIGNATURE)";
            case ZONE_DEVICE -> "a ZONE_DEVICE page of device memory (devm_memremap_pages, pgmap at offset 8)";
            case DRIVER_MAPPED -> "a driver's page mapped to user space (vm_insert_page: a mapcount, no type)";
        };
        return words + " (" + o.letter() + ")";
    }

    private static GoalResult outsideMachine(Machine m, long pfn) {
        return GoalResult.notMet("This goal looks at PFN " + pfn + ", but this machine only has PFNs 0 to " + (m.nrPages() - 1) + ".");
    }

    private static GoalResult pageOwner(GoalContext c, GoalParams p) {
        long pfn = p.integer("pfn");
        if (!c.machine().validPfn(pfn)) return outsideMachine(c.machine(), pfn);
        List<Owner> want = p.strings("owner").stream().map(GoalChecks::owner).toList();
        Owner have = c.machine().owner(pfn);
        if (want.contains(have)) return GoalResult.ok();
        String wanted = want.stream().map(GoalChecks::describe).collect(Collectors.joining(" or "));
        return GoalResult.notMet("PFN " + pfn + " is " + describe(have) + ", not " + wanted + ".");
    }

    /** Pages neither free (buddy or per-CPU lists) nor reserved. */
    static long allocated(Machine m) {
        return m.nrPages() - m.config().reserved().size() - m.freePagesTotal();
    }

    private static String pages(long n) { return n + " page" + (n == 1 ? "" : "s"); }

    private static GoalResult allocatedPages(GoalContext c, GoalParams p) {
        long n = allocated(c.machine());
        String is = n == 1 ? "1 page is" : n + " pages are";
        if (p.has("min") && n < p.integer("min")) {
            return GoalResult.notMet((n == 0 ? "No pages are" : "Only " + is) + " allocated; this step wants at least " + pages(p.integer("min")) + ".");
        }
        if (p.has("max") && n > p.integer("max")) {
            return GoalResult.notMet(is.substring(0, 1).toUpperCase(Locale.ROOT) + is.substring(1) + " allocated; this step wants at most "
                    + pages(p.integer("max")) + ".");
        }
        return GoalResult.ok();
    }

    private static GoalResult folioExists(GoalContext c, GoalParams p) {
        Machine m = c.machine();
        int min = (int) p.integer("min_order", 0);
        for (long pfn = 0; pfn < m.nrPages(); pfn++) {
            Owner o = m.owner(pfn);
            if (o == Owner.HEAD && m.folio(pfn).order() >= min && m.folio(pfn).refcount() > 0) return GoalResult.ok();
            if (min == 0 && o == Owner.PAGE) return GoalResult.ok();
        }
        return GoalResult.notMet(min == 0 ? "No page or folio is allocated yet."
                : "No folio of order " + min + " or more exists yet: the memmap has no head page (H) of such a folio.");
    }

    private static GoalResult allFree(GoalContext c, GoalParams p) {
        Machine m = c.machine();
        long n = allocated(m);
        if (n > 0) {
            List<Long> busy = new ArrayList<>();
            for (long pfn = 0; pfn < m.nrPages() && busy.size() < 5; pfn++) {
                Owner o = m.owner(pfn);
                if (o == Owner.PAGE || o == Owner.HEAD) busy.add(pfn);
            }
            String which = busy.isEmpty() ? "" : " (starting at PFN " + busy.stream().limit(4).map(String::valueOf)
                    .collect(Collectors.joining(", PFN ")) + (busy.size() > 4 ? ", ..." : "") + ")";
            return GoalResult.notMet((n == 1 ? "1 page is" : n + " pages are") + " still allocated" + which + ".");
        }
        if (m.pcpPages() > 0) {
            return GoalResult.notMet("Every page is free, but " + pages(m.pcpPages())
                    + " still sit on per-CPU lists, where they cannot merge with their buddies.");
        }
        List<Long> want = bootCounts(m.config());
        List<Long> have = counts(m);
        if (!have.equals(want)) {
            return GoalResult.notMet("Every page is free but not fully merged: buddyinfo shows " + joined(have) + ", a fresh machine shows "
                    + joined(want) + ".");
        }
        return GoalResult.ok();
    }

    /** buddyinfo of a freshly booted machine, per configuration (booting a large machine is not free). */
    private static final Map<MachineConfig, List<Long>> BOOT_COUNTS = java.util.Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, true) {
                private static final long serialVersionUID = 1L;

                @Override
                protected boolean removeEldestEntry(Map.Entry<MachineConfig, List<Long>> e) { return size() > 32; }
            });

    private static List<Long> bootCounts(MachineConfig config) {
        return BOOT_COUNTS.computeIfAbsent(config, k -> List.copyOf(counts(new Machine(k))));
    }

    private static GoalResult refcount(GoalContext c, GoalParams p) {
        long pfn = p.integer("pfn");
        if (!c.machine().validPfn(pfn)) return outsideMachine(c.machine(), pfn);
        int have = c.machine().page(pfn).refcount();
        if (p.has("value")) {
            long want = p.integer("value");
            return have == want ? GoalResult.ok() : GoalResult.notMet("PFN " + pfn + " has refcount " + have + "; this step wants " + want + ".");
        }
        long min = p.integer("min");
        return have >= min ? GoalResult.ok() : GoalResult.notMet("PFN " + pfn + " has refcount " + have + "; this step wants at least " + min + ".");
    }

    private static PageFlag flag(String name) {
        String n = name.startsWith("PG_") ? name : "PG_" + name;
        try {
            return PageFlag.valueOf(n);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("check \"page_flag\": unknown flag \"" + name + "\"; use one of "
                    + Arrays.stream(PageFlag.values()).map(Enum::name).collect(Collectors.joining(", ")), e);
        }
    }

    private static GoalResult pageFlag(GoalContext c, GoalParams p) {
        long pfn = p.integer("pfn");
        if (!c.machine().validPfn(pfn)) return outsideMachine(c.machine(), pfn);
        PageFlag f = flag(p.string("flag"));
        boolean want = p.bool("set", true);
        boolean have = c.machine().page(pfn).test(f);
        if (have == want) return GoalResult.ok();
        return GoalResult.notMet(want ? "PFN " + pfn + " does not have " + f.name() + " set yet." : "PFN " + pfn + " still has " + f.name() + " set.");
    }

    /** null means "no type". */
    private static PageType pageType(String name) {
        if (name.equalsIgnoreCase("none")) return null;
        for (PageType t : PageType.values()) {
            if (t.shortName().equalsIgnoreCase(name) || t.name().equalsIgnoreCase(name)) return t;
        }
        throw new IllegalArgumentException("check \"page_type\": unknown type \"" + name + "\"; use none or one of "
                + Arrays.stream(PageType.values()).map(PageType::shortName).collect(Collectors.joining(", ")));
    }

    private static GoalResult pageTypeCheck(GoalContext c, GoalParams p) {
        long pfn = p.integer("pfn");
        if (!c.machine().validPfn(pfn)) return outsideMachine(c.machine(), pfn);
        PageType want = pageType(p.string("type"));
        int raw = c.machine().page(pfn).pageType();
        PageType have = PageType.of(raw);
        if (have == want) return GoalResult.ok();
        String is = have == null ? "has no page type" : "has page type " + have.shortName();
        return GoalResult.notMet(String.format("PFN %d %s (page_type 0x%08x); this step wants %s.", pfn, is, raw,
                want == null ? "no type" : "type " + want.shortName()));
    }

    private static GoalResult freeList(GoalContext c, GoalParams p) {
        int order = (int) p.integer("order");
        List<Long> want = p.integers("pfns");
        List<Long> have = Arrays.stream(c.machine().zone().freeList(order)).boxed().toList();
        if (have.equals(want)) return GoalResult.ok();
        return GoalResult.notMet("free_area[" + order + "] holds " + list(have) + " from head to tail; this step wants " + list(want) + ".");
    }

    private static String list(List<Long> l) {
        return l.isEmpty() ? "no blocks" : "PFN" + (l.size() == 1 ? " " : "s ") + l.stream().map(String::valueOf).collect(Collectors.joining(", "));
    }
}

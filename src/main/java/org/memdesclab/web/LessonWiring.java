package org.memdesclab.web;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.memdesclab.lesson.GoalChecks;
import org.memdesclab.lesson.GoalResult;
import org.memdesclab.lesson.GoalSpec;
import org.memdesclab.lesson.Lesson;
import org.memdesclab.lesson.LessonCatalog;
import org.memdesclab.lesson.Sandbox;
import org.memdesclab.lesson.Step;
import org.memdesclab.sim.MachineConfig;
import org.memdesclab.sim.Owner;

/**
 * The one place the web lab meets the lesson engine: which catalog and which goal checks.
 */
public record LessonWiring(LessonCatalog catalog, GoalEvaluator goals) {
    public static final String SANDBOX = Sandbox.ID;

    /**
     * What `serve` uses: the lessons packaged in the jar, or those in {@code contentDir} (serve
     * --content; reloaded when they change), with the lesson engine's goal checks.
     */
    public static LessonWiring standard(Path contentDir) {
        GoalChecks checks = GoalChecks.standard();
        return new LessonWiring(LessonCatalog.open(contentDir), checks::evaluate);
    }

    /** A small in-code catalog for tests of the web layer: the sandbox plus a short demo lesson, with two goal checks. */
    public static LessonWiring builtIn() {
        Lesson sandbox = sandbox();
        Lesson demo = new Lesson("first-folio", "Your first folio", 1,
                "Allocate a compound page, see head and tails in the memmap, read /proc/buddyinfo.", MachineConfig.defaults(),
                List.of(),
                "<p>Every 4 KiB page frame has a 64-byte <code>struct page</code>. A compound page is several frames "
                        + "treated as one: the first is the <em>head</em>, the others are <em>tails</em>.</p>",
                List.of(
                        new Step("alloc-folio", "Allocate an order-2 folio",
                                "<p>Allocate a folio of four pages and watch the memmap: one head, three tails.</p>",
                                new GoalSpec("folio_exists", Map.of("min_order", 2)),
                                List.of("<p>A folio of order <var>n</var> has 2<sup>n</sup> pages.</p>",
                                        "<p>Call <code>folio_alloc()</code> with <code>GFP_KERNEL</code> and order 2.</p>"),
                                List.of("f = folio_alloc(GFP_KERNEL, 2)"), List.of()),
                        new Step("buddyinfo", "Read /proc/buddyinfo",
                                "<p>The allocator split a larger block to serve you. See the free blocks per order.</p>",
                                new GoalSpec("ran", Map.of("prefix", "cat /proc/buddyinfo")),
                                List.of("<p>The kernel shows free blocks per order in a /proc file.</p>"),
                                List.of("cat /proc/buddyinfo"), List.of())),
                "");
        LessonCatalog catalog = new LessonCatalog() {
            @Override
            public List<Lesson> lessons() { return List.of(demo, sandbox); }

            @Override
            public Optional<Lesson> find(String id) { return lessons().stream().filter(l -> l.id().equals(id)).findFirst(); }
        };
        return new LessonWiring(catalog, LessonWiring::builtInGoal);
    }

    /** The free sandbox: no steps; its machine comes from the learner's chosen configuration. */
    public static Lesson sandbox() { return Sandbox.lesson(); }

    private static GoalResult builtInGoal(GoalSpec goal, org.memdesclab.lesson.GoalContext ctx) {
        switch (goal.check()) {
            case "folio_exists": {
                int min = ((Number) goal.params().getOrDefault("min_order", 0)).intValue();
                var m = ctx.machine();
                for (long p = 0; p < m.nrPages(); p++) {
                    if (m.owner(p) == Owner.HEAD && m.compoundOrder(p) >= min) return GoalResult.ok();
                }
                return GoalResult.notMet("no folio of order " + min + " or more exists yet");
            }
            case "ran": {
                String prefix = String.valueOf(goal.params().get("prefix"));
                for (var r : ctx.history()) if (r.ok() && r.statement().strip().startsWith(prefix)) return GoalResult.ok();
                return GoalResult.notMet("you have not run " + prefix + " yet");
            }
            default:
                return GoalResult.notMet("unknown goal check '" + goal.check() + "'");
        }
    }
}

package org.memdesclab.web;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.memdesclab.lesson.GoalResult;
import org.memdesclab.lesson.GoalSpec;
import org.memdesclab.lesson.Lesson;
import org.memdesclab.lesson.LessonCatalog;
import org.memdesclab.lesson.Step;
import org.memdesclab.sim.MachineConfig;
import org.memdesclab.sim.Owner;

/**
 * The one place the web lab meets the lesson engine: which catalog and which goal checks. Until the
 * lesson engine lands this is a tiny in-code catalog (the sandbox and one demo lesson); swapping in the
 * real loader and registry is a change to {@link #standard(Path)} only.
 */
public record LessonWiring(LessonCatalog catalog, GoalEvaluator goals) {
    public static final String SANDBOX = "sandbox";

    /** What `serve` uses; {@code contentDir} is the --content folder or null for the lessons in the jar. */
    public static LessonWiring standard(Path contentDir) {
        return builtIn();
    }

    /** The in-code catalog: the sandbox plus a short demo lesson, with two goal checks. */
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
    public static Lesson sandbox() {
        return new Lesson(SANDBOX, "Sandbox", 0, "A machine of your own size to experiment with.", MachineConfig.defaults(),
                List.of(), "<p>No goals here: try any call. <code>help</code> lists them.</p>", List.of(), "");
    }

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

package org.memdesclab.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.memdesclab.store.ClassroomStore.Activity;
import org.memdesclab.store.ClassroomStore.MistakeRow;
import org.memdesclab.store.ClassroomStore.StepRef;

/**
 * The dashboard's "most tried wrong statements" counted in SQL on H2 and PostgreSQL give what counting
 * every failed journal row in Java gave (the former code, kept here as the reference): several learners,
 * repeated and whitespace-varied statements, steps completed along the way, a learner in another course
 * and a lesson outside the course. Seeded; the seed is printed on failure.
 */
class ClassroomMistakesTest {
    @TempDir
    Path dir;

    static final class HandClock extends Clock {
        Instant now = Instant.parse("2026-12-01T09:00:00Z");
        @Override public ZoneId getZone() { return ZoneId.of("UTC"); }
        @Override public Clock withZone(ZoneId zone) { return this; }
        @Override public Instant instant() { return now; }
    }

    record Fail(String learner, String lesson, String statement, Instant at) {}

    static final List<StepRef> STEPS = List.of(new StepRef("les-a", "a1"), new StepRef("les-a", "a2"), new StepRef("les-a", "a3"),
            new StepRef("les-b", "b1"), new StepRef("les-b", "b2"));
    static final String[] WRONG = {"folio_put(f)", "folio_put( f )", " folio_put(f)\t", "x = alloc_pages(GFP_KERNEL, 11)",
            "kfree(p)", "__free_pages(p, 1)", "a = 1 +", "Zeta()", "alpha()", "beta()", "x\u00e9()", "free(q)"};

    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void countedInTheDatabaseAsTheJavaCodeCountedThem(TestDatabases db) {
        long seed = Long.getLong("mistakes.seed", System.nanoTime());
        try (HikariDataSource ds = Database.pool(db.freshUrl(dir))) {
            Database.migrate(ds);
            HandClock clock = new HandClock();
            Store store = new Store(ds, clock);
            ClassroomStore cs = new ClassroomStore(ds, clock);
            cs.createInstructor("teach", "x", true);
            cs.createCourse(new ClassroomStore.Course("c1", "C", "JOIN01", "teach", clock.instant()), List.of("teach"), List.of("les-a", "les-b"));
            cs.createCourse(new ClassroomStore.Course("c2", "D", "JOIN02", "teach", clock.instant()), List.of("teach"), List.of("les-a"));
            Random rnd = new Random(seed);
            List<String> members = new ArrayList<>();
            List<Fail> fails = new ArrayList<>();
            Map<String, Map<String, StepProgress>> prog = new HashMap<>(); // learner|lesson -> step -> progress
            for (int i = 0; i < 7; i++) {
                String l = "learner" + i;
                store.createLearner(l);
                // learner6 is in the other course only: their mistakes are not this course's
                if (i < 6) {
                    cs.join("c1", l, "L" + i);
                    members.add(l);
                } else {
                    cs.join("c2", l, "L" + i);
                }
            }
            int[] nextStep = new int[7 * 2];
            for (int round = 0; round < 300; round++) {
                int li = rnd.nextInt(7);
                String l = "learner" + li;
                int lessonNo = rnd.nextInt(3); // 2: a lesson outside the course
                String lesson = lessonNo == 0 ? "les-a" : lessonNo == 1 ? "les-b" : "sandbox";
                clock.now = clock.now.plusMillis(1 + rnd.nextInt(5000));
                int r = rnd.nextInt(10);
                if (r < 7) {
                    String st = WRONG[rnd.nextInt(rnd.nextBoolean() ? 3 : WRONG.length)];
                    store.append(l, lesson, JournalEntry.Kind.STATEMENT, st, 0, false, List.of("error: no"));
                    fails.add(new Fail(l, lesson, st, clock.now));
                } else if (r < 9 || lessonNo == 2) {
                    store.append(l, lesson, JournalEntry.Kind.STATEMENT, "cat /proc/buddyinfo", 0, true, List.of());
                } else {
                    List<StepRef> ls = STEPS.stream().filter(s -> s.lessonId().equals(lesson)).toList();
                    int k = nextStep[li * 2 + lessonNo];
                    if (k < ls.size()) {
                        nextStep[li * 2 + lessonNo]++;
                        StepProgress sp = StepProgress.fresh(ls.get(k).stepId()).withAttempt().withCompleted(clock.now);
                        store.saveProgress(l, lesson, sp);
                        prog.computeIfAbsent(l + "|" + lesson, x -> new HashMap<>()).put(sp.stepId(), sp);
                        store.append(l, lesson, JournalEntry.Kind.STATEMENT, "done " + k, 0, true, List.of());
                    }
                }
                if (rnd.nextInt(4) == 0) {
                    // an uncompleted progress row (attempts only) must not move the step
                    String other = STEPS.get(rnd.nextInt(STEPS.size())).stepId();
                    String les = other.startsWith("a") ? "les-a" : "les-b";
                    if (!prog.getOrDefault(l + "|" + les, Map.of()).containsKey(other)) store.saveProgress(l, les, StepProgress.fresh(other).withAttempt());
                }
            }
            List<MistakeRow> expected = reference(fails, members, prog, 3);
            List<MistakeRow> got = cs.topMistakes("c1", STEPS, 3);
            assertEquals(expected, got, "seed " + seed + " (rerun with -Dmistakes.seed=" + seed + ") on " + db);
            assertTrue(got.size() >= 5, "the random course made mistakes on several steps, seed " + seed + ": " + got);
            assertEquals(List.of(), cs.topMistakes("c1", List.of(), 3));

            // first and last journal time per member and course lesson, from two primary-key lookups each
            Map<String, Instant[]> act = new HashMap<>();
            for (String l : members) {
                for (String lesson : List.of("les-a", "les-b")) {
                    List<JournalEntry> j = store.journal(l, lesson);
                    if (!j.isEmpty()) act.put(l + "|" + lesson, new Instant[] {j.get(0).at(), j.get(j.size() - 1).at()});
                }
            }
            List<Activity> a = cs.activity("c1");
            assertEquals(act.size(), a.size(), "seed " + seed);
            for (Activity x : a) {
                Instant[] e = act.get(x.learnerId() + "|" + x.lessonId());
                assertEquals(List.of(e[0], e[1]), List.of(x.first(), x.last()), "seed " + seed + " " + x);
            }
        }
    }

    /** The former Java aggregation: every failed row read, put on its step, counted, sorted and cut. */
    static List<MistakeRow> reference(List<Fail> failed, List<String> members, Map<String, Map<String, StepProgress>> prog, int top) {
        Map<String, Map<String, int[]>> counts = new LinkedHashMap<>();
        Map<String, Map<String, Set<String>>> who = new HashMap<>();
        for (Fail f : failed) {
            if (!members.contains(f.learner())) continue;
            List<StepRef> steps = STEPS.stream().filter(s -> s.lessonId().equals(f.lesson())).toList();
            if (steps.isEmpty()) continue;
            Map<String, StepProgress> lp = prog.getOrDefault(f.learner() + "|" + f.lesson(), Map.of());
            StepRef on = null;
            for (StepRef s : steps) {
                StepProgress sp = lp.get(s.stepId());
                if (sp == null || !sp.completed() || sp.completedAt().isAfter(f.at())) {
                    on = s;
                    break;
                }
            }
            if (on == null) continue;
            String key = on.lessonId() + "|" + on.stepId();
            String st = f.statement().strip().replaceAll("\\s+", " ");
            counts.computeIfAbsent(key, k -> new HashMap<>()).computeIfAbsent(st, k -> new int[1])[0]++;
            who.computeIfAbsent(key, k -> new HashMap<>()).computeIfAbsent(st, k -> new HashSet<>()).add(f.learner());
        }
        List<MistakeRow> out = new ArrayList<>();
        for (StepRef s : STEPS) {
            String key = s.lessonId() + "|" + s.stepId();
            Map<String, int[]> c = counts.get(key);
            if (c == null) continue;
            List<MistakeRow> ms = new ArrayList<>();
            for (var e : c.entrySet()) ms.add(new MistakeRow(s.lessonId(), s.stepId(), e.getKey(), e.getValue()[0], who.get(key).get(e.getKey()).size()));
            ms.sort(Comparator.comparingInt(MistakeRow::times).reversed().thenComparing(Comparator.comparingInt(MistakeRow::learners).reversed())
                    .thenComparing(MistakeRow::statement));
            out.addAll(ms.subList(0, Math.min(top, ms.size())));
        }
        return out;
    }
}

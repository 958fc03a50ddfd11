package org.memdesclab.web;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.memdesclab.lesson.GoalResult;
import org.memdesclab.lesson.Lesson;
import org.memdesclab.lesson.Step;
import org.memdesclab.store.JournalEntry;
import org.memdesclab.store.StepProgress;
import org.memdesclab.store.Store;

/**
 * Live machines per (learner, lesson) in a bounded cache with idle expiry, rebuilt from the journal
 * when missing. Every statement is journaled before the caller answers; a failed journal write drops
 * the cached machine so the next request rebuilds it from what the journal really holds.
 */
public final class LabService {
    private record Key(String learner, String lesson) {}

    /** A step as the learner sees it now. */
    public record StepStatus(Step step, int index, StepProgress progress, boolean current, GoalResult goal) {}

    private final Store store;
    private final LessonWiring wiring;
    private final Cache<Key, LiveLab> cache;
    private final Object[] locks = new Object[256];

    /**
     * @param maxLivePages bound of the cache, weighed in simulated pages (plus 1,024 per lab for the console
     *                     and timeline), so a few huge sandboxes cannot take the memory of thousands of small labs
     * @param idle         a lab not used for this long leaves memory (its journal stays; it is rebuilt on return)
     */
    public LabService(Store store, LessonWiring wiring, long maxLivePages, Duration idle) {
        this.store = store;
        this.wiring = wiring;
        this.cache = Caffeine.newBuilder().maximumWeight(maxLivePages)
                .<Key, LiveLab>weigher((k, lab) -> (int) Math.min(Integer.MAX_VALUE, lab.machine().nrPages() + 1024L))
                .expireAfterAccess(idle).build();
        for (int i = 0; i < locks.length; i++) locks[i] = new Object();
    }

    public Store store() { return store; }

    public List<Lesson> lessons() { return wiring.catalog().lessons(); }

    /** Lesson files that failed to load (serve --content), for authors. */
    public List<org.memdesclab.lesson.LessonProblem> problems() { return wiring.catalog().problems(); }

    /** The lesson by id; the sandbox is always there, even if a catalog leaves it out. */
    public Optional<Lesson> lesson(String id) {
        Optional<Lesson> l = wiring.catalog().find(id);
        if (l.isEmpty() && LessonWiring.SANDBOX.equals(id)) return Optional.of(LessonWiring.sandbox());
        return l;
    }

    /** Runs {@code fn} on the learner's live lab under its lock, rebuilding the lab from the journal if needed. */
    public <T> T withLab(String learner, Lesson lesson, Function<LiveLab, T> fn) {
        Key key = new Key(learner, lesson.id());
        synchronized (locks[Math.floorMod(key.hashCode(), locks.length)]) {
            LiveLab lab = cache.getIfPresent(key);
            if (lab == null) {
                lab = LiveLab.rebuild(lesson, store.journal(learner, lesson.id()));
                cache.put(key, lab);
            }
            try {
                T out = fn.apply(lab);
                cache.put(key, lab); // re-weigh: a sandbox may have changed size
                return out;
            } catch (RuntimeException e) {
                cache.invalidate(key);
                throw e;
            }
        }
    }

    /** Drops every live machine (tests use it to prove rebuilding from the journal). */
    public void evictAll() { cache.invalidateAll(); }

    public long liveLabs() {
        cache.cleanUp();
        return cache.estimatedSize();
    }

    /** Runs a statement and journals it (call inside {@link #withLab}). */
    public LiveLab.Ran exec(LiveLab lab, String learner, String statement) {
        LiveLab.Ran r = lab.exec(statement);
        store.append(learner, lab.lesson().id(), JournalEntry.Kind.STATEMENT, statement, 0, r.ok(), r.output());
        countAttempt(lab, learner);
        return r;
    }

    /** Undo, redo, reset, goto or a new sandbox configuration, journaled (call inside {@link #withLab}). */
    public void move(LiveLab lab, String learner, JournalEntry.Kind kind, String statement, int target) {
        lab.move(kind, statement, target);
        store.append(learner, lab.lesson().id(), kind, statement, target, true, List.of());
    }

    private void countAttempt(LiveLab lab, String learner) {
        List<Step> steps = lab.lesson().steps();
        Map<String, StepProgress> p = store.progress(learner, lab.lesson().id());
        for (Step s : steps) {
            StepProgress sp = p.getOrDefault(s.id(), StepProgress.fresh(s.id()));
            if (!sp.completed()) {
                store.saveProgress(learner, lab.lesson().id(), sp.withAttempt());
                return;
            }
        }
    }

    /**
     * Checks the current step's goal against the machine; a met goal completes the step (for good:
     * progress never goes back, even on undo) and the next step is checked in turn.
     */
    public List<StepStatus> steps(LiveLab lab, String learner) {
        String lessonId = lab.lesson().id();
        Map<String, StepProgress> p = store.progress(learner, lessonId);
        List<StepStatus> out = new ArrayList<>();
        boolean currentFound = false;
        int i = 0;
        for (Step s : lab.lesson().steps()) {
            StepProgress sp = p.getOrDefault(s.id(), StepProgress.fresh(s.id()));
            GoalResult g = null;
            boolean current = false;
            if (!sp.completed() && !currentFound) {
                g = check(lab, s);
                if (g.met()) {
                    sp = sp.withCompleted(store.now());
                    store.saveProgress(learner, lessonId, sp);
                } else {
                    current = true;
                    currentFound = true;
                }
            }
            out.add(new StepStatus(s, i++, sp, current, g));
        }
        return out;
    }

    private GoalResult check(LiveLab lab, Step s) {
        try {
            return wiring.goals().evaluate(s.goal(), lab.goalContext());
        } catch (RuntimeException e) {
            return GoalResult.notMet("the goal check could not run: " + e.getMessage());
        }
    }

    /** Reveals the next hint tier of a step; returns how many are revealed now. */
    public int revealHint(String learner, Lesson lesson, Step step) {
        StepProgress sp = store.progress(learner, lesson.id()).getOrDefault(step.id(), StepProgress.fresh(step.id()));
        int n = Math.min(step.hintsHtml().size(), sp.hintsRevealed() + 1);
        store.saveProgress(learner, lesson.id(), sp.withHints(n));
        return n;
    }

    public void revealSolution(String learner, Lesson lesson, Step step) {
        StepProgress sp = store.progress(learner, lesson.id()).getOrDefault(step.id(), StepProgress.fresh(step.id()));
        store.saveProgress(learner, lesson.id(), sp.withSolutionRevealed());
    }
}

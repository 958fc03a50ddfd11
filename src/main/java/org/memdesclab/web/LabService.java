package org.memdesclab.web;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.memdesclab.lesson.GoalResult;
import org.memdesclab.lesson.Lesson;
import org.memdesclab.lesson.Step;
import org.memdesclab.store.JournalEntry;
import org.memdesclab.store.StepProgress;
import org.memdesclab.store.Store;

/**
 * Live machines per (learner, lesson) in a cache bounded by simulated pages and by a count of machines
 * (least recently used leaves first), with idle expiry; a missing or stale machine is rebuilt from the
 * journal. Eviction only drops memory: the journal and progress are never touched by it. Every statement is journaled before the caller answers; a failed journal write drops
 * the cached machine so the next request rebuilds it from what the journal really holds.
 */
public final class LabService {
    private record Key(String learner, String lesson) {}

    /**
     * A live lab and the journal sequence number it reflects. Another instance on the same database may
     * have appended since; a different number in the journal means this machine is stale and is rebuilt.
     */
    private static final class Live {
        final LiveLab lab;
        volatile int seq;

        Live(LiveLab lab, int seq) {
            this.lab = lab;
            this.seq = seq;
        }
    }

    /** A step as the learner sees it now. */
    public record StepStatus(Step step, int index, StepProgress progress, boolean current, GoalResult goal) {}

    /** How many labs left memory and why, and how many were rebuilt from the journal (for /metrics). */
    public record Evictions(long idle, long pages, long cap, long rebuilds, long stale) {}

    private final Store store;
    private final LessonWiring wiring;
    private final Cache<Key, Live> cache;
    private final int maxMachines;
    private final Object[] locks = new Object[256];
    private final LongAdder evictedIdle = new LongAdder();
    private final LongAdder evictedPages = new LongAdder();
    private final LongAdder evictedCap = new LongAdder();
    private final LongAdder rebuilds = new LongAdder();
    private final LongAdder stale = new LongAdder();
    private final LongAdder statements = new LongAdder();
    private volatile Runnable onStatement = () -> { };

    public LabService(Store store, LessonWiring wiring, long maxLivePages, Duration idle) {
        this(store, wiring, maxLivePages, Integer.MAX_VALUE, idle, Clock.systemUTC());
    }

    /**
     * @param maxLivePages bound of the cache, weighed in simulated pages (plus 1,024 per lab for the console
     *                     and timeline), so a few huge sandboxes cannot take the memory of thousands of small labs
     * @param maxMachines  at most this many live labs; beyond it the least recently used leaves memory
     * @param idle         a lab not used for this long leaves memory (its journal stays; it is rebuilt on return)
     * @param clock        time for idle expiry (tests pass a clock they move by hand)
     */
    public LabService(Store store, LessonWiring wiring, long maxLivePages, int maxMachines, Duration idle, Clock clock) {
        if (maxMachines < 1) throw new IllegalArgumentException("the cap on live machines must be at least 1, not " + maxMachines);
        this.store = store;
        this.wiring = wiring;
        this.maxMachines = maxMachines;
        // The ticker reads the clock, so expiry follows a test's hand-moved clock too.
        Ticker ticker = () -> TimeUnit.MILLISECONDS.toNanos(clock.millis());
        this.cache = Caffeine.newBuilder().maximumWeight(maxLivePages)
                .<Key, Live>weigher((k, live) -> (int) Math.min(Integer.MAX_VALUE, live.lab.machine().nrPages() + 1024L))
                .expireAfterAccess(idle).ticker(ticker).executor(Runnable::run)
                .removalListener((Key k, Live v, RemovalCause cause) -> {
                    if (cause == RemovalCause.EXPIRED) evictedIdle.increment();
                    else if (cause == RemovalCause.SIZE) evictedPages.increment();
                })
                .build();
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

    /**
     * Runs {@code fn} on the learner's live lab under its lock, rebuilding the lab from the journal if it is
     * not in memory or if the journal moved on without it (another instance served the learner meanwhile).
     */
    public <T> T withLab(String learner, Lesson lesson, Function<LiveLab, T> fn) {
        Key key = new Key(learner, lesson.id());
        synchronized (locks[Math.floorMod(key.hashCode(), locks.length)]) {
            Live live = cache.getIfPresent(key);
            if (live != null && live.seq != store.lastSeq(learner, lesson.id())) {
                stale.increment();
                live = null;
            }
            if (live == null) {
                List<JournalEntry> journal = store.journal(learner, lesson.id());
                live = new Live(LiveLab.rebuild(lesson, journal), journal.isEmpty() ? 0 : journal.get(journal.size() - 1).seq());
                rebuilds.increment();
                cache.put(key, live); // before fn, so exec/move can record the rows they write on it
            }
            try {
                T out = fn.apply(live.lab);
                cache.put(key, live); // re-weigh: a sandbox may have changed size
                capMachines();
                return out;
            } catch (RuntimeException e) {
                cache.invalidate(key);
                throw e;
            }
        }
    }

    /** Keeps at most maxMachines live labs by dropping the least recently used (their journals stay). */
    private void capMachines() {
        if (cache.estimatedSize() <= maxMachines) return;
        cache.cleanUp();
        long over = cache.estimatedSize() - maxMachines;
        if (over <= 0) return;
        var byAccess = cache.policy().expireAfterAccess().orElseThrow();
        for (Key k : byAccess.oldest((int) over).keySet()) {
            if (cache.asMap().remove(k) != null) evictedCap.increment();
        }
    }

    /** Drops every live machine (tests use it to prove rebuilding from the journal). */
    public void evictAll() { cache.invalidateAll(); }

    /** Runs the cache's housekeeping now: idle labs past their time leave memory. */
    public void expireIdle() { cache.cleanUp(); }

    public long liveLabs() {
        cache.cleanUp();
        return cache.estimatedSize();
    }

    /** Simulated pages held by live labs (the weight the page bound counts, without the per-lab 1,024). */
    public long livePages() {
        long n = 0;
        for (Live l : cache.asMap().values()) n += l.lab.machine().nrPages();
        return n;
    }

    public Evictions evictions() {
        return new Evictions(evictedIdle.sum(), evictedPages.sum(), evictedCap.sum(), rebuilds.sum(), stale.sum());
    }

    /** Statements run (and journaled) since start. */
    public long statements() { return statements.sum(); }

    /** Called after each statement is journaled (the metrics count their rate). */
    void onStatement(Runnable r) { onStatement = r; }

    /** Remembers the journal row just written as the one this learner's live lab reflects. */
    private void applied(String learner, LiveLab lab, JournalEntry row) {
        Live live = cache.getIfPresent(new Key(learner, lab.lesson().id()));
        if (live != null && live.lab == lab) live.seq = row.seq();
    }

    /** Runs a statement and journals it (call inside {@link #withLab}). */
    public LiveLab.Ran exec(LiveLab lab, String learner, String statement) {
        LiveLab.Ran r = lab.exec(statement);
        applied(learner, lab, store.append(learner, lab.lesson().id(), JournalEntry.Kind.STATEMENT, statement, 0, r.ok(), r.output()));
        statements.increment();
        onStatement.run();
        countAttempt(lab, learner);
        return r;
    }

    /** Undo, redo, reset, goto or a new sandbox configuration, journaled (call inside {@link #withLab}). */
    public void move(LiveLab lab, String learner, JournalEntry.Kind kind, String statement, int target) {
        lab.move(kind, statement, target);
        applied(learner, lab, store.append(learner, lab.lesson().id(), kind, statement, target, true, List.of()));
    }

    private void countAttempt(LiveLab lab, String learner) {
        Map<String, StepProgress> p = progress(lab, learner);
        for (Step s : lab.lesson().steps()) {
            StepProgress sp = p.getOrDefault(s.id(), StepProgress.fresh(s.id()));
            if (!sp.completed()) {
                save(lab, learner, sp.withAttempt());
                return;
            }
        }
    }

    /**
     * The learner's progress in the lab's lesson: read from the store the first time, then kept with the
     * live lab (every change goes through {@link #save}), so a statement does not read it three times.
     * A rebuilt lab reads it again.
     */
    private Map<String, StepProgress> progress(LiveLab lab, String learner) {
        Map<String, StepProgress> p = lab.progress();
        if (p == null) {
            p = new java.util.LinkedHashMap<>(store.progress(learner, lab.lesson().id()));
            lab.progress(p);
        }
        return p;
    }

    /** Writes a step's progress to the store (still the truth) and then to the lab's copy. */
    private void save(LiveLab lab, String learner, StepProgress sp) {
        store.saveProgress(learner, lab.lesson().id(), sp);
        progress(lab, learner).put(sp.stepId(), sp);
    }

    /**
     * Checks the current step's goal against the machine; a met goal completes the step (for good:
     * progress never goes back, even on undo) and the next step is checked in turn.
     */
    public List<StepStatus> steps(LiveLab lab, String learner) {
        Map<String, StepProgress> p = progress(lab, learner);
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
                    save(lab, learner, sp);
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
        return withLab(learner, lesson, lab -> {
            StepProgress sp = fresh(lab, learner, step);
            int n = Math.min(step.hintsHtml().size(), sp.hintsRevealed() + 1);
            save(lab, learner, sp.withHints(n));
            return n;
        });
    }

    public void revealSolution(String learner, Lesson lesson, Step step) {
        withLab(learner, lesson, lab -> {
            save(lab, learner, fresh(lab, learner, step).withSolutionRevealed());
            return null;
        });
    }

    /** A step's progress read again from the store (hints and solutions are rare; another instance may have moved it). */
    private StepProgress fresh(LiveLab lab, String learner, Step step) {
        Map<String, StepProgress> p = new java.util.LinkedHashMap<>(store.progress(learner, lab.lesson().id()));
        lab.progress(p);
        return p.getOrDefault(step.id(), StepProgress.fresh(step.id()));
    }
}

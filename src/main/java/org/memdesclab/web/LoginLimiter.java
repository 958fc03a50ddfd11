package org.memdesclab.web;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts failed attempts per key (an account, or an address) in a sliding window; past the limit the
 * key is refused until its oldest failure leaves the window. Kept in memory, per server instance.
 */
final class LoginLimiter {
    private final int limit;
    private final Duration window;
    private final Clock clock;
    private final ConcurrentHashMap<String, Deque<Instant>> failures = new ConcurrentHashMap<>();

    LoginLimiter(int limit, Duration window, Clock clock) {
        this.limit = limit;
        this.window = window;
        this.clock = clock;
    }

    /** How long the key must wait before trying again; zero if it may try now. */
    Duration wait(String key) {
        Deque<Instant> d = failures.get(key);
        if (d == null) return Duration.ZERO;
        synchronized (d) {
            Instant now = clock.instant();
            while (!d.isEmpty() && !d.peekFirst().plus(window).isAfter(now)) d.pollFirst();
            if (d.size() < limit) return Duration.ZERO;
            return Duration.between(now, d.peekFirst().plus(window));
        }
    }

    void fail(String key) {
        Deque<Instant> d = failures.computeIfAbsent(key, k -> new ArrayDeque<>());
        synchronized (d) {
            d.addLast(clock.instant());
            while (d.size() > limit) d.pollFirst();
        }
    }

    void succeed(String key) { failures.remove(key); }

    /** "3 minutes" or "1 minute": the wait rounded up to whole minutes. */
    static String minutes(Duration d) {
        long m = Math.max(1, (d.toSeconds() + 59) / 60);
        return m + (m == 1 ? " minute" : " minutes");
    }
}

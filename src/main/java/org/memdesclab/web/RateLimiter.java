package org.memdesclab.web;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * A token bucket per learner: {@code burst} statements at once, then {@code perSecond} more each
 * second. Buckets of learners who stopped sending leave memory after ten minutes (a full bucket is
 * what a new one would be anyway).
 */
final class RateLimiter {
    private static final class Bucket {
        double tokens;
        long at;

        Bucket(double tokens, long at) {
            this.tokens = tokens;
            this.at = at;
        }
    }

    private final double perNano;
    private final int burst;
    private final LongSupplier nanos;
    private final Cache<String, Bucket> buckets = Caffeine.newBuilder().maximumSize(200_000)
            .expireAfterAccess(Duration.ofMinutes(10)).build();

    RateLimiter(double perSecond, int burst, LongSupplier nanos) {
        this.perNano = perSecond / 1e9;
        this.burst = burst;
        this.nanos = nanos;
    }

    /**
     * Takes {@code n} tokens from the learner's bucket if it holds them (n is capped at the burst, so a
     * large request is possible on a full bucket). Returns 0 when taken, else the seconds (at least 1)
     * until the bucket holds them again; nothing is taken then.
     */
    long take(String learner, int n) {
        double want = Math.min(Math.max(1, n), burst);
        Bucket b = buckets.get(learner, k -> new Bucket(burst, nanos.getAsLong()));
        synchronized (b) {
            long now = nanos.getAsLong();
            b.tokens = Math.min(burst, b.tokens + (now - b.at) * perNano);
            b.at = now;
            if (b.tokens >= want) {
                b.tokens -= want;
                return 0;
            }
            return Math.max(1, (long) Math.ceil((want - b.tokens) / perNano / 1e9));
        }
    }
}

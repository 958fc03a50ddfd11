package org.memdesclab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The token bucket on a clock the test moves by hand (tests never time anything). */
class RateLimiterTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final RateLimiter r = new RateLimiter(2, 5, now::get);

    @Test
    void aFullBucketAllowsTheBurstThenRefusesWithTheWait() {
        for (int i = 0; i < 5; i++) assertEquals(0, r.take("a", 1), "statement " + i);
        long wait = r.take("a", 1);
        assertEquals(1, wait, "half a second rounds up to one");
        assertEquals(0, r.take("b", 1), "another learner has a bucket of its own");
    }

    @Test
    void theBucketRefillsAtTheRateAndNeverAboveTheBurst() {
        for (int i = 0; i < 5; i++) r.take("a", 1);
        now.addAndGet(1_000_000_000L); // one second: two statements
        assertEquals(0, r.take("a", 1));
        assertEquals(0, r.take("a", 1));
        assertTrue(r.take("a", 1) > 0);
        now.addAndGet(3_600_000_000_000L); // an hour: the bucket is full again, not 7,200 statements
        for (int i = 0; i < 5; i++) assertEquals(0, r.take("a", 1), "statement " + i);
        assertTrue(r.take("a", 1) > 0);
    }

    @Test
    void aRefusedRequestTakesNothingAndABigOneIsCappedAtTheBurst() {
        assertEquals(0, r.take("a", 4));
        assertEquals(2, r.take("a", 5), "1 token left, 5 wanted: 4 more at 2 a second");
        assertEquals(0, r.take("a", 1), "the refused request took nothing");
        now.addAndGet(10_000_000_000L);
        assertEquals(0, r.take("a", 50), "a request bigger than the burst needs only a full bucket");
        assertTrue(r.take("a", 1) > 0);
    }
}

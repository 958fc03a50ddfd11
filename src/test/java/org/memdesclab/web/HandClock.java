package org.memdesclab.web;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock that only moves when a test moves it, so idle expiry is tested without waiting. */
final class HandClock extends Clock {
    private volatile Instant now = Instant.parse("2026-12-04T09:00:00Z");

    void advance(Duration d) { now = now.plus(d); }

    @Override
    public ZoneId getZone() { return ZoneOffset.UTC; }

    @Override
    public Clock withZone(ZoneId zone) { return this; }

    @Override
    public Instant instant() { return now; }
}

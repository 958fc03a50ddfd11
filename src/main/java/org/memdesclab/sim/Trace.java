package org.memdesclab.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * The trace of what the kernel did during the current operation. Off by default for speed: callers
 * test {@link #on()} before building an event's text.
 */
public final class Trace {
    private boolean enabled;
    private final List<TraceEvent> events = new ArrayList<>();

    public boolean on() { return enabled; }

    public void setEnabled(boolean enabled) { this.enabled = enabled; }

    void emit(String function, String detail) { emit(function, detail, 1); }

    void emit(String function, String detail, int depth) {
        if (enabled) events.add(new TraceEvent(function, detail, depth));
    }

    /** Returns the events recorded since the last call and forgets them. */
    public List<TraceEvent> drain() {
        List<TraceEvent> out = List.copyOf(events);
        events.clear();
        return out;
    }

    void truncate(int size) {
        while (events.size() > size) events.remove(events.size() - 1);
    }

    int size() { return events.size(); }
}

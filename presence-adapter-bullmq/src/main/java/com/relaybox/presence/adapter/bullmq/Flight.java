package com.relaybox.presence.adapter.bullmq;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The jobs this instance has taken under the current epoch and not finished: whose locks it renews,
 * and how many more it may take (at most {@code limit} in flight, so a backlog stays in wait where
 * BullMQ's tools count it, rather than in this process).
 */
final class Flight {
    private final int limit;
    private final Set<String> ids = new LinkedHashSet<>();
    private long epoch = -1;

    Flight(int limit) {
        this.limit = limit;
    }

    /** A new epoch began (or the last ended): whatever was in flight is not this instance's any more. */
    synchronized void reset(long epoch) {
        this.epoch = epoch;
        ids.clear();
        notifyAll();
    }

    /** How many jobs may be taken now; waits up to {@code millis} for room. */
    synchronized int awaitRoom(long millis) throws InterruptedException {
        if (ids.size() >= limit) wait(millis);
        return limit - ids.size();
    }

    synchronized void taken(long epoch, String id) {
        if (epoch == this.epoch) ids.add(id);
    }

    synchronized void finished(long epoch, Collection<String> done) {
        if (epoch != this.epoch) return;
        ids.removeAll(done);
        notifyAll();
    }

    synchronized List<String> ids(long epoch) {
        return epoch == this.epoch ? new ArrayList<>(ids) : List.of();
    }

    synchronized int size() {
        return ids.size();
    }
}

package com.relaybox.presence.adapter.rabbitmq;

import com.relaybox.presence.core.domain.HistoryRecord;
import com.relaybox.presence.core.memory.InMemoryHistory;
import com.relaybox.presence.core.port.out.HistoryRecorder;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A history that keeps records at once but confirms them only when the test says, as a broker
 * whose commit is slow: every call's confirmation is held until {@link #confirmAll} or failed by
 * {@link #failFirst}. Once {@link #passThrough} is set, calls are confirmed at once.
 */
final class HeldConfirmations implements HistoryRecorder {
    final InMemoryHistory kept = new InMemoryHistory();
    private final List<CompletableFuture<Void>> held = new ArrayList<>();
    private boolean passThrough;
    private int maxHeld;

    @Override
    public synchronized CompletableFuture<Void> record(List<HistoryRecord> records) {
        kept.record(records);
        if (passThrough) return CompletableFuture.completedFuture(null);
        CompletableFuture<Void> confirmation = new CompletableFuture<>();
        held.add(confirmation);
        maxHeld = Math.max(maxHeld, held.size());
        return confirmation;
    }

    synchronized int heldCount() {
        return held.size();
    }

    /** The most calls ever held at once. */
    synchronized int maxHeld() {
        return maxHeld;
    }

    /** Confirms every call held so far, and every later call at once. */
    void confirmAll() {
        List<CompletableFuture<Void>> release;
        synchronized (this) {
            passThrough = true;
            release = new ArrayList<>(held);
            held.clear();
        }
        for (CompletableFuture<Void> confirmation : release) confirmation.complete(null);
    }

    /** Fails the first call held, confirms the others, and every later call at once. */
    void failFirst(RuntimeException failure) {
        List<CompletableFuture<Void>> release;
        synchronized (this) {
            passThrough = true;
            release = new ArrayList<>(held);
            held.clear();
        }
        release.get(0).completeExceptionally(failure);
        for (CompletableFuture<Void> confirmation : release.subList(1, release.size())) confirmation.complete(null);
    }
}

package com.relaybox.presence.adapter.rabbitmq.history;

import com.relaybox.presence.core.domain.HistoryRecord;
import com.relaybox.presence.core.memory.InMemoryHistory;
import com.relaybox.presence.core.port.out.Confirmations;
import com.relaybox.presence.core.port.out.DependencyUnavailableException;
import com.relaybox.presence.core.port.out.HistoryRecorder;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory history whose availability the test controls: it can be down, or hold a write
 * until released (after keeping the records, as a database that committed but did not answer yet).
 */
final class ControlledRecorder implements HistoryRecorder {
    final InMemoryHistory kept = new InMemoryHistory();
    final AtomicInteger calls = new AtomicInteger();
    final AtomicInteger failures = new AtomicInteger();
    private volatile boolean down;
    private volatile CountDownLatch gate;
    final CountDownLatch entered = new CountDownLatch(1);

    void down(boolean isDown) {
        down = isDown;
    }

    /** The next writes keep their records and then wait until {@link #release()}. */
    void hold() {
        gate = new CountDownLatch(1);
    }

    void release() {
        CountDownLatch g = gate;
        gate = null;
        if (g != null) g.countDown();
    }

    @Override
    public CompletableFuture<Void> record(List<HistoryRecord> records) {
        return Confirmations.ofSynchronous(() -> write(records));
    }

    private void write(List<HistoryRecord> records) {
        calls.incrementAndGet();
        if (down) {
            failures.incrementAndGet();
            throw new DependencyUnavailableException("test store is down");
        }
        kept.record(records);
        CountDownLatch g = gate;
        if (g != null) {
            entered.countDown();
            try {
                g.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DependencyUnavailableException("interrupted while held", e);
            }
        }
    }
}

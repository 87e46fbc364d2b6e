package com.relaybox.presence.core.port.out;

import com.relaybox.presence.core.domain.HistoryRecord;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Keeps applied events durably (CONTRACT §5). */
public interface HistoryRecorder {

    /**
     * Records the events durably before returning; a record whose {@code (jobId, eventIndex)} is
     * already kept is not kept twice. Throws {@link DependencyUnavailableException} when that
     * cannot be promised.
     */
    void record(List<HistoryRecord> records);

    /**
     * Records the events without waiting: the future completes once they are kept durably, or
     * fails with {@link DependencyUnavailableException}. This default records synchronously.
     */
    default CompletableFuture<Void> recordAsync(List<HistoryRecord> records) {
        return Confirmations.ofSynchronous(() -> record(records));
    }
}

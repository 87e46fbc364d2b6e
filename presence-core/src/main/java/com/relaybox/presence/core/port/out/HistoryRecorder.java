package com.relaybox.presence.core.port.out;

import com.relaybox.presence.core.domain.HistoryRecord;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Keeps applied events durably (CONTRACT §5). */
public interface HistoryRecorder {

    /**
     * Records the events: the future completes once they are kept durably, or fails with
     * {@link DependencyUnavailableException} when that cannot be promised. A record whose
     * {@code (jobId, eventIndex)} is already kept is not kept twice. A recorder that writes
     * synchronously returns a completed future ({@link Confirmations#ofSynchronous});
     * {@link Confirmations#await} waits for it.
     */
    CompletableFuture<Void> record(List<HistoryRecord> records);
}

package com.relaybox.presence.core.port.in;

import com.relaybox.presence.core.domain.Outcome;
import com.relaybox.presence.core.domain.RawJob;
import com.relaybox.presence.core.port.out.Confirmations;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The one entry point of every transport: raw jobs in, what happened out. Every check of
 * CONTRACT §6 is made here.
 */
public interface ProcessJobs {

    default Outcome process(RawJob job) {
        return processBatch(List.of(job)).get(0);
    }

    /**
     * Applies a batch in one go, in order (one store round trip, one broadcast flush), and returns
     * once its broadcasts and history are confirmed; one outcome per job, in order. Throws
     * {@link com.relaybox.presence.core.port.out.DependencyUnavailableException} when a dependency
     * fails: then retry the whole batch as redeliveries ({@link RawJob#asRedelivery()}).
     */
    default List<Outcome> processBatch(List<RawJob> jobs) {
        AppliedBatch batch = applyBatch(jobs);
        Confirmations.await(batch.confirmed());
        return batch.outcomes();
    }

    /**
     * Applies a batch to the store and sends its broadcasts and history without waiting for their
     * confirmation, so the caller can apply the next batch meanwhile. Batches applied one after
     * another on one thread broadcast in that order. A job is done only once {@code confirmed}
     * completes. When it fails (with a
     * {@link com.relaybox.presence.core.port.out.DependencyUnavailableException}), retry this
     * batch and every batch applied after it, in order, as redeliveries. Throws, as
     * {@link #processBatch} does, when the store fails.
     */
    AppliedBatch applyBatch(List<RawJob> jobs);

    /**
     * A batch applied to the store: its outcomes (one per job, in order), and the confirmation of
     * its broadcasts and history records.
     */
    record AppliedBatch(List<Outcome> outcomes, CompletableFuture<Void> confirmed) {
    }
}

package com.relaybox.presence.core.port.in;

import com.relaybox.presence.core.domain.Outcome;
import com.relaybox.presence.core.domain.RawJob;
import com.relaybox.presence.core.port.out.Confirmations;
import com.relaybox.presence.core.port.out.Fence;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The one entry point of every transport: raw jobs in, what happened out. Every check of
 * CONTRACT §6 is made here.
 */
public interface ProcessJobs {

    /**
     * Applies a batch to the store and sends its broadcasts and history without waiting for their
     * confirmation, so the caller can apply the next batch meanwhile. Batches applied one after
     * another on one thread broadcast in that order; the broadcasts go out only while
     * {@code fence} holds. A job is done only once {@code confirmed} completes. When it fails
     * (with a {@link com.relaybox.presence.core.port.out.DependencyUnavailableException}), retry
     * this batch and every batch applied after it, in order, as redeliveries
     * ({@link RawJob#asRedelivery()}). Throws when the store fails: then retry the batch the same way.
     */
    AppliedBatch applyBatch(List<RawJob> jobs, Fence fence);

    /** One job, unfenced, waiting for its confirmation: for a caller that answers a request with the outcome. */
    default Outcome process(RawJob job) {
        AppliedBatch applied = applyBatch(List.of(job), Fence.UNFENCED);
        Confirmations.await(applied.confirmed());
        return applied.outcomes().get(0);
    }

    /**
     * A batch applied to the store: its outcomes (one per job, in order); {@code broadcast}, the
     * confirmation of its broadcasts, which subscribers wait for; and {@code confirmed}, that of its
     * broadcasts and history records both, which its acknowledgement waits for.
     */
    record AppliedBatch(List<Outcome> outcomes, CompletableFuture<Void> broadcast, CompletableFuture<Void> confirmed) {
    }
}

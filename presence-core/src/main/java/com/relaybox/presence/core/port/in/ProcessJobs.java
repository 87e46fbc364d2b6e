package com.relaybox.presence.core.port.in;

import com.relaybox.presence.core.domain.Outcome;
import com.relaybox.presence.core.domain.RawJob;
import com.relaybox.presence.core.port.out.Confirmations;
import com.relaybox.presence.core.port.out.Fence;
import com.relaybox.presence.core.port.out.FencingToken;

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
     * With a {@linkplain Fence#token token} the store applies it only while that token is its
     * resource's newest, and throws {@link com.relaybox.presence.core.port.out.FencedOutException}
     * otherwise: nothing of the batch was applied, and another instance holds its source.
     */
    AppliedBatch applyBatch(List<RawJob> jobs, Fence fence);

    /**
     * A new fencing token for a source the caller consumes alone (a queue), for the fences of its
     * batches ({@link Fence#withToken}): from now on the store applies only batches carrying it for
     * that source (see {@link com.relaybox.presence.core.port.out.PresenceStore#takeFencingToken}).
     */
    FencingToken takeFencingToken(String resource);

    /**
     * One job, unfenced, waiting for its confirmation: for a caller that answers a request with the
     * outcome. The answer is the job's acknowledgement: only the caller's retry can repeat it.
     */
    default Outcome process(RawJob job) {
        AppliedBatch applied = applyBatch(List.of(job), Fence.UNFENCED);
        Confirmations.await(applied.confirmed());
        jobsAcknowledged(List.of(job), applied.outcomes());
        return applied.outcomes().get(0);
    }

    /**
     * The transport has acknowledged these jobs to their source (their outcomes alongside, in the
     * same order): the source will not deliver them again, so the store need remember them only for
     * a producer's retry (the duplicate window) rather than for a redelivery after an outage. Call it
     * only after the acknowledgement is sent or confirmed, so that a crash in between leaves the long
     * memory. A store that cannot shorten it reports that itself and keeps the long memory, which is
     * harmless: this does not throw for it.
     */
    void jobsAcknowledged(List<RawJob> jobs, List<Outcome> outcomes);

    /**
     * A batch applied to the store: its outcomes (one per job, in order); {@code broadcast}, the
     * confirmation of its broadcasts, which subscribers wait for; and {@code confirmed}, that of its
     * broadcasts and history records both, which its acknowledgement waits for.
     */
    record AppliedBatch(List<Outcome> outcomes, CompletableFuture<Void> broadcast, CompletableFuture<Void> confirmed) {
    }
}

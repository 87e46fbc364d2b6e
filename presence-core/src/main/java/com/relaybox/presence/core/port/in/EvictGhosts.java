package com.relaybox.presence.core.port.in;

import com.relaybox.presence.core.domain.Ghost;
import com.relaybox.presence.core.port.in.ProcessJobs.AppliedBatch;
import com.relaybox.presence.core.port.out.Fence;

import java.util.List;
import java.util.Objects;

/**
 * Evicts ghosts (CONTRACT §8) as {@link ProcessJobs} applies a disconnect: one atomic step in the
 * store per ghost, then a leave broadcast and a history record per room left, sent at once. An
 * eviction is a job under its ghost's id, so the store's job memory applies it once, whoever
 * evicts it: an eviction the store already applied is a duplicate (nothing sent) unless it is a
 * redelivery, whose leaves are sent again with the same data (the first may not have gone out).
 */
public interface EvictGhosts {

    /** As {@link ProcessJobs#applyBatch}: the outcomes now, one per eviction, and the confirmation of what was sent. */
    AppliedBatch evict(List<Eviction> evictions, Fence fence);

    /**
     * These evictions are confirmed to the liveness store (no longer unconfirmed, so never taken up
     * again as redeliveries): as {@link ProcessJobs#jobsAcknowledged}, their job ids need be
     * remembered only for the duplicate window. Does not throw when the store cannot shorten it.
     */
    void evictionsAcknowledged(List<Ghost> ghosts);

    /** A ghost to evict; {@code redelivered} when an earlier attempt may have been applied without its leaves going out. */
    record Eviction(Ghost ghost, boolean redelivered) {
        public Eviction {
            Objects.requireNonNull(ghost, "ghost");
        }

        public Eviction asRedelivery() {
            return redelivered ? this : new Eviction(ghost, true);
        }
    }
}

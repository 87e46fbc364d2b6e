package com.relaybox.presence.core.port.out;

import com.relaybox.presence.core.domain.Ghost;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the ghost sweeper needs of the store (CONTRACT §8): the connections' heartbeats, read in
 * time order from the oldest, the sweeper role, and the evictions whose broadcasts are not yet
 * confirmed. The eviction itself is a {@link StoreCommand.Evict} through {@link PresenceStore#apply}.
 *
 * <p>Failures as {@link PresenceStore}'s: {@link DependencyUnavailableException} when the backing
 * service cannot be reached.
 */
public interface Liveness {

    /**
     * Takes the sweeper role for {@code candidate}, or keeps it, for {@code term} from now; true
     * when {@code candidate} holds it. At most one candidate holds it at a time.
     */
    boolean lead(String candidate, Duration term);

    /**
     * Reads at most {@code limit} heartbeats older than {@code cutoff}, oldest first, from
     * {@code from} on, and answers the ghosts among them: the connections present in some room.
     */
    StalePage stale(Instant cutoff, StaleCursor from, int limit);

    /** Evictions applied whose broadcasts and history were never confirmed, at most {@code limit}. */
    List<Ghost> unconfirmed(int limit);

    /** These evictions' broadcasts and history are confirmed: they are no longer {@link #unconfirmed}. */
    void confirmed(List<Ghost> ghosts);

    /**
     * A place in the heartbeats, ordered by score, then member: the heartbeats from {@code score}
     * on, less the first {@code skip} of those at exactly {@code score}.
     */
    record StaleCursor(double score, int skip) {
        public static final StaleCursor START = new StaleCursor(Double.NEGATIVE_INFINITY, 0);

        public StaleCursor {
            if (Double.isNaN(score) || skip < 0) throw new IllegalArgumentException("not a place: " + score + ", " + skip);
        }

        /** The place after a page whose last {@code atLast} heartbeats had the score {@code last}. */
        public StaleCursor after(double last, int atLast) {
            return new StaleCursor(last, last == score ? skip + atLast : atLast);
        }
    }

    /** The ghosts of one page of stale heartbeats, and where the next page starts (none at the end). */
    record StalePage(List<Ghost> ghosts, Optional<StaleCursor> next) {
        public StalePage {
            ghosts = List.copyOf(ghosts);
            Objects.requireNonNull(next, "next");
        }
    }
}

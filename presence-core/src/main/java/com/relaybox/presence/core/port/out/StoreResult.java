package com.relaybox.presence.core.port.out;

import com.relaybox.presence.core.domain.NspRoomId;

import java.util.List;
import java.util.Objects;

/**
 * What a command did, or, for a repeated job id, what its first application did.
 *
 * @param repeat    the job id had been applied before; nothing changed now, and the rest of this
 *                  result is what the first application did
 * @param effect    whether the presence sets changed
 * @param rooms     the rooms changed: the job's room for a join, update or leave that changed
 *                  something, every room left for a disconnect, none otherwise
 * @param timestamp the event time of the first application
 */
public record StoreResult(boolean repeat, Effect effect, List<NspRoomId> rooms, String timestamp) {

    public enum Effect {
        /** The presence sets changed (for a disconnect: the connection is gone from every room). */
        CHANGED,
        /** A leave or update of a connection that is not a member of the room. */
        NOT_A_MEMBER,
        /** A join or update of a connection disconnected within the tombstone period. */
        DISCONNECTED,
        /** A join or update of a connection evicted as a ghost, with no heartbeat since. */
        EVICTED,
        /**
         * An eviction of a connection whose heartbeat is no longer the stale one: a newer heartbeat
         * came (it is alive), or none is left (its session ended, and its own disconnect follows).
         */
        NOT_STALE
    }

    public StoreResult {
        Objects.requireNonNull(effect, "effect");
        Objects.requireNonNull(timestamp, "timestamp");
        rooms = List.copyOf(rooms);
        if (effect != Effect.CHANGED && !rooms.isEmpty())
            throw new IllegalArgumentException("an unchanged result names no rooms");
    }

    public static StoreResult changed(List<NspRoomId> rooms, String timestamp) {
        return new StoreResult(false, Effect.CHANGED, rooms, timestamp);
    }

    public static StoreResult unchanged(Effect effect, String timestamp) {
        return new StoreResult(false, effect, List.of(), timestamp);
    }

    public StoreResult asRepeat() {
        return new StoreResult(true, effect, rooms, timestamp);
    }
}

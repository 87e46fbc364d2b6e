package com.relaybox.presence.core.port.out;

import com.relaybox.presence.core.domain.ConnectionId;
import com.relaybox.presence.core.domain.Ghost;
import com.relaybox.presence.core.domain.JobId;
import com.relaybox.presence.core.domain.JobType;
import com.relaybox.presence.core.domain.NspRoomId;

import java.util.Objects;
import java.util.function.Function;

/**
 * One job's change, as the store applies it: one record per kind of job, told apart by
 * {@link #match}. {@code timestamp} is the event time of this attempt, remembered with the job
 * id so that a repeat broadcasts the time of the first application.
 */
public sealed interface StoreCommand {

    JobId jobId();

    ConnectionId connection();

    String timestamp();

    /** The result of the function for this command's kind. */
    <R> R match(Function<Join, R> join, Function<Update, R> update, Function<Leave, R> leave,
                Function<Disconnect, R> disconnect, Function<Evict, R> evict);

    /** The kind of job this command applies. */
    default JobType type() {
        return match(join -> JobType.JOIN, update -> JobType.UPDATE, leave -> JobType.LEAVE,
                disconnect -> JobType.DISCONNECT, evict -> JobType.DISCONNECT);
    }

    /** Adds or replaces the member, stored as {@code memberJson}. */
    record Join(JobId jobId, NspRoomId room, ConnectionId connection, String memberJson, String timestamp)
            implements StoreCommand {
        public Join {
            requireCommand(jobId, connection, timestamp);
            Objects.requireNonNull(room, "room");
            Objects.requireNonNull(memberJson, "memberJson");
        }

        @Override
        public <R> R match(Function<Join, R> join, Function<Update, R> update, Function<Leave, R> leave,
                           Function<Disconnect, R> disconnect, Function<Evict, R> evict) {
            return join.apply(this);
        }
    }

    /** Replaces a current member's JSON with {@code memberJson}. */
    record Update(JobId jobId, NspRoomId room, ConnectionId connection, String memberJson, String timestamp)
            implements StoreCommand {
        public Update {
            requireCommand(jobId, connection, timestamp);
            Objects.requireNonNull(room, "room");
            Objects.requireNonNull(memberJson, "memberJson");
        }

        @Override
        public <R> R match(Function<Join, R> join, Function<Update, R> update, Function<Leave, R> leave,
                           Function<Disconnect, R> disconnect, Function<Evict, R> evict) {
            return update.apply(this);
        }
    }

    /** Removes a current member. */
    record Leave(JobId jobId, NspRoomId room, ConnectionId connection, String timestamp) implements StoreCommand {
        public Leave {
            requireCommand(jobId, connection, timestamp);
            Objects.requireNonNull(room, "room");
        }

        @Override
        public <R> R match(Function<Join, R> join, Function<Update, R> update, Function<Leave, R> leave,
                           Function<Disconnect, R> disconnect, Function<Evict, R> evict) {
            return leave.apply(this);
        }
    }

    /** Removes the connection from every room and tombstones it. */
    record Disconnect(JobId jobId, ConnectionId connection, String timestamp) implements StoreCommand {
        public Disconnect {
            requireCommand(jobId, connection, timestamp);
        }

        @Override
        public <R> R match(Function<Join, R> join, Function<Update, R> update, Function<Leave, R> leave,
                           Function<Disconnect, R> disconnect, Function<Evict, R> evict) {
            return disconnect.apply(this);
        }
    }

    /**
     * Evicts a ghost (CONTRACT §8): only while the connection's heartbeat is still the stale one the
     * sweeper saw, it leaves every room as a disconnect does, and its late joins and updates are
     * ignored until a newer heartbeat. A changed eviction with rooms stays unconfirmed in the store
     * until {@link Liveness#confirmed} says its broadcasts and history went out.
     */
    record Evict(Ghost ghost, String timestamp) implements StoreCommand {
        public Evict {
            Objects.requireNonNull(ghost, "ghost");
            Objects.requireNonNull(timestamp, "timestamp");
        }

        @Override
        public JobId jobId() {
            return ghost.jobId();
        }

        @Override
        public ConnectionId connection() {
            return ghost.connection();
        }

        @Override
        public <R> R match(Function<Join, R> join, Function<Update, R> update, Function<Leave, R> leave,
                           Function<Disconnect, R> disconnect, Function<Evict, R> evict) {
            return evict.apply(this);
        }
    }

    private static void requireCommand(JobId jobId, ConnectionId connection, String timestamp) {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(timestamp, "timestamp");
    }
}

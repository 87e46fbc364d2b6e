package com.relaybox.presence.core.domain;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * A job that passed every check of CONTRACT §6 and can be applied: one record per kind.
 * {@link #match} tells the kinds apart, one function per kind, as a switch over the records would
 * if Java 17 had one: a new kind does not compile until every place that tells them apart handles it.
 */
public sealed interface PresenceJob {

    JobId id();

    Actor actor();

    /** The event time the producer gave, as it gave it; absent means "processing time". */
    Optional<String> timestamp();

    /** RelayBox's latency log object, passed through to the broadcast untouched. */
    Optional<String> latencyLog();

    /** The result of the function for this job's kind. */
    <R> R match(Function<Join, R> join, Function<Update, R> update, Function<Leave, R> leave,
                Function<Disconnect, R> disconnect);

    /** Its AMQP {@code type}, and the event it broadcasts. */
    default JobType type() {
        return match(join -> JobType.JOIN, update -> JobType.UPDATE, leave -> JobType.LEAVE,
                disconnect -> JobType.DISCONNECT);
    }

    /** Adds or replaces the member; {@code dataJson} is {@code message.data}, or {@code null}. */
    record Join(JobId id, NspRoomId room, Actor actor, String dataJson, Optional<String> timestamp,
                Optional<String> latencyLog) implements PresenceJob {
        public Join {
            requireInRoom(id, room, actor, dataJson, timestamp, latencyLog);
        }

        @Override
        public <R> R match(Function<Join, R> join, Function<Update, R> update, Function<Leave, R> leave,
                           Function<Disconnect, R> disconnect) {
            return join.apply(this);
        }
    }

    /** Replaces a current member's data. */
    record Update(JobId id, NspRoomId room, Actor actor, String dataJson, Optional<String> timestamp,
                  Optional<String> latencyLog) implements PresenceJob {
        public Update {
            requireInRoom(id, room, actor, dataJson, timestamp, latencyLog);
        }

        @Override
        public <R> R match(Function<Join, R> join, Function<Update, R> update, Function<Leave, R> leave,
                           Function<Disconnect, R> disconnect) {
            return update.apply(this);
        }
    }

    /** Removes a current member; its leave broadcast carries {@code dataJson}. */
    record Leave(JobId id, NspRoomId room, Actor actor, String dataJson, Optional<String> timestamp,
                 Optional<String> latencyLog) implements PresenceJob {
        public Leave {
            requireInRoom(id, room, actor, dataJson, timestamp, latencyLog);
        }

        @Override
        public <R> R match(Function<Join, R> join, Function<Update, R> update, Function<Leave, R> leave,
                           Function<Disconnect, R> disconnect) {
            return leave.apply(this);
        }
    }

    /** Leaves every room of the connection. */
    record Disconnect(JobId id, Actor actor, Optional<String> timestamp, Optional<String> latencyLog)
            implements PresenceJob {
        public Disconnect {
            requireJob(id, actor, timestamp, latencyLog);
        }

        @Override
        public <R> R match(Function<Join, R> join, Function<Update, R> update, Function<Leave, R> leave,
                           Function<Disconnect, R> disconnect) {
            return disconnect.apply(this);
        }
    }

    private static void requireJob(JobId id, Actor actor, Optional<String> timestamp, Optional<String> latencyLog) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(latencyLog, "latencyLog");
    }

    /** A join, update or leave names a room of its own app and a client to show as the member. */
    private static void requireInRoom(JobId id, NspRoomId room, Actor actor, String dataJson,
                                      Optional<String> timestamp, Optional<String> latencyLog) {
        requireJob(id, actor, timestamp, latencyLog);
        Objects.requireNonNull(room, "room");
        Objects.requireNonNull(dataJson, "dataJson");
        actor.requireSameApp(room);
        if (actor.clientId().isEmpty())
            throw new IllegalArgumentException("missing clientId (neither clientId nor session.clientId)");
    }
}

package com.relaybox.presence.core.domain;

import java.util.Objects;
import java.util.Optional;

/** A job that passed every check of CONTRACT §6 and can be applied. */
public sealed interface PresenceJob {

    JobId id();

    JobType type();

    Actor actor();

    /** The event time the producer gave, as it gave it; absent means "processing time". */
    Optional<String> timestamp();

    /** RelayBox's latency log object, passed through to the broadcast untouched. */
    Optional<String> latencyLog();

    /** A join, update or leave of one room. {@code dataJson} is {@code message.data}, or {@code null}. */
    record RoomJob(JobId id, JobType type, NspRoomId room, Actor actor, String dataJson,
                   Optional<String> timestamp, Optional<String> latencyLog) implements PresenceJob {
        public RoomJob {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(room, "room");
            Objects.requireNonNull(actor, "actor");
            Objects.requireNonNull(dataJson, "dataJson");
            Objects.requireNonNull(timestamp, "timestamp");
            Objects.requireNonNull(latencyLog, "latencyLog");
            if (type == JobType.DISCONNECT)
                throw new IllegalArgumentException("a disconnect is not a room job");
            actor.requireSameApp(room);
            if (actor.clientId().isEmpty())
                throw new IllegalArgumentException("missing clientId (neither clientId nor session.clientId)");
        }
    }

    /** Leave every room of the connection. */
    record Disconnect(JobId id, Actor actor, Optional<String> timestamp, Optional<String> latencyLog)
            implements PresenceJob {
        public Disconnect {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(actor, "actor");
            Objects.requireNonNull(timestamp, "timestamp");
            Objects.requireNonNull(latencyLog, "latencyLog");
        }

        @Override
        public JobType type() {
            return JobType.DISCONNECT;
        }
    }
}

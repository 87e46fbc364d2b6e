package com.relaybox.presence.core.port.out;

import com.relaybox.presence.core.domain.ConnectionId;
import com.relaybox.presence.core.domain.JobId;
import com.relaybox.presence.core.domain.JobType;
import com.relaybox.presence.core.domain.NspRoomId;

import java.util.Objects;
import java.util.Optional;

/**
 * One job's change, as the store applies it.
 *
 * @param room       the room of a join, update or leave; empty for a disconnect
 * @param memberJson the member JSON a join or update stores; empty for a leave or disconnect
 * @param timestamp  the event time of this attempt, remembered with the job id so that a repeat
 *                   broadcasts the time of the first application
 */
public record StoreCommand(JobId jobId, JobType type, Optional<NspRoomId> room, ConnectionId connection,
                           String memberJson, String timestamp) {

    public StoreCommand {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(room, "room");
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(memberJson, "memberJson");
        Objects.requireNonNull(timestamp, "timestamp");
        if (room.isPresent() == (type == JobType.DISCONNECT))
            throw new IllegalArgumentException("a " + type.wireName() + " command " + (room.isPresent() ? "has no" : "needs a") + " room");
        boolean stores = type == JobType.JOIN || type == JobType.UPDATE;
        if (stores == memberJson.isEmpty())
            throw new IllegalArgumentException("a " + type.wireName() + " command " + (stores ? "needs" : "takes no") + " member JSON");
    }

    public static StoreCommand join(JobId jobId, NspRoomId room, ConnectionId connection, String memberJson, String timestamp) {
        return new StoreCommand(jobId, JobType.JOIN, Optional.of(room), connection, memberJson, timestamp);
    }

    public static StoreCommand update(JobId jobId, NspRoomId room, ConnectionId connection, String memberJson, String timestamp) {
        return new StoreCommand(jobId, JobType.UPDATE, Optional.of(room), connection, memberJson, timestamp);
    }

    public static StoreCommand leave(JobId jobId, NspRoomId room, ConnectionId connection, String timestamp) {
        return new StoreCommand(jobId, JobType.LEAVE, Optional.of(room), connection, "", timestamp);
    }

    public static StoreCommand disconnect(JobId jobId, ConnectionId connection, String timestamp) {
        return new StoreCommand(jobId, JobType.DISCONNECT, Optional.empty(), connection, "", timestamp);
    }
}

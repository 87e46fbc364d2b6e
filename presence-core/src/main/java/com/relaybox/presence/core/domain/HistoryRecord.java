package com.relaybox.presence.core.domain;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One applied join, update or leave as history keeps it (CONTRACT §5). {@code (jobId, eventIndex)}
 * is unique: a disconnect's leaves are told apart by their index.
 */
public record HistoryRecord(JobId jobId, int eventIndex, NspRoomId room, ConnectionId connectionId,
                            Optional<String> clientId, EventType event, String dataJson, String userJson,
                            Instant timestamp) {
    public HistoryRecord {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(room, "room");
        Objects.requireNonNull(connectionId, "connectionId");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(dataJson, "dataJson");
        Objects.requireNonNull(userJson, "userJson");
        Objects.requireNonNull(timestamp, "timestamp");
        if (eventIndex < 0) throw new IllegalArgumentException("eventIndex must be >= 0");
    }

    public static HistoryRecord of(JobId jobId, int eventIndex, PresenceEvent event) {
        Member member = event.member();
        return new HistoryRecord(jobId, eventIndex, event.room(), member.connectionId(), member.clientId(),
                member.event(), member.dataJson(), member.userJson(), Timestamps.eventTime(member.timestamp()));
    }
}

package com.relaybox.presence.core.contract;

import com.relaybox.presence.core.domain.ConnectionId;
import com.relaybox.presence.core.domain.EventType;
import com.relaybox.presence.core.domain.HistoryRecord;
import com.relaybox.presence.core.domain.JobId;
import com.relaybox.presence.core.domain.Member;
import com.relaybox.presence.core.domain.NspRoomId;
import com.relaybox.presence.core.domain.PresenceEvent;

import java.time.Instant;
import java.util.Optional;

/** Realistic events and records for the contract suites. */
public final class Fixtures {
    private Fixtures() {
    }

    public static PresenceEvent event(NspRoomId room, String connection, EventType type, String dataJson, String timestamp) {
        String clientId = room.appPid() + ":client-" + connection;
        String user = "{\"id\":\"a2c10890\",\"clientId\":\"client-" + connection + "\",\"username\":\"chippedvolcano425\",\"isOnline\":true}";
        Member member = new Member(Optional.of(clientId), new ConnectionId(room.appPid() + ":" + connection), dataJson,
                timestamp, type, user);
        String session = "{\"appPid\":\"" + room.appPid() + "\",\"keyId\":\"GFVHaIrJ6Y1_\",\"uid\":\"" + clientId
                + "\",\"clientId\":\"" + clientId + "\",\"connectionId\":\"" + room.appPid() + ":" + connection
                + "\",\"socketId\":\"63836bc5-e304-415a-a93e-230fe5f32c64\",\"user\":" + user + "}";
        return new PresenceEvent(room, member, session,
                Optional.of("{\"createdAt\":\"2024-10-03T14:49:14.325Z\",\"receivedAt\":\"2024-10-03T14:49:14.326Z\"}"));
    }

    public static HistoryRecord record(String jobId, int index, NspRoomId room, String connection, EventType type,
                                       String dataJson, Instant timestamp) {
        return new HistoryRecord(new JobId(jobId), index, room, new ConnectionId(room.appPid() + ":" + connection),
                Optional.of(room.appPid() + ":client-" + connection), type, dataJson,
                "{\"id\":\"u-" + connection + "\",\"username\":\"user " + connection + "\"}", timestamp);
    }
}

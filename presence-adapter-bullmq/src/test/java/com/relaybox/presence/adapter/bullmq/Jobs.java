package com.relaybox.presence.adapter.bullmq;

/** Job data as RelayBox's realtime service builds it (CONTRACT §2), compact JSON. */
final class Jobs {
    static final String TIMESTAMP = "2024-10-03T14:49:14.329Z";
    static final String LATENCY_LOG = "{\"createdAt\":\"2024-10-03T14:49:14.325Z\",\"receivedAt\":\"2024-10-03T14:49:14.326Z\"}";

    private Jobs() {
    }

    static String user(String connection) {
        return "{\"id\":\"a2c10890-" + connection + "\",\"clientId\":\"client-" + connection
                + "\",\"username\":\"chippedvolcano425\",\"isOnline\":true}";
    }

    static String session(String app, String connection) {
        return "{\"appPid\":\"" + app + "\",\"keyId\":\"GFVHaIrJ6Y1_\",\"uid\":\"" + app + ":client-" + connection
                + "\",\"clientId\":\"" + app + ":client-" + connection + "\",\"connectionId\":\"" + app + ":" + connection
                + "\",\"socketId\":\"63836bc5-e304-415a-a93e-230fe5f32c64\",\"user\":" + user(connection) + "}";
    }

    /** The data of a join, leave or update ({@code event}) of {@code app:connection} in {@code app:room}. */
    static String room(String app, String room, String connection, String event, String dataJson) {
        return "{\"clientId\":\"" + app + ":client-" + connection + "\",\"nspRoomId\":\"" + app + ":" + room
                + "\",\"subscription\":\"" + app + ":" + room + ":$:presence:" + event + "\",\"session\":"
                + session(app, connection) + ",\"message\":{\"clientId\":\"" + app + ":client-" + connection
                + "\",\"data\":" + dataJson + ",\"timestamp\":\"" + TIMESTAMP + "\",\"event\":\"" + event
                + "\"},\"latencyLog\":" + LATENCY_LOG + "}";
    }

    static BullMqQueue.Job job(String event, String room, String connection, String dataJson) {
        return BullMqQueue.Job.of("presence:" + event, room("app1", room, connection, event, dataJson));
    }

    static String seq(int seq) {
        return "{\"seq\":" + seq + "}";
    }
}

package com.relaybox.presence.adapter.postgres;

import com.relaybox.presence.core.domain.RawJob;

import java.nio.charset.StandardCharsets;

/** Job bodies as the RelayBox realtime service builds them (CONTRACT §2). */
final class Jobs {
    private Jobs() {
    }

    static String user(String client) {
        return "{\"id\":\"u-" + client + "\",\"clientId\":\"" + client + "\",\"username\":\"name " + client + "\",\"isOnline\":true}";
    }

    private static String session(String app, String connection, String client) {
        return "{\"appPid\":\"" + app + "\",\"keyId\":\"GFVHaIrJ6Y1_\",\"uid\":\"" + app + ":" + client + "\",\"clientId\":\""
                + app + ":" + client + "\",\"connectionId\":\"" + app + ":" + connection
                + "\",\"socketId\":\"63836bc5-e304-415a-a93e-230fe5f32c64\",\"user\":" + user(client) + "}";
    }

    static RawJob room(String type, String id, String app, String room, String connection, String client, String dataJson,
                       String timestamp) {
        String event = type.substring("presence:".length());
        String body = "{\"clientId\":\"" + app + ":" + client + "\",\"nspRoomId\":\"" + app + ":" + room + "\",\"session\":"
                + session(app, connection, client) + ",\"message\":{\"clientId\":\"" + app + ":" + client + "\",\"data\":"
                + dataJson + ",\"timestamp\":\"" + timestamp + "\",\"event\":\"" + event + "\"},\"latencyLog\":"
                + "{\"createdAt\":\"" + timestamp + "\",\"receivedAt\":\"" + timestamp + "\"}}";
        return new RawJob(type, id, body.getBytes(StandardCharsets.UTF_8), false);
    }

    static RawJob disconnect(String id, String app, String connection, String client, String timestamp) {
        String body = "{\"session\":" + session(app, connection, client) + ",\"timestamp\":\"" + timestamp + "\"}";
        return new RawJob("presence:disconnect", id, body.getBytes(StandardCharsets.UTF_8), false);
    }
}

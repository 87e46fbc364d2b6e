package com.relaybox.presence.core.json;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.relaybox.presence.core.domain.RawJob;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/** Jobs as the RelayBox realtime service builds them (CONTRACT §2), for tests. */
public final class Jobs {
    public static final String APP = "Fef8GnS7C5zN";
    public static final String CLIENT = APP + ":-DmWHl490veI";
    public static final String CONNECTION = APP + ":U7JWOF-5XgfF";

    private Jobs() {
    }

    /** The body of CONTRACT §2 for a job of {@code type} ({@code join}, {@code leave}, {@code update}) in {@code nspRoomId}. */
    public static JsonObject body(String event, String nspRoomId) {
        return JsonParser.parseString("""
                {
                  "clientId": "%2$s",
                  "nspRoomId": "%1$s",
                  "subscription": "%1$s:$:presence:%4$s",
                  "session": {
                    "appPid": "%5$s", "keyId": "GFVHaIrJ6Y1_", "uid": "%2$s",
                    "clientId": "%2$s", "connectionId": "%3$s",
                    "socketId": "63836bc5-e304-415a-a93e-230fe5f32c64",
                    "user": { "id": "a2c10890-3bb0", "clientId": "-DmWHl490veI", "username": "chippedvolcano425", "isOnline": true }
                  },
                  "message": { "clientId": "%2$s", "data": { "message": "hello" },
                               "timestamp": "2024-10-03T14:49:14.329Z", "event": "%4$s" },
                  "latencyLog": { "createdAt": "2024-10-03T14:49:14.325Z", "receivedAt": "2024-10-03T14:49:14.326Z" }
                }
                """.formatted(nspRoomId, CLIENT, CONNECTION, event, APP)).getAsJsonObject();
    }

    public static JsonObject disconnectBody() {
        return JsonParser.parseString("""
                { "session": { "appPid": "%s", "clientId": "%s", "connectionId": "%s" },
                  "timestamp": "2024-10-03T14:50:00.000Z" }
                """.formatted(APP, CLIENT, CONNECTION)).getAsJsonObject();
    }

    public static RawJob raw(String event, String id, JsonObject body) {
        return new RawJob("presence:" + event, id, body.toString().getBytes(StandardCharsets.UTF_8), false);
    }

    public static RawJob raw(String event, String id, String nspRoomId, Consumer<JsonObject> edit) {
        JsonObject body = body(event, nspRoomId);
        edit.accept(body);
        return raw(event, id, body);
    }
}

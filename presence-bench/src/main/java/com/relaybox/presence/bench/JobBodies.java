package com.relaybox.presence.bench;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.nio.charset.StandardCharsets;

/** Job bodies as the RelayBox realtime service builds them (CONTRACT §2). */
final class JobBodies {
    private final String app;
    private final int dataBytes;
    private final String padding;

    JobBodies(String app, int dataBytes) {
        this.app = app;
        this.dataBytes = dataBytes;
        this.padding = "x".repeat(dataBytes);
    }

    String app() {
        return app;
    }

    String room(int room) {
        return app + ":room-" + room;
    }

    String connection(int connection) {
        return app + ":conn-" + connection;
    }

    String client(int connection) {
        return app + ":client-" + connection;
    }

    byte[] body(BenchJob job) {
        String nspRoomId = room(job.room());
        String client = client(job.connection());
        String event = job.type().event().wireName();
        String seq = Long.toString(job.seq());
        // {"seq":N,"pad":"..."} is dataBytes bytes long.
        String pad = padding.substring(0, Math.max(0, dataBytes - 17 - seq.length()));
        String json = "{\"clientId\":\"" + client + "\",\"nspRoomId\":\"" + nspRoomId + "\","
                + "\"subscription\":\"" + nspRoomId + ":$:presence:" + event + "\","
                + "\"session\":{\"appPid\":\"" + app + "\",\"keyId\":\"bench-key\",\"uid\":\"" + client + "\","
                + "\"clientId\":\"" + client + "\",\"connectionId\":\"" + connection(job.connection()) + "\","
                + "\"socketId\":\"socket-" + job.connection() + "\",\"user\":{\"id\":\"user-" + job.connection()
                + "\",\"clientId\":\"client-" + job.connection() + "\",\"username\":\"bench user " + job.connection()
                + "\",\"isOnline\":true}},"
                + "\"message\":{\"clientId\":\"" + client + "\",\"data\":{\"seq\":" + seq + ",\"pad\":\"" + pad
                + "\"},\"event\":\"" + event + "\"}}";
        return json.getBytes(StandardCharsets.UTF_8);
    }

    /** The {@code seq} of a broadcast's {@code data.data}, or -1 when it carries none. */
    static long seqOf(byte[] broadcast) {
        String text = new String(broadcast, StandardCharsets.UTF_8);
        int at = text.indexOf("\"seq\":");
        if (at < 0) return -1;
        int from = at + 6;
        int to = from;
        while (to < text.length() && Character.isDigit(text.charAt(to))) to++;
        return to == from ? -1 : Long.parseLong(text.substring(from, to));
    }

    /** Used by the self-check: the body is JSON of the contract's shape. */
    static JsonObject parse(byte[] body) {
        return JsonParser.parseString(new String(body, StandardCharsets.UTF_8)).getAsJsonObject();
    }
}

package com.relaybox.presence.bench;

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

    private static final byte[] SEQ = "\"seq\":".getBytes(StandardCharsets.UTF_8);

    /** The {@code seq} of a broadcast's {@code data.data}, or -1 when it carries none; scans the bytes, decodes nothing. */
    static long seqOf(byte[] broadcast) {
        outer:
        for (int at = 0; at <= broadcast.length - SEQ.length; at++) {
            for (int i = 0; i < SEQ.length; i++)
                if (broadcast[at + i] != SEQ[i]) continue outer;
            long seq = 0;
            int digits = 0;
            for (int i = at + SEQ.length; i < broadcast.length && broadcast[i] >= '0' && broadcast[i] <= '9'; i++, digits++)
                seq = seq * 10 + (broadcast[i] - '0');
            return digits == 0 ? -1 : seq;
        }
        return -1;
    }
}
